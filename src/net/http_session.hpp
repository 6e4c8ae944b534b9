#pragma once

#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/config.hpp"
#include "net/http_handler.hpp"
#include "net/io_pool.hpp"
#include "service/dispatcher.hpp"

namespace parley::net {

// A new TCP connection: reads HTTP requests until one asks for a WebSocket
// upgrade, which it hands to a WebSocketSession, and serves the others
// through the HttpHandler. The first request must arrive within
// handshake_timeout_s, so connections that never speak are reaped.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, IoThread& thread, const Config& config,
              service::Dispatcher& dispatcher, HttpHandler& http_handler);

  void run();

 private:
  void read_request();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(HttpResponse response);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);

  boost::beast::tcp_stream stream_;
  IoThread& thread_;
  const Config& config_;
  service::Dispatcher& dispatcher_;
  HttpHandler& http_handler_;
  std::string remote_address_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<HttpResponse> response_;
};

}  // namespace parley::net
