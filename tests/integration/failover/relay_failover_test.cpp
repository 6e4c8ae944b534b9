#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "common/types.hpp"
#include "integration/failover/failover_support.hpp"
#include "support/cluster.hpp"
#include "support/node_process.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

// Returns the index of the node whose GET /status reports that it relays the
// outbox, waiting up to 15 s for one to take the lock.
std::optional<std::size_t> relaying_node(Cluster& cluster, std::optional<std::size_t> skip) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    for (std::size_t i = 0; i < cluster.size(); ++i) {
      if (skip == i) continue;
      auto status = http_get(cluster.node(i).port(), "/status", std::chrono::seconds(2));
      if (!status.ok() || status->status != 200) continue;
      if (json::parse(status->body).as_object().at("relaysOutbox").as_bool()) return i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

// Waits until a string-form send on `connection` fails with 400 `Not
// subscribed`, which means its node applied the eviction.
bool wait_until_evicted(client::Connection& connection) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    auto sent = connection.call("send", json::value("probe"));
    if (!sent.ok() && sent.error().message == "Not subscribed") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(RelayFailover, EvictionAfterRelayNodeKilled) {
  auto cluster = Cluster::start();
  auto relay = relaying_node(*cluster, std::nullopt);
  ASSERT_TRUE(relay.has_value()) << "no node took the outbox relay lock";

  // The owner and the two subscribers of the member use the two other nodes.
  std::size_t first = (*relay + 1) % cluster->size();
  std::size_t second = (*relay + 2) % cluster->size();
  auto owner = user(cluster->url(first), "relay_owner", true);
  auto member = user(cluster->url(first), "relay_member", true);
  auto member_elsewhere = user(cluster->url(second), "relay_member", false);
  auto bystander = user(cluster->url(second), "relay_bystander", true);

  auto room = owner->call("createRoom", json::object{{"name", "relay-failover-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  std::string room_id(room->as_object().at("id").as_string());
  ASSERT_TRUE(member->call("joinRoom", json::value("relay-failover-room")).ok());
  ASSERT_TRUE(bystander->call("joinRoom", json::value("relay-failover-room")).ok());
  for (auto* connection : {member.get(), member_elsewhere.get(), bystander.get()}) {
    ASSERT_TRUE(connection->call("subscribe", json::value(room_id)).ok());
  }

  cluster->kill_node(*relay);
  auto successor = relaying_node(*cluster, relay);
  ASSERT_TRUE(successor.has_value()) << "no surviving node took over the outbox relay";

  auto login =
      member->call("login", json::object{{"username", "relay_member"}, {"password", "test12345"}});
  ASSERT_TRUE(login.ok());
  auto removed = owner->call(
      "removeRoomMembers",
      json::object{{"roomId", room_id}, {"memberIds", json::array{login->as_string()}}});
  ASSERT_TRUE(removed.ok()) << removed.error().message;

  EXPECT_TRUE(wait_until_evicted(*member));
  EXPECT_TRUE(wait_until_evicted(*member_elsewhere));

  ASSERT_TRUE(
      owner->call("send", json::object{{"roomId", room_id}, {"message", "after removal"}}).ok());
  auto push = bystander->next_push(std::chrono::seconds(10));
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string(), "after removal");
  EXPECT_FALSE(member->next_push(std::chrono::milliseconds(1500)).has_value());
  EXPECT_FALSE(member_elsewhere->next_push(std::chrono::milliseconds(500)).has_value());
}

}  // namespace
}  // namespace parley::testing
