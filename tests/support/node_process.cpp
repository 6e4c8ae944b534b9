#include "support/node_process.hpp"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxResponseBytes = 1024 * 1024;
constexpr auto kReadyPollInterval = std::chrono::milliseconds(100);
constexpr auto kReadyRequestTimeout = std::chrono::seconds(2);

// Closes a file descriptor when it goes out of scope.
class SocketGuard {
 public:
  explicit SocketGuard(int fd) : fd_(fd) {}
  SocketGuard(const SocketGuard&) = delete;
  SocketGuard& operator=(const SocketGuard&) = delete;
  ~SocketGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Error http_error(std::uint16_t port, const std::string& failure) {
  return Error{0, "GET http://127.0.0.1:" + std::to_string(port) + ": " + failure};
}

// Waits until `fd` is ready for `events` or the deadline passes. Returns
// false on timeout or poll failure.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

Result<Done> connect_loopback(int fd, std::uint16_t port, Clock::time_point deadline) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return Done{};
  if (errno != EINPROGRESS)
    return http_error(port, std::string("connect failed: ") + std::strerror(errno));
  if (!wait_for(fd, POLLOUT, deadline)) return http_error(port, "connect timed out");
  int socket_error = 0;
  socklen_t length = sizeof socket_error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);
  if (socket_error != 0) {
    return http_error(port, std::string("connect failed: ") + std::strerror(socket_error));
  }
  return Done{};
}

Result<Done> send_all(int fd, std::uint16_t port, const std::string& data,
                      Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t written = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (written > 0) {
      sent += static_cast<std::size_t>(written);
    } else if (written < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT, deadline)) return http_error(port, "send timed out");
    } else {
      return http_error(port, std::string("send failed: ") + std::strerror(errno));
    }
  }
  return Done{};
}

// Returns the Content-Length of a response head, or nullopt when it has none.
std::optional<std::size_t> content_length(const std::string& head) {
  std::string lower;
  lower.reserve(head.size());
  for (char c : head)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const std::string name = "\r\ncontent-length:";
  auto position = lower.find(name);
  if (position == std::string::npos) return std::nullopt;
  try {
    return std::stoul(head.substr(position + name.size()));
  } catch (const std::exception&) {
    return std::nullopt;  // Read until the server closes the connection instead.
  }
}

// Reads until the server closes the connection, or until the body is
// complete when the response has a Content-Length.
Result<std::string> receive_response(int fd, std::uint16_t port, Clock::time_point deadline) {
  std::string response;
  char buffer[4096];
  while (response.size() < kMaxResponseBytes) {
    auto head_end = response.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      auto length = content_length(response.substr(0, head_end + 2));
      if (length && response.size() >= head_end + 4 + *length) return response;
    }
    ssize_t received = ::recv(fd, buffer, sizeof buffer, 0);
    if (received > 0) {
      response.append(buffer, static_cast<std::size_t>(received));
    } else if (received == 0) {
      return response;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(fd, POLLIN, deadline)) return http_error(port, "read timed out");
    } else {
      return http_error(port, std::string("read failed: ") + std::strerror(errno));
    }
  }
  return http_error(port, "response larger than " + std::to_string(kMaxResponseBytes) + " bytes");
}

Result<HttpResponse> parse_response(std::uint16_t port, const std::string& response) {
  // The status line is "HTTP/1.1 200 OK".
  if (response.size() < 12 || response.compare(0, 7, "HTTP/1.") != 0 || response[8] != ' ') {
    return http_error(port, "malformed status line in response '" + response.substr(0, 40) + "'");
  }
  HttpResponse parsed;
  try {
    parsed.status = std::stoi(response.substr(9, 3));
  } catch (const std::exception&) {
    return http_error(port, "malformed status code in '" + response.substr(0, 40) + "'");
  }
  auto head_end = response.find("\r\n\r\n");
  if (head_end != std::string::npos) parsed.body = response.substr(head_end + 4);
  return parsed;
}

std::filesystem::path default_log_file(std::uint16_t port) {
  return std::filesystem::temp_directory_path() /
         ("parley-node-" + std::to_string(::getpid()) + "-" + std::to_string(port) + ".log");
}

}  // namespace

Result<HttpResponse> http_get(std::uint16_t port, const std::string& target,
                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  SocketGuard socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket.get() < 0)
    return http_error(port, std::string("socket failed: ") + std::strerror(errno));

  if (auto connected = connect_loopback(socket.get(), port, deadline); !connected) {
    return connected.error();
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n\r\n";
  if (auto sent = send_all(socket.get(), port, request, deadline); !sent) return sent.error();

  auto response = receive_response(socket.get(), port, deadline);
  if (!response) return response.error();
  return parse_response(port, response.value());
}

std::unique_ptr<NodeProcess> NodeProcess::start(const std::string& binary,
                                                std::vector<std::string> flags,
                                                std::filesystem::path log_file) {
  auto node = launch(binary, free_loopback_port(), std::move(flags), std::move(log_file));
  node->wait_until_ready();
  return node;
}

std::unique_ptr<NodeProcess> NodeProcess::launch(const std::string& binary, std::uint16_t port,
                                                 std::vector<std::string> flags,
                                                 std::filesystem::path log_file) {
  bool owns_log_file = log_file.empty();
  if (owns_log_file) log_file = default_log_file(port);
  std::unique_ptr<NodeProcess> node(
      new NodeProcess(binary, port, std::move(flags), std::move(log_file), owns_log_file));
  node->spawn();
  return node;
}

NodeProcess::NodeProcess(std::string binary, std::uint16_t port, std::vector<std::string> flags,
                         std::filesystem::path log_file, bool owns_log_file)
    : binary_(std::move(binary)),
      port_(port),
      flags_(std::move(flags)),
      log_file_(std::move(log_file)),
      owns_log_file_(owns_log_file) {}

NodeProcess::~NodeProcess() {
  if (child_ && child_->running()) kill();
  if (owns_log_file_) {
    std::error_code ignored;
    std::filesystem::remove(log_file_, ignored);
  }
}

void NodeProcess::spawn() {
  {
    std::ofstream log(log_file_, std::ios::app);
    if (!log) throw std::runtime_error("failed to open the node log file " + log_file_.string());
    log << "==== starting " << binary_ << " on port " << port_ << " ====\n";
  }
  // ChildProcess lets stderr through to the test's own stderr, so a shell
  // redirects both streams to the log and then replaces itself with the
  // server: the PID stays that of parley-server, and signals reach it.
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1",
                                   "parley-node",
                                   log_file_.string(),
                                   binary_,
                                   "--port",
                                   std::to_string(port_),
                                   "--listen-address",
                                   "127.0.0.1"};
  argv.insert(argv.end(), flags_.begin(), flags_.end());
  child_.reset();
  child_.emplace(ChildProcess::spawn(argv));
}

void NodeProcess::wait_until_ready(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string last_outcome = "no request sent";
  while (true) {
    if (!running()) {
      throw std::runtime_error("parley-server on port " + std::to_string(port_) +
                               " exited with status " + std::to_string(exit_status().value_or(-1)) +
                               " before GET /readyz returned 200; log " + log_file_.string() +
                               ":\n" + log_tail());
    }
    auto response = http_get(port_, "/readyz", kReadyRequestTimeout);
    if (response && response->status == 200) return;
    last_outcome = response ? "status " + std::to_string(response->status) + " " + response->body
                            : response.error().message;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kReadyPollInterval);
  }
  kill();
  throw std::runtime_error(
      "parley-server on port " + std::to_string(port_) + " was not ready within " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
      " s (last GET /readyz: " + last_outcome + "); log " + log_file_.string() + ":\n" +
      log_tail());
}

std::string NodeProcess::url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }

pid_t NodeProcess::pid() const { return child_ ? child_->pid() : -1; }

bool NodeProcess::running() { return child_ && child_->running(); }

void NodeProcess::signal(int sig) {
  if (child_) child_->signal(sig);
}

std::optional<int> NodeProcess::wait(std::chrono::milliseconds timeout) {
  if (!child_) return std::nullopt;
  return child_->wait(timeout);
}

void NodeProcess::kill() {
  if (!child_) return;
  child_->signal(SIGKILL);
  child_->wait(kStopTimeout);
}

bool NodeProcess::terminate(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  return wait(timeout).has_value();
}

std::optional<int> NodeProcess::exit_status() {
  if (!child_ || child_->running()) return std::nullopt;
  return child_->wait(std::chrono::milliseconds(0));
}

void NodeProcess::restart() {
  if (running()) kill();
  spawn();
  wait_until_ready();
}

std::string NodeProcess::log_tail(std::size_t count) const {
  std::ifstream log(log_file_);
  if (!log) return "(failed to read the log file " + log_file_.string() + ")\n";
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(log, line)) {
    lines.push_back(line);
    if (lines.size() > count) lines.pop_front();
  }
  std::string tail;
  for (const auto& kept : lines) tail += kept + "\n";
  return tail;
}

}  // namespace parley::testing
