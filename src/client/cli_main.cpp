// parley-cli: a command-line chat client for any Parley node.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/chat_session.hpp"
#include "client/cli_options.hpp"
#include "client/cli_terminal.hpp"
#include "client/connection.hpp"
#include "common/logging.hpp"

namespace {

using parley::client::ChatSession;
using parley::client::ChatTerminal;
using parley::client::CliOptions;
using parley::client::Connection;

constexpr int kExitOk = 0;
constexpr int kExitSetupError = 1;
constexpr int kExitUsageError = 2;
constexpr int kExitConnectionError = 3;

constexpr std::string_view kAccountExists = "Cannot create account: already exists";

std::optional<std::string> environment_password() {
  const char* value = std::getenv("PARLEY_PASSWORD");
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

// Creates the account if requested, logs in, and enters the room if one was
// given. Returns false after printing the error.
bool set_up(const CliOptions& options, ChatSession& session, ChatTerminal& terminal) {
  if (options.create_account) {
    auto created = session.create_account(options.username, *options.email, options.password);
    if (!created && created.error().message != kAccountExists) {
      terminal.print_error(created.error());
      return false;
    }
  }
  auto logged_in = session.login(options.username, options.password);
  if (!logged_in) {
    terminal.print_error(logged_in.error());
    return false;
  }
  if (options.room) {
    auto entered = terminal.enter_room(*options.room, options.create_room, options.history_count);
    if (!entered) {
      terminal.print_error(entered.error());
      return false;
    }
  }
  return true;
}

void print_close(Connection& connection, const std::string& url) {
  auto closed = connection.wait_closed(std::chrono::milliseconds(0));
  std::cerr << "error: the connection to " << url << " closed";
  if (closed) {
    std::cerr << " (close code " << closed->code;
    if (!closed->reason.empty()) {
      std::cerr << ", reason '" << closed->reason << "'";
    }
    std::cerr << ")";
  }
  std::cerr << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto options = parley::client::parse_cli_options(arguments, environment_password());
  if (!options) {
    std::cerr << "error: " << options.error().message << "\n"
              << "Run 'parley-cli --help' for the list of flags.\n";
    return kExitUsageError;
  }
  if (options->help_requested) {
    std::cout << parley::client::cli_help_text();
    return kExitOk;
  }
  // Only library warnings, because the terminal prints every error itself.
  parley::set_log_level("warn");

  auto timeout = std::chrono::milliseconds(options->timeout_ms);
  auto connection = Connection::open(options->url, timeout);
  if (!connection) {
    std::cerr << "error: " << connection.error().message << '\n';
    return kExitConnectionError;
  }
  ChatSession session(**connection, timeout);
  ChatTerminal terminal(session, std::cout, std::cerr);
  if (!set_up(*options, session, terminal)) {
    return kExitSetupError;
  }

  terminal.start_printing_pushes();
  bool quit = false;
  std::string line;
  while ((*connection)->is_open() && std::getline(std::cin, line)) {
    if (!terminal.handle_line(line)) {
      quit = true;
      break;
    }
  }
  if (!quit) {
    // Pushes of the last lines may still be on their way.
    (*connection)->wait_closed(std::chrono::milliseconds(options->linger_ms));
  }
  terminal.stop_printing_pushes();

  if (!(*connection)->is_open()) {
    print_close(**connection, options->url);
    return kExitConnectionError;
  }
  return kExitOk;
}
