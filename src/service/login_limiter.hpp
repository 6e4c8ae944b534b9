#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::service {

// Counts failed logins per account name and per client address over a
// sliding window of one minute and tells when either limit is reached.
// The counts are per node: a client spreading attempts over N nodes gets N
// times the limit.
//
// Thread-safe; each call holds a mutex for a few map operations only.
class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  LoginLimiter(int per_account_per_minute, int per_address_per_minute);

  // True when `account_key` or `address` already reached its limit.
  bool blocked(const std::string& account_key, const std::string& address, Clock::time_point now);
  void record_failure(const std::string& account_key, const std::string& address,
                      Clock::time_point now);
  // Forgets the failures of `account_key` after a successful login.
  void record_success(const std::string& account_key);

 private:
  using Window = std::deque<Clock::time_point>;
  static std::size_t count_recent(Window& window, Clock::time_point now);
  void prune(Clock::time_point now);

  const std::size_t per_account_;
  const std::size_t per_address_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> by_account_;
  std::unordered_map<std::string, Window> by_address_;
  Clock::time_point last_prune_{};
};

}  // namespace parley::service
