#include "integration/liveness/raw_socket.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

RawSocket::RawSocket(std::uint16_t port, int receive_buffer_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket() failed: ") + std::strerror(errno));
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) +
                             " failed: " + std::strerror(error));
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void RawSocket::write(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
}

bool RawSocket::fill(std::chrono::milliseconds timeout) {
  if (closed_) return false;
  pollfd entry{fd_, POLLIN, 0};
  int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::string RawSocket::upgrade(std::chrono::milliseconds timeout) {
  write(
      "GET / HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n");
  auto deadline = Clock::now() + timeout;
  std::size_t end = std::string::npos;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(std::chrono::milliseconds(remaining_ms(deadline)))) return {};
  }
  std::string status = buffer_.substr(0, buffer_.find("\r\n"));
  buffer_.erase(0, end + 4);
  return status;
}

void RawSocket::send_text(const std::string& text) {
  std::string frame;
  frame.push_back(static_cast<char>(0x81));  // FIN and opcode text
  if (text.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | text.size()));
  } else if (text.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>((text.size() >> 8) & 0xFF));
    frame.push_back(static_cast<char>(text.size() & 0xFF));
  } else {
    throw std::invalid_argument("send_text supports frames up to 65535 bytes");
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < text.size(); ++i) {
    frame.push_back(static_cast<char>(text[i] ^ mask[i % 4]));
  }
  write(frame);
}

std::optional<RawFrame> RawSocket::read_frame(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto wait_for = [&](std::size_t bytes) {
    while (buffer_.size() < bytes) {
      if (!fill(std::chrono::milliseconds(remaining_ms(deadline)))) return false;
    }
    return true;
  };
  if (!wait_for(2)) return std::nullopt;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(buffer_[i]); };
  int opcode = byte(0) & 0x0F;
  std::size_t length = byte(1) & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (!wait_for(4)) return std::nullopt;
    length = (std::size_t{byte(2)} << 8) | byte(3);
    header = 4;
  } else if (length == 127) {
    if (!wait_for(10)) return std::nullopt;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
    header = 10;
  }
  // Server frames are never masked (RFC 6455 section 5.1).
  if (!wait_for(header + length)) return std::nullopt;
  RawFrame frame{opcode, buffer_.substr(header, length)};
  buffer_.erase(0, header + length);
  return frame;
}

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!closed_) {
    int left = remaining_ms(deadline);
    if (left == 0) return false;
    fill(std::chrono::milliseconds(left));
    buffer_.clear();
  }
  return true;
}

}  // namespace parley::testing
