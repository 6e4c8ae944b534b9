#include "net/recent_messages.hpp"

#include <gtest/gtest.h>

namespace parley::net {
namespace {

using std::chrono::milliseconds;

Timestamp at(int ms) { return Timestamp(milliseconds(ms)); }

SharedFrame frame(int n) {
  return std::make_shared<const PushFrame>(PushFrame{{"m" + std::to_string(n), false}, {}});
}

std::vector<MessageId> ids(const std::vector<const RecentMessages::Entry*>& entries) {
  std::vector<MessageId> result;
  for (const auto* entry : entries) result.push_back(entry->id);
  return result;
}

TEST(RecentMessages, AfterReturnsFollowingEntries) {
  RecentMessages recent(10, milliseconds(60000));
  for (int i = 1; i <= 4; ++i) recent.append(7, i * 10, at(i), frame(i));
  auto following = recent.after(7, 20);
  ASSERT_TRUE(following.has_value());
  EXPECT_EQ(ids(*following), (std::vector<MessageId>{30, 40}));
  auto none = recent.after(7, 40);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(RecentMessages, AfterUnknownIdNeedsHistory) {
  RecentMessages recent(10, milliseconds(60000));
  recent.append(7, 10, at(1), frame(1));
  EXPECT_FALSE(recent.after(7, 5).has_value());
  EXPECT_FALSE(recent.after(8, 10).has_value());
}

TEST(RecentMessages, KeepsPartitionOrderNotIdOrder) {
  RecentMessages recent(10, milliseconds(60000));
  recent.append(7, 30, at(1), frame(1));
  recent.append(7, 20, at(2), frame(2));
  recent.append(7, 40, at(3), frame(3));
  auto following = recent.after(7, 30);
  ASSERT_TRUE(following.has_value());
  EXPECT_EQ(ids(*following), (std::vector<MessageId>{20, 40}));
}

TEST(RecentMessages, DropsBeyondCount) {
  RecentMessages recent(2, milliseconds(60000));
  for (int i = 1; i <= 3; ++i) recent.append(7, i, at(i), frame(i));
  EXPECT_EQ(ids(recent.all(7)), (std::vector<MessageId>{2, 3}));
  EXPECT_FALSE(recent.after(7, 1).has_value());
}

TEST(RecentMessages, DropsBeyondAge) {
  RecentMessages recent(10, milliseconds(100));
  recent.append(7, 1, at(0), frame(1));
  recent.append(7, 2, at(50), frame(2));
  recent.append(7, 3, at(120), frame(3));
  EXPECT_EQ(ids(recent.all(7)), (std::vector<MessageId>{2, 3}));
}

TEST(RecentMessages, EraseRoomForgetsIt) {
  RecentMessages recent(10, milliseconds(60000));
  recent.append(7, 1, at(0), frame(1));
  recent.erase_room(7);
  EXPECT_TRUE(recent.all(7).empty());
}

// The window has lost `after` (id 50), and PostgreSQL returned the stored
// messages after it in Kafka order. Ids from different nodes are not in
// that order, so smaller ids must not be dropped.
TEST(RecentMessages, NotStoredKeepsKafkaOrder) {
  RecentMessages recent(10, milliseconds(60000));
  recent.append(7, 30, at(1), frame(1));
  recent.append(7, 10, at(2), frame(2));
  recent.append(7, 40, at(3), frame(3));
  recent.append(7, 20, at(4), frame(4));
  recent.append(8, 5, at(5), frame(5));
  EXPECT_EQ(ids(recent.not_stored(7, 50, {30, 10}, true)), (std::vector<MessageId>{40, 20}));
  EXPECT_EQ(ids(recent.not_stored(7, 50, {}, true)), (std::vector<MessageId>{30, 10, 40, 20}));
  EXPECT_EQ(ids(recent.not_stored(7, 50, {30, 10, 40, 20}, true)), (std::vector<MessageId>{}));
}

// PostgreSQL has no position of `after` either, so the replay falls back to
// ids and skips entries with a smaller one.
TEST(RecentMessages, NotStoredInIdOrderSkipsSmallerIds) {
  RecentMessages recent(10, milliseconds(60000));
  recent.append(7, 30, at(1), frame(1));
  recent.append(7, 10, at(2), frame(2));
  recent.append(7, 40, at(3), frame(3));
  recent.append(7, 20, at(4), frame(4));
  EXPECT_EQ(ids(recent.not_stored(7, 25, {}, false)), (std::vector<MessageId>{30, 40}));
  EXPECT_EQ(ids(recent.not_stored(7, 25, {30}, false)), (std::vector<MessageId>{40}));
  EXPECT_TRUE(recent.not_stored(8, 25, {}, false).empty());
}

TEST(RecentMessages, ZeroCapacityKeepsNothing) {
  RecentMessages recent(0, milliseconds(60000));
  recent.append(7, 1, at(0), frame(1));
  EXPECT_TRUE(recent.all(7).empty());
}

}  // namespace
}  // namespace parley::net
