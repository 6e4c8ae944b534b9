#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "source_addresses.hpp"
#include "websocket/frames.hpp"

namespace parley::bench {

// Host, port and path of one node's WebSocket endpoint.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/";
};

// Parses ws://HOST:PORT/PATH; returns nullopt for anything else.
std::optional<Endpoint> parse_endpoint(std::string_view url);

// One asynchronous WebSocket client connection. Every member runs on the
// strand-free executor of one io_context that exactly one thread runs, so
// the state needs no lock. Public functions may be called from any thread:
// they post to that executor.
//
// Replies arrive in request order (the server reads one request at a time
// per connection), so each reply completes the oldest pending request.
// Frames whose qualifier is v1/syemessenger/messages are pushes and go to
// the push handler instead.
//
// Beast performs the WebSocket handshake. After it, the connection reads
// and writes the socket itself with websocket/frames.hpp: each read parses every
// frame received, and each write carries every frame queued meanwhile. It
// replies to pings with pongs and ends on a close frame without a close handshake.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `frame` is the whole reply; `is_error` is true for the error qualifier.
  using ReplyHandler = std::function<void(bool is_error, std::string_view frame)>;
  using PushHandler = std::function<void(std::string_view frame)>;
  using ClosedHandler = std::function<void(const boost::beast::error_code& error)>;
  using ConnectHandler = std::function<void(const boost::beast::error_code& error)>;

  Connection(boost::asio::io_context& context, SourceAddresses& sources);

  void set_push_handler(PushHandler handler) { on_push_ = std::move(handler); }
  // Runs once when the connection fails or closes after connect succeeded.
  void set_closed_handler(ClosedHandler handler) { on_closed_ = std::move(handler); }

  // Opens TCP from the current source address and completes the WebSocket
  // handshake. A source address without free ports moves every later
  // connection to the next one.
  void connect(const Endpoint& endpoint, ConnectHandler on_done);
  // Queues `frame` and calls `on_reply` with its reply. When the connection
  // closes first, `on_reply` runs with is_error true and an empty frame.
  // `binary` sends the frame as a binary WebSocket message.
  void request(std::string frame, ReplyHandler on_reply, bool binary = false);
  // Starts a WebSocket close handshake.
  void close();

  // Requests sent that have no reply yet. Only meaningful on the connection's
  // own thread.
  std::size_t pending_replies() const { return pending_.size(); }
  bool is_open() const { return open_; }
  boost::asio::io_context& context() { return context_; }

 private:
  void start_connect(const Endpoint& endpoint, ConnectHandler on_done, int attempts_left);
  void on_tcp_connected(const Endpoint& endpoint, ConnectHandler on_done, int attempts_left,
                        const boost::beast::error_code& error);
  void read_next();
  void on_read(const boost::beast::error_code& error, std::size_t bytes);
  // Handles one frame; returns false when the connection failed.
  bool handle_frame(const websocket::Frame& frame);
  void handle_message(std::string_view payload, bool binary);
  void queue_frame(websocket::Opcode opcode, std::string_view payload);
  void write_next();
  void on_write(const boost::beast::error_code& error, std::size_t bytes);
  void fail(const boost::beast::error_code& error);
  std::uint32_t next_mask_key();

  boost::asio::io_context& context_;
  SourceAddresses& sources_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  // Received bytes; those from read_start_ to read_end_ are not parsed yet.
  std::string read_buffer_;
  std::size_t read_start_ = 0;
  std::size_t read_end_ = 0;
  // Encoded frames that wait for the next write, and those being written.
  std::string write_pending_;
  std::string write_sending_;
  std::deque<ReplyHandler> pending_;
  PushHandler on_push_;
  ClosedHandler on_closed_;
  std::uint32_t source_index_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool failed_ = false;
  // close() sent a close frame, so the end of the connection is no error.
  bool closing_ = false;
  std::uint32_t mask_state_;
};

}  // namespace parley::bench
