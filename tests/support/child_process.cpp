#include "support/child_process.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parley::testing {
namespace {

std::runtime_error system_error(const std::string& what, int error_number) {
  return std::runtime_error(what + ": " + std::strerror(error_number));
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// Returns the environment of this process with `extra` added. An entry of
// `extra` replaces a variable of the same name.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string variable(*entry);
    bool replaced = false;
    for (const auto& addition : extra) {
      replaced = replaced || name_of(addition) == name_of(variable);
    }
    if (!replaced) {
      merged.push_back(std::move(variable));
    }
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) {
    pointers.push_back(text.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

}  // namespace

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& extra_env, bool capture_stdout) {
  if (argv.empty()) {
    throw std::invalid_argument("ChildProcess::spawn needs at least the program in argv");
  }
  ::signal(SIGPIPE, SIG_IGN);

  int stdin_pipe[2] = {-1, -1};
  int stdout_pipe[2] = {-1, -1};
  if (pipe2(stdin_pipe, O_CLOEXEC) != 0) {
    throw system_error("creating the stdin pipe failed", errno);
  }
  if (capture_stdout && pipe2(stdout_pipe, O_CLOEXEC) != 0) {
    int error_number = errno;
    close_fd(stdin_pipe[0]);
    close_fd(stdin_pipe[1]);
    throw system_error("creating the stdout pipe failed", error_number);
  }

  // dup2 clears FD_CLOEXEC on the target, so only fds 0 and 1 of the pipes
  // reach the child.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], STDIN_FILENO);
  if (capture_stdout) {
    posix_spawn_file_actions_adddup2(&actions, stdout_pipe[1], STDOUT_FILENO);
  }
  // The child starts with default signal dispositions, SIGPIPE included.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = merged_environment(extra_env);
  std::vector<char*> argument_pointers = pointers_to(arguments);
  std::vector<char*> environment_pointers = pointers_to(environment);

  pid_t pid = -1;
  int spawn_result = posix_spawnp(&pid, arguments[0].c_str(), &actions, &attributes,
                                  argument_pointers.data(), environment_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close_fd(stdin_pipe[0]);
  close_fd(stdout_pipe[1]);
  if (spawn_result != 0) {
    close_fd(stdin_pipe[1]);
    close_fd(stdout_pipe[0]);
    throw system_error("starting " + argv[0] + " failed", spawn_result);
  }

  ChildProcess child;
  child.pid_ = pid;
  child.stdin_fd_ = stdin_pipe[1];
  child.stdout_fd_ = stdout_pipe[0];
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      stdout_buffer_(std::move(other.stdout_buffer_)),
      exit_code_(std::exchange(other.exit_code_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stdout_buffer_ = std::move(other.stdout_buffer_);
    exit_code_ = std::exchange(other.exit_code_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { release(); }

void ChildProcess::release() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  pid_ = -1;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  if (stdout_fd_ < 0) {
    throw std::logic_error("read_line() needs a child spawned with capture_stdout");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      return std::nullopt;
    }
    pollfd readable{stdout_fd_, POLLIN, 0};
    int ready = ::poll(&readable, 1, static_cast<int>(remaining.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return std::nullopt;
    }
    char chunk[4096];
    ssize_t count = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return std::nullopt;  // end of file: the child closed stdout
    }
    stdout_buffer_.append(chunk, static_cast<std::size_t>(count));
  }
}

void ChildProcess::write_line(const std::string& line) {
  if (stdin_fd_ < 0) {
    throw std::logic_error("write_line() after close_stdin()");
  }
  std::string data = line + "\n";
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t count = ::write(stdin_fd_, data.data() + written, data.size() - written);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0) {
      throw system_error("writing to the stdin of pid " + std::to_string(pid_) + " failed", errno);
    }
    written += static_cast<std::size_t>(count);
  }
}

void ChildProcess::close_stdin() { close_fd(stdin_fd_); }

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, sig);
  }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_ || pid_ <= 0) {
    return exit_code_;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t result = ::waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
      exit_code_ = decode_wait_status(status);
      return exit_code_;
    }
    if (result < 0 && errno != EINTR) {
      throw system_error("waitpid for pid " + std::to_string(pid_) + " failed", errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ChildProcess::running() { return pid_ > 0 && !wait(std::chrono::milliseconds(0)); }

std::uint16_t free_loopback_port() {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket_fd < 0) {
    throw system_error("creating a TCP socket failed", errno);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int error_number = errno;
    ::close(socket_fd);
    throw system_error("binding 127.0.0.1:0 failed", error_number);
  }
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

}  // namespace parley::testing
