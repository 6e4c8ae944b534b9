#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace parley::testing {

// A child process started with posix_spawn. Its stdin is always a pipe, and
// its stdout is optionally captured and read line by line. Its stderr is
// inherited. If it is still running when the object is destroyed, it is
// killed with SIGKILL and reaped. Movable, not copyable.
class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH when it has no slash) with the
  // environment of this process plus `extra_env` ("NAME=value" entries,
  // which replace variables of the same name). Throws std::runtime_error
  // when the process cannot be started. Ignores SIGPIPE in this process, so
  // that write_line() to a dead child fails instead of killing the test.
  static ChildProcess spawn(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extra_env = {},
                            bool capture_stdout = false);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Returns the next line of captured stdout without its newline, or
  // nullopt when `timeout` expired or stdout reached end of file first.
  // REQUIRES: spawned with capture_stdout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Writes `line` and a newline to the child's stdin. Throws
  // std::runtime_error when the write fails (for example, the child exited).
  void write_line(const std::string& line);

  // Closes the child's stdin, so it reads end of file.
  void close_stdin();

  // Sends `sig` to the child unless it was already reaped.
  void signal(int sig);

  // Waits for the child to exit and reaps it. Returns its exit code, or 128
  // plus the signal number when a signal ended it, or nullopt when `timeout`
  // expired first. After the child was reaped, returns the same value again.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  // Returns true until the child has exited. Reaps it when it has.
  bool running();

 private:
  ChildProcess() = default;
  void release();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_buffer_;
  std::optional<int> exit_code_;
};

// Binds a TCP socket to 127.0.0.1 port 0 and returns the port the kernel
// chose. The socket is closed again, so another process can take the port
// before the caller binds it, a small race that tests accept.
std::uint16_t free_loopback_port();

}  // namespace parley::testing
