#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "db/connection.hpp"
#include "integration/failover/failover_support.hpp"
#include "integration/liveness/log_wait.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kPushTimeout = seconds(10);
constexpr auto kRecoveryTimeout = seconds(30);
const Error kDatabaseUnavailable{503, "Service unavailable: database"};

// Polls `condition` every 100 ms until it is true or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return condition();
}

// Returns the "id" field of a send reply, or an empty string (and a test
// failure showing the reply) when it has none.
std::string sent_id(const json::value& reply) {
  const auto* object = reply.if_object();
  const auto* id = object != nullptr ? object->if_contains("id") : nullptr;
  if (id == nullptr || !id->is_string()) {
    ADD_FAILURE() << "send reply without an id: " << json::serialize(reply);
    return {};
  }
  return std::string(id->as_string());
}

int readyz_status(NodeProcess& node) {
  auto response = http_get(node.port(), "/readyz", seconds(5));
  return response.ok() ? response->status : 0;
}

// Returns the ids of every message of `room`, read page by page, or
// std::nullopt when a page failed. Right after PostgreSQL returned, a
// request that runs on a pooled connection from before the outage fails
// with 503 once, and the pool then reopens that connection.
std::optional<std::vector<std::string>> history_ids(client::Connection& reader,
                                                    const json::value& room) {
  std::vector<std::string> ids;
  for (int offset = 0;; offset += 50) {
    auto page = reader.call("listMessages",
                            json::object{{"roomId", room}, {"offset", offset}, {"limit", 50}});
    if (!page.ok()) return std::nullopt;
    const auto& items = page->as_object().at("messages").as_array();
    for (const auto& item : items) ids.emplace_back(item.as_object().at("id").as_string());
    if (items.size() < 50) return ids;
  }
}

TEST(PostgresOutage, SendKeepsWorkingAndHistoryCatchesUp) {
  auto cluster = Cluster::start({.nodes = 2, .brokers = 1, .partitions = 1});
  auto owner = user(cluster->url(0), "outage_owner", true);
  auto member = user(cluster->url(1), "outage_member", true);
  auto room = owner->call("createRoom", json::object{{"name", "outage-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  json::value room_id = room->as_object().at("id");
  ASSERT_TRUE(member->call("joinRoom", json::value("outage-room")).ok());
  ASSERT_TRUE(owner->call("subscribe", room_id).ok());
  ASSERT_TRUE(member->call("subscribe", room_id).ok());

  cluster->postgres().stop();
  EXPECT_TRUE(eventually([&] { return readyz_status(cluster->node(1)) == 503; }, seconds(10)));

  // Sends of subscribed members still work and reach the other node.
  std::vector<std::string> sent_ids;
  for (int i = 0; i < 10; ++i) {
    auto sent = member->call(
        "send", json::object{{"roomId", room_id}, {"message", "outage " + std::to_string(i)}});
    ASSERT_TRUE(sent.ok()) << "send " << i << ": " << sent.error().message;
    sent_ids.push_back(sent_id(*sent));
  }
  auto plain = owner->call("send", json::value("outage from the owner"));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  // A retry with the same clientMessageId on the same node gets the first id.
  json::object retried{{"roomId", room_id}, {"message", "retried"}, {"clientMessageId", "r-1"}};
  auto first = member->call("send", retried);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto retry = member->call("send", retried);
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  std::string retried_id = sent_id(*first);
  EXPECT_EQ(sent_id(*retry), retried_id);
  sent_ids.push_back(retried_id);

  for (std::size_t i = 0; i < 10; ++i) {
    auto push = owner->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value()) << "push " << i << " missing";
    EXPECT_EQ(push->at("id").as_string(), sent_ids[i]);
    EXPECT_EQ(push->at("message").as_string(), "outage " + std::to_string(i));
  }
  auto own_push = owner->next_push(kPushTimeout);
  ASSERT_TRUE(own_push.has_value());
  EXPECT_EQ(own_push->at("message").as_string(), "outage from the owner");
  sent_ids.emplace_back(own_push->at("id").as_string());
  auto retried_push = owner->next_push(kPushTimeout);
  ASSERT_TRUE(retried_push.has_value());
  EXPECT_EQ(retried_push->at("id").as_string(), retried_id);
  EXPECT_FALSE(owner->next_push(milliseconds(500)).has_value()) << "retry pushed twice";

  // What needs PostgreSQL fails with 503.
  auto fresh = open(cluster->url(0));
  auto login =
      fresh->call("login", json::object{{"username", "outage_owner"}, {"password", "test12345"}});
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error(), kDatabaseUnavailable);
  auto created = owner->call("createRoom", json::object{{"name", "outage-other"}});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error(), kDatabaseUnavailable);
  auto listed = owner->call("listMessages", json::object{{"roomId", room_id}});
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error(), kDatabaseUnavailable);
  EXPECT_EQ(readyz_status(cluster->node(0)), 503);

  cluster->postgres().restart();
  for (std::size_t i = 0; i < cluster->size(); ++i) {
    EXPECT_TRUE(eventually([&] { return readyz_status(cluster->node(i)) == 200; }, seconds(10)));
  }

  // History contains every message of the outage exactly once.
  std::vector<std::string> stored;
  EXPECT_TRUE(eventually(
      [&] {
        auto ids = history_ids(*owner, room_id);
        if (ids) stored = std::move(*ids);
        return stored.size() >= sent_ids.size();
      },
      kRecoveryTimeout));
  EXPECT_EQ(stored.size(), sent_ids.size());
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()),
            std::set<std::string>(sent_ids.begin(), sent_ids.end()));

  // The clientMessageId remembered during the outage reaches PostgreSQL, so
  // a retry on the other node gets the first id as well.
  auto database = db::Connection::open(cluster->database_url());
  EXPECT_TRUE(eventually(
      [&] {
        auto rows = database->exec(
            "SELECT message_id FROM client_message_ids WHERE client_message_id = 'r-1'");
        return !rows.empty() && std::to_string(rows.int64(0, 0)) == retried_id;
      },
      kRecoveryTimeout));
  auto elsewhere = user(cluster->url(0), "outage_member", false);
  auto retry_elsewhere = elsewhere->call("send", retried);
  ASSERT_TRUE(retry_elsewhere.ok()) << retry_elsewhere.error().message;
  EXPECT_EQ(sent_id(*retry_elsewhere), retried_id);
}

TEST(PostgresOutage, RemovedMemberRejectedDespiteCache) {
  auto cluster = Cluster::start({.nodes = 2, .brokers = 1, .partitions = 1});
  AccountId member_id = 0;
  auto owner = user(cluster->url(0), "evict_owner", true);
  auto member = user(cluster->url(1), "evict_member", true, &member_id);
  auto room = owner->call("createRoom", json::object{{"name", "evict-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  json::value room_id = room->as_object().at("id");
  ASSERT_TRUE(member->call("joinRoom", json::value("evict-room")).ok());
  ASSERT_TRUE(member->call("subscribe", room_id).ok());
  json::object message{{"roomId", room_id}, {"message", "hello"}};

  // Node 1 checks membership in its cache, so the send works without
  // PostgreSQL.
  cluster->postgres().stop();
  auto cached = member->call("send", message);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  cluster->postgres().restart();
  ASSERT_TRUE(eventually([&] { return readyz_status(cluster->node(0)) == 200; }, seconds(10)));

  auto removed = owner->call(
      "removeRoomMembers",
      json::object{{"roomId", room_id}, {"memberIds", json::array{std::to_string(member_id)}}});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  // The room event reached node 1 once it ended the member's subscription.
  std::string evicted_line = fmt::format("subscription to room {} ended by a room event",
                                         std::string(room_id.as_string()));
  ASSERT_TRUE(wait_for_log(cluster->node(1).log_file(), evicted_line, seconds(10)));

  auto rejected = member->call("send", message);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error(), (Error{403, "Cannot send message: not a member"}));

  // The cache entry is gone: without PostgreSQL the node cannot confirm
  // the membership and replies 503 instead of sending.
  cluster->postgres().stop();
  auto unconfirmed = member->call("send", message);
  ASSERT_FALSE(unconfirmed.ok());
  EXPECT_EQ(unconfirmed.error(), kDatabaseUnavailable);
  cluster->postgres().restart();
}

}  // namespace
}  // namespace parley::testing
