#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "client/protocol_types.hpp"
#include "common/recent_ids.hpp"
#include "common/types.hpp"

namespace parley::client {

// Filters the pushes of one subscription so that the application receives each
// message once, across resubscriptions with afterMessageId. It drops pushes
// of another room (queued before the subscription moved) and pushes whose id
// it already passed on, and it remembers the id of the last message passed
// on, which is where a resubscription resumes. Not thread-safe.
//
// A message whose id is lower than the last one passed on is still new:
// ids of different nodes are ordered by their millisecond, not by the Kafka
// order in which the room's subscribers receive them. Duplicates are
// therefore recognised by id among the last `capacity` ids, not by
// comparing with the last id.
class ReplayFilter {
 public:
  // Matches the number of recent message ids for which a node drops a
  // repeated push.
  static constexpr std::size_t kDefaultCapacity = 65536;

  explicit ReplayFilter(std::size_t capacity = kDefaultCapacity);

  // Starts a subscription to `room`. `resume_after` is the id after which
  // the subscription starts, returned by last_id() until a message passes.
  // A push of that id itself is dropped as a duplicate.
  void reset(RoomId room, MessageId resume_after);
  // Forgets the subscription, so every push is dropped as another room's.
  void clear();

  // Returns true when `message` belongs to the room and was not passed on
  // before, and records it. A message without id passes unrecorded.
  bool accept(const MessageInfo& message);

  std::optional<RoomId> room() const { return room_; }
  // Id of the last message passed on, or the resume point of reset().
  MessageId last_id() const { return last_id_; }
  std::uint64_t duplicates_dropped() const { return duplicates_dropped_; }
  std::uint64_t other_room_dropped() const { return other_room_dropped_; }

 private:
  std::size_t capacity_;
  std::optional<RoomId> room_;
  MessageId last_id_ = 0;
  RecentIds seen_;
  std::uint64_t duplicates_dropped_ = 0;
  std::uint64_t other_room_dropped_ = 0;
};

}  // namespace parley::client
