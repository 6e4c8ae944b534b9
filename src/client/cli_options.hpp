#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/binary_codec.hpp"
#include "common/error.hpp"

namespace parley::client {

// Settings of one parley-cli run, from its command line.
struct CliOptions {
  bool help_requested = false;
  // Node URLs in the order of --url flags. A flag may list several URLs
  // separated by commas.
  std::vector<std::string> urls;
  std::string username;
  std::string password;
  std::optional<std::string> email;
  bool create_account = false;
  std::optional<std::string> room;
  bool create_room = false;
  int history_count = 20;
  int linger_ms = 500;
  int timeout_ms = 5000;
  int send_deadline_ms = 30000;
  int reconnect_timeout_ms = 60000;
  // Wire format of the requests: JSON text frames or SBE binary frames.
  Encoding encoding = Encoding::kJson;
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
