// The session thread of ResilientSession: delivers pushes and reconnects.

#include <utility>

#include <boost/json/object.hpp>

#include "client/resilient_session.hpp"
#include "common/logging.hpp"

namespace parley::client {
namespace {

constexpr std::chrono::milliseconds kPushPollInterval{100};

std::string describe_close(Connection& connection) {
  std::optional<CloseInfo> closed = connection.wait_closed(std::chrono::milliseconds(0));
  if (!closed) {
    return "connection closed by the client";
  }
  std::string text = "close code " + std::to_string(closed->code);
  if (!closed->reason.empty()) {
    text += ", reason '" + closed->reason + "'";
  }
  return text;
}

}  // namespace

void ResilientSession::supervise() {
  while (true) {
    std::optional<Link> link;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || !link_) {
        return;
      }
      link = link_;
    }
    pump(*link);

    std::string reason = describe_close(*link->connection);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return;
      }
      link_.reset();
    }
    logger("client")->warn("lost the connection to {} ({}), reconnecting", link->url, reason);
    set_state(SessionState::kReconnecting, link->url, reason);
    link.reset();
    if (!reconnect()) {
      return;
    }
  }
}

void ResilientSession::pump(const Link& link) {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return;
      }
    }
    std::optional<boost::json::object> push = link.connection->next_push(kPushPollInterval);
    if (push) {
      deliver(*push);
      continue;
    }
    if (!link.connection->is_open()) {
      // Pushes that arrived before the close come before the replay of the
      // next connection.
      while (std::optional<boost::json::object> late =
                 link.connection->next_push(std::chrono::milliseconds(0))) {
        deliver(*late);
      }
      return;
    }
  }
}

void ResilientSession::deliver(const boost::json::object& push) {
  Result<MessageInfo> message = decode_message(push);
  if (!message) {
    logger("client")->warn("skipped a push that does not decode: {}", message.error().message);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (!filter_.accept(message.value())) {
      return;
    }
    ++stats_.messages_delivered;
    messages_.push_back(std::move(message.value()));
  }
  changed_.notify_all();
}

bool ResilientSession::reconnect() {
  const auto started = std::chrono::steady_clock::now();
  std::string last_error = "no attempt finished";
  while (true) {
    if (options_.reconnect_timeout.count() > 0 &&
        std::chrono::steady_clock::now() - started >= options_.reconnect_timeout) {
      Error error{0, "cannot reconnect to any node within " +
                         std::to_string(options_.reconnect_timeout.count()) +
                         " ms, last error: " + last_error};
      {
        std::lock_guard lock(mutex_);
        failure_ = error;
      }
      set_state(SessionState::kFailed, rotation_.current(), error.message);
      return false;
    }
    std::chrono::milliseconds delay = backoff_.next_delay();
    {
      std::unique_lock lock(mutex_);
      if (changed_.wait_for(lock, delay, [this] { return stopping_; })) {
        return false;
      }
    }
    const std::string& url = rotation_.advance();
    auto opened = Connection::open(url, options_.connect_timeout, options_.encoding);
    if (!opened) {
      logger("client")->info("reconnect attempt {} to {} failed: {}", backoff_.attempts(), url,
                             opened.error().message);
      last_error = opened.error().message;
      continue;
    }
    std::shared_ptr<Connection> connection(std::move(opened.value()));
    {
      // close() closes it, so that restore() does not hold up the shutdown.
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return false;
      }
      restoring_ = connection;
    }
    bool fatal = false;
    Status restored = restore(*connection, fatal);
    {
      std::lock_guard lock(mutex_);
      restoring_.reset();
    }
    if (!restored) {
      logger("client")->warn("cannot resume the session on {}: {}", url, restored.error().message);
      if (fatal) {
        {
          std::lock_guard lock(mutex_);
          failure_ = restored.error();
        }
        set_state(SessionState::kFailed, url, restored.error().message);
        return false;
      }
      last_error = restored.error().message;
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return false;
      }
      link_ = make_link(std::move(connection), url, ++generation_, options_.request_timeout);
      last_url_ = url;
      ++stats_.reconnects;
    }
    backoff_.reset();
    logger("client")->info("reconnected to {}", url);
    set_state(SessionState::kConnected, url, "");
    return true;
  }
}

Status ResilientSession::restore(Connection& connection, bool& fatal) {
  std::optional<std::string> token;
  std::optional<RoomId> room;
  MessageId after = 0;
  {
    std::lock_guard lock(mutex_);
    token = token_;
    room = filter_.room();
    after = filter_.last_id();
  }
  if (!token) {
    return Done{};  // not logged in yet, so there is nothing to restore
  }

  boost::json::object login{{"token", *token}};
  Result<boost::json::value> logged_in =
      connection.call("loginWithToken", login, options_.request_timeout);
  if (!logged_in) {
    fatal = logged_in.error().code == 401;
    if (fatal) {
      return Error{401, "the server rejected the session token (" + logged_in.error().message +
                            "): log in again with the password"};
    }
    return logged_in.error();
  }
  if (!room) {
    return Done{};
  }

  boost::json::object subscribe{{"roomId", std::to_string(*room)},
                                {"afterMessageId", std::to_string(after)}};
  Result<boost::json::value> subscribed =
      connection.call("subscribe", subscribe, options_.request_timeout);
  if (!subscribed) {
    const Error& error = subscribed.error();
    if (error.code == 0 || error.code == 503 || error.code == 500) {
      return error;
    }
    // The room is gone for this account (removed, blocked, deleted), which
    // no reconnect changes. The session goes on without a subscription.
    logger("client")->warn("cannot subscribe again to room {}: {} {}", *room, error.code,
                           error.message);
    std::lock_guard lock(mutex_);
    if (filter_.room() == room) {
      filter_.clear();
    }
  }
  return Done{};
}

}  // namespace parley::client
