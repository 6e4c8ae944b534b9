#include <chrono>

#include <gtest/gtest.h>

#include "kafka/client.hpp"

namespace parley::kafka::detail {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(PollTimeoutTest, RoundsPartOfAMillisecondUp) {
  const Clock::time_point now{};
  EXPECT_EQ(poll_timeout(now + 400us, now, 100ms), 1ms);
  EXPECT_EQ(poll_timeout(now + 2500us, now, 100ms), 3ms);
}

TEST(PollTimeoutTest, IsZeroOnceTheDeadlinePassed) {
  const Clock::time_point now{};
  EXPECT_EQ(poll_timeout(now, now, 100ms), 0ms);
  EXPECT_EQ(poll_timeout(now - 5ms, now, 100ms), 0ms);
}

TEST(PollTimeoutTest, StopsAtTheLongestWait) {
  const Clock::time_point now{};
  EXPECT_EQ(poll_timeout(now + 20s, now, 100ms), 100ms);
  EXPECT_EQ(poll_timeout(now + 100ms, now, 100ms), 100ms);
}

}  // namespace
}  // namespace parley::kafka::detail
