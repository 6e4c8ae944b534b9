#include "client/replay_filter.hpp"

#include <gtest/gtest.h>

namespace parley::client {
namespace {

MessageInfo message(RoomId room, std::optional<MessageId> id) {
  MessageInfo info;
  info.room_id = room;
  info.id = id;
  info.text = "text";
  return info;
}

TEST(ReplayFilter, PassesNewMessagesAndTracksLastId) {
  ReplayFilter filter;
  filter.reset(5, 100);
  EXPECT_EQ(filter.last_id(), 100);
  EXPECT_TRUE(filter.accept(message(5, 101)));
  EXPECT_TRUE(filter.accept(message(5, 103)));
  EXPECT_EQ(filter.last_id(), 103);
  EXPECT_EQ(filter.duplicates_dropped(), 0u);
}

TEST(ReplayFilter, DropsReplayedIds) {
  ReplayFilter filter;
  filter.reset(5, 0);
  ASSERT_TRUE(filter.accept(message(5, 10)));
  ASSERT_TRUE(filter.accept(message(5, 11)));
  // A resume after id 10 that replays 11 again, then a new message.
  EXPECT_FALSE(filter.accept(message(5, 11)));
  EXPECT_TRUE(filter.accept(message(5, 12)));
  EXPECT_EQ(filter.duplicates_dropped(), 1u);
  EXPECT_EQ(filter.last_id(), 12);
}

// Ids of different nodes need not follow the room order, so a lower id
// that was never seen is a new message.
TEST(ReplayFilter, PassesLowerUnseenId) {
  ReplayFilter filter;
  filter.reset(5, 0);
  ASSERT_TRUE(filter.accept(message(5, 200)));
  EXPECT_TRUE(filter.accept(message(5, 150)));
  EXPECT_EQ(filter.last_id(), 150);
  EXPECT_EQ(filter.duplicates_dropped(), 0u);
}

TEST(ReplayFilter, DropsResumePoint) {
  ReplayFilter filter;
  filter.reset(5, 40);
  EXPECT_FALSE(filter.accept(message(5, 40)));
  EXPECT_TRUE(filter.accept(message(5, 41)));
  EXPECT_EQ(filter.duplicates_dropped(), 1u);
}

TEST(ReplayFilter, DropsOtherRooms) {
  ReplayFilter filter;
  filter.reset(5, 0);
  EXPECT_FALSE(filter.accept(message(6, 1)));
  EXPECT_EQ(filter.other_room_dropped(), 1u);
  EXPECT_EQ(filter.last_id(), 0);
}

TEST(ReplayFilter, DropsEverythingWithoutRoom) {
  ReplayFilter filter;
  EXPECT_FALSE(filter.accept(message(5, 1)));
  filter.reset(5, 0);
  filter.clear();
  EXPECT_FALSE(filter.accept(message(5, 2)));
  EXPECT_FALSE(filter.room().has_value());
}

TEST(ReplayFilter, ResetForgetsSeenIds) {
  ReplayFilter filter;
  filter.reset(5, 0);
  ASSERT_TRUE(filter.accept(message(5, 7)));
  filter.reset(5, 0);
  EXPECT_TRUE(filter.accept(message(5, 7)));
}

TEST(ReplayFilter, MessageWithoutIdPasses) {
  ReplayFilter filter;
  filter.reset(5, 9);
  EXPECT_TRUE(filter.accept(message(5, std::nullopt)));
  EXPECT_TRUE(filter.accept(message(5, std::nullopt)));
  EXPECT_EQ(filter.last_id(), 9);
}

TEST(ReplayFilter, ForgetsIdsBeyondCapacity) {
  ReplayFilter filter(2);
  filter.reset(5, 0);
  ASSERT_TRUE(filter.accept(message(5, 1)));
  ASSERT_TRUE(filter.accept(message(5, 2)));
  ASSERT_TRUE(filter.accept(message(5, 3)));
  EXPECT_FALSE(filter.accept(message(5, 3)));
  EXPECT_TRUE(filter.accept(message(5, 1)));
}

}  // namespace
}  // namespace parley::client
