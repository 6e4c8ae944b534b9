#include "net/websocket_session.hpp"

#include <atomic>
#include <unordered_set>

#include "common/logging.hpp"

namespace parley::net {
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

// Bytes requested from Beast per read; a message is assembled from chunks.
constexpr std::size_t kReadChunkBytes = 16 * 1024;
// Close reason sent with 1012 when the node shuts down.
constexpr const char* kRestartReason = "node shutting down";

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

bool is_normal_close(const beast::error_code& ec) {
  return ec == websocket::error::closed || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::operation_aborted || ec == beast::error::timeout;
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, IoThread& thread,
                                   const Config& config, service::Dispatcher& dispatcher,
                                   std::string remote_address)
    : ws_(std::move(stream)),
      thread_(thread),
      config_(config),
      dispatcher_(dispatcher),
      id_(next_connection_id()),
      remote_address_(std::move(remote_address)) {}

WebSocketSession::~WebSocketSession() {
  thread_.registry.unsubscribe(this);
  unregister();
}

void WebSocketSession::unregister() {
  if (!registered_) return;
  registered_ = false;
  thread_.sessions.erase(this);
  thread_.open_sessions->fetch_sub(1);
}

void WebSocketSession::close_for_restart() {
  restarting_ = true;
  if (accepted_ && !in_flight_ && !closing_ && !closed_) {
    close_with(websocket::close_code::service_restart, kRestartReason);
  }
}

void WebSocketSession::run(beast::http::request<beast::http::string_body> upgrade) {
  // The HTTP session set the handshake deadline. From here on Beast pings
  // an idle peer and closes the connection if no pong comes back.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(config_.handshake_timeout_s);
  timeouts.idle_timeout = std::chrono::seconds(config_.idle_timeout_s);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "parley");
  }));
  // Messages are read in chunks and measured here, not by Beast's
  // read_message_max: when Beast rejects a message it closes the socket
  // with the rest of the message unread, which makes the kernel send RST,
  // and the client may then see 1006 instead of the 1009 close frame.
  // close_with() lets Beast drain the message during the close handshake.
  ws_.read_message_max(0);
  ws_.auto_fragment(false);
  // Registered before the handshake completes, so that a shutdown that
  // starts meanwhile still closes this connection with 1012.
  thread_.sessions.insert(this);
  thread_.open_sessions->fetch_add(1);
  registered_ = true;
  ws_.async_accept(upgrade,
                   beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    logger("net")->info("[C{}] WebSocket handshake from {} failed: {}", id_, remote_address_,
                        ec.message());
    shut_down();
    return;
  }
  logger("net")->debug("[C{}] connected from {}", id_, remote_address_);
  accepted_ = true;
  if (restarting_) {
    close_with(websocket::close_code::service_restart, kRestartReason);
    return;
  }
  read_next();
}

void WebSocketSession::read_next() {
  if (closing_ || closed_) return;
  ws_.async_read_some(read_buffer_, kReadChunkBytes,
                      beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (is_normal_close(ec)) {
      logger("net")->info("[C{}] disconnected: {}", id_, ec.message());
    } else {
      // On a protocol violation such as invalid UTF-8, Beast has already
      // sent the matching close code (1007).
      logger("net")->warn("[C{}] closed after a client error: {}", id_, ec.message());
    }
    shut_down();
    return;
  }
  if (read_buffer_.size() > config_.max_frame_bytes) {
    logger("net")->warn("[C{}] message over {} bytes; closing with 1009", id_,
                        config_.max_frame_bytes);
    read_buffer_.consume(read_buffer_.size());
    close_with(websocket::close_code::too_big, "message too big");
    return;
  }
  if (!ws_.is_message_done()) {
    read_next();
    return;
  }
  if (!ws_.got_text()) {
    // Binary frames carry no supported encoding yet; skip them and keep the
    // connection, as the reference server does.
    read_buffer_.consume(read_buffer_.size());
    read_next();
    return;
  }
  std::string text = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  in_flight_ = true;
  dispatcher_.dispatch(shared_from_this(), text);
}

void WebSocketSession::complete(std::string frame) {
  in_flight_ = false;
  if (closed_) return;
  enqueue(std::make_shared<const std::string>(std::move(frame)));
  if (restarting_) {
    close_with(websocket::close_code::service_restart, kRestartReason);
    return;
  }
  read_next();
}

void WebSocketSession::push(std::string frame) {
  enqueue(std::make_shared<const std::string>(std::move(frame)));
}

void WebSocketSession::set_account(std::optional<AccountId> account) {
  if (account_ != account) {
    thread_.registry.unsubscribe(this);
  }
  account_ = account;
}

std::optional<RoomId> WebSocketSession::subscribed_room() const {
  return thread_.registry.room_of(this);
}

void WebSocketSession::subscribe(RoomId room) { thread_.registry.subscribe(this, room); }

void WebSocketSession::unsubscribe() { thread_.registry.unsubscribe(this); }

void WebSocketSession::subscribe_after(RoomId room, MessageId after,
                                       const std::vector<service::StoredPush>& stored) {
  // Runs on the I/O thread that also appends to the window and delivers
  // live messages, so nothing arrives between the replay and the
  // subscription.
  if (auto following = thread_.recent.after(room, after)) {
    for (const auto* entry : *following) enqueue(entry->frame);
  } else {
    std::unordered_set<MessageId> pushed;
    for (const auto& message : stored) {
      if (message.id <= after) continue;
      enqueue(std::make_shared<const std::string>(message.frame));
      pushed.insert(message.id);
    }
    for (const auto* entry : thread_.recent.all(room)) {
      if (entry->id > after && !pushed.contains(entry->id)) enqueue(entry->frame);
    }
  }
  subscribe(room);
}

void WebSocketSession::deliver(const SharedFrame& frame) { enqueue(frame); }

void WebSocketSession::on_evicted(RoomId room) {
  logger("net")->info("[C{}] subscription to room {} ended by a room event", id_, room);
}

void WebSocketSession::enqueue(SharedFrame frame) {
  if (closing_ || closed_) return;
  queued_bytes_ += frame->size();
  send_queue_.push_back(std::move(frame));
  if (queued_bytes_ > config_.max_send_queue_bytes) {
    close_slow_consumer();
    return;
  }
  if (!writing_) write_next();
}

void WebSocketSession::write_next() {
  if (send_queue_.empty() || closing_ || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*send_queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) {
    if (!is_normal_close(ec)) {
      logger("net")->info("[C{}] write failed: {}", id_, ec.message());
    }
    shut_down();
    return;
  }
  queued_bytes_ -= send_queue_.front()->size();
  send_queue_.pop_front();
  write_next();
}

void WebSocketSession::close_with(websocket::close_code code, const char* reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  thread_.registry.unsubscribe(this);
  ws_.async_close(websocket::close_reason(code, reason),
                  [self = shared_from_this()](beast::error_code) { self->shut_down(); });
}

void WebSocketSession::close_slow_consumer() {
  logger("net")->warn("[C{}] send queue over {} bytes; closing with {} '{}'", id_,
                      config_.max_send_queue_bytes, static_cast<int>(kSlowConsumerCode),
                      kSlowConsumerReason);
  // Frames not yet handed to Beast are dropped; the client resumes from
  // the last message it received.
  if (writing_) {
    while (send_queue_.size() > 1) send_queue_.pop_back();
  } else {
    send_queue_.clear();
  }
  close_with(kSlowConsumerCode, kSlowConsumerReason);
}

void WebSocketSession::shut_down() {
  if (closed_) return;
  closed_ = true;
  thread_.registry.unsubscribe(this);
  unregister();
  send_queue_.clear();
  queued_bytes_ = 0;
}

}  // namespace parley::net
