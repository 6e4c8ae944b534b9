#include "net/recent_messages.hpp"

#include <unordered_set>

namespace parley::net {

void RecentMessages::append(RoomId room, MessageId id, Timestamp timestamp, SharedFrame frame) {
  if (max_messages_ == 0) return;
  auto& entries = rooms_[room];
  entries.push_back({id, timestamp, std::move(frame)});
  while (entries.size() > max_messages_ ||
         (!entries.empty() && timestamp - entries.front().timestamp > max_age_)) {
    entries.pop_front();
  }
}

std::optional<std::vector<const RecentMessages::Entry*>> RecentMessages::after(
    RoomId room, MessageId after) const {
  auto found = rooms_.find(room);
  if (found == rooms_.end()) return std::nullopt;
  const auto& entries = found->second;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].id != after) continue;
    std::vector<const Entry*> following;
    for (std::size_t j = i + 1; j < entries.size(); ++j) following.push_back(&entries[j]);
    return following;
  }
  return std::nullopt;
}

std::vector<const RecentMessages::Entry*> RecentMessages::all(RoomId room) const {
  std::vector<const Entry*> entries;
  auto found = rooms_.find(room);
  if (found == rooms_.end()) return entries;
  for (const Entry& entry : found->second) entries.push_back(&entry);
  return entries;
}

std::vector<const RecentMessages::Entry*> RecentMessages::not_stored(
    RoomId room, MessageId after, const std::vector<MessageId>& stored,
    bool stored_in_kafka_order) const {
  const std::unordered_set<MessageId> stored_ids(stored.begin(), stored.end());
  std::vector<const Entry*> entries;
  for (const Entry* entry : all(room)) {
    if (stored_ids.contains(entry->id)) continue;
    // Without a position, ids are the only hint of the order. They are
    // time-ordered, so an entry with a smaller id most likely precedes
    // `after`, which is then newer than the whole window.
    if (!stored_in_kafka_order && entry->id <= after) continue;
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace parley::net
