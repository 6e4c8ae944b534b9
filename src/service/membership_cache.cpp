#include "service/membership_cache.hpp"

#include <functional>

namespace parley::service {
namespace {

// Spreads consecutive ids (sequence-generated room ids) over the shards.
std::uint64_t mix(std::int64_t id) {
  return static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL;
}

}  // namespace

std::size_t MembershipCache::KeyHash::operator()(const Key& key) const {
  return static_cast<std::size_t>(mix(key.room) ^ (mix(key.account) >> 1));
}

MembershipCache::MembershipCache(std::size_t capacity)
    : shard_capacity_((capacity + kShards - 1) / kShards),
      shards_(std::make_unique<Shard[]>(kShards)) {}

MembershipCache::Shard& MembershipCache::shard_of(RoomId room) const {
  return shards_[(mix(room) >> 32) % kShards];
}

std::size_t MembershipCache::generation_index(RoomId room) {
  return (mix(room) >> 48) % kGenerationsPerShard;
}

bool MembershipCache::contains(RoomId room, AccountId account) {
  if (shard_capacity_ == 0) return false;
  Shard& shard = shard_of(room);
  std::lock_guard lock(shard.mutex);
  auto found = shard.entries.find({room, account});
  if (found == shard.entries.end()) return false;
  shard.order.splice(shard.order.begin(), shard.order, found->second);
  return true;
}

MembershipCache::Snapshot MembershipCache::snapshot(RoomId room) const {
  Shard& shard = shard_of(room);
  std::lock_guard lock(shard.mutex);
  return {shard.generations[generation_index(room)], false};
}

MembershipCache::Snapshot MembershipCache::snapshot_any_room() const {
  return {events_.load(), true};
}

bool MembershipCache::store(RoomId room, AccountId account, Snapshot before) {
  if (shard_capacity_ == 0) return false;
  Shard& shard = shard_of(room);
  std::lock_guard lock(shard.mutex);
  // Every event takes this shard's lock before it changes either counter,
  // so an event for `room` is either seen here or applied after the insert.
  std::uint64_t now = before.any_room ? events_.load() : shard.generations[generation_index(room)];
  if (now != before.generation) return false;

  Key key{room, account};
  if (auto found = shard.entries.find(key); found != shard.entries.end()) {
    shard.order.splice(shard.order.begin(), shard.order, found->second);
    return true;
  }
  if (shard.entries.size() >= shard_capacity_) {
    shard.entries.erase(shard.order.back());
    shard.order.pop_back();
  }
  shard.order.push_front(key);
  shard.entries.emplace(key, shard.order.begin());
  return true;
}

void MembershipCache::count_event(Shard& shard, RoomId room) {
  ++shard.generations[generation_index(room)];
  events_.fetch_add(1);
}

void MembershipCache::remove(RoomId room, std::span<const AccountId> accounts) {
  Shard& shard = shard_of(room);
  std::lock_guard lock(shard.mutex);
  count_event(shard, room);
  for (AccountId account : accounts) {
    auto found = shard.entries.find({room, account});
    if (found == shard.entries.end()) continue;
    shard.order.erase(found->second);
    shard.entries.erase(found);
  }
}

void MembershipCache::remove_room(RoomId room) {
  Shard& shard = shard_of(room);
  std::lock_guard lock(shard.mutex);
  count_event(shard, room);
  for (auto entry = shard.order.begin(); entry != shard.order.end();) {
    if (entry->room == room) {
      shard.entries.erase(*entry);
      entry = shard.order.erase(entry);
    } else {
      ++entry;
    }
  }
}

std::size_t MembershipCache::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].entries.size();
  }
  return total;
}

}  // namespace parley::service
