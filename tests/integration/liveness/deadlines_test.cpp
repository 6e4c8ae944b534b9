#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "integration/failover/failover_support.hpp"
#include "integration/liveness/raw_socket.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kHandshakeTimeoutS = 2;
constexpr int kLoginTimeoutS = 3;
constexpr int kPingIntervalS = 1;
constexpr int kPongTimeoutS = 1;
// Slack on top of a deadline for the server's timer and a loaded machine.
constexpr auto kSlack = seconds(5);
constexpr auto kPushTimeout = seconds(10);

// One node with short deadlines, shared by the tests of this file.
class Deadlines : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = Cluster::start(
        {.nodes = 1,
         .extra_node_flags = {"--handshake-timeout-s", std::to_string(kHandshakeTimeoutS),
                              "--login-timeout-s", std::to_string(kLoginTimeoutS),
                              "--ping-interval-s", std::to_string(kPingIntervalS),
                              "--pong-timeout-s", std::to_string(kPongTimeoutS)},
         .brokers = 1,
         .partitions = 1});
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  static std::uint16_t port() { return cluster_->node(0).port(); }
  static std::string url() { return cluster_->url(0); }

  static std::unique_ptr<Cluster> cluster_;
};

std::unique_ptr<Cluster> Deadlines::cluster_;

TEST_F(Deadlines, SilentTcpConnectionClosed) {
  RawSocket silent(port());
  EXPECT_TRUE(silent.wait_closed(seconds(kHandshakeTimeoutS) + kSlack));
}

TEST_F(Deadlines, PartialHttpRequestClosed) {
  RawSocket partial(port());
  partial.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
  EXPECT_TRUE(partial.wait_closed(seconds(kHandshakeTimeoutS) + kSlack));
}

TEST_F(Deadlines, NoLoginClosedWith1008) {
  auto connection = open(url());
  ASSERT_NE(connection, nullptr);
  auto closed = connection->wait_closed(seconds(kLoginTimeoutS) + kSlack);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1008);
  EXPECT_EQ(closed->reason, "login timeout");
}

TEST_F(Deadlines, CreateAccountAloneIsNoLogin) {
  auto connection = open(url());
  ASSERT_NE(connection, nullptr);
  auto created = connection->call("createAccount", json::object{{"username", "deadline_creator"},
                                                                {"email", "creator@example.org"},
                                                                {"password", "test12345"}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto closed = connection->wait_closed(seconds(kLoginTimeoutS) + kSlack);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1008);
  EXPECT_EQ(closed->reason, "login timeout");
}

TEST_F(Deadlines, LoggedInClientStaysOpen) {
  auto connection = user(url(), "deadline_stayer", true);
  ASSERT_NE(connection, nullptr);
  // Past the login deadline and several ping rounds, which the client
  // library replies to with pongs.
  EXPECT_FALSE(connection->wait_closed(seconds(kLoginTimeoutS + 2 * kPingIntervalS + 2)));
  auto reply = connection->call("getRooms", json::object{});
  EXPECT_TRUE(reply.ok()) << reply.error().message;
}

TEST_F(Deadlines, UnansweredPingsCloseConnection) {
  ASSERT_NE(user(url(), "deadline_mute", true), nullptr);
  RawSocket mute(port());
  ASSERT_EQ(mute.upgrade(seconds(5)), "HTTP/1.1 101 Switching Protocols");
  // Logged in, so that the login deadline does not close it first.
  mute.send_text(R"({"cid":"7f1d2c3e-0000-4000-8000-000000000001",)"
                 R"("qualifier":"v1/syemessenger/login",)"
                 R"("data":{"username":"deadline_mute","password":"test12345"}})");
  auto reply = mute.read_frame(seconds(5));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->opcode, 0x1);
  ASSERT_EQ(reply->payload.find("\"errorCode\""), std::string::npos) << reply->payload;

  // The client sends no pong from here on.
  auto ping = mute.read_frame(seconds(kPingIntervalS) + kSlack);
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->opcode, 0x9);
  auto pinged = std::chrono::steady_clock::now();
  // The server drops the connection without a close frame, since a client
  // that sends no pong would not read it either.
  auto next = mute.read_frame(seconds(kPongTimeoutS) + kSlack);
  EXPECT_FALSE(next.has_value()) << "frame with opcode " << next->opcode;
  EXPECT_TRUE(mute.closed());
  EXPECT_GE(std::chrono::steady_clock::now() - pinged, seconds(kPongTimeoutS) - milliseconds(100));
}

TEST_F(Deadlines, FloodReapedWhileClientReceives) {
  AccountId owner_id = 0;
  auto owner = user(url(), "flood_owner", true, &owner_id);
  ASSERT_NE(owner, nullptr);
  auto room = owner->call("createRoom", json::object{{"name", "flood-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  ASSERT_TRUE(owner->call("subscribe", room->as_object().at("id")).ok());

  constexpr int kFloodSize = 300;
  std::vector<std::unique_ptr<RawSocket>> flood;
  for (int i = 0; i < kFloodSize; ++i) {
    flood.push_back(std::make_unique<RawSocket>(port()));
    // Every other connection sends half a request head and stops.
    if (i % 2 == 1) flood.back()->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }

  // The established client keeps sending and receiving while the flood is
  // open and while the server reaps it.
  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) {
    auto sent = owner->call("send", json::value("during flood " + std::to_string(i)));
    ASSERT_TRUE(sent.ok()) << sent.error().message;
    auto push = owner->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value()) << "push " << i << " missing";
    EXPECT_EQ(push->at("message").as_string(), "during flood " + std::to_string(i));
    std::this_thread::sleep_for(milliseconds(100));
  }

  int still_open = 0;
  auto deadline = std::chrono::steady_clock::now() + seconds(kHandshakeTimeoutS) + kSlack;
  for (auto& socket : flood) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!socket->wait_closed(std::max(left, milliseconds(0)))) ++still_open;
  }
  EXPECT_EQ(still_open, 0);
  EXPECT_TRUE(owner->is_open());
}

}  // namespace
}  // namespace parley::testing
