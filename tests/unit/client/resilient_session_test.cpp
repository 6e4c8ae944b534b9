#include "client/resilient_session.hpp"

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "fake_server.hpp"

namespace parley::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;

constexpr auto kWait = 2s;
constexpr char kToken[] = "token-of-account-7";

boost::json::object message_json(int id, const std::string& text) {
  return {{"id", std::to_string(id)},
          {"senderId", "7"},
          {"roomId", "3"},
          {"message", text},
          {"timestamp", "2025-03-10T12:02:03.456"}};
}

// Reads the next request from `server` and checks its qualifier.
boost::json::object expect_request(FakeServer& server, const std::string& operation) {
  std::optional<boost::json::object> request = server.next_request(kWait);
  EXPECT_TRUE(request.has_value()) << "no " << operation << " request arrived";
  if (!request) {
    return {};
  }
  EXPECT_EQ(request->at("qualifier"), boost::json::value("v1/syemessenger/" + operation))
      << boost::json::serialize(*request);
  return std::move(*request);
}

// A ResilientSession over two fake nodes, logged in and subscribed to room
// 3 on the first one.
class ResilientSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResilientOptions options;
    options.urls = {first_.url(), second_.url()};
    options.connect_timeout = kWait;
    options.request_timeout = kWait;
    options.backoff = BackoffOptions{.initial = 10ms, .max = 50ms};
    options.seed = 1;
    options.on_state_change = [this](const StateChange& change) {
      std::lock_guard lock(changes_mutex_);
      changes_.push_back(change);
    };
    auto opened = ResilientSession::open(std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    session_ = std::move(opened.value());

    auto logged_in = std::async(std::launch::async,
                                [this] { return session_->login("alice_0001", "s3cretpass"); });
    first_.reply(expect_request(first_, "login"), boost::json::value("7"));
    first_.reply(expect_request(first_, "createToken"),
                 boost::json::object{{"token", kToken}, {"expiresAt", "2025-04-10T12:00:00"}});
    auto account = logged_in.get();
    ASSERT_TRUE(account.ok()) << account.error().message;
    EXPECT_EQ(account.value(), 7);

    auto subscribed = std::async(std::launch::async, [this] { return session_->subscribe(3, 0); });
    boost::json::object request = expect_request(first_, "subscribe");
    EXPECT_EQ(request["data"], (boost::json::object{{"roomId", "3"}, {"afterMessageId", "0"}}));
    first_.reply(request, boost::json::value("3"));
    ASSERT_TRUE(subscribed.get().ok());
  }

  // The session's state callback uses changes_, so the session goes first.
  void TearDown() override { session_.reset(); }

  // Replies to loginWithToken on `server`, checks that the session then
  // subscribes after `after`, and returns that subscribe request without a
  // reply, so that the test can push a replay first.
  boost::json::object expect_resume(FakeServer& server, const std::string& after) {
    boost::json::object login = expect_request(server, "loginWithToken");
    EXPECT_EQ(login["data"], (boost::json::object{{"token", kToken}}));
    server.reply(login, boost::json::value("7"));
    boost::json::object subscribe = expect_request(server, "subscribe");
    EXPECT_EQ(subscribe["data"], (boost::json::object{{"roomId", "3"}, {"afterMessageId", after}}));
    return subscribe;
  }

  std::vector<StateChange> changes() {
    std::lock_guard lock(changes_mutex_);
    return changes_;
  }

  FakeServer first_;
  FakeServer second_;
  std::unique_ptr<ResilientSession> session_;
  std::mutex changes_mutex_;
  std::vector<StateChange> changes_;
};

TEST_F(ResilientSessionTest, ResumesOnNextNodeWithoutDuplicates) {
  first_.push(message_json(10, "one"));
  first_.push(message_json(11, "two"));
  auto one = session_->next_message(kWait);
  auto two = session_->next_message(kWait);
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(one->text, "one");
  EXPECT_EQ(two->text, "two");

  first_.drop_connection();
  boost::json::object subscribe = expect_resume(second_, "11");
  // The node replays from its window, which here repeats id 11.
  second_.push(message_json(11, "two"));
  second_.push(message_json(12, "three"));
  second_.reply(subscribe, boost::json::value("3"));

  auto three = session_->next_message(kWait);
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(three->text, "three");
  EXPECT_EQ(three->id, 12);
  EXPECT_FALSE(session_->next_message(200ms).has_value());

  SessionStats stats = session_->stats();
  EXPECT_EQ(stats.reconnects, 1u);
  EXPECT_EQ(stats.duplicates_dropped, 1u);
  EXPECT_EQ(stats.messages_delivered, 3u);
  EXPECT_EQ(session_->state(), SessionState::kConnected);
  EXPECT_EQ(session_->current_url(), second_.url());

  std::vector<StateChange> seen = changes();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].state, SessionState::kReconnecting);
  EXPECT_EQ(seen[0].url, first_.url());
  EXPECT_EQ(seen[0].reason.find("close code 1006"), 0u) << seen[0].reason;
  EXPECT_EQ(seen[1].state, SessionState::kConnected);
  EXPECT_EQ(seen[1].url, second_.url());
}

TEST_F(ResilientSessionTest, SendRetriesWithSameClientMessageId) {
  auto sent = std::async(std::launch::async, [this] { return session_->send("hello", 10s); });

  boost::json::object first_try = expect_request(first_, "send");
  boost::json::object& data = first_try["data"].as_object();
  EXPECT_EQ(data["roomId"], boost::json::value("3"));
  EXPECT_EQ(data["message"], boost::json::value("hello"));
  std::string client_message_id(data["clientMessageId"].as_string());
  EXPECT_EQ(client_message_id.size(), 36u);
  first_.reply_error(first_try, 503, "Service unavailable: messaging");

  // Retried on the same connection after a delay, then lost with it.
  boost::json::object second_try = expect_request(first_, "send");
  EXPECT_EQ(second_try["data"].as_object()["clientMessageId"],
            boost::json::value(client_message_id));
  first_.drop_connection();

  second_.reply(expect_resume(second_, "0"), boost::json::value("3"));
  boost::json::object third_try = expect_request(second_, "send");
  EXPECT_EQ(third_try["data"].as_object()["clientMessageId"],
            boost::json::value(client_message_id));
  second_.reply(
      third_try,
      boost::json::object{{"roomId", "3"}, {"id", "99"}, {"timestamp", "2025-03-10T12:02:03.456"}});

  auto result = sent.get();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->id, 99);
  EXPECT_EQ(result->room_id, 3);
  EXPECT_EQ(result->client_message_id, client_message_id);
  EXPECT_EQ(result->attempts, 3);
  EXPECT_EQ(session_->stats().send_retries, 2u);
}

TEST_F(ResilientSessionTest, SendDeadlineReportsUnknownOutcome) {
  auto sent = std::async(std::launch::async, [this] { return session_->send("lost", 300ms); });
  expect_request(first_, "send");  // never answered
  auto result = sent.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_NE(result.error().message.find("may or may not have been delivered"), std::string::npos)
      << result.error().message;
}

TEST_F(ResilientSessionTest, ServerRejectionIsNotRetried) {
  auto sent = std::async(std::launch::async, [this] { return session_->send("x", 5s); });
  first_.reply_error(expect_request(first_, "send"), 403, "Cannot send message: not a member");
  auto result = sent.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 403);
  EXPECT_EQ(result.error().message, "Cannot send message: not a member");
  EXPECT_FALSE(first_.next_request(200ms).has_value());
}

TEST_F(ResilientSessionTest, RejectedTokenFailsSession) {
  first_.drop_connection();
  second_.reply_error(expect_request(second_, "loginWithToken"), 401, "Login failed");
  // The failure is reported on the session thread.
  for (int i = 0; i < 100 && session_->state() != SessionState::kFailed; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(session_->state(), SessionState::kFailed);
  std::optional<Error> failure = session_->failure();
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, 401);
  EXPECT_NE(failure->message.find("token"), std::string::npos) << failure->message;

  auto result = session_->send("after failure", 1s);
  ASSERT_FALSE(result.ok());
  EXPECT_FALSE(session_->next_message(100ms).has_value());
}

TEST(ResilientSessionOpen, FailsWhenNoNodeAccepts) {
  ResilientOptions options;
  // Port 1 on loopback refuses connections.
  options.urls = {"ws://127.0.0.1:1/"};
  options.connect_timeout = 1s;
  auto opened = ResilientSession::open(std::move(options));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("cannot connect"), std::string::npos)
      << opened.error().message;
}

TEST(ResilientSessionOpen, RejectsEmptyUrlList) {
  auto opened = ResilientSession::open(ResilientOptions{});
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("no node URL"), std::string::npos);
}

}  // namespace
}  // namespace parley::client
