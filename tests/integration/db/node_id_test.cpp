#include "db/node_id.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "database_environment.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class NodeIdTest : public DatabaseTest {
 protected:
  // Moves every lease into the past, as if its holder had died long ago.
  void expire_all_leases() {
    db().exec("UPDATE node_leases SET expires_at = now() - interval '1 minute'");
  }
};

TEST_F(NodeIdTest, AcquireTakesLowestFreeId) {
  EXPECT_EQ(acquire_node_id(db(), "node-a"), 0);
  EXPECT_EQ(acquire_node_id(db(), "node-b"), 1);
  EXPECT_EQ(acquire_node_id(db(), "node-c"), 2);
  release_node_lease(db(), 1, "node-b");
  EXPECT_EQ(acquire_node_id(db(), "node-d"), 1);
}

TEST_F(NodeIdTest, ConcurrentAcquiresGetDistinctIds) {
  constexpr int kNodes = 8;
  std::vector<std::int64_t> ids(kNodes, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto connection = Connection::open(shared_conninfo());
      ids[static_cast<std::size_t>(i)] = acquire_node_id(*connection, "node-" + std::to_string(i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::set<std::int64_t> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kNodes));
  EXPECT_EQ(*distinct.begin(), 0);
  EXPECT_EQ(*distinct.rbegin(), kNodes - 1);
}

TEST_F(NodeIdTest, ExpiredLeaseIsTakenOver) {
  EXPECT_EQ(acquire_node_id(db(), "old-node"), 0);
  EXPECT_EQ(acquire_node_id(db(), "live-node"), 1);
  db().exec("UPDATE node_leases SET expires_at = now() - interval '1 second' WHERE node_id = 0");
  EXPECT_EQ(acquire_node_id(db(), "new-node"), 0);
  EXPECT_EQ(db().exec("SELECT holder FROM node_leases WHERE node_id = 0").string(0, 0), "new-node");
}

TEST_F(NodeIdTest, RenewExtendsOwnLeaseOnly) {
  const std::int64_t id = acquire_node_id(db(), "node-a", 1s);
  const auto before =
      db().exec("SELECT expires_at FROM node_leases WHERE node_id = $1::int", {std::to_string(id)})
          .timestamp(0, 0);
  EXPECT_TRUE(renew_node_lease(db(), id, "node-a", 60s));
  const auto after =
      db().exec("SELECT expires_at FROM node_leases WHERE node_id = $1::int", {std::to_string(id)})
          .timestamp(0, 0);
  EXPECT_GT(after - before, 50s);
  EXPECT_FALSE(renew_node_lease(db(), id, "node-b"));
  EXPECT_FALSE(renew_node_lease(db(), id + 1, "node-a"));
}

TEST_F(NodeIdTest, RenewFailsAfterTakeover) {
  EXPECT_EQ(acquire_node_id(db(), "node-a"), 0);
  expire_all_leases();
  EXPECT_EQ(acquire_node_id(db(), "node-b"), 0);
  EXPECT_FALSE(renew_node_lease(db(), 0, "node-a"));
  EXPECT_TRUE(renew_node_lease(db(), 0, "node-b"));
}

TEST_F(NodeIdTest, ReleaseIgnoresOtherHolders) {
  EXPECT_EQ(acquire_node_id(db(), "node-a"), 0);
  release_node_lease(db(), 0, "node-b");
  EXPECT_EQ(acquire_node_id(db(), "node-b"), 1);
}

TEST_F(NodeIdTest, AcquireFailsWhenAllIdsLeased) {
  db().exec(
      "INSERT INTO node_leases (node_id, holder, expires_at) "
      "SELECT n, 'busy', now() + interval '1 hour' FROM generate_series(0, 1023) AS n");
  EXPECT_THROW(acquire_node_id(db(), "late-node"), std::runtime_error);
  EXPECT_FALSE(db().in_transaction());

  db().exec("UPDATE node_leases SET expires_at = now() - interval '1 second' WHERE node_id = 1023");
  EXPECT_EQ(acquire_node_id(db(), "late-node"), 1023);
}

TEST(DefaultLeaseHolder, IsStableAndNamesProcess) {
  const std::string& holder = default_lease_holder();
  EXPECT_EQ(&holder, &default_lease_holder());
  EXPECT_NE(holder.find(":" + std::to_string(getpid()) + ":"), std::string::npos) << holder;
}

}  // namespace
}  // namespace parley::db::testing
