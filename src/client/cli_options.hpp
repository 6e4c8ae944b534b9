#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace parley::client {

// Settings of one parley-cli run, from its command line.
struct CliOptions {
  bool help_requested = false;
  std::string url;
  std::string username;
  std::string password;
  std::optional<std::string> email;
  bool create_account = false;
  std::optional<std::string> room;
  bool create_room = false;
  int history_count = 20;
  int linger_ms = 500;
  int timeout_ms = 5000;
};

// Parses the arguments after the program name. `environment_password` is
// the value of PARLEY_PASSWORD, used when --password is absent. A usage
// error has code 0 and a message that names the flag.
Result<CliOptions> parse_cli_options(const std::vector<std::string>& arguments,
                                     const std::optional<std::string>& environment_password);

// Returns the --help text: usage, every flag with its unit, the commands
// and the exit codes.
std::string cli_help_text();

// Returns the list of the commands that stdin lines may start with.
std::string command_help_text();

}  // namespace parley::client
