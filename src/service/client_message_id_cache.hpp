#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/types.hpp"
#include "db/client_messages.hpp"
#include "db/connection.hpp"

namespace parley::service {

// The (account, clientMessageId) pairs this node handled lately, in front of
// the PostgreSQL table client_message_ids, so that a retry on this node gets
// the first message's id without a query, also while PostgreSQL is down.
//
// An entry is either confirmed (PostgreSQL has the same pair) or pending
// (remembered while PostgreSQL was unavailable). write_back() copies the
// pending entries to PostgreSQL once it is reachable again, so that a retry
// on another node finds them there.
//
// At most `capacity` entries, least recently used evicted first. Capacity 0
// disables the cache, and a retry then needs PostgreSQL. Thread-safe.
class ClientMessageIdCache {
 public:
  explicit ClientMessageIdCache(std::size_t capacity);

  // Returns the message the pair was first sent as, if cached.
  std::optional<db::client_messages::RememberedMessage> find(AccountId account,
                                                             const std::string& client_message_id);

  // Caches a pair that PostgreSQL stores with `message`.
  void store_confirmed(AccountId account, const std::string& client_message_id,
                       const db::client_messages::RememberedMessage& message);

  // Remembers a pair while PostgreSQL is unavailable, unless it is cached
  // already. Returns std::nullopt when this call remembered it, and the
  // first message otherwise (a retry).
  std::optional<db::client_messages::RememberedMessage> remember_pending(
      AccountId account, const std::string& client_message_id,
      const db::client_messages::RememberedMessage& message);

  // Records every pending pair in PostgreSQL and marks it confirmed. A pair
  // that another node recorded first with another message keeps that
  // message. Returns the number of pairs written. Throws db::DbError when
  // PostgreSQL fails, and the pairs not written yet stay pending.
  std::size_t write_back(db::Connection& database);

  std::size_t pending() const;
  std::size_t size() const;

 private:
  struct Key {
    AccountId account;
    std::string client_message_id;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Entry {
    db::client_messages::RememberedMessage message;
    bool pending = false;
    std::list<Key>::iterator position;
  };

  // Inserts or replaces an entry. Requires mutex_.
  void put(const Key& key, const db::client_messages::RememberedMessage& message, bool pending);
  void evict_oldest();

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  // Most recently used first.
  std::list<Key> order_;
  std::unordered_map<Key, Entry, KeyHash> entries_;
  std::size_t pending_ = 0;
  // Pending entries evicted before write_back() could store them.
  std::size_t lost_pending_ = 0;
};

}  // namespace parley::service
