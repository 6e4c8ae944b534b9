#include "client/resilient_session.hpp"

#include <algorithm>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "common/logging.hpp"

namespace parley::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string random_client_message_id() {
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

milliseconds remaining_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return std::max(left, milliseconds(0));
}

Result<SentMessage> decode_sent(const boost::json::value& reply, std::string client_message_id,
                                int attempts) {
  const boost::json::object* fields = reply.if_object();
  if (fields == nullptr) {
    return Error{0, "invalid send reply: expected an object {roomId, id, timestamp}"};
  }
  const boost::json::value* room = fields->if_contains("roomId");
  const boost::json::value* id = fields->if_contains("id");
  const boost::json::value* timestamp = fields->if_contains("timestamp");
  if (room == nullptr || id == nullptr || timestamp == nullptr || !timestamp->is_string()) {
    return Error{0, "invalid send reply: expected an object {roomId, id, timestamp}"};
  }
  Result<std::int64_t> room_id = decode_id(*room, "roomId");
  if (!room_id) {
    return room_id.error();
  }
  Result<std::int64_t> message_id = decode_id(*id, "id");
  if (!message_id) {
    return message_id.error();
  }
  std::optional<Timestamp> time = parse_timestamp(timestamp->as_string());
  if (!time) {
    return Error{0, "invalid send reply: invalid timestamp"};
  }
  return SentMessage{*message_id, *room_id, *time, std::move(client_message_id), attempts};
}

}  // namespace

std::string_view to_string(SessionState state) {
  switch (state) {
    case SessionState::kConnected:
      return "connected";
    case SessionState::kReconnecting:
      return "reconnecting";
    case SessionState::kFailed:
      return "failed";
    case SessionState::kClosed:
      return "closed";
  }
  return "unknown";
}

ResilientSession::ResilientSession(ResilientOptions options, NodeRotation rotation)
    : options_(std::move(options)),
      rotation_(std::move(rotation)),
      backoff_(options_.backoff, options_.seed) {}

Result<std::unique_ptr<ResilientSession>> ResilientSession::open(ResilientOptions options) {
  Result<NodeRotation> rotation = NodeRotation::create(options.urls, options.first_url);
  if (!rotation) {
    return rotation.error();
  }
  std::unique_ptr<ResilientSession> session(
      new ResilientSession(std::move(options), std::move(rotation.value())));

  std::optional<Error> last_error;
  for (std::size_t i = 0; i < session->rotation_.size(); ++i) {
    const std::string& url = i == 0 ? session->rotation_.current() : session->rotation_.advance();
    auto connection =
        Connection::open(url, session->options_.connect_timeout, session->options_.encoding);
    if (!connection) {
      logger("client")->info("cannot connect to {}: {}", url, connection.error().message);
      last_error = connection.error();
      continue;
    }
    session->link_ = make_link(std::shared_ptr<Connection>(std::move(connection.value())), url,
                               ++session->generation_, session->options_.request_timeout);
    session->last_url_ = url;
    session->supervisor_ = std::thread([raw = session.get()] { raw->supervise(); });
    return session;
  }
  return Error{0, "cannot connect to any of " + std::to_string(session->rotation_.size()) +
                      " node URLs, last error: " + last_error->message};
}

ResilientSession::~ResilientSession() { close(); }

void ResilientSession::close() {
  std::optional<Link> link;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    link = std::move(link_);
    link_.reset();
    if (restoring_) {
      restoring_->close(1000, "client closed");
    }
  }
  changed_.notify_all();
  if (supervisor_.joinable()) {
    supervisor_.join();
  }
  link.reset();
  set_state(SessionState::kClosed, current_url(), "closed by the application");
}

ResilientSession::Link ResilientSession::make_link(std::shared_ptr<Connection> connection,
                                                   std::string url, std::uint64_t generation,
                                                   milliseconds request_timeout) {
  Link link;
  link.connection = std::move(connection);
  link.chat = std::make_shared<ChatSession>(*link.connection, request_timeout);
  link.url = std::move(url);
  link.generation = generation;
  return link;
}

Result<AccountInfo> ResilientSession::create_account(const std::string& username,
                                                     const std::string& email,
                                                     const std::string& password) {
  return run([&](ChatSession& chat) { return chat.create_account(username, email, password); });
}

Result<AccountId> ResilientSession::login(const std::string& username,
                                          const std::string& password) {
  std::optional<AccountId> account;
  std::string token;
  // Both requests run on one connection, because the token can only be
  // created on the connection that the password logged in.
  Status done = run_erased(
      [&](ChatSession& chat) -> Status {
        Result<AccountId> logged_in = chat.login(username, password);
        if (!logged_in) {
          return logged_in.error();
        }
        Result<boost::json::value> created =
            chat.connection().call("createToken", nullptr, options_.request_timeout);
        if (!created) {
          return created.error();
        }
        const boost::json::object* fields = created->if_object();
        const boost::json::value* text = fields ? fields->if_contains("token") : nullptr;
        if (text == nullptr || !text->is_string()) {
          return Error{0, "invalid createToken reply: expected an object with a string token"};
        }
        account = logged_in.value();
        token = std::string(text->as_string());
        return Done{};
      },
      2 * options_.request_timeout);
  if (!done) {
    return done.error();
  }
  std::lock_guard lock(mutex_);
  token_ = std::move(token);
  return *account;
}

Result<RoomId> ResilientSession::subscribe(RoomId room_id,
                                           std::optional<MessageId> after_message_id) {
  if (!after_message_id) {
    Result<std::vector<MessageInfo>> newest =
        run([&](ChatSession& chat) { return chat.recent_messages(room_id, 1); });
    if (!newest) {
      return newest.error();
    }
    after_message_id = newest->empty() ? 0 : newest->back().id.value_or(0);
  }
  {
    std::lock_guard lock(mutex_);
    filter_.reset(room_id, *after_message_id);
  }
  Status subscribed = run_erased(
      [&](ChatSession& chat) -> Status {
        MessageId after = 0;
        {
          // A retry resumes after the last message delivered meanwhile.
          std::lock_guard lock(mutex_);
          after = filter_.last_id();
        }
        boost::json::object request{{"roomId", std::to_string(room_id)},
                                    {"afterMessageId", std::to_string(after)}};
        Result<boost::json::value> reply =
            chat.connection().call("subscribe", request, options_.request_timeout);
        if (!reply) {
          return reply.error();
        }
        return Done{};
      },
      2 * options_.request_timeout);
  if (!subscribed) {
    std::lock_guard lock(mutex_);
    if (filter_.room() == room_id) {
      filter_.clear();
    }
    return subscribed.error();
  }
  return room_id;
}

Result<RoomId> ResilientSession::unsubscribe() {
  {
    // Cleared first, so that a reconnect meanwhile does not subscribe again.
    std::lock_guard lock(mutex_);
    filter_.clear();
  }
  return run([](ChatSession& chat) { return chat.unsubscribe(); });
}

std::optional<RoomId> ResilientSession::room() const {
  std::lock_guard lock(mutex_);
  return filter_.room();
}

Result<SentMessage> ResilientSession::send(const std::string& text, milliseconds deadline) {
  std::optional<RoomId> room_id = room();
  if (!room_id) {
    return Error{0, "cannot send: not subscribed to a room. Call subscribe() first"};
  }
  const Clock::time_point end = Clock::now() + deadline;
  const std::string client_message_id = random_client_message_id();
  boost::json::object request{{"roomId", std::to_string(*room_id)},
                              {"message", text},
                              {"clientMessageId", client_message_id}};
  int attempts = 0;
  std::string last_error = "no connection to any node";

  while (Clock::now() < end) {
    std::optional<Link> link = acquire_link(end);
    if (!link) {
      break;
    }
    if (attempts > 0) {
      std::lock_guard lock(mutex_);
      ++stats_.send_retries;
    }
    ++attempts;
    milliseconds timeout =
        std::max(std::min(options_.request_timeout, remaining_until(end)), milliseconds(1));
    Result<boost::json::value> reply = link->connection->call("send", request, timeout);
    if (reply) {
      return decode_sent(reply.value(), client_message_id, attempts);
    }
    last_error = reply.error().message;
    Outcome outcome = classify(reply.error());
    if (outcome == Outcome::kGiveUp) {
      return reply.error();
    }
    logger("client")->info("send of clientMessageId {} failed on {} (attempt {}): {}",
                           client_message_id, link->url, attempts, last_error);
    if (outcome == Outcome::kRetryAfterReconnect) {
      drop_link(*link, "send failed: " + last_error);
    } else if (!wait_before_retry(attempts, end)) {
      break;
    }
  }
  return Error{0, "send with clientMessageId " + client_message_id + " not acknowledged within " +
                      std::to_string(deadline.count()) + " ms after " + std::to_string(attempts) +
                      " attempts (last error: " + last_error +
                      "): the message may or may not have been delivered. Send it again with "
                      "the same clientMessageId to find out"};
}

std::optional<MessageInfo> ResilientSession::next_message(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] {
    return !messages_.empty() || stopping_ || state_ == SessionState::kFailed;
  });
  if (messages_.empty()) {
    return std::nullopt;
  }
  MessageInfo message = std::move(messages_.front());
  messages_.pop_front();
  return message;
}

Status ResilientSession::run_erased(const std::function<Status(ChatSession&)>& attempt,
                                    milliseconds budget) {
  const Clock::time_point end = Clock::now() + budget;
  int attempts = 0;
  std::optional<Error> last_error;
  while (Clock::now() < end) {
    std::optional<Link> link = acquire_link(end);
    if (!link) {
      break;
    }
    ++attempts;
    Status status = attempt(*link->chat);
    if (status) {
      return status;
    }
    last_error = status.error();
    Outcome outcome = classify(status.error());
    if (outcome == Outcome::kGiveUp) {
      return status;
    }
    if (outcome == Outcome::kRetryAfterReconnect) {
      drop_link(*link, "request failed: " + status.error().message);
    } else if (!wait_before_retry(attempts, end)) {
      break;
    }
  }
  std::string cause;
  if (std::optional<Error> failed = failure()) {
    cause = failed->message;
  } else if (last_error) {
    cause = last_error->message;
  } else {
    cause = "no connection to any node";
  }
  Error error{0, cause + " (gave up after " + std::to_string(attempts) + " attempts in " +
                     std::to_string(budget.count()) + " ms)"};
  if (last_error && last_error->code != 0) {
    error.code = last_error->code;
  }
  return error;
}

std::optional<ResilientSession::Link> ResilientSession::acquire_link(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [this] {
    return link_.has_value() || stopping_ || state_ == SessionState::kFailed;
  });
  if (stopping_ || !link_) {
    return std::nullopt;
  }
  return link_;
}

void ResilientSession::drop_link(const Link& link, const std::string& reason) {
  {
    // Forgotten at once, so that a retry waits for the next connection
    // instead of failing again on this one.
    std::lock_guard lock(mutex_);
    if (!link_ || link_->generation != link.generation) {
      return;
    }
    link_.reset();
  }
  logger("client")->info("closing the connection to {}: {}", link.url, reason);
  // The session thread notices the close and reconnects.
  link.connection->close(1000, "client reconnects");
}

ResilientSession::Outcome ResilientSession::classify(const Error& error) {
  if (error.code == 0) {
    return Outcome::kRetryAfterReconnect;
  }
  if (error.code == 503) {
    return Outcome::kRetryAfterDelay;
  }
  return Outcome::kGiveUp;
}

bool ResilientSession::wait_before_retry(int attempt, Clock::time_point deadline) {
  // A 503 means that PostgreSQL or Kafka is unavailable for a while, so the
  // retries back off like reconnects, within the caller's deadline.
  Backoff backoff(options_.backoff, options_.seed + static_cast<std::uint64_t>(attempt));
  milliseconds delay{0};
  for (int i = 0; i < attempt; ++i) {
    delay = backoff.next_delay();
  }
  Clock::time_point wake = std::min(deadline, Clock::now() + delay);
  std::unique_lock lock(mutex_);
  return !changed_.wait_until(lock, wake, [this] { return stopping_; });
}

SessionState ResilientSession::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string ResilientSession::current_url() const {
  std::lock_guard lock(mutex_);
  return last_url_;
}

std::optional<Error> ResilientSession::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

SessionStats ResilientSession::stats() const {
  std::lock_guard lock(mutex_);
  SessionStats stats = stats_;
  stats.duplicates_dropped = filter_.duplicates_dropped();
  return stats;
}

void ResilientSession::set_state(SessionState state, const std::string& url,
                                 const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == state && state != SessionState::kConnected) {
      return;
    }
    state_ = state;
  }
  changed_.notify_all();
  notify(StateChange{state, url, reason});
}

void ResilientSession::notify(const StateChange& change) {
  if (options_.on_state_change) {
    options_.on_state_change(change);
  }
}

}  // namespace parley::client
