#include "service/login_limiter.hpp"

namespace parley::service {
namespace {

constexpr auto kWindow = std::chrono::minutes(1);

}  // namespace

LoginLimiter::LoginLimiter(int per_account_per_minute, int per_address_per_minute)
    : per_account_(static_cast<std::size_t>(per_account_per_minute)),
      per_address_(static_cast<std::size_t>(per_address_per_minute)) {}

std::size_t LoginLimiter::count_recent(Window& window, Clock::time_point now) {
  while (!window.empty() && now - window.front() >= kWindow) window.pop_front();
  return window.size();
}

bool LoginLimiter::blocked(const std::string& account_key, const std::string& address,
                           Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto account = by_account_.find(account_key);
  if (account != by_account_.end() && count_recent(account->second, now) >= per_account_) {
    return true;
  }
  auto client = by_address_.find(address);
  return client != by_address_.end() && count_recent(client->second, now) >= per_address_;
}

void LoginLimiter::record_failure(const std::string& account_key, const std::string& address,
                                  Clock::time_point now) {
  std::lock_guard lock(mutex_);
  by_account_[account_key].push_back(now);
  by_address_[address].push_back(now);
  prune(now);
}

void LoginLimiter::record_success(const std::string& account_key) {
  std::lock_guard lock(mutex_);
  by_account_.erase(account_key);
}

void LoginLimiter::prune(Clock::time_point now) {
  // Drop idle windows once a minute so that the maps stay bounded by the
  // number of keys that failed within the last minute.
  if (now - last_prune_ < kWindow) return;
  last_prune_ = now;
  for (auto* map : {&by_account_, &by_address_}) {
    for (auto it = map->begin(); it != map->end();) {
      it = count_recent(it->second, now) == 0 ? map->erase(it) : std::next(it);
    }
  }
}

}  // namespace parley::service
