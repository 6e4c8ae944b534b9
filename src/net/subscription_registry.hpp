#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/types.hpp"

namespace parley::net {

// One serialized WebSocket frame: a text frame (JSON) or a binary frame
// (SBE).
struct WireFrame {
  std::string bytes;
  bool binary = false;

  std::size_t size() const { return bytes.size(); }
};

// A push in both wire formats. Each message is encoded once per wire
// format, whatever the number of recipients, and each connection sends the
// one its encoding needs.
struct PushFrame {
  WireFrame json;  // binary == false
  WireFrame sbe;   // binary == true

  // Returns the frame of one wire format.
  const WireFrame& select(bool binary) const { return binary ? sbe : json; }
};

// A push shared by every connection it is delivered to.
using SharedFrame = std::shared_ptr<const PushFrame>;

// A connection that can hold one room subscription.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // The logged-in account, which room events match against.
  virtual std::optional<AccountId> subscriber_account() const = 0;
  // Queues a push frame.
  virtual void deliver(const SharedFrame& frame) = 0;
  // Tells the subscriber that its subscription to `room` ended because of a
  // room event (leave, remove, block, room deleted).
  virtual void on_evicted(RoomId room) = 0;
};

// Room subscriptions of the connections of one I/O thread.
//
// Thread safety: none, by design. Each I/O thread owns one registry and
// touches it only from that thread, so fan-out takes no lock. Cross-thread
// work (a Kafka record, a room event) is posted to every I/O thread.
class SubscriptionRegistry {
 public:
  // Subscribes `subscriber` to `room`, leaving its previous room if any.
  // Subscribing again to the same room changes nothing.
  void subscribe(Subscriber* subscriber, RoomId room);
  // Removes the subscription of `subscriber`; returns the room it had.
  std::optional<RoomId> unsubscribe(Subscriber* subscriber);
  std::optional<RoomId> room_of(const Subscriber* subscriber) const;

  // Delivers `frame` to every subscriber of `room`; returns how many.
  std::size_t deliver(RoomId room, const SharedFrame& frame);
  // Ends the subscriptions to `room` of every subscriber logged in as one of
  // `accounts`. Applying the same event twice changes nothing.
  std::size_t evict_accounts(RoomId room, std::span<const AccountId> accounts);
  // Ends every subscription to `room` (the room was deleted).
  std::size_t evict_room(RoomId room);

  std::size_t subscriber_count(RoomId room) const;
  std::size_t subscription_count() const { return room_of_.size(); }

 private:
  void remove_from_room(Subscriber* subscriber, RoomId room);

  std::unordered_map<RoomId, std::vector<Subscriber*>> subscribers_;
  std::unordered_map<const Subscriber*, RoomId> room_of_;
};

}  // namespace parley::net
