#include "service/client_message_id_cache.hpp"

#include <functional>
#include <utility>
#include <vector>

#include "common/logging.hpp"

namespace parley::service {

using db::client_messages::RememberedMessage;

std::size_t ClientMessageIdCache::KeyHash::operator()(const Key& key) const {
  return std::hash<std::string>{}(key.client_message_id) ^
         (static_cast<std::size_t>(key.account) * 0x9E3779B97F4A7C15ULL);
}

ClientMessageIdCache::ClientMessageIdCache(std::size_t capacity) : capacity_(capacity) {}

std::optional<RememberedMessage> ClientMessageIdCache::find(AccountId account,
                                                            const std::string& client_message_id) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find({account, client_message_id});
  if (found == entries_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, found->second.position);
  return found->second.message;
}

void ClientMessageIdCache::store_confirmed(AccountId account, const std::string& client_message_id,
                                           const RememberedMessage& message) {
  std::lock_guard lock(mutex_);
  put({account, client_message_id}, message, false);
}

std::optional<RememberedMessage> ClientMessageIdCache::remember_pending(
    AccountId account, const std::string& client_message_id, const RememberedMessage& message) {
  std::lock_guard lock(mutex_);
  Key key{account, client_message_id};
  if (auto found = entries_.find(key); found != entries_.end()) {
    order_.splice(order_.begin(), order_, found->second.position);
    return found->second.message;
  }
  if (capacity_ == 0) return std::nullopt;
  if (pending_ == 0) {
    logger("service")->warn(
        "PostgreSQL unavailable: keeping clientMessageIds in memory until it returns");
  }
  put(key, message, true);
  return std::nullopt;
}

void ClientMessageIdCache::put(const Key& key, const RememberedMessage& message, bool pending) {
  if (capacity_ == 0) return;
  if (auto found = entries_.find(key); found != entries_.end()) {
    if (found->second.pending) --pending_;
    found->second.message = message;
    found->second.pending = pending;
    if (pending) ++pending_;
    order_.splice(order_.begin(), order_, found->second.position);
    return;
  }
  if (entries_.size() >= capacity_) evict_oldest();
  order_.push_front(key);
  entries_.emplace(key, Entry{message, pending, order_.begin()});
  if (pending) ++pending_;
}

void ClientMessageIdCache::evict_oldest() {
  auto oldest = entries_.find(order_.back());
  if (oldest->second.pending) {
    --pending_;
    // Logged once per 1000, because a long outage under load evicts many.
    if (lost_pending_++ % 1000 == 0) {
      logger("service")->warn(
          "clientMessageId cache full: {} pairs remembered during the PostgreSQL outage were "
          "evicted before they were stored; a retry of one of them creates a second message",
          lost_pending_);
    }
  }
  entries_.erase(oldest);
  order_.pop_back();
}

std::size_t ClientMessageIdCache::write_back(db::Connection& database) {
  std::vector<std::pair<Key, RememberedMessage>> to_write;
  {
    std::lock_guard lock(mutex_);
    if (pending_ == 0) return 0;
    for (const auto& [key, entry] : entries_) {
      if (entry.pending) to_write.emplace_back(key, entry.message);
    }
  }
  auto log = logger("service");
  std::size_t written = 0;
  for (const auto& [key, message] : to_write) {
    auto first =
        db::client_messages::remember(database, key.account, key.client_message_id, message);
    if (first && first->message_id != message.message_id) {
      // Both this node and another one accepted the pair while PostgreSQL
      // was down, so the room has two messages for one clientMessageId.
      log->warn(
          "clientMessageId of account {} was sent as message {} here and as message {} "
          "on another node during the PostgreSQL outage; later retries get {}",
          key.account, message.message_id, first->message_id, first->message_id);
    }
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(key); found != entries_.end() && found->second.pending) {
      found->second.pending = false;
      found->second.message = first.value_or(message);
      --pending_;
    }
    ++written;
  }
  log->info("stored {} clientMessageIds remembered during the PostgreSQL outage", written);
  return written;
}

std::size_t ClientMessageIdCache::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

std::size_t ClientMessageIdCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace parley::service
