#include "service/membership_cache.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "service/client_message_id_cache.hpp"

namespace parley::service {
namespace {

TEST(MembershipCache, StoresAndFindsMember) {
  MembershipCache cache(100);
  EXPECT_FALSE(cache.contains(1, 10));
  EXPECT_TRUE(cache.store(1, 10, cache.snapshot(1)));
  EXPECT_TRUE(cache.contains(1, 10));
  EXPECT_FALSE(cache.contains(1, 11));
  EXPECT_FALSE(cache.contains(2, 10));
}

TEST(MembershipCache, RemoveEndsMembership) {
  MembershipCache cache(100);
  cache.store(1, 10, cache.snapshot(1));
  cache.store(1, 11, cache.snapshot(1));
  AccountId removed[] = {10};
  cache.remove(1, removed);
  EXPECT_FALSE(cache.contains(1, 10));
  EXPECT_TRUE(cache.contains(1, 11));
}

TEST(MembershipCache, RemoveRoomEndsEveryMembership) {
  MembershipCache cache(100);
  cache.store(1, 10, cache.snapshot(1));
  cache.store(1, 11, cache.snapshot(1));
  cache.store(2, 10, cache.snapshot(2));
  cache.remove_room(1);
  EXPECT_FALSE(cache.contains(1, 10));
  EXPECT_FALSE(cache.contains(1, 11));
  EXPECT_TRUE(cache.contains(2, 10));
}

TEST(MembershipCache, EventAfterSnapshotWinsOverStore) {
  MembershipCache cache(100);
  auto before = cache.snapshot(1);
  // A removal applied while the PostgreSQL check ran.
  AccountId removed[] = {10};
  cache.remove(1, removed);
  EXPECT_FALSE(cache.store(1, 10, before));
  EXPECT_FALSE(cache.contains(1, 10));
  // A check that starts after the event may store.
  EXPECT_TRUE(cache.store(1, 10, cache.snapshot(1)));
}

TEST(MembershipCache, AnyRoomSnapshotSeesEveryEvent) {
  MembershipCache cache(100);
  auto before = cache.snapshot_any_room();
  cache.remove_room(99);
  EXPECT_FALSE(cache.store(5, 10, before));
  EXPECT_TRUE(cache.store(5, 10, cache.snapshot_any_room()));
}

TEST(MembershipCache, CapacityBoundsSize) {
  MembershipCache cache(64);
  for (RoomId room = 1; room <= 1000; ++room) cache.store(room, 1, cache.snapshot(room));
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 0u);
}

TEST(MembershipCache, ZeroCapacityDisables) {
  MembershipCache cache(0);
  EXPECT_FALSE(cache.store(1, 10, cache.snapshot(1)));
  EXPECT_FALSE(cache.contains(1, 10));
}

TEST(MembershipCache, ConcurrentStoreAndRemoveEndRemoved) {
  MembershipCache cache(100000);
  constexpr RoomId kRooms = 200;
  std::vector<MembershipCache::Snapshot> before;
  for (RoomId room = 0; room < kRooms; ++room) before.push_back(cache.snapshot(room));
  std::thread loader([&] {
    for (RoomId room = 0; room < kRooms; ++room) cache.store(room, 7, before[room]);
  });
  std::thread remover([&] {
    AccountId removed[] = {7};
    for (RoomId room = 0; room < kRooms; ++room) cache.remove(room, removed);
  });
  loader.join();
  remover.join();
  // Every load started before its room's removal, so none may survive it.
  for (RoomId room = 0; room < kRooms; ++room) EXPECT_FALSE(cache.contains(room, 7)) << room;
}

TEST(ClientMessageIdCache, PendingRetryGetsFirstMessage) {
  ClientMessageIdCache cache(10);
  db::client_messages::RememberedMessage first{100, 1, Timestamp{}};
  db::client_messages::RememberedMessage second{200, 1, Timestamp{}};
  EXPECT_FALSE(cache.remember_pending(5, "a", first).has_value());
  auto retry = cache.remember_pending(5, "a", second);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->message_id, 100);
  EXPECT_EQ(cache.pending(), 1u);
  EXPECT_FALSE(cache.remember_pending(6, "a", second).has_value());
  EXPECT_EQ(cache.pending(), 2u);
}

TEST(ClientMessageIdCache, ConfirmedEntriesAreNotPending) {
  ClientMessageIdCache cache(10);
  cache.store_confirmed(5, "a", {100, 1, Timestamp{}});
  auto found = cache.find(5, "a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->message_id, 100);
  EXPECT_EQ(cache.pending(), 0u);
}

TEST(ClientMessageIdCache, EvictsLeastRecentlyUsed) {
  ClientMessageIdCache cache(2);
  cache.store_confirmed(1, "a", {100, 1, Timestamp{}});
  cache.store_confirmed(1, "b", {101, 1, Timestamp{}});
  ASSERT_TRUE(cache.find(1, "a").has_value());
  cache.store_confirmed(1, "c", {102, 1, Timestamp{}});
  EXPECT_TRUE(cache.find(1, "a").has_value());
  EXPECT_FALSE(cache.find(1, "b").has_value());
  EXPECT_TRUE(cache.find(1, "c").has_value());
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace parley::service
