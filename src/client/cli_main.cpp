// parley-cli: a command-line chat client for any Parley node.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/cli_options.hpp"
#include "client/cli_terminal.hpp"
#include "client/resilient_session.hpp"
#include "common/logging.hpp"

namespace {

using parley::client::ChatTerminal;
using parley::client::CliOptions;
using parley::client::ResilientSession;
using parley::client::SessionState;

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
bool set_up(const CliOptions& options, ResilientSession& session, ChatTerminal& terminal) {
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

// Waits up to `timeout`, returning early when the session failed.
void wait_for_failure(ResilientSession& session, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (session.state() != SessionState::kFailed && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
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
  // The terminal is made after the session, so state changes reach it
  // through this pointer, and are not printed before it exists.
  std::atomic<ChatTerminal*> terminal_for_changes{nullptr};
  parley::client::ResilientOptions session_options;
  session_options.urls = options->urls;
  session_options.connect_timeout = timeout;
  session_options.request_timeout = timeout;
  session_options.reconnect_timeout = std::chrono::milliseconds(options->reconnect_timeout_ms);
  session_options.encoding = options->encoding;
  session_options.on_state_change = [&](const parley::client::StateChange& change) {
    if (ChatTerminal* terminal = terminal_for_changes.load()) {
      terminal->print_state_change(change);
    }
  };
  auto session = ResilientSession::open(std::move(session_options));
  if (!session) {
    std::cerr << "error: " << session.error().message << '\n';
    return kExitConnectionError;
  }
  ChatTerminal terminal(**session, std::cout, std::cerr,
                        std::chrono::milliseconds(options->send_deadline_ms));
  terminal_for_changes = &terminal;
  if (!set_up(*options, **session, terminal)) {
    terminal_for_changes = nullptr;
    return kExitSetupError;
  }

  terminal.start_printing_pushes();
  bool quit = false;
  std::string line;
  while ((*session)->state() != SessionState::kFailed && std::getline(std::cin, line)) {
    if (!terminal.handle_line(line)) {
      quit = true;
      break;
    }
  }
  if (!quit) {
    // Pushes of the last lines may still be on their way.
    wait_for_failure(**session, std::chrono::milliseconds(options->linger_ms));
  }
  terminal.stop_printing_pushes();
  bool failed = (*session)->state() == SessionState::kFailed;
  (*session)->close();
  terminal_for_changes = nullptr;
  return failed ? kExitConnectionError : kExitOk;
}
