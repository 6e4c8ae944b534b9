#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/error.hpp"
#include "net/http_handler.hpp"
#include "net/io_pool.hpp"
#include "service/dispatcher.hpp"

namespace parley::net {

// Accepts TCP connections on config.listen_address:config.port and hands
// each to an HttpSession on the next I/O thread.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(IoPool& io_pool, const Config& config, service::Dispatcher& dispatcher,
           HttpHandler& http_handler);

  // Binds and listens; the Error names the address and the cause.
  Status open();
  void start_accepting();
  // Stops accepting new connections (established ones stay).
  void close();

 private:
  void accept_next();

  IoPool& io_pool_;
  const Config& config_;
  service::Dispatcher& dispatcher_;
  HttpHandler& http_handler_;
  IoThread& accept_thread_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
};

}  // namespace parley::net
