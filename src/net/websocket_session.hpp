#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "common/config.hpp"
#include "net/coalescing_stream.hpp"
#include "net/io_pool.hpp"
#include "service/client_connection.hpp"
#include "service/dispatcher.hpp"
#include "websocket/close.hpp"
#include "websocket/frames.hpp"
#include "websocket/handshake.hpp"

namespace parley::net {

// Close code and reason sent to a client whose send queue overflowed.
inline constexpr websocket::CloseCode kSlowConsumerCode = websocket::CloseCode::kPolicyViolation;
inline constexpr const char* kSlowConsumerReason = "consumer too slow";
// Close code and reason sent to a client that did not log in within
// login_timeout_s of the handshake.
inline constexpr websocket::CloseCode kLoginTimeoutCode = websocket::CloseCode::kPolicyViolation;
inline constexpr const char* kLoginTimeoutReason = "login timeout";

// One client's WebSocket connection, framed by the node itself (RFC 6455)
// so that an idle connection keeps no read buffer. It waits for the socket
// to become readable, reads into its I/O thread's buffer, and keeps only
// the bytes of an unfinished frame.
//
// Requests are read one at a time: the next frame is read only after the
// reply of the previous one was queued, so replies leave in request order.
// Pushes are queued between replies. Every frame is written into the
// CoalescingStream, which sends each I/O-thread turn's frames with one
// system call.
//
// Closing follows section 7. The side that closes first sends a close
// frame and waits for the other's. Then the node writes what is queued,
// shuts its sending side and reads until the client closes the TCP
// connection, so that no unread byte turns the close into a reset. One
// deadline of handshake_timeout_s bounds all of it, and when it passes the
// node closes the socket with whatever is still queued.
//
// Thread safety: every member runs on the owning IoThread's context.
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession>,
                         public service::ClientConnection,
                         public Subscriber,
                         public ClosableSession {
 public:
  WebSocketSession(boost::asio::ip::tcp::socket&& socket, IoThread& thread, const Config& config,
                   service::Dispatcher& dispatcher, std::string remote_address);
  ~WebSocketSession() override;

  // Writes the handshake response and, when the upgrade request is valid,
  // starts reading. `received` contains the bytes that arrived after the
  // request.
  void run(const websocket::UpgradeRequest& upgrade, std::string received);

  // service::ClientConnection
  std::uint64_t connection_id() const override { return id_; }
  const std::string& remote_address() const override { return remote_address_; }
  boost::asio::any_io_executor executor() override { return stream_.get_executor(); }
  std::optional<AccountId> account() const override { return account_; }
  void set_account(std::optional<AccountId> account) override;
  const std::optional<std::string>& login_token_hash() const override { return token_hash_; }
  void set_login_token_hash(std::optional<std::string> token_hash) override {
    token_hash_ = std::move(token_hash);
  }
  std::optional<RoomId> subscribed_room() const override;
  void subscribe(RoomId room) override;
  void unsubscribe() override;
  void subscribe_after(RoomId room, MessageId after, const std::vector<service::StoredPush>& stored,
                       bool stored_in_kafka_order) override;
  void push(std::string frame) override;
  void complete(std::string frame) override;

  // Subscriber
  std::optional<AccountId> subscriber_account() const override { return account_; }
  void deliver(const SharedFrame& frame) override;
  void on_evicted(RoomId room) override;

  // ClosableSession
  void close_for_restart() override;

 private:
  // Reads until the socket has nothing more or a request is in flight,
  // parsing every whole frame. Waits for the socket when it ran dry.
  void read_next();
  bool wants_input() const;
  void wait_readable();
  void on_read_error(const boost::beast::error_code& ec);
  void process_input();
  // Handles one frame whose bytes have all arrived. Returns false when the
  // frame ended reading.
  bool handle_frame(const websocket::FrameHeader& header, std::string_view payload);
  void handle_close(std::string_view payload);
  void dispatch_message();
  // kNow writes a frame at the end of this I/O-thread turn, as replies
  // need. kScheduled writes it with the thread's other pushes
  // (FlushScheduler).
  enum class Flush { kNow, kScheduled };
  void enqueue(std::string_view frame, bool binary, Flush flush = Flush::kNow);
  void enqueue_stored(const service::StoredPush& message);
  // Replayed bytes not yet written, which the send-queue limit allows on
  // top of max_send_queue_bytes.
  std::size_t replay_allowance() const;
  // Sends a close frame and waits for the client's.
  void close_with(websocket::CloseCode code, std::string_view reason);
  // Fails the connection after a frame that cannot be parsed: sends a
  // close frame and ends the connection without waiting for the client's.
  void fail(websocket::CloseCode code, const char* error);
  // Closes with 1008 when the bytes not yet written pass the limit.
  void check_send_queue();
  void close_slow_consumer();
  // Writes what is queued, then shuts the sending side and reads until the
  // client closes.
  void finish();
  void on_drained();
  void start_close_deadline();
  // Pings the client after ping_interval_s without a received frame and
  // drops the connection when pong_timeout_s more pass without one.
  void schedule_liveness_check(std::chrono::steady_clock::time_point at);
  void check_liveness(boost::beast::error_code ec);
  void start_login_deadline();
  void on_login_deadline(boost::beast::error_code ec);
  void close_socket();
  void shut_down();
  void unregister();

  CoalescingStream stream_;
  IoThread& thread_;
  const Config& config_;
  service::Dispatcher& dispatcher_;
  std::uint64_t id_;
  std::string remote_address_;

  // Received bytes not yet parsed: the start of a frame at most, except
  // while a request is in flight.
  std::string input_;
  // The payload of the message being received, unmasked.
  std::string message_;
  // Bytes of a skipped frame still to read and discard.
  std::uint64_t skip_bytes_ = 0;
  // A text or binary frame without FIN started a message, whose later
  // fragments are continuation frames.
  bool message_open_ = false;
  bool message_binary_ = false;
  // An async_wait for the socket to become readable is pending.
  bool waiting_ = false;
  // read_next() is on the stack: a reply queued meanwhile lets it go on
  // rather than start a second reader.
  bool reading_ = false;
  // subscribe_after() is queueing its replay.
  bool replaying_ = false;
  // Bytes of the replays whose end, at byte replay_end_ of the stream, is
  // not yet written.
  std::size_t replay_bytes_ = 0;
  std::uint64_t replay_end_ = 0;
  // A close frame was sent: no data frame may follow it, and received data
  // frames are skipped.
  bool closing_ = false;
  // The close handshake is over or was given up: queued bytes are being
  // written (drained_ once they are) and input is discarded.
  bool finishing_ = false;
  bool drained_ = false;
  bool closed_ = false;
  // A request was read and its reply is not queued yet.
  bool in_flight_ = false;
  // The request in flight came in a binary frame, so its reply is SBE.
  bool request_binary_ = false;
  // The last request came in a binary frame, so pushes are SBE. Pushes are
  // JSON until the first binary request.
  bool push_binary_ = false;
  std::chrono::steady_clock::time_point request_started_;
  // The node is shutting down: close after the request in flight.
  bool restarting_ = false;
  bool registered_ = false;
  // The WebSocket handshake completed.
  bool accepted_ = false;

  std::optional<AccountId> account_;
  std::optional<std::string> token_hash_;
  // Set by the first login; the login deadline no longer applies then.
  bool logged_in_once_ = false;

  // Also bounds the close handshake once closing_ is set.
  boost::asio::steady_timer liveness_timer_;
  boost::asio::steady_timer login_timer_;
  // When the client's last bytes arrived.
  std::chrono::steady_clock::time_point last_received_;
  // When the unanswered ping was sent; empty when none is outstanding.
  std::optional<std::chrono::steady_clock::time_point> ping_sent_;
};

}  // namespace parley::net
