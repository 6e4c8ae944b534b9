#include "net/websocket_session.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

#include "common/logging.hpp"
#include "common/utf8.hpp"
#include "protocol/binary/frames.hpp"

namespace parley::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
using websocket::CloseCode;
using websocket::Opcode;

namespace {

// Close reason sent with 1012 when the node shuts down.
constexpr const char* kRestartReason = "node shutting down";
// Socket reads one read_next() call makes before it lets the I/O thread's
// other work run, so that a client that keeps sending cannot hold the
// thread.
constexpr int kReadsPerTurn = 16;

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

bool is_normal_close(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted;
}

}  // namespace

WebSocketSession::WebSocketSession(asio::ip::tcp::socket&& socket, IoThread& thread,
                                   const Config& config, service::Dispatcher& dispatcher,
                                   std::string remote_address)
    : stream_(std::move(socket), thread.metrics, &thread.pushes),
      thread_(thread),
      config_(config),
      dispatcher_(dispatcher),
      id_(next_connection_id()),
      remote_address_(std::move(remote_address)),
      liveness_timer_(stream_.get_executor()),
      login_timer_(stream_.get_executor()) {}

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
  if (accepted_ && !in_flight_) close_with(CloseCode::kServiceRestart, kRestartReason);
}

void WebSocketSession::run(const websocket::UpgradeRequest& upgrade, std::string received) {
  // Registered before anything is written, so that a shutdown that starts
  // meanwhile still closes this connection with 1012.
  thread_.sessions.insert(this);
  thread_.open_sessions->fetch_add(1);
  registered_ = true;
  thread_.metrics.connections_opened.add();

  // read_next() reads until the socket has no more bytes, and only then
  // waits for it.
  beast::error_code ec;
  stream_.socket().non_blocking(true, ec);
  websocket::HandshakeResult result = websocket::make_handshake_response(upgrade, "parley");
  stream_.write_bytes(result.response);
  if (ec || !result.accepted) {
    logger("net")->info("[C{}] WebSocket handshake from {} rejected: {}", id_, remote_address_,
                        ec ? ec.message() : result.error);
    closing_ = true;
    start_close_deadline();
    finish();
    return;
  }
  logger("net")->debug("[C{}] connected from {}", id_, remote_address_);
  accepted_ = true;
  input_ = std::move(received);
  if (restarting_) {
    close_with(CloseCode::kServiceRestart, kRestartReason);
    return;
  }
  last_received_ = std::chrono::steady_clock::now();
  schedule_liveness_check(last_received_ + std::chrono::seconds(config_.ping_interval_s));
  start_login_deadline();
  read_next();
}

bool WebSocketSession::wants_input() const {
  if (closed_) return false;
  if (finishing_) return drained_;
  return closing_ || !in_flight_;
}

void WebSocketSession::read_next() {
  if (reading_ || waiting_) return;
  reading_ = true;
  // Frames that arrived behind the last request come first.
  process_input();
  for (int reads = 0; wants_input(); ++reads) {
    if (reads == kReadsPerTurn) {
      // The socket may still hold bytes, so an async_wait could miss them:
      // the reactor reports readiness only when it changes.
      waiting_ = true;
      asio::post(stream_.get_executor(), [self = shared_from_this()] {
        self->waiting_ = false;
        self->read_next();
      });
      break;
    }
    beast::error_code ec;
    std::vector<char>& buffer = thread_.read_buffer;
    const std::size_t bytes = stream_.socket().read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      wait_readable();
      break;
    }
    if (ec) {
      on_read_error(ec);
      break;
    }
    last_received_ = std::chrono::steady_clock::now();
    if (finishing_) continue;
    input_.append(buffer.data(), bytes);
    process_input();
  }
  reading_ = false;
}

void WebSocketSession::wait_readable() {
  waiting_ = true;
  stream_.socket().async_wait(asio::ip::tcp::socket::wait_read,
                              [self = shared_from_this()](beast::error_code ec) {
                                self->waiting_ = false;
                                if (ec) {
                                  self->on_read_error(ec);
                                } else {
                                  self->read_next();
                                }
                              });
}

void WebSocketSession::on_read_error(const beast::error_code& ec) {
  if (closed_) return;
  // A client that shut its sending side after the close handshake began
  // may still read the close frame and the replies queued before it.
  if (ec == asio::error::eof && closing_ && !finishing_) {
    finish();
    return;
  }
  if (!closing_) {
    if (is_normal_close(ec)) {
      logger("net")->info("[C{}] disconnected: {}", id_, ec.message());
    } else {
      logger("net")->warn("[C{}] read from {} failed: {}", id_, remote_address_, ec.message());
    }
  }
  shut_down();
}

void WebSocketSession::process_input() {
  std::size_t start = 0;
  while (!closed_ && !finishing_ && (closing_ || !in_flight_)) {
    const std::string_view unread = std::string_view(input_).substr(start);
    if (skip_bytes_ > 0) {
      const auto skipped =
          static_cast<std::size_t>(std::min<std::uint64_t>(skip_bytes_, unread.size()));
      start += skipped;
      skip_bytes_ -= skipped;
      if (skip_bytes_ > 0) break;
      continue;
    }
    const websocket::HeaderResult parsed =
        websocket::parse_header(unread, websocket::Sender::kClient);
    if (parsed.status == websocket::ParseStatus::kIncomplete) break;
    if (parsed.status == websocket::ParseStatus::kInvalid) {
      fail(CloseCode::kProtocolError, parsed.error);
      break;
    }
    const websocket::FrameHeader& header = parsed.header;
    const std::uint64_t frame_size = header.header_size + header.payload_size;
    const bool data = !websocket::is_control(header.opcode);
    // After a close frame was sent, data frames are read and discarded.
    if (data && closing_) {
      skip_bytes_ = frame_size;
      continue;
    }
    const bool continuation = header.opcode == Opcode::kContinuation;
    if (data && continuation != message_open_) {
      fail(CloseCode::kProtocolError, continuation ? "continuation frame outside a message"
                                                   : "new message before the last one ended");
      break;
    }
    if (data && message_.size() + header.payload_size > config_.max_frame_bytes) {
      logger("net")->warn("[C{}] message over {} bytes; closing with 1009", id_,
                          config_.max_frame_bytes);
      close_with(CloseCode::kTooBig, "message too big");
      skip_bytes_ = frame_size;
      continue;
    }
    if (unread.size() < frame_size) break;
    start += static_cast<std::size_t>(frame_size);
    const std::string_view payload =
        unread.substr(header.header_size, static_cast<std::size_t>(header.payload_size));
    if (!handle_frame(header, payload)) break;
  }
  if (finishing_) {
    std::string().swap(input_);
    return;
  }
  input_.erase(0, start);
  // A large read grew the buffer; an idle connection keeps none.
  if (input_.empty()) std::string().swap(input_);
}

bool WebSocketSession::handle_frame(const websocket::FrameHeader& header,
                                    std::string_view payload) {
  if (websocket::is_control(header.opcode)) {
    std::string unmasked;
    websocket::unmask_append(unmasked, payload, *header.mask_key);
    switch (header.opcode) {
      case Opcode::kPing:
        if (!closing_) {
          stream_.write_control(Opcode::kPong, unmasked);
          // A client that pings without reading would otherwise grow the
          // send queue without bound.
          check_send_queue();
        }
        return true;
      case Opcode::kClose:
        handle_close(unmasked);
        return false;
      default:
        return true;
    }
  }
  // process_input() checked the order of the fragments.
  if (header.opcode != Opcode::kContinuation) message_binary_ = header.opcode == Opcode::kBinary;
  websocket::unmask_append(message_, payload, *header.mask_key);
  message_open_ = !header.fin;
  if (message_open_) return true;
  if (!message_binary_ && !is_valid_utf8(message_)) {
    logger("net")->warn("[C{}] text message from {} is not UTF-8; closing with 1007", id_,
                        remote_address_);
    std::string().swap(message_);
    close_with(CloseCode::kInvalidPayload, "text message is not UTF-8");
    return true;
  }
  dispatch_message();
  return true;
}

void WebSocketSession::handle_close(std::string_view payload) {
  const websocket::CloseParseResult parsed = websocket::parse_close_payload(payload);
  if (!parsed.close) {
    fail(parsed.error_code, parsed.error);
    return;
  }
  if (!closing_) {
    // Section 5.5.1: the reply echoes the status code.
    const std::optional<std::uint16_t> code = parsed.close->code;
    logger("net")->info("[C{}] client closed with {}", id_, code ? *code : 1005);
    closing_ = true;
    thread_.registry.unsubscribe(this);
    stream_.write_control(
        Opcode::kClose,
        code ? websocket::close_payload(static_cast<CloseCode>(*code), {}) : std::string());
    start_close_deadline();
  }
  finish();
}

void WebSocketSession::dispatch_message() {
  thread_.metrics.frames_in.add();
  thread_.metrics.bytes_in.add(message_.size());
  // A text frame carries JSON and a binary frame SBE. The reply uses the
  // request's encoding, and later pushes that of the last request.
  const bool binary = message_binary_;
  const std::string payload = std::move(message_);
  message_.clear();
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
    close_with(CloseCode::kServiceRestart, kRestartReason);
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
  replay_end_ = stream_.bytes_written() + stream_.queued_bytes();
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

// No data frame may follow a close frame (section 5.5.1).
void WebSocketSession::enqueue(std::string_view frame, bool binary, Flush flush) {
  if (closing_ || closed_) return;
  if (flush == Flush::kScheduled) {
    stream_.write_push(frame, binary);
  } else {
    stream_.write_frame(frame, binary);
  }
  thread_.metrics.frames_out.add();
  thread_.metrics.bytes_out.add(frame.size());
  const std::size_t queued = stream_.queued_bytes();
  thread_.metrics.send_queue_peak_bytes.raise_to(static_cast<std::int64_t>(queued));
  // A replay may exceed the limit at once, because it is bounded by the
  // stored messages one subscribe replays and the resume window. Its bytes
  // are allowed on top of the limit until they are written.
  if (replaying_) replay_bytes_ += frame.size();
  check_send_queue();
}

void WebSocketSession::check_send_queue() {
  if (stream_.queued_bytes() > config_.max_send_queue_bytes + replay_allowance()) {
    close_slow_consumer();
  }
}

std::size_t WebSocketSession::replay_allowance() const {
  if (replaying_) return replay_bytes_;
  const std::uint64_t written = stream_.bytes_written();
  if (written >= replay_end_) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(replay_bytes_, replay_end_ - written));
}

void WebSocketSession::close_with(CloseCode code, std::string_view reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  thread_.registry.unsubscribe(this);
  stream_.write_control(Opcode::kClose, websocket::close_payload(code, reason));
  start_close_deadline();
  // The client's close frame may arrive while a request is in flight.
  read_next();
}

void WebSocketSession::fail(CloseCode code, const char* error) {
  logger("net")->warn("[C{}] closing with {} after a client error: {}", id_, static_cast<int>(code),
                      error);
  close_with(code, error);
  finish();
}

void WebSocketSession::close_slow_consumer() {
  thread_.metrics.slow_consumers_closed.add();
  logger("net")->warn("[C{}] send queue over {} bytes; closing with {} '{}'", id_,
                      config_.max_send_queue_bytes, static_cast<int>(kSlowConsumerCode),
                      kSlowConsumerReason);
  // Frames not yet in a socket write are dropped, and the close frame
  // follows the write in progress. The client resumes from the last message
  // it received.
  stream_.discard_pending();
  close_with(kSlowConsumerCode, kSlowConsumerReason);
}

void WebSocketSession::finish() {
  if (finishing_ || closed_) return;
  finishing_ = true;
  std::string().swap(message_);
  stream_.async_drain([self = shared_from_this()](beast::error_code) { self->on_drained(); });
}

void WebSocketSession::on_drained() {
  if (closed_) return;
  drained_ = true;
  // The FIN follows the close frame. Reading on until the client's FIN
  // leaves nothing unread when the socket closes, which would send a reset
  // that can overtake the close frame.
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  read_next();
}

void WebSocketSession::start_close_deadline() {
  liveness_timer_.expires_after(std::chrono::seconds(config_.handshake_timeout_s));
  liveness_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_) return;
    logger("net")->info("[C{}] close handshake with {} timed out", self->id_,
                        self->remote_address_);
    self->shut_down();
  });
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
      // its timeout.
      shut_down();
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
  stream_.write_control(Opcode::kPing, {});
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

void WebSocketSession::close_socket() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

void WebSocketSession::shut_down() {
  if (closed_) return;
  closed_ = true;
  liveness_timer_.cancel();
  login_timer_.cancel();
  thread_.registry.unsubscribe(this);
  unregister();
  stream_.discard_pending();
  std::string().swap(input_);
  std::string().swap(message_);
  close_socket();
}

}  // namespace parley::net
