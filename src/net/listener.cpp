#include "net/listener.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "common/logging.hpp"
#include "net/http_session.hpp"

namespace parley::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Pause after a failed accept before the next one.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

}  // namespace

Listener::Listener(IoPool& io_pool, const Config& config, service::Dispatcher& dispatcher,
                   HttpHandler& http_handler)
    : io_pool_(io_pool),
      config_(config),
      dispatcher_(dispatcher),
      http_handler_(http_handler),
      accept_thread_(io_pool.at(0)),
      acceptor_(accept_thread_.context),
      retry_timer_(accept_thread_.context) {}

Status Listener::open() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.listen_address, ec);
  if (ec) {
    return Error{
        2, fmt::format("invalid --listen-address '{}': {}", config_.listen_address, ec.message())};
  }
  tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{2, fmt::format("cannot listen on {}:{}: {}; choose another --port or stop the "
                                "process using it",
                                config_.listen_address, config_.port, ec.message())};
  }
  return Done{};
}

void Listener::start_accepting() {
  asio::post(accept_thread_.context, [self = shared_from_this()] { self->accept_next(); });
}

void Listener::close() {
  asio::post(accept_thread_.context, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::accept_next() {
  IoThread& target = io_pool_.next();
  acceptor_.async_accept(target.context, [self = shared_from_this(), &target](
                                             boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Usually EMFILE or ENFILE: retrying at once would spin, so wait a
      // little, since closing connections free descriptors.
      logger("net")->warn("accept failed: {}; retrying in {} ms", ec.message(),
                          kAcceptRetryDelay.count());
      self->retry_timer_.expires_after(kAcceptRetryDelay);
      self->retry_timer_.async_wait([self](boost::system::error_code wait_error) {
        if (!wait_error) self->accept_next();
      });
      return;
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), target, self->config_, self->dispatcher_,
                                    self->http_handler_)
          ->run();
    }
    self->accept_next();
  });
}

}  // namespace parley::net
