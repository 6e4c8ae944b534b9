#include "fake_server.hpp"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::client::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

// The client accepts messages up to 1 MiB, and the fake server accepts
// larger ones so that a test can send them.
constexpr std::size_t kMaxMessageBytes = 4 * 1024 * 1024;

}  // namespace

FakeServer::FakeServer() : acceptor_(io_context_) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept_next();
  io_thread_ = std::thread([this] { io_context_.run(); });
}

FakeServer::~FakeServer() {
  io_context_.stop();
  io_thread_.join();
}

std::string FakeServer::url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }

void FakeServer::accept_next() {
  acceptor_.async_accept([this](const error_code& ec, asio::ip::tcp::socket socket) {
    if (!ec) {
      on_accept(std::move(socket));
    }
  });
}

void FakeServer::on_accept(asio::ip::tcp::socket socket) {
  error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  stream_ = std::make_unique<Stream>(std::move(socket));
  stream_->read_message_max(kMaxMessageBytes);
  stream_->control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) {
      std::lock_guard lock(mutex_);
      ++pongs_received_;
      changed_.notify_all();
    }
  });
  http::async_read(stream_->next_layer(), read_buffer_, upgrade_request_,
                   [this](const error_code& read_ec, std::size_t) {
                     if (read_ec) {
                       return;
                     }
                     stream_->async_accept(upgrade_request_, [this](const error_code& accept_ec) {
                       if (accept_ec) {
                         return;
                       }
                       {
                         std::lock_guard lock(mutex_);
                         handshake_ = HandshakeRequest{
                             std::string(upgrade_request_.target()),
                             std::string(upgrade_request_[http::field::host]),
                             std::string(upgrade_request_[http::field::user_agent])};
                       }
                       changed_.notify_all();
                       read_buffer_.clear();
                       is_accepted_ = true;
                       read_next();
                       write_next();
                     });
                   });
}

void FakeServer::read_next() {
  stream_->async_read(read_buffer_, [this](const error_code& ec, std::size_t) {
    std::lock_guard lock(mutex_);
    if (ec) {
      if (ec == websocket::error::closed) {
        websocket::close_reason reason = stream_->reason();
        client_close_ =
            CloseInfo{reason.code, std::string(reason.reason.data(), reason.reason.size())};
      }
      is_closed_ = true;
      changed_.notify_all();
      return;
    }
    received_.push_back(
        Frame{stream_->got_binary(), beast::buffers_to_string(read_buffer_.data())});
    read_buffer_.consume(read_buffer_.size());
    changed_.notify_all();
    read_next();
  });
}

std::optional<HandshakeRequest> FakeServer::wait_handshake(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return handshake_.has_value(); });
  return handshake_;
}

std::optional<Frame> FakeServer::next_frame(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return !received_.empty(); });
  if (received_.empty()) {
    return std::nullopt;
  }
  Frame frame = std::move(received_.front());
  received_.pop_front();
  return frame;
}

std::optional<boost::json::object> FakeServer::next_request(std::chrono::milliseconds timeout) {
  std::optional<Frame> frame = next_frame(timeout);
  if (!frame || frame->binary) {
    return std::nullopt;
  }
  error_code ec;
  boost::json::value value = boost::json::parse(frame->payload, ec);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  return std::move(value.as_object());
}

void FakeServer::send_text(std::string text) {
  enqueue(Outgoing{.binary = false, .payload = std::move(text)});
}

void FakeServer::send_binary(std::string bytes) {
  enqueue(Outgoing{.binary = true, .payload = std::move(bytes)});
}

void FakeServer::reply(const boost::json::object& request, boost::json::value data) {
  boost::json::object envelope;
  envelope["cid"] = request.at("cid");
  envelope["qualifier"] = request.at("qualifier");
  envelope["data"] = std::move(data);
  send_text(boost::json::serialize(envelope));
}

void FakeServer::reply_error(const boost::json::object& request, int code,
                             const std::string& message) {
  boost::json::object envelope;
  envelope["cid"] = request.at("cid");
  envelope["qualifier"] = "v1/syemessenger/error";
  envelope["data"] = {{"errorCode", std::to_string(code)}, {"errorMessage", message}};
  send_text(boost::json::serialize(envelope));
}

void FakeServer::push(boost::json::object data) {
  boost::json::object envelope{{"qualifier", "v1/syemessenger/messages"},
                               {"data", std::move(data)}};
  send_text(boost::json::serialize(envelope));
}

void FakeServer::ping() {
  {
    std::lock_guard lock(mutex_);
    ++pongs_awaited_;
  }
  enqueue(Outgoing{.is_ping = true});
}

bool FakeServer::wait_pong(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return pongs_received_ >= pongs_awaited_; });
}

void FakeServer::close(int code, std::string reason) {
  enqueue(Outgoing{.is_close = true, .payload = std::move(reason), .close_code = code});
}

void FakeServer::drop_connection() {
  asio::post(io_context_, [this] {
    if (stream_) {
      error_code ignored;
      beast::get_lowest_layer(*stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                          ignored);
      beast::get_lowest_layer(*stream_).socket().close(ignored);
    }
  });
}

std::optional<CloseInfo> FakeServer::wait_client_close(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return is_closed_; });
  return client_close_;
}

void FakeServer::enqueue(Outgoing item) {
  asio::post(io_context_, [this, item = std::move(item)]() mutable {
    write_queue_.push_back(std::move(item));
    write_next();
  });
}

void FakeServer::write_next() {
  // Frames queued before the handshake finished wait for it, because the
  // upgrade response is still being written until then.
  if (is_writing_ || write_queue_.empty() || !is_accepted_) {
    return;
  }
  is_writing_ = true;
  Outgoing& item = write_queue_.front();
  auto on_done = [this](const error_code&) {
    is_writing_ = false;
    write_queue_.pop_front();
    write_next();
  };
  if (item.is_close) {
    websocket::close_reason reason(static_cast<std::uint16_t>(item.close_code));
    reason.reason.assign(item.payload.data(), item.payload.size());
    stream_->async_close(reason, on_done);
  } else if (item.is_ping) {
    stream_->async_ping({}, on_done);
  } else {
    stream_->binary(item.binary);
    stream_->async_write(asio::buffer(item.payload),
                         [on_done](const error_code& ec, std::size_t) { on_done(ec); });
  }
}

}  // namespace parley::client::testing
