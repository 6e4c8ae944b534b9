#include "service/login_limiter.hpp"

#include <gtest/gtest.h>

namespace parley::service {
namespace {

using Clock = LoginLimiter::Clock;

TEST(LoginLimiter, BlocksAccountAfterLimit) {
  LoginLimiter limiter(3, 100);
  auto now = Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked("username:alice", "10.0.0.1", now));
    limiter.record_failure("username:alice", "10.0.0.1", now);
  }
  EXPECT_TRUE(limiter.blocked("username:alice", "10.0.0.2", now));
  EXPECT_FALSE(limiter.blocked("username:bob", "10.0.0.2", now));
}

TEST(LoginLimiter, BlocksAddressAfterLimit) {
  LoginLimiter limiter(100, 2);
  auto now = Clock::now();
  limiter.record_failure("username:a", "10.0.0.1", now);
  limiter.record_failure("username:b", "10.0.0.1", now);
  EXPECT_TRUE(limiter.blocked("username:c", "10.0.0.1", now));
  EXPECT_FALSE(limiter.blocked("username:c", "10.0.0.9", now));
}

TEST(LoginLimiter, FailuresExpireAfterMinute) {
  LoginLimiter limiter(1, 100);
  auto now = Clock::now();
  limiter.record_failure("username:alice", "10.0.0.1", now);
  EXPECT_TRUE(limiter.blocked("username:alice", "10.0.0.1", now + std::chrono::seconds(59)));
  EXPECT_FALSE(limiter.blocked("username:alice", "10.0.0.1", now + std::chrono::seconds(60)));
}

TEST(LoginLimiter, SuccessClearsAccountFailures) {
  LoginLimiter limiter(2, 100);
  auto now = Clock::now();
  limiter.record_failure("username:alice", "10.0.0.1", now);
  limiter.record_failure("username:alice", "10.0.0.1", now);
  limiter.record_success("username:alice");
  EXPECT_FALSE(limiter.blocked("username:alice", "10.0.0.1", now));
}

}  // namespace
}  // namespace parley::service
