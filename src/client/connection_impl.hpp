#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include "client/connection.hpp"
#include "client/websocket_url.hpp"
#include "common/error.hpp"

namespace parley::client {

// Internal state of a Connection.
//
// Threads: the I/O thread runs io_context_ and is the only one that touches
// resolver_, stream_, read_buffer_, write_queue_ and is_writing_. User
// threads reach the stream only by posting to io_context_. Everything below
// mutex_ is shared and guarded by it, and state_changed_ is notified on
// every change.
class Connection::Impl {
 public:
  // `url` is the URL as the caller wrote it, used in error messages.
  Impl(std::string url, WebSocketUrl parts);
  // Closes the connection if it is open, waits a bounded time for the
  // closing handshake, then stops the I/O thread.
  ~Impl();

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Resolves, connects and performs the WebSocket handshake. Returns the
  // cause when that does not finish within `timeout`.
  Status start(std::chrono::milliseconds timeout);

  // Registers `cid` as pending, sends `payload` (a binary frame when
  // `binary`), and waits for the reply frame with that cid. Returns the reply
  // envelope, decoded to JSON for a binary reply, or Error{0, ...} when the
  // wait timed out or the connection closed first.
  // `operation` only names the request in error messages.
  Result<boost::json::object> exchange(std::string_view operation, const std::string& cid,
                                       std::string payload, std::chrono::milliseconds timeout,
                                       bool binary = false);

  void set_encoding(Encoding encoding);
  Encoding encoding() const;

  void send(bool binary, std::string payload);
  std::optional<boost::json::object> next_push(std::chrono::milliseconds timeout);
  std::optional<Frame> next_frame(std::chrono::milliseconds timeout);
  void close(int code, std::string reason);
  std::optional<CloseInfo> wait_closed(std::chrono::milliseconds timeout);
  bool is_open() const;

 private:
  enum class State { kConnecting, kOpen, kClosing, kClosed };

  // A frame waiting to be written, or the request to close.
  struct Outgoing {
    bool is_close = false;
    bool binary = false;
    std::string payload;  // the reason when is_close
    std::uint16_t close_code = 1000;
  };

  // Connect steps, on the I/O thread.
  void on_resolve(const boost::system::error_code& ec,
                  const boost::asio::ip::tcp::resolver::results_type& endpoints,
                  std::chrono::milliseconds timeout);
  void on_connect(const boost::system::error_code& ec);
  void on_handshake(const boost::system::error_code& ec);
  void fail_connect(const boost::system::error_code& ec);

  // Read and write loops, on the I/O thread.
  void read_next();
  void on_read(const boost::system::error_code& ec);
  void sort_frame(bool binary, std::string payload);
  void enqueue(Outgoing item);
  void write_next();
  void on_closed(const boost::system::error_code& ec);

  void remember_abandoned(const std::string& cid);
  bool is_abandoned(const std::string& cid) const;

  const std::string url_;
  const WebSocketUrl parts_;

  // Declared first so that it is destroyed last, after the I/O objects.
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer read_buffer_;
  std::deque<Outgoing> write_queue_;
  bool is_writing_ = false;
  std::thread io_thread_;

  mutable std::mutex mutex_;
  std::condition_variable state_changed_;
  State state_ = State::kConnecting;
  std::optional<Error> connect_error_;
  std::optional<CloseInfo> close_info_;
  // cid of each call() in progress, with its reply once it arrived.
  std::map<std::string, std::optional<boost::json::object>> pending_replies_;
  // cids of calls that timed out, oldest first, so that late replies are
  // dropped instead of reaching the frame queue.
  std::deque<std::string> abandoned_cids_;
  std::deque<boost::json::object> pushes_;
  Encoding encoding_ = Encoding::kJson;
  std::deque<Frame> frames_;
};

}  // namespace parley::client
