#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include "common/types.hpp"

namespace parley::service {

// Room memberships this node confirmed in PostgreSQL, so that send keeps
// working while PostgreSQL is unavailable.
//
// The cache stores only positive results. Room events (leave, remove, block,
// room deleted) remove entries. A lookup in PostgreSQL may race with such an
// event, so a caller takes a Snapshot before the query and store() keeps the
// result only when no event touched the room since then. A removal therefore
// always wins over a load that started before it.
//
// Entries are kept in 64 shards by room, each with its own mutex and its own
// least-recently-used order, so the size bound is `capacity` rounded up to a
// multiple of 64. Capacity 0 disables the cache. Thread-safe.
class MembershipCache {
 public:
  // Event counter of a room, or of every room, read before a PostgreSQL
  // check.
  struct Snapshot {
    std::uint64_t generation = 0;
    // Set by snapshot_any_room(), whose generation counts the events of all
    // rooms.
    bool any_room = false;
  };

  explicit MembershipCache(std::size_t capacity);

  // Returns true when `account` is a cached member of `room`, and marks the
  // entry as recently used.
  bool contains(RoomId room, AccountId account);

  // Returns the event counter of `room`, to pass to store().
  Snapshot snapshot(RoomId room) const;
  // Returns the count of events of every room, for a check whose room id is
  // not known yet (createRoom).
  Snapshot snapshot_any_room() const;

  // Stores that `account` is a member of `room` unless an event for `room`
  // (or, for snapshot_any_room(), for any room) was applied after `before`
  // was taken. Returns whether it stored the entry.
  bool store(RoomId room, AccountId account, Snapshot before);

  // Applies a leave, remove or block, after which the accounts are no
  // longer members of `room`.
  void remove(RoomId room, std::span<const AccountId> accounts);
  // Applies a room deletion, which ends every membership of `room`.
  void remove_room(RoomId room);

  std::size_t size() const;

 private:
  static constexpr std::size_t kShards = 64;
  // Event counters per shard. Rooms of one shard share a counter when their
  // ids collide, which only makes store() give up more often.
  static constexpr std::size_t kGenerationsPerShard = 16;

  struct Key {
    RoomId room;
    AccountId account;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Shard {
    mutable std::mutex mutex;
    // Most recently used first.
    std::list<Key> order;
    std::unordered_map<Key, std::list<Key>::iterator, KeyHash> entries;
    std::array<std::uint64_t, kGenerationsPerShard> generations{};
  };

  Shard& shard_of(RoomId room) const;
  static std::size_t generation_index(RoomId room);
  // Marks an event for `room`. Requires the lock of its shard.
  void count_event(Shard& shard, RoomId room);

  std::size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
  // Every event applied so far, for snapshot_any_room().
  std::atomic<std::uint64_t> events_{0};
};

}  // namespace parley::service
