#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "client/connection.hpp"

namespace parley::client::testing {

// Headers of the WebSocket upgrade request that the fake server accepted.
struct HandshakeRequest {
  std::string target;
  std::string host;
  std::string user_agent;
};

// A WebSocket server on 127.0.0.1 with a port chosen by the kernel, in the
// test process. It accepts one client and does nothing by itself: the test
// reads what the client sent and writes the frames it wants, so replies can
// come in any order, late or never. Not a Parley node.
//
// Thread-safe. An I/O thread owns the socket, and the other methods post to it.
class FakeServer {
 public:
  FakeServer();
  // Drops the client connection if one is open and stops the I/O thread.
  ~FakeServer();

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;

  // Waits until a client completed the handshake and returns its headers.
  std::optional<HandshakeRequest> wait_handshake(std::chrono::milliseconds timeout);

  // Waits for the next data frame from the client.
  std::optional<Frame> next_frame(std::chrono::milliseconds timeout);
  // Waits for the next text frame from the client and parses it as a JSON
  // object. Returns nullopt on timeout or when the frame is not an object.
  std::optional<boost::json::object> next_request(std::chrono::milliseconds timeout);

  void send_text(std::string text);
  void send_binary(std::string bytes);
  // Sends a success reply that echoes the request's cid and qualifier.
  void reply(const boost::json::object& request, boost::json::value data);
  // Sends an error reply with the request's cid, as the server writes it
  // (errorCode as a JSON string).
  void reply_error(const boost::json::object& request, int code, const std::string& message);
  // Sends a v1/syemessenger/messages push with this data.
  void push(boost::json::object data);

  // Sends a ping; wait_pong() then returns true once the pong arrived.
  void ping();
  bool wait_pong(std::chrono::milliseconds timeout);

  // Starts the closing handshake with this code and reason.
  void close(int code, std::string reason);
  // Closes the TCP connection without a close frame.
  void drop_connection();
  // Waits for the close frame the client sent and returns its code and
  // reason.
  std::optional<CloseInfo> wait_client_close(std::chrono::milliseconds timeout);

 private:
  using Stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  struct Outgoing {
    bool is_close = false;
    bool is_ping = false;
    bool binary = false;
    std::string payload;
    int close_code = 1000;
  };

  void accept_next();
  void on_accept(boost::asio::ip::tcp::socket socket);
  void read_next();
  void enqueue(Outgoing item);
  void write_next();

  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  // I/O thread only.
  std::unique_ptr<Stream> stream_;
  boost::beast::flat_buffer read_buffer_;
  boost::beast::http::request<boost::beast::http::string_body> upgrade_request_;
  bool is_accepted_ = false;
  std::deque<Outgoing> write_queue_;
  bool is_writing_ = false;
  std::thread io_thread_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<HandshakeRequest> handshake_;
  std::deque<Frame> received_;
  int pongs_received_ = 0;
  int pongs_awaited_ = 0;
  std::optional<CloseInfo> client_close_;
  bool is_closed_ = false;
};

}  // namespace parley::client::testing
