#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::testing {

// One WebSocket frame read by RawSocket, without its header.
struct RawFrame {
  int opcode = 0;  // 0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xA pong
  std::string payload;
};

// A plain blocking TCP connection to a node on 127.0.0.1, for tests that
// need a client misbehaving in ways client::Connection never does: sending
// half a request, never reading, never replying to pings. Every wait is
// bounded by the timeout it takes. The destructor closes the socket.
class RawSocket {
 public:
  // Connects to 127.0.0.1:`port`. `receive_buffer_bytes` > 0 sets
  // SO_RCVBUF before the connect, which keeps the TCP window small, so a
  // client that stops reading stalls the server sooner. Throws
  // std::runtime_error when the connect fails.
  explicit RawSocket(std::uint16_t port, int receive_buffer_bytes = 0);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // Writes all of `bytes`. Throws std::runtime_error when the write fails.
  void write(const std::string& bytes);

  // Sends the HTTP upgrade request for path / and reads the response head.
  // Returns its status line, such as "HTTP/1.1 101 Switching Protocols", or
  // an empty string when the server closed first or `timeout` expired.
  std::string upgrade(std::chrono::milliseconds timeout);

  // Sends `text` as one masked text frame, as a client must.
  void send_text(const std::string& text);

  // Reads the next frame. Returns std::nullopt when `timeout` expired or the
  // server closed the connection before a whole frame arrived.
  std::optional<RawFrame> read_frame(std::chrono::milliseconds timeout);

  // Reads and discards until the server closes the connection (end of file
  // or reset). Returns true when it closed within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);

  // True once a read saw end of file or a reset.
  bool closed() const { return closed_; }

 private:
  // Reads what is available into buffer_, waiting up to `timeout`. Returns
  // false on timeout or when the connection ended.
  bool fill(std::chrono::milliseconds timeout);

  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace parley::testing
