#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "common/logging.hpp"
#include "net/websocket_session.hpp"

namespace parley::net {
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// Largest HTTP request head and body accepted before the upgrade.
constexpr std::uint32_t kMaxHttpRequestBytes = 16 * 1024;

}  // namespace

HttpResponse make_response(const HttpRequest& request, http::status status, std::string body,
                           const char* content_type) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "parley");
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, IoThread& thread,
                         const Config& config, service::Dispatcher& dispatcher,
                         HttpHandler& http_handler)
    : stream_(std::move(socket)),
      thread_(thread),
      config_(config),
      dispatcher_(dispatcher),
      http_handler_(http_handler) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  remote_address_ = ec ? "unknown" : endpoint.address().to_string();
}

void HttpSession::run() {
  boost::asio::dispatch(stream_.get_executor(),
                        beast::bind_front_handler(&HttpSession::read_request, shared_from_this()));
}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->body_limit(kMaxHttpRequestBytes);
  parser_->header_limit(kMaxHttpRequestBytes);
  stream_.expires_after(std::chrono::seconds(config_.handshake_timeout_s));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec != http::error::end_of_stream && ec != beast::error::timeout) {
      logger("net")->debug("HTTP read from {} failed: {}", remote_address_, ec.message());
    }
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  HttpRequest request = parser_->release();
  if (beast::websocket::is_upgrade(request)) {
    // The pending deadline would keep the tcp_stream's implementation
    // allocated until it expired. Cancelling it frees it with this session.
    stream_.expires_never();
    std::string received = beast::buffers_to_string(buffer_.data());
    auto session = std::make_shared<WebSocketSession>(stream_.release_socket(), thread_, config_,
                                                      dispatcher_, remote_address_);
    session->run(request, std::move(received));
    return;
  }
  auto self = shared_from_this();
  http_handler_.handle(request, [self](HttpResponse response) {
    boost::asio::post(
        self->stream_.get_executor(),
        [self, response = std::move(response)]() mutable { self->send(std::move(response)); });
  });
}

void HttpSession::send(HttpResponse response) {
  response_ = std::make_shared<HttpResponse>(std::move(response));
  bool keep_alive = response_->keep_alive();
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec || !keep_alive) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  read_request();
}

}  // namespace parley::net
