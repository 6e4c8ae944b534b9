#pragma once

#include <atomic>
#include <cstdint>

#include "common/types.hpp"

namespace parley {

// Generates 64-bit message ids that are unique across the cluster and
// ordered by time, without a round trip per id.
//
// Layout, most significant bit first: 1 sign bit (always 0), 41 bits of
// milliseconds since kEpoch (about 69 years), 10 bits of node id, 12 bits of
// sequence within the millisecond. Each node gets its node id from
// PostgreSQL once at start (see db/node_id.hpp), so two live nodes never
// share one. Ids of one node grow strictly; ids of different nodes are
// ordered by their millisecond and then by node id.
//
// Thread-safe: next() may be called from any thread.
class MessageIdGenerator {
 public:
  static constexpr int kNodeIdBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr std::int64_t kMaxNodeId = (1 << kNodeIdBits) - 1;
  // 2025-01-01T00:00:00Z in Unix milliseconds.
  static constexpr std::int64_t kEpochMs = 1735689600000;

  // REQUIRES: 0 <= node_id <= kMaxNodeId.
  explicit MessageIdGenerator(std::int64_t node_id);

  // Returns a new id. When more than 4096 ids are requested within one
  // millisecond, or the clock steps back, the id borrows from the next
  // millisecond, so ids stay unique and increasing.
  MessageId next();

  // Returns the UTC millisecond an id was generated in.
  static Timestamp timestamp_of(MessageId id);

  std::int64_t node_id() const { return node_id_.load(std::memory_order_relaxed); }
  // Switches to another node id, for a node whose lease on its id was lost.
  // REQUIRES: 0 <= node_id <= kMaxNodeId.
  void set_node_id(std::int64_t node_id);

 private:
  std::atomic<std::int64_t> node_id_;
  // Last issued (milliseconds since kEpochMs << kSequenceBits | sequence).
  std::atomic<std::int64_t> last_{0};
};

}  // namespace parley
