#include "common/message_id.hpp"

#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(MessageIdGenerator, IdsIncreaseStrictly) {
  MessageIdGenerator generator(7);
  MessageId previous = generator.next();
  for (int i = 0; i < 100000; ++i) {
    MessageId id = generator.next();
    ASSERT_GT(id, previous);
    previous = id;
  }
}

TEST(MessageIdGenerator, IdsArePositive) {
  MessageIdGenerator generator(MessageIdGenerator::kMaxNodeId);
  EXPECT_GT(generator.next(), 0);
}

TEST(MessageIdGenerator, EmbedsNodeId) {
  MessageIdGenerator generator(513);
  MessageId id = generator.next();
  EXPECT_EQ((id >> MessageIdGenerator::kSequenceBits) & MessageIdGenerator::kMaxNodeId, 513);
}

TEST(MessageIdGenerator, TimestampMatchesClock) {
  MessageIdGenerator generator(1);
  Timestamp before = now_utc();
  MessageId id = generator.next();
  Timestamp after = now_utc();
  Timestamp embedded = MessageIdGenerator::timestamp_of(id);
  EXPECT_GE(embedded, before);
  // The sequence may borrow from the next millisecond, never more than a
  // few under this load.
  EXPECT_LE(embedded, after + std::chrono::milliseconds(1));
}

TEST(MessageIdGenerator, NodesNeverCollide) {
  MessageIdGenerator first(1);
  MessageIdGenerator second(2);
  std::set<MessageId> seen;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(seen.insert(first.next()).second);
    ASSERT_TRUE(seen.insert(second.next()).second);
  }
}

TEST(MessageIdGenerator, UniqueAcrossThreads) {
  MessageIdGenerator generator(3);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50000;
  std::vector<std::vector<MessageId>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(generator.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<MessageId> all;
  for (const auto& list : ids) all.insert(list.begin(), list.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(MessageIdGenerator, SwitchedNodeIdAppliesToNextId) {
  MessageIdGenerator generator(4);
  MessageId before = generator.next();
  generator.set_node_id(9);
  MessageId after = generator.next();
  EXPECT_GT(after, before);
  EXPECT_EQ((after >> MessageIdGenerator::kSequenceBits) & MessageIdGenerator::kMaxNodeId, 9);
}

}  // namespace
}  // namespace parley
