#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/json/value.hpp>

#include "client/backoff.hpp"
#include "client/chat_session.hpp"
#include "client/connection.hpp"
#include "client/node_rotation.hpp"
#include "client/protocol_types.hpp"
#include "client/replay_filter.hpp"
#include "common/error.hpp"
#include "common/types.hpp"

namespace parley::client {

enum class SessionState {
  kConnected,     // a connection is open, logged in and subscribed again
  kReconnecting,  // the connection was lost; attempts to reconnect go on
  kFailed,        // reconnecting stopped, for the reason in failure()
  kClosed,        // close() was called or the session was destroyed
};

std::string_view to_string(SessionState state);

// One change of SessionState, as passed to the state callback.
struct StateChange {
  SessionState state;
  // The node connected to (kConnected), or the node lost (kReconnecting).
  std::string url;
  // Reason the connection was lost or reconnecting stopped. Empty for
  // kConnected.
  std::string reason;
};

// Settings of a ResilientSession.
struct ResilientOptions {
  // ws:// URLs of the nodes, tried round-robin.
  std::vector<std::string> urls;
  // Index of the URL tried first.
  std::size_t first_url = 0;
  // Time limit of one connect, TCP and WebSocket handshake together.
  std::chrono::milliseconds connect_timeout{5000};
  // Time limit of one request. The default is longer than the server's
  // default Kafka produce timeout (5 s), so that a send gets the server's
  // 503 reply instead of timing out.
  std::chrono::milliseconds request_timeout{10000};
  // Delays between reconnect attempts, and between retries after a 503.
  BackoffOptions backoff;
  // Time after which a session that cannot reconnect stops trying and
  // fails. Zero means that it keeps trying until it is closed.
  std::chrono::milliseconds reconnect_timeout{0};
  // Seed of the backoff jitter. A fixed seed makes the delays repeatable.
  std::uint64_t seed = std::random_device{}();
  // Wire format of every connection: JSON text frames or SBE binary frames.
  Encoding encoding = Encoding::kJson;
  // Called on the session's own thread at every state change, without any
  // lock of the session held. It must not call close() or destroy the
  // session.
  std::function<void(const StateChange&)> on_state_change;
};

// A message that the server acknowledged.
struct SentMessage {
  MessageId id = 0;
  RoomId room_id = 0;
  Timestamp timestamp;
  std::string client_message_id;
  // Number of send requests it took, 1 when the first one was acknowledged.
  int attempts = 0;
};

// Counters of a session since it was opened.
struct SessionStats {
  std::uint64_t reconnects = 0;
  // Pushes dropped because their id was already delivered.
  std::uint64_t duplicates_dropped = 0;
  // Send requests repeated with the same clientMessageId.
  std::uint64_t send_retries = 0;
  std::uint64_t messages_delivered = 0;
};

// A chat session over a list of nodes that survives the loss of its
// connection. The connection may close (a node killed or shut down, a close
// with 1008 for a slow consumer) or a request may time out. Then the session
// reconnects on its own thread to the next node of the list, with capped,
// jittered exponential backoff. On the new connection it logs in with the
// token obtained at login() (loginWithToken), subscribes again to the room
// with afterMessageId set to the last message it delivered, and only then
// serves requests again. The server replays the missed messages, and a
// ReplayFilter drops any it delivered already, so next_message() returns
// each message of the room once, in the order the server pushed them.
//
// Requests made while the session reconnects wait for the new connection,
// within their own time limit. A request that fails with code 0 (a
// timeout, a closed connection or a reply that does not decode) is retried
// on the next connection, and one that gets a 503 reply after a delay.
// Other server errors are returned as they are.
//
// Thread-safe: every method may be called from any thread.
class ResilientSession {
 public:
  // Connects to the first URL that accepts, trying each URL once from
  // options.first_url on. Fails with the last connect error (code 0) when
  // none does, or when options.urls is empty or contains an invalid URL.
  static Result<std::unique_ptr<ResilientSession>> open(ResilientOptions options);

  // Calls close().
  ~ResilientSession();

  ResilientSession(const ResilientSession&) = delete;
  ResilientSession& operator=(const ResilientSession&) = delete;

  Result<AccountInfo> create_account(const std::string& username, const std::string& email,
                                     const std::string& password);
  // Logs in with the password, then obtains a token (createToken) for every
  // later reconnect, and returns the account id. The password is not kept.
  Result<AccountId> login(const std::string& username, const std::string& password);

  // Subscribes to the room. Delivery starts after `after_message_id`, or
  // when it is absent, after the newest message in the room's history, so
  // that a message sent after this call is delivered even when the
  // connection is lost before the first push.
  Result<RoomId> subscribe(RoomId room_id,
                           std::optional<MessageId> after_message_id = std::nullopt);
  // Ends the subscription and returns the room id it was for.
  Result<RoomId> unsubscribe();
  std::optional<RoomId> room() const;

  // Sends `text` to the subscribed room with a fresh random clientMessageId.
  // A request that gets no reply, or a 503, is repeated with the same
  // clientMessageId until the server acknowledges it or `deadline` passed,
  // so that the message is stored once whatever the number of attempts.
  // When the deadline passes first, the error (code 0) states that the
  // message may or may not have been delivered.
  Result<SentMessage> send(const std::string& text, std::chrono::milliseconds deadline);

  // Waits up to `timeout` for the next message of the subscribed room.
  // Returns nullopt on timeout, and at once when the session is closed or
  // failed and no message is left.
  std::optional<MessageInfo> next_message(std::chrono::milliseconds timeout);

  // Runs `operation` on a ChatSession over the current connection. When it
  // fails with code 0 or 503, runs it again on the next connection, until
  // it succeeds, fails otherwise, or `budget` has passed. An attempt that
  // starts within the budget may take its whole request timeout. The
  // operation must be safe to repeat, and must not read pushes.
  template <typename Operation>
  std::invoke_result_t<Operation&, ChatSession&> run(Operation operation,
                                                     std::chrono::milliseconds budget);
  // Like run() with a budget of twice the request timeout.
  template <typename Operation>
  std::invoke_result_t<Operation&, ChatSession&> run(Operation operation) {
    return run(std::move(operation), 2 * options_.request_timeout);
  }

  SessionState state() const;
  // URL of the node of the current connection, or of the last one while
  // the session reconnects.
  std::string current_url() const;
  // Reason reconnecting stopped, once state() is kFailed.
  std::optional<Error> failure() const;
  SessionStats stats() const;

  // Stops reconnecting and closes the connection. Messages already received
  // can still be read with next_message(). Idempotent.
  void close();

 private:
  // The current connection and the ChatSession over it.
  struct Link {
    std::shared_ptr<Connection> connection;
    std::shared_ptr<ChatSession> chat;
    std::string url;
    std::uint64_t generation = 0;
  };

  // Next step after a failed attempt of an operation.
  enum class Outcome { kDone, kRetryAfterReconnect, kRetryAfterDelay, kGiveUp };

  explicit ResilientSession(ResilientOptions options, NodeRotation rotation);

  static Link make_link(std::shared_ptr<Connection> connection, std::string url,
                        std::uint64_t generation, std::chrono::milliseconds request_timeout);

  // Waits until a connection is available, or returns nullopt at
  // `deadline` or when the session is closed or failed.
  std::optional<Link> acquire_link(std::chrono::steady_clock::time_point deadline);
  // Closes the connection of `link`, so that the session reconnects, unless
  // the session moved to another connection already.
  void drop_link(const Link& link, const std::string& reason);
  // Classifies an error of one attempt.
  static Outcome classify(const Error& error);
  // Sleeps for the retry delay after a 503, or less when `deadline` is
  // nearer. Returns false when the session was closed meanwhile.
  bool wait_before_retry(int attempt, std::chrono::steady_clock::time_point deadline);
  // Runs attempt() on connections until it returns kDone or kGiveUp, or
  // until `budget` passed. Returns the error of the last attempt.
  Status run_erased(const std::function<Status(ChatSession&)>& attempt,
                    std::chrono::milliseconds budget);

  // The session thread: reads pushes of the current connection and, when it
  // closes, reconnects. Defined in resilient_session_supervisor.cpp.
  void supervise();
  // Delivers pushes until the connection of `link` closed and its queue is
  // empty, or the session stops.
  void pump(const Link& link);
  void deliver(const boost::json::object& push);
  // Reconnects with backoff. Returns false when the session stopped or
  // failed instead.
  bool reconnect();
  // Logs the new connection in with the token and subscribes it again.
  // Sets `fatal` when retrying cannot help.
  Status restore(Connection& connection, bool& fatal);
  void notify(const StateChange& change);
  void set_state(SessionState state, const std::string& url, const std::string& reason);

  const ResilientOptions options_;

  // Used only by open() and the session thread.
  NodeRotation rotation_;
  Backoff backoff_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  // Everything below is guarded by mutex_, and changed_ is notified on
  // every change.
  std::optional<Link> link_;
  // The new connection while restore() runs on it.
  std::shared_ptr<Connection> restoring_;
  std::string last_url_;
  std::uint64_t generation_ = 0;
  SessionState state_ = SessionState::kConnected;
  bool stopping_ = false;
  std::optional<Error> failure_;
  std::optional<std::string> token_;
  ReplayFilter filter_;
  std::deque<MessageInfo> messages_;
  SessionStats stats_;

  std::thread supervisor_;
};

template <typename Operation>
std::invoke_result_t<Operation&, ChatSession&> ResilientSession::run(
    Operation operation, std::chrono::milliseconds budget) {
  using ResultType = std::invoke_result_t<Operation&, ChatSession&>;
  std::optional<ResultType> result;
  Status status = run_erased(
      [&](ChatSession& chat) -> Status {
        result.emplace(operation(chat));
        if (!result->ok()) {
          return result->error();
        }
        return Done{};
      },
      budget);
  if (!status.ok()) {
    return status.error();
  }
  return std::move(*result);
}

}  // namespace parley::client
