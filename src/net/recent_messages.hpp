#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/types.hpp"
#include "net/subscription_registry.hpp"

namespace parley::net {

// The recent messages of each room as this I/O thread received them from
// Kafka, in partition order, so that a client resuming with afterMessageId
// gets the messages it missed even before the history writer stored them.
// Each room keeps at most `max_messages` entries, none older than
// `max_age`. Thread safety: none; one I/O thread owns it, like the
// registry.
class RecentMessages {
 public:
  struct Entry {
    MessageId id;
    Timestamp timestamp;
    SharedFrame frame;
  };

  RecentMessages(std::size_t max_messages, std::chrono::milliseconds max_age)
      : max_messages_(max_messages), max_age_(max_age) {}

  void append(RoomId room, MessageId id, Timestamp timestamp, SharedFrame frame);
  void erase_room(RoomId room) { rooms_.erase(room); }

  // Returns the entries of `room` that follow the message `after` in
  // partition order, when the window still contains that message. Returns
  // nullopt when it does not, so the caller must also read PostgreSQL.
  std::optional<std::vector<const Entry*>> after(RoomId room, MessageId after) const;
  // Returns every entry of `room`, oldest first.
  std::vector<const Entry*> all(RoomId room) const;
  // Returns the entries of `room` whose ids are not among `stored`, oldest
  // first. A replay pushes them after `stored`, the messages it read from
  // PostgreSQL because the window does not contain `after`. When
  // `stored_in_kafka_order` is false, PostgreSQL has no position of `after`
  // either, so this node may not have received it yet, and only entries
  // with a greater id are returned.
  std::vector<const Entry*> not_stored(RoomId room, MessageId after,
                                       const std::vector<MessageId>& stored,
                                       bool stored_in_kafka_order) const;

 private:
  std::size_t max_messages_;
  std::chrono::milliseconds max_age_;
  std::unordered_map<RoomId, std::deque<Entry>> rooms_;
};

}  // namespace parley::net
