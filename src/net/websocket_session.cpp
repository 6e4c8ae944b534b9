#include "net/websocket_session.hpp"

#include <atomic>
#include <unordered_set>

#include "common/logging.hpp"
#include "protocol/binary/frames.hpp"

namespace parley::net {
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

// Bytes requested from Beast per read; a message is assembled from chunks.
// Beast reserves the chunk in the read buffer while it waits, so the first
// chunk of a message, which every idle connection waits for, is small.
constexpr std::size_t kFirstReadChunkBytes = 64;
constexpr std::size_t kReadChunkBytes = 512;
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
    : ws_(std::move(stream), thread.metrics, &thread.pushes),
      thread_(thread),
      config_(config),
      dispatcher_(dispatcher),
      id_(next_connection_id()),
      remote_address_(std::move(remote_address)),
      liveness_timer_(ws_.get_executor()),
      login_timer_(ws_.get_executor()) {}

WebSocketSession::~WebSocketSession() {
  thread_.registry.unsubscribe(this);
  unregister();
}

void WebSocketSession::unregister() {
  if (!registered_) return;
  registered_ = false;
  thread_.sessions.erase(this);
  thread_.open_sessions->fetch_sub(1);
  thread_.metrics.connections_closed.add();
}

void WebSocketSession::close_for_restart() {
  restarting_ = true;
  if (accepted_ && !in_flight_ && !closing_ && !closed_) {
    close_with(websocket::close_code::service_restart, kRestartReason);
  }
}

void WebSocketSession::run(beast::http::request<beast::http::string_body> upgrade) {
  // The HTTP session set the deadline of the upgrade request. Beast bounds
  // the handshake and the close handshake, and check_liveness() replaces
  // Beast's idle timeout, which can only ping at half the timeout.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(config_.handshake_timeout_s);
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  // Control frames arrive only while a read is pending, and count as
  // received frames for the liveness check.
  ws_.control_callback([this](websocket::frame_type, beast::string_view) {
    last_received_ = std::chrono::steady_clock::now();
  });
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
  thread_.metrics.connections_opened.add();
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
  last_received_ = std::chrono::steady_clock::now();
  schedule_liveness_check(last_received_ + std::chrono::seconds(config_.ping_interval_s));
  start_login_deadline();
  read_next();
}

void WebSocketSession::read_next() {
  if (closing_ || closed_) return;
  const std::size_t chunk = read_buffer_.size() == 0 ? kFirstReadChunkBytes : kReadChunkBytes;
  ws_.async_read_some(read_buffer_, chunk,
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
  last_received_ = std::chrono::steady_clock::now();
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
  thread_.metrics.frames_in.add();
  thread_.metrics.bytes_in.add(read_buffer_.size());
  // A text frame carries JSON and a binary frame SBE. The reply uses the
  // request's encoding, and later pushes that of the last request.
  const bool binary = !ws_.got_text();
  std::string payload = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  // A request grew the buffer, and an idle connection keeps only the first
  // chunk.
  if (read_buffer_.capacity() > kFirstReadChunkBytes) read_buffer_.shrink_to_fit();
  in_flight_ = true;
  request_binary_ = binary;
  push_binary_ = binary;
  request_started_ = std::chrono::steady_clock::now();
  if (binary) {
    dispatcher_.dispatch_binary(shared_from_this(), protocol::binary::frame_bytes(payload));
  } else {
    dispatcher_.dispatch(shared_from_this(), payload);
  }
}

void WebSocketSession::complete(std::string frame) {
  in_flight_ = false;
  thread_.metrics.request_latency.observe(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - request_started_));
  if (closed_) return;
  enqueue(frame, request_binary_);
  if (restarting_) {
    close_with(websocket::close_code::service_restart, kRestartReason);
    return;
  }
  read_next();
}

void WebSocketSession::push(std::string frame) { enqueue(frame, false); }

void WebSocketSession::set_account(std::optional<AccountId> account) {
  if (account_ != account) {
    thread_.registry.unsubscribe(this);
  }
  account_ = account;
  if (account && !logged_in_once_) {
    logged_in_once_ = true;
    login_timer_.cancel();
  }
}

std::optional<RoomId> WebSocketSession::subscribed_room() const {
  return thread_.registry.room_of(this);
}

void WebSocketSession::subscribe(RoomId room) { thread_.registry.subscribe(this, room); }

void WebSocketSession::unsubscribe() { thread_.registry.unsubscribe(this); }

void WebSocketSession::subscribe_after(RoomId room, MessageId after,
                                       const std::vector<service::StoredPush>& stored,
                                       bool stored_in_kafka_order) {
  // Runs on the I/O thread that also appends to the window and delivers
  // live messages, so nothing arrives between the replay and the
  // subscription.
  replay_bytes_ = replay_allowance();
  replaying_ = true;
  if (auto following = thread_.recent.after(room, after)) {
    for (const auto* entry : *following) {
      const WireFrame& wire = entry->frame->select(push_binary_);
      enqueue(wire.bytes, wire.binary);
    }
  } else {
    // PostgreSQL already chose and ordered the stored messages, and ids do
    // not give the room's order, so none are filtered here.
    std::vector<MessageId> stored_ids;
    for (const auto& message : stored) {
      enqueue_stored(message);
      stored_ids.push_back(message.id);
    }
    // NOTE: when this node's Kafka consumer lags behind the history writer,
    // its window precedes `after`, and those entries are replayed again.
    for (const auto* entry :
         thread_.recent.not_stored(room, after, stored_ids, stored_in_kafka_order)) {
      const WireFrame& wire = entry->frame->select(push_binary_);
      enqueue(wire.bytes, wire.binary);
    }
  }
  replaying_ = false;
  const CoalescingStream& stream = ws_.next_layer();
  replay_end_ = stream.bytes_written() + stream.queued_bytes();
  subscribe(room);
}

// A stored push is JSON. A replay goes to this connection alone, so an SBE
// connection re-encodes each of its messages here.
void WebSocketSession::enqueue_stored(const service::StoredPush& message) {
  if (!push_binary_) {
    enqueue(message.frame, false);
    return;
  }
  Result<std::string> binary = protocol::binary::push_from_json(message.frame);
  if (!binary) {
    logger("net")->error("[C{}] stored message {} has no SBE form: {}", id_, message.id,
                         binary.error().message);
    return;
  }
  enqueue(binary.value(), true);
}

void WebSocketSession::deliver(const SharedFrame& frame) {
  const WireFrame& wire = frame->select(push_binary_);
  enqueue(wire.bytes, wire.binary, Flush::kScheduled);
}

void WebSocketSession::on_evicted(RoomId room) {
  logger("net")->info("[C{}] subscription to room {} ended by a room event", id_, room);
}

// Beast has sent or replied to a close frame once is_open() is false, and no
// data frame may follow it.
void WebSocketSession::enqueue(std::string_view frame, bool binary, Flush flush) {
  if (closing_ || closed_ || !ws_.is_open()) return;
  CoalescingStream& stream = ws_.next_layer();
  if (flush == Flush::kScheduled) {
    stream.write_push(frame, binary);
  } else {
    stream.write_frame(frame, binary);
  }
  thread_.metrics.frames_out.add();
  thread_.metrics.bytes_out.add(frame.size());
  const std::size_t queued = stream.queued_bytes();
  thread_.metrics.send_queue_peak_bytes.raise_to(static_cast<std::int64_t>(queued));
  // A replay may exceed the limit at once, because it is bounded by the
  // stored messages one subscribe replays and the resume window. Its bytes
  // are allowed on top of the limit until they are written.
  if (replaying_) replay_bytes_ += frame.size();
  if (queued > config_.max_send_queue_bytes + replay_allowance()) close_slow_consumer();
}

std::size_t WebSocketSession::replay_allowance() const {
  if (replaying_) return replay_bytes_;
  const std::uint64_t written = ws_.next_layer().bytes_written();
  if (written >= replay_end_) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(replay_bytes_, replay_end_ - written));
}

void WebSocketSession::close_with(websocket::close_code code, const char* reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  thread_.registry.unsubscribe(this);
  ws_.async_close(websocket::close_reason(code, reason),
                  [self = shared_from_this()](beast::error_code) { self->shut_down(); });
}

void WebSocketSession::close_slow_consumer() {
  thread_.metrics.slow_consumers_closed.add();
  logger("net")->warn("[C{}] send queue over {} bytes; closing with {} '{}'", id_,
                      config_.max_send_queue_bytes, static_cast<int>(kSlowConsumerCode),
                      kSlowConsumerReason);
  // Frames not yet in a socket write are dropped, and the close frame
  // follows the write in progress. The client resumes from the last message
  // it received.
  ws_.next_layer().discard_pending();
  close_with(kSlowConsumerCode, kSlowConsumerReason);
}

void WebSocketSession::schedule_liveness_check(std::chrono::steady_clock::time_point at) {
  liveness_timer_.expires_at(at);
  liveness_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::check_liveness, shared_from_this()));
}

void WebSocketSession::check_liveness(beast::error_code ec) {
  if (ec || closing_ || closed_) return;
  auto now = std::chrono::steady_clock::now();
  const auto ping_interval = std::chrono::seconds(config_.ping_interval_s);
  const auto pong_timeout = std::chrono::seconds(config_.pong_timeout_s);
  // Nothing is read while a request is in flight, so a pong could not be
  // seen. Such a connection counts as active.
  if (in_flight_) last_received_ = now;

  if (ping_sent_) {
    if (last_received_ < *ping_sent_) {
      if (now < *ping_sent_ + pong_timeout) {
        return schedule_liveness_check(*ping_sent_ + pong_timeout);
      }
      logger("net")->info("[C{}] no frame from {} within {} s of a ping; disconnecting", id_,
                          remote_address_, config_.pong_timeout_s);
      // The peer does not read, so a close handshake would only wait for
      // its timeout. Closing the socket ends the pending operations, and
      // on_read() then shuts the session down.
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    ping_sent_.reset();
  }

  if (now < last_received_ + ping_interval) {
    return schedule_liveness_check(last_received_ + ping_interval);
  }
  ping_sent_ = now;
  // The ping follows the frames already queued. A failed ping needs no
  // handling here, because the pending read or the pong timeout then ends
  // the session.
  ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {});
  schedule_liveness_check(now + pong_timeout);
}

void WebSocketSession::start_login_deadline() {
  if (logged_in_once_) return;
  login_timer_.expires_after(std::chrono::seconds(config_.login_timeout_s));
  login_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_login_deadline, shared_from_this()));
}

void WebSocketSession::on_login_deadline(beast::error_code ec) {
  if (ec || logged_in_once_ || closing_ || closed_) return;
  if (in_flight_) {
    // A login may be running; decide once its reply is queued.
    login_timer_.expires_after(std::chrono::milliseconds(100));
    login_timer_.async_wait(
        beast::bind_front_handler(&WebSocketSession::on_login_deadline, shared_from_this()));
    return;
  }
  logger("net")->info("[C{}] no login from {} within {} s; closing with {} '{}'", id_,
                      remote_address_, config_.login_timeout_s, static_cast<int>(kLoginTimeoutCode),
                      kLoginTimeoutReason);
  close_with(kLoginTimeoutCode, kLoginTimeoutReason);
}

void WebSocketSession::shut_down() {
  if (closed_) return;
  closed_ = true;
  liveness_timer_.cancel();
  login_timer_.cancel();
  thread_.registry.unsubscribe(this);
  unregister();
  ws_.next_layer().discard_pending();
}

}  // namespace parley::net
