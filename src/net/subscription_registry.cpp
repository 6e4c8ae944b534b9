#include "net/subscription_registry.hpp"

#include <algorithm>

namespace parley::net {

void SubscriptionRegistry::subscribe(Subscriber* subscriber, RoomId room) {
  auto existing = room_of_.find(subscriber);
  if (existing != room_of_.end()) {
    if (existing->second == room) return;
    remove_from_room(subscriber, existing->second);
    existing->second = room;
  } else {
    room_of_.emplace(subscriber, room);
  }
  subscribers_[room].push_back(subscriber);
}

std::optional<RoomId> SubscriptionRegistry::unsubscribe(Subscriber* subscriber) {
  auto existing = room_of_.find(subscriber);
  if (existing == room_of_.end()) return std::nullopt;
  RoomId room = existing->second;
  room_of_.erase(existing);
  remove_from_room(subscriber, room);
  return room;
}

std::optional<RoomId> SubscriptionRegistry::room_of(const Subscriber* subscriber) const {
  auto existing = room_of_.find(subscriber);
  if (existing == room_of_.end()) return std::nullopt;
  return existing->second;
}

std::size_t SubscriptionRegistry::deliver(RoomId room, const SharedFrame& frame) {
  auto found = subscribers_.find(room);
  if (found == subscribers_.end()) return 0;
  // deliver() may close a slow subscriber, which unsubscribes it and
  // mutates this vector, so iterate over a copy.
  std::vector<Subscriber*> recipients = found->second;
  for (Subscriber* subscriber : recipients) {
    subscriber->deliver(frame);
  }
  return recipients.size();
}

std::size_t SubscriptionRegistry::evict_accounts(RoomId room, std::span<const AccountId> accounts) {
  auto found = subscribers_.find(room);
  if (found == subscribers_.end()) return 0;
  std::vector<Subscriber*> evicted;
  for (Subscriber* subscriber : found->second) {
    auto account = subscriber->subscriber_account();
    if (account && std::find(accounts.begin(), accounts.end(), *account) != accounts.end()) {
      evicted.push_back(subscriber);
    }
  }
  for (Subscriber* subscriber : evicted) {
    unsubscribe(subscriber);
    subscriber->on_evicted(room);
  }
  return evicted.size();
}

std::size_t SubscriptionRegistry::evict_room(RoomId room) {
  auto found = subscribers_.find(room);
  if (found == subscribers_.end()) return 0;
  std::vector<Subscriber*> evicted = found->second;
  for (Subscriber* subscriber : evicted) {
    unsubscribe(subscriber);
    subscriber->on_evicted(room);
  }
  return evicted.size();
}

std::size_t SubscriptionRegistry::subscriber_count(RoomId room) const {
  auto found = subscribers_.find(room);
  return found == subscribers_.end() ? 0 : found->second.size();
}

void SubscriptionRegistry::remove_from_room(Subscriber* subscriber, RoomId room) {
  auto found = subscribers_.find(room);
  if (found == subscribers_.end()) return;
  auto& list = found->second;
  list.erase(std::remove(list.begin(), list.end(), subscriber), list.end());
  if (list.empty()) subscribers_.erase(found);
}

}  // namespace parley::net
