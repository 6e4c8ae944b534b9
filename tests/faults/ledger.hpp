#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace parley::faults {

// A message as one subscriber received it.
struct Received {
  MessageId id = 0;
  std::string text;
};

// Everything one subscriber received from one room, in arrival order.
struct Reception {
  std::string subscriber;
  RoomId room = 0;
  std::vector<Received> messages;
};

// Outcome of a check: counts per kind of violation, and one line per
// violation (the first few of each kind) for the failure message.
struct CheckReport {
  std::size_t lost = 0;
  std::size_t duplicated = 0;
  std::size_t unexpected = 0;
  std::size_t out_of_order = 0;
  std::vector<std::string> problems;

  bool ok() const { return lost == 0 && duplicated == 0 && unexpected == 0 && out_of_order == 0; }
  // One line with the counts, then the problem lines.
  std::string summary() const;
  void merge(const CheckReport& other);
};

// The sends of a fault test: which messages the server acknowledged, and
// which sends ended without an acknowledgement (those may or may not have
// been delivered). Texts must be unique within a room. Thread-safe.
class Ledger {
 public:
  void record_acknowledged(RoomId room, MessageId id, const std::string& text);
  void record_unacknowledged(RoomId room, const std::string& text);

  std::size_t acknowledged_count() const;
  std::size_t acknowledged_count(RoomId room) const;
  std::size_t unacknowledged_count() const;
  std::set<RoomId> rooms() const;

  // Checks one subscriber that subscribed before the first send to its
  // room: it received every acknowledged message of the room, each once,
  // and nothing else except, at most once each, sends that were not
  // acknowledged.
  CheckReport check_reception(const Reception& reception) const;

  // Checks that the subscribers of one room received the acknowledged
  // messages in the same order: the room order of Kafka.
  CheckReport check_same_order(const std::vector<const Reception*>& receptions) const;

  // Checks the rows of the room's history, (id, text) pairs: every
  // acknowledged message is stored once with its id, and no text is
  // stored twice.
  CheckReport check_history(RoomId room, const std::vector<Received>& rows) const;

  // Returns whether `reception` contains every acknowledged id of its room.
  bool is_complete(const Reception& reception) const;

 private:
  mutable std::mutex mutex_;
  // Acknowledged messages by room, id to text.
  std::map<RoomId, std::map<MessageId, std::string>> acknowledged_;
  // Texts of unacknowledged sends by room.
  std::map<RoomId, std::set<std::string>> unacknowledged_;
};

}  // namespace parley::faults
