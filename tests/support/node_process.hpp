#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/error.hpp"
#include "support/child_process.hpp"

namespace parley::testing {

// Status line and body of an HTTP response.
struct HttpResponse {
  int status = 0;
  std::string body;
};

// Sends `GET <target>` to 127.0.0.1:<port> with HTTP/1.1 and
// "Connection: close", and reads the response. The whole exchange is bounded
// by `timeout`. A failed connect, send or read, a timeout or a malformed
// status line yields an Error with code 0 and a message naming the address.
Result<HttpResponse> http_get(std::uint16_t port, const std::string& target,
                              std::chrono::milliseconds timeout);

// One parley-server child process listening on 127.0.0.1. Its stdout and
// stderr are appended to a log file. The destructor kills it (SIGKILL) if it
// is still running.
class NodeProcess {
 public:
  static constexpr std::chrono::seconds kReadyTimeout{30};
  static constexpr std::chrono::seconds kStopTimeout{10};

  // Starts `binary` with --port <a free loopback port> --listen-address
  // 127.0.0.1 followed by `flags`, then waits up to kReadyTimeout until
  // GET /readyz returns 200. An empty `log_file` means a file in the system
  // temporary directory that the destructor deletes. Throws
  // std::runtime_error when the node exits or is not ready in time; the
  // message contains the last lines of the log.
  static std::unique_ptr<NodeProcess> start(const std::string& binary,
                                            std::vector<std::string> flags,
                                            std::filesystem::path log_file = {});

  // Starts the node like start() but returns without waiting for readiness,
  // so that several nodes can start at once. Call wait_until_ready() next.
  static std::unique_ptr<NodeProcess> launch(const std::string& binary, std::uint16_t port,
                                             std::vector<std::string> flags,
                                             std::filesystem::path log_file = {});

  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;
  ~NodeProcess();

  // Waits until GET /readyz returns 200. Throws std::runtime_error with the
  // last lines of the log when the node exits first. When `timeout` expires
  // first, it kills the node and throws likewise.
  void wait_until_ready(std::chrono::milliseconds timeout = kReadyTimeout);

  std::uint16_t port() const { return port_; }
  std::string url() const;  // ws://127.0.0.1:<port>/
  const std::filesystem::path& log_file() const { return log_file_; }
  pid_t pid() const;

  // Returns true until the process has exited.
  bool running();

  // Sends `sig` to the process unless it was already reaped.
  void signal(int sig);

  // Waits up to `timeout` for the process to exit and reaps it. Returns its
  // exit status (see exit_status()), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  // Sends SIGKILL and reaps the process.
  void kill();

  // Sends SIGTERM and waits up to `timeout` for the process to exit. Returns
  // false, and leaves the process running, when it has not exited by then.
  bool terminate(std::chrono::milliseconds timeout = kStopTimeout);

  // Exit code of the last run (128 + signal number when a signal ended it),
  // or nullopt while it runs.
  std::optional<int> exit_status();

  // Starts the node again on the same port with the same flags, appending to
  // the same log, and waits until it is ready. Kills it first (SIGKILL) if it
  // still runs. Throws like start().
  void restart();

  // Returns the last `count` lines of the log file.
  std::string log_tail(std::size_t count = 30) const;

 private:
  NodeProcess(std::string binary, std::uint16_t port, std::vector<std::string> flags,
              std::filesystem::path log_file, bool owns_log_file);
  void spawn();

  std::string binary_;
  std::uint16_t port_;
  std::vector<std::string> flags_;
  std::filesystem::path log_file_;
  bool owns_log_file_;
  std::optional<ChildProcess> child_;
};

}  // namespace parley::testing
