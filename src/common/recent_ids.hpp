#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_set>

namespace parley {

// The last `capacity` distinct ids seen, to drop repeats of a record that
// was produced twice with the same id (a send retried with its
// clientMessageId). Not thread-safe: one consumer thread owns it.
class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity) : capacity_(capacity) {}

  // Records `id` and returns true, or returns false when `id` is among the
  // last `capacity` recorded ones.
  bool insert(std::int64_t id) {
    if (!seen_.insert(id).second) return false;
    order_.push_back(id);
    if (order_.size() > capacity_) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

  std::size_t size() const { return order_.size(); }

 private:
  std::size_t capacity_;
  std::unordered_set<std::int64_t> seen_;
  std::deque<std::int64_t> order_;
};

}  // namespace parley
