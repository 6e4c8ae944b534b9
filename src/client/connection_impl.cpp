#include "client/connection_impl.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/parse.hpp>

#include "common/logging.hpp"

#ifndef PARLEY_CLIENT_VERSION
#define PARLEY_CLIENT_VERSION "unknown"
#endif

namespace parley::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

// Maximum size of one received message. Replies carry at most 50 list items
// of a few hundred bytes each, so 1 MiB leaves a wide margin.
constexpr std::size_t kMaxMessageBytes = 1024 * 1024;
// Time limit of the closing handshake that the destructor starts.
constexpr std::chrono::seconds kCloseHandshakeTimeout{3};
// Number of timed-out cids remembered so that their late replies are dropped.
constexpr std::size_t kMaxAbandonedCids = 1024;
// RFC 6455 section 5.5: a control frame payload is at most 125 bytes, and
// the close code takes 2 of them.
constexpr std::size_t kMaxCloseReasonBytes = 123;
// RFC 6455 section 7.1.5: codes reported when no status code was received.
constexpr int kNoStatusReceived = 1005;
constexpr int kAbnormalClosure = 1006;

constexpr std::string_view kPushQualifier = "v1/syemessenger/messages";
constexpr std::string_view kUserAgent = "parley-client/" PARLEY_CLIENT_VERSION;

std::string describe(const CloseInfo& info) {
  std::string text = "close code " + std::to_string(info.code);
  if (!info.reason.empty()) {
    text += ", reason '" + info.reason + "'";
  }
  return text;
}

}  // namespace

Connection::Impl::Impl(std::string url, WebSocketUrl parts)
    : url_(std::move(url)),
      parts_(std::move(parts)),
      resolver_(io_context_),
      stream_(io_context_) {}

Connection::Impl::~Impl() {
  bool is_open_now = false;
  bool is_closing_now = false;
  {
    std::lock_guard lock(mutex_);
    is_open_now = state_ == State::kOpen;
    is_closing_now = state_ == State::kClosing;
  }
  if (is_open_now) {
    close(1000, {});
  }
  if (is_open_now || is_closing_now) {
    wait_closed(kCloseHandshakeTimeout + std::chrono::seconds(1));
  }
  io_context_.stop();
  if (io_thread_.joinable()) {
    io_thread_.join();
  }
}

Status Connection::Impl::start(std::chrono::milliseconds timeout) {
  stream_.read_message_max(kMaxMessageBytes);
  stream_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::user_agent, kUserAgent);
  }));

  resolver_.async_resolve(
      parts_.host, parts_.port,
      [this, timeout](const error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        on_resolve(ec, results, timeout);
      });
  io_thread_ = std::thread([this] { io_context_.run(); });

  std::unique_lock lock(mutex_);
  bool finished =
      state_changed_.wait_for(lock, timeout, [this] { return state_ != State::kConnecting; });
  if (!finished) {
    // on_handshake() then finds kClosed and does not start reading.
    state_ = State::kClosed;
    close_info_ = CloseInfo{kAbnormalClosure, "connect timed out"};
    return Error{0, "failed to connect to " + url_ + ": timed out after " +
                        std::to_string(timeout.count()) + " ms"};
  }
  if (connect_error_) {
    return *connect_error_;
  }
  return Done{};
}

void Connection::Impl::on_resolve(const error_code& ec,
                                  const asio::ip::tcp::resolver::results_type& endpoints,
                                  std::chrono::milliseconds timeout) {
  if (ec) {
    fail_connect(ec);
    return;
  }
  // The deadline covers the TCP connect and the WebSocket handshake.
  beast::get_lowest_layer(stream_).expires_after(timeout);
  beast::get_lowest_layer(stream_).async_connect(
      endpoints, [this](const error_code& connect_ec, const asio::ip::tcp::endpoint&) {
        on_connect(connect_ec);
      });
}

void Connection::Impl::on_connect(const error_code& ec) {
  if (ec) {
    fail_connect(ec);
    return;
  }
  // Requests are small and latency-bound. Without this, Nagle's algorithm
  // and delayed ACKs can hold a frame back by tens of milliseconds.
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  stream_.async_handshake(parts_.host_header, parts_.target,
                          [this](const error_code& handshake_ec) { on_handshake(handshake_ec); });
}

void Connection::Impl::on_handshake(const error_code& ec) {
  if (ec) {
    fail_connect(ec);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kConnecting) {
      return;  // start() gave up waiting.
    }
    state_ = State::kOpen;
  }
  state_changed_.notify_all();

  // The WebSocket stream has its own timeouts, so the TCP deadline must go.
  // No idle timeout: a chat client may stay silent for hours.
  beast::get_lowest_layer(stream_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kCloseHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  stream_.set_option(timeouts);
  read_next();
}

void Connection::Impl::fail_connect(const error_code& ec) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kConnecting) {
      return;
    }
    state_ = State::kClosed;
    connect_error_ = Error{0, "failed to connect to " + url_ + ": " + ec.message()};
    close_info_ = CloseInfo{kAbnormalClosure, ec.message()};
  }
  state_changed_.notify_all();
}

// Beast replies to every ping with a pong while a read is pending, and a read
// is pending for as long as the connection is open.
void Connection::Impl::read_next() {
  stream_.async_read(read_buffer_, [this](const error_code& ec, std::size_t) { on_read(ec); });
}

void Connection::Impl::on_read(const error_code& ec) {
  if (ec) {
    on_closed(ec);
    return;
  }
  bool binary = stream_.got_binary();
  std::string payload = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  sort_frame(binary, std::move(payload));
  read_next();
}

void Connection::Impl::sort_frame(bool binary, std::string payload) {
  std::optional<boost::json::object> decoded;
  if (binary) {
    decoded = decode_binary_frame(payload);
  } else {
    error_code parse_ec;
    boost::json::value value = boost::json::parse(payload, parse_ec);
    if (!parse_ec && value.is_object()) decoded = std::move(value.as_object());
  }
  std::unique_lock lock(mutex_);
  if (decoded) {
    boost::json::object& envelope = *decoded;
    const boost::json::value* cid = envelope.if_contains("cid");
    if (cid != nullptr && cid->is_string()) {
      std::string cid_text(cid->as_string());
      auto pending = pending_replies_.find(cid_text);
      if (pending != pending_replies_.end()) {
        pending->second = std::move(envelope);
        lock.unlock();
        state_changed_.notify_all();
        return;
      }
      if (is_abandoned(cid_text)) {
        logger("client")->debug("dropped a late reply to timed-out request cid={}", cid_text);
        return;
      }
    }
    const boost::json::value* qualifier = envelope.if_contains("qualifier");
    const boost::json::value* data = envelope.if_contains("data");
    // A binary push reaches the push queue only when the caller asked for
    // binary frames, so that raw binary tests still see it as a frame.
    const bool queues_push = !binary || encoding_ == Encoding::kSbe;
    if (queues_push && qualifier != nullptr && qualifier->is_string() &&
        qualifier->as_string() == kPushQualifier && data != nullptr && data->is_object()) {
      pushes_.push_back(data->as_object());
      lock.unlock();
      state_changed_.notify_all();
      return;
    }
  }
  frames_.push_back(Frame{binary, std::move(payload)});
  lock.unlock();
  state_changed_.notify_all();
}

void Connection::Impl::enqueue(Outgoing item) {
  asio::post(io_context_, [this, item = std::move(item)]() mutable {
    write_queue_.push_back(std::move(item));
    write_next();
  });
}

// Beast allows one write and one read in flight at a time, and a close
// counts as a write, so every write and the close go through this queue.
void Connection::Impl::write_next() {
  if (is_writing_ || write_queue_.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kClosed) {
      write_queue_.clear();
      return;
    }
  }
  is_writing_ = true;
  Outgoing& item = write_queue_.front();
  if (item.is_close) {
    websocket::close_reason reason(item.close_code);
    reason.reason.assign(item.payload.data(), std::min(item.payload.size(), kMaxCloseReasonBytes));
    stream_.async_close(reason, [this](const error_code& ec) {
      is_writing_ = false;
      write_queue_.clear();
      // Without an error the server's close frame arrived, as a closed read
      // would report it. A pending read may report the same close first.
      on_closed(ec ? ec : error_code(websocket::error::closed));
    });
    return;
  }
  stream_.binary(item.binary);
  stream_.async_write(asio::buffer(item.payload), [this](const error_code& ec, std::size_t) {
    is_writing_ = false;
    if (ec) {
      // The read loop reports the close, so this only stops writing.
      logger("client")->debug("write to {} failed: {}", url_, ec.message());
      write_queue_.clear();
      return;
    }
    write_queue_.pop_front();
    write_next();
  });
}

void Connection::Impl::on_closed(const error_code& ec) {
  CloseInfo info;
  websocket::close_reason reason = stream_.reason();
  if (ec == websocket::error::closed) {
    info.code = reason.code == websocket::close_code::none ? kNoStatusReceived : reason.code;
    info.reason = std::string(reason.reason.data(), reason.reason.size());
  } else if (ec == websocket::error::message_too_big) {
    // Beast closed the connection with 1009 itself.
    info.code = websocket::close_code::too_big;
    info.reason = ec.message();
  } else {
    info.code = kAbnormalClosure;
    info.reason = ec.message();
  }
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kClosed) {
      return;
    }
    state_ = State::kClosed;
    close_info_ = std::move(info);
  }
  state_changed_.notify_all();
}

Result<boost::json::object> Connection::Impl::exchange(std::string_view operation,
                                                       const std::string& cid, std::string payload,
                                                       std::chrono::milliseconds timeout,
                                                       bool binary) {
  std::unique_lock lock(mutex_);
  if (state_ == State::kClosed) {
    return Error{0, "cannot send " + std::string(operation) + ": the connection to " + url_ +
                        " is closed (" + describe(*close_info_) + ")"};
  }
  pending_replies_.emplace(cid, std::nullopt);
  lock.unlock();
  send(binary, std::move(payload));
  lock.lock();

  auto& reply = pending_replies_.at(cid);
  state_changed_.wait_for(lock, timeout,
                          [&] { return reply.has_value() || state_ == State::kClosed; });
  std::optional<boost::json::object> envelope = std::move(reply);
  pending_replies_.erase(cid);
  if (envelope) {
    return std::move(*envelope);
  }
  if (state_ == State::kClosed) {
    return Error{0, "connection to " + url_ + " closed (" + describe(*close_info_) +
                        ") before the reply to " + std::string(operation) + " arrived (cid " + cid +
                        ")"};
  }
  remember_abandoned(cid);
  return Error{0, "request " + std::string(operation) + " timed out after " +
                      std::to_string(timeout.count()) + " ms waiting for the reply (cid " + cid +
                      ")"};
}

void Connection::Impl::set_encoding(Encoding encoding) {
  std::lock_guard lock(mutex_);
  encoding_ = encoding;
}

Encoding Connection::Impl::encoding() const {
  std::lock_guard lock(mutex_);
  return encoding_;
}

void Connection::Impl::send(bool binary, std::string payload) {
  enqueue(Outgoing{.binary = binary, .payload = std::move(payload)});
}

std::optional<boost::json::object> Connection::Impl::next_push(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  state_changed_.wait_for(lock, timeout,
                          [this] { return !pushes_.empty() || state_ == State::kClosed; });
  if (pushes_.empty()) {
    return std::nullopt;
  }
  boost::json::object push = std::move(pushes_.front());
  pushes_.pop_front();
  return push;
}

std::optional<Frame> Connection::Impl::next_frame(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  state_changed_.wait_for(lock, timeout,
                          [this] { return !frames_.empty() || state_ == State::kClosed; });
  if (frames_.empty()) {
    return std::nullopt;
  }
  Frame frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

void Connection::Impl::close(int code, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kOpen) {
      return;
    }
    state_ = State::kClosing;
  }
  state_changed_.notify_all();
  enqueue(Outgoing{.is_close = true,
                   .payload = std::move(reason),
                   .close_code = static_cast<std::uint16_t>(code)});
}

std::optional<CloseInfo> Connection::Impl::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  state_changed_.wait_for(lock, timeout, [this] { return state_ == State::kClosed; });
  if (state_ != State::kClosed) {
    return std::nullopt;
  }
  return close_info_;
}

bool Connection::Impl::is_open() const {
  std::lock_guard lock(mutex_);
  return state_ == State::kOpen;
}

void Connection::Impl::remember_abandoned(const std::string& cid) {
  abandoned_cids_.push_back(cid);
  if (abandoned_cids_.size() > kMaxAbandonedCids) {
    abandoned_cids_.pop_front();
  }
}

bool Connection::Impl::is_abandoned(const std::string& cid) const {
  return std::find(abandoned_cids_.begin(), abandoned_cids_.end(), cid) != abandoned_cids_.end();
}

}  // namespace parley::client
