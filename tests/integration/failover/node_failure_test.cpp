#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "common/types.hpp"
#include "integration/failover/failover_support.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

constexpr auto kPushTimeout = std::chrono::seconds(10);

TEST(NodeFailure, SurvivorsKeepDelivering) {
  auto cluster = Cluster::start();
  AccountId owner_id = 0, member_id = 0;
  auto owner = user(cluster->url(0), "failover_owner", true, &owner_id);
  auto member = user(cluster->url(1), "failover_member", true, &member_id);
  auto doomed = open(cluster->url(2));
  ASSERT_TRUE(
      doomed
          ->call("login", json::object{{"username", "failover_member"}, {"password", "test12345"}})
          .ok());

  auto room = owner->call("createRoom", json::object{{"name", "failover-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  std::string room_id(room->as_object().at("id").as_string());
  ASSERT_TRUE(member->call("joinRoom", json::value("failover-room")).ok());
  for (auto* connection : {owner.get(), member.get(), doomed.get()}) {
    ASSERT_TRUE(connection->call("subscribe", json::value(room_id)).ok());
  }

  cluster->kill_node(2);
  EXPECT_TRUE(doomed->wait_closed(std::chrono::seconds(10)).has_value());

  for (int i = 0; i < 20; ++i) {
    auto sent = owner->call("send", json::value("after failure " + std::to_string(i)));
    ASSERT_TRUE(sent.ok()) << sent.error().message;
  }
  for (auto* connection : {owner.get(), member.get()}) {
    for (int i = 0; i < 20; ++i) {
      auto push = connection->next_push(kPushTimeout);
      ASSERT_TRUE(push.has_value()) << "push " << i << " missing";
      EXPECT_EQ(push->at("message").as_string(), "after failure " + std::to_string(i));
    }
  }

  // A client of the dead node reconnects to a survivor and keeps chatting.
  auto reconnected = open(cluster->url(1));
  ASSERT_TRUE(
      reconnected
          ->call("login", json::object{{"username", "failover_member"}, {"password", "test12345"}})
          .ok());
  ASSERT_TRUE(reconnected->call("subscribe", json::value(room_id)).ok());
  ASSERT_TRUE(owner->call("send", json::value("welcome back")).ok());
  auto push = reconnected->next_push(kPushTimeout);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string(), "welcome back");
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

TEST(NodeShutdown, SigtermClosesClientsWith1012) {
  auto cluster = Cluster::start({.nodes = 2});
  AccountId id = 0;
  auto owner = user(cluster->url(0), "shutdown_owner", true, &id);
  auto room = owner->call("createRoom", json::object{{"name", "shutdown-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  ASSERT_TRUE(owner->call("subscribe", room->as_object().at("id")).ok());
  auto idle = open(cluster->url(0));

  ASSERT_TRUE(cluster->node(0).terminate(std::chrono::seconds(20)));
  for (auto* connection : {owner.get(), idle.get()}) {
    auto closed = connection->wait_closed(std::chrono::seconds(10));
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(closed->code, 1012);
    EXPECT_EQ(closed->reason, "node shutting down");
  }
  EXPECT_EQ(cluster->node(0).exit_status(), 0);

  // The client resumes on the surviving node.
  auto resumed = open(cluster->url(1));
  ASSERT_TRUE(
      resumed
          ->call("login", json::object{{"username", "shutdown_owner"}, {"password", "test12345"}})
          .ok());
  ASSERT_TRUE(resumed->call("subscribe", room->as_object().at("id")).ok());
  ASSERT_TRUE(resumed->call("send", json::value("after restart")).ok());
  auto push = resumed->next_push(kPushTimeout);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string(), "after restart");
}

}  // namespace
}  // namespace parley::testing
