#pragma once

#include <chrono>
#include <cstdint>

namespace parley {

// Database identity of an account (accounts.id).
using AccountId = std::int64_t;
// Database identity of a room (rooms.id).
using RoomId = std::int64_t;
// Cluster-wide message id from MessageIdGenerator: unique and ordered by time.
using MessageId = std::int64_t;

// A UTC instant with millisecond precision, the precision of every
// timestamp Parley stores or sends.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// Returns the current UTC time truncated to milliseconds.
inline Timestamp now_utc() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace parley
