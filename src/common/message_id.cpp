#include "common/message_id.hpp"

#include <cassert>

namespace parley {

MessageIdGenerator::MessageIdGenerator(std::int64_t node_id) : node_id_(node_id) {
  assert(node_id >= 0 && node_id <= kMaxNodeId);
}

MessageId MessageIdGenerator::next() {
  const std::int64_t now_ms = now_utc().time_since_epoch().count() - kEpochMs;
  const std::int64_t floor = now_ms << kSequenceBits;
  std::int64_t previous = last_.load(std::memory_order_relaxed);
  std::int64_t candidate;
  do {
    candidate = previous < floor ? floor : previous + 1;
  } while (!last_.compare_exchange_weak(previous, candidate, std::memory_order_relaxed));

  const std::int64_t millis = candidate >> kSequenceBits;
  const std::int64_t sequence = candidate & ((1 << kSequenceBits) - 1);
  return (millis << (kNodeIdBits + kSequenceBits)) | (node_id() << kSequenceBits) | sequence;
}

void MessageIdGenerator::set_node_id(std::int64_t node_id) {
  assert(node_id >= 0 && node_id <= kMaxNodeId);
  node_id_.store(node_id, std::memory_order_relaxed);
}

Timestamp MessageIdGenerator::timestamp_of(MessageId id) {
  const std::int64_t millis = id >> (kNodeIdBits + kSequenceBits);
  return Timestamp(std::chrono::milliseconds(millis + kEpochMs));
}

}  // namespace parley
