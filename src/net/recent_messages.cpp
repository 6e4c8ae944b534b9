#include "net/recent_messages.hpp"

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

}  // namespace parley::net
