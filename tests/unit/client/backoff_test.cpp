#include "client/backoff.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace parley::client {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, BoundDoublesUpToMax) {
  Backoff backoff(BackoffOptions{.initial = milliseconds(100), .max = milliseconds(1000)}, 1);
  const milliseconds expected[] = {milliseconds(100), milliseconds(200),  milliseconds(400),
                                   milliseconds(800), milliseconds(1000), milliseconds(1000)};
  for (milliseconds bound : expected) {
    EXPECT_EQ(backoff.current_bound(), bound);
    backoff.next_delay();
  }
}

TEST(Backoff, DelaysStayWithinJitterRange) {
  BackoffOptions options{.initial = milliseconds(100), .max = milliseconds(3000), .jitter = 0.5};
  Backoff backoff(options, 42);
  for (int attempt = 0; attempt < 200; ++attempt) {
    milliseconds bound = backoff.current_bound();
    milliseconds delay = backoff.next_delay();
    EXPECT_GE(delay.count(), bound.count() / 2) << "attempt " << attempt;
    EXPECT_LE(delay.count(), bound.count()) << "attempt " << attempt;
  }
}

TEST(Backoff, JitterSpreadsDelays) {
  BackoffOptions options{.initial = milliseconds(1000), .max = milliseconds(1000), .jitter = 0.5};
  Backoff backoff(options, 7);
  milliseconds lowest = milliseconds::max();
  milliseconds highest = milliseconds::min();
  for (int i = 0; i < 100; ++i) {
    milliseconds delay = backoff.next_delay();
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  // 100 uniform draws from [500, 1000] spread over more than half of it.
  EXPECT_LT(lowest.count(), 700);
  EXPECT_GT(highest.count(), 800);
}

TEST(Backoff, NoJitterGivesExactBounds) {
  Backoff backoff(
      BackoffOptions{.initial = milliseconds(50), .max = milliseconds(150), .jitter = 0}, 3);
  EXPECT_EQ(backoff.next_delay(), milliseconds(50));
  EXPECT_EQ(backoff.next_delay(), milliseconds(100));
  EXPECT_EQ(backoff.next_delay(), milliseconds(150));
  EXPECT_EQ(backoff.next_delay(), milliseconds(150));
}

TEST(Backoff, ResetStartsFromInitial) {
  Backoff backoff(BackoffOptions{.initial = milliseconds(10), .max = milliseconds(1000)}, 5);
  for (int i = 0; i < 5; ++i) {
    backoff.next_delay();
  }
  EXPECT_EQ(backoff.attempts(), 5);
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0);
  EXPECT_EQ(backoff.current_bound(), milliseconds(10));
}

TEST(Backoff, SameSeedSameDelays) {
  BackoffOptions options{.initial = milliseconds(100), .max = milliseconds(5000)};
  Backoff first(options, 99);
  Backoff second(options, 99);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(first.next_delay(), second.next_delay());
  }
}

TEST(Backoff, InvalidOptionsAreClamped) {
  Backoff backoff(
      BackoffOptions{
          .initial = milliseconds(0), .max = milliseconds(0), .multiplier = 0.5, .jitter = 3.0},
      1);
  EXPECT_EQ(backoff.options().initial, milliseconds(1));
  EXPECT_EQ(backoff.options().max, milliseconds(1));
  EXPECT_EQ(backoff.options().multiplier, 1.0);
  EXPECT_EQ(backoff.options().jitter, 1.0);
  EXPECT_LE(backoff.next_delay(), milliseconds(1));
}

TEST(Backoff, HugeAttemptCountStaysAtMax) {
  Backoff backoff(BackoffOptions{.initial = milliseconds(100), .max = milliseconds(2000)}, 1);
  for (int i = 0; i < 5000; ++i) {
    backoff.next_delay();
  }
  EXPECT_EQ(backoff.current_bound(), milliseconds(2000));
}

}  // namespace
}  // namespace parley::client
