#include "common/recent_ids.hpp"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(RecentIds, RejectsRepeat) {
  RecentIds ids(4);
  EXPECT_TRUE(ids.insert(1));
  EXPECT_TRUE(ids.insert(2));
  EXPECT_FALSE(ids.insert(1));
  EXPECT_FALSE(ids.insert(2));
}

TEST(RecentIds, ForgetsOldestBeyondCapacity) {
  RecentIds ids(3);
  for (std::int64_t id : {1, 2, 3, 4}) EXPECT_TRUE(ids.insert(id));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(ids.insert(1));
  EXPECT_FALSE(ids.insert(4));
}

}  // namespace
}  // namespace parley
