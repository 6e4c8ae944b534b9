#include <csignal>
#include <iostream>

#include "common/config.hpp"
#include "common/logging.hpp"
#include "server/node.hpp"

namespace {

// Blocks SIGINT and SIGTERM in every thread and waits for one of them here,
// so that no worker thread is interrupted by a signal handler.
int wait_for_stop_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

void block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that vanishes mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  for (const std::string& argument : arguments) {
    if (argument == "--help" || argument == "-h") {
      std::cout << parley::help_text("parley-server");
      return 0;
    }
  }
  auto environment = parley::parley_environment();
  auto config = parley::parse_config(arguments, environment);
  if (!config) {
    std::cerr << "parley-server: " << config.error().message << "\n";
    return 2;
  }
  auto log = parley::logger("server");
  for (const std::string& variable : parley::unknown_variables(environment)) {
    log->warn("ignoring unknown environment variable {}; see --help for the settings", variable);
  }

  block_stop_signals();
  parley::server::Node node(std::move(config.value()));
  if (auto started = node.start(); !started) {
    log->error("start failed: {}", started.error().message);
    node.stop();
    return 1;
  }
  int received = wait_for_stop_signal();
  log->info("received {}, stopping", received == SIGTERM ? "SIGTERM" : "SIGINT");
  node.stop();
  log->info("stopped");
  return 0;
}
