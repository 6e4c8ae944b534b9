#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "common/config.hpp"
#include "net/coalescing_stream.hpp"
#include "net/io_pool.hpp"
#include "service/client_connection.hpp"
#include "service/dispatcher.hpp"

namespace parley::net {

// Close code and reason sent to a client whose send queue overflowed.
inline constexpr boost::beast::websocket::close_code kSlowConsumerCode =
    boost::beast::websocket::close_code::policy_error;
inline constexpr const char* kSlowConsumerReason = "consumer too slow";
// Close code and reason sent to a client that did not log in within
// login_timeout_s of the handshake.
inline constexpr boost::beast::websocket::close_code kLoginTimeoutCode =
    boost::beast::websocket::close_code::policy_error;
inline constexpr const char* kLoginTimeoutReason = "login timeout";

// One client's WebSocket connection. Requests are read one at a time: the
// next frame is read only after the reply of the previous one was queued,
// so replies leave in request order. Pushes are queued between replies.
// Replies and pushes are written as WebSocket frames straight into the
// CoalescingStream under Beast's stream, which sends each I/O-thread turn's
// frames with one system call; Beast reads, and writes the control frames.
//
// Thread safety: every member runs on the owning IoThread's context.
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession>,
                         public service::ClientConnection,
                         public Subscriber,
                         public ClosableSession {
 public:
  WebSocketSession(boost::beast::tcp_stream&& stream, IoThread& thread, const Config& config,
                   service::Dispatcher& dispatcher, std::string remote_address);
  ~WebSocketSession() override;

  // Completes the WebSocket handshake of `upgrade` and starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);

  // service::ClientConnection
  std::uint64_t connection_id() const override { return id_; }
  const std::string& remote_address() const override { return remote_address_; }
  boost::asio::any_io_executor executor() override { return ws_.get_executor(); }
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
  void on_accept(boost::beast::error_code ec);
  void read_next();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // kNow writes a frame at the end of this I/O-thread turn, as replies
  // need. kScheduled writes it with the thread's other pushes
  // (FlushScheduler).
  enum class Flush { kNow, kScheduled };
  void enqueue(std::string_view frame, bool binary, Flush flush = Flush::kNow);
  void enqueue_stored(const service::StoredPush& message);
  // Replayed bytes not yet written, which the send-queue limit allows on
  // top of max_send_queue_bytes.
  std::size_t replay_allowance() const;
  void close_with(boost::beast::websocket::close_code code, const char* reason);
  void close_slow_consumer();
  // Pings the client after ping_interval_s without a received frame and
  // drops the connection when pong_timeout_s more pass without one.
  void schedule_liveness_check(std::chrono::steady_clock::time_point at);
  void check_liveness(boost::beast::error_code ec);
  void start_login_deadline();
  void on_login_deadline(boost::beast::error_code ec);
  void shut_down();
  void unregister();

  boost::beast::websocket::stream<CoalescingStream> ws_;
  IoThread& thread_;
  const Config& config_;
  service::Dispatcher& dispatcher_;
  std::uint64_t id_;
  std::string remote_address_;

  boost::beast::flat_buffer read_buffer_;
  // subscribe_after() is queueing its replay.
  bool replaying_ = false;
  // Bytes of the replays whose end, at byte replay_end_ of the stream, is
  // not yet written.
  std::size_t replay_bytes_ = 0;
  std::uint64_t replay_end_ = 0;
  bool closing_ = false;
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

  boost::asio::steady_timer liveness_timer_;
  boost::asio::steady_timer login_timer_;
  // When the last frame (data, ping, pong or close) arrived.
  std::chrono::steady_clock::time_point last_received_;
  // When the unanswered ping was sent; empty when none is outstanding.
  std::optional<std::chrono::steady_clock::time_point> ping_sent_;
};

}  // namespace parley::net
