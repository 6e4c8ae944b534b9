#pragma once

#include <cstdint>

#include "db/connection.hpp"

namespace parley::db {

// Every PostgreSQL advisory lock key Parley uses, in one place so that no
// two uses collide. The keys start with the bytes of "parley".
inline constexpr std::int64_t kMigrationLockKey = 0x7061726c65790001;
// Serialises node-id allocation (db/node_id.hpp).
inline constexpr std::int64_t kNodeLeaseLockKey = 0x7061726c65790002;
// Held, as a transaction lock, by every transaction that appends to
// outbox_room_events, so outbox ids become visible in increasing order
// (db/outbox.hpp).
inline constexpr std::int64_t kOutboxAppendLockKey = 0x7061726c65790003;
// Held, as a session lock, by the one node that relays the outbox to Kafka.
inline constexpr std::int64_t kOutboxRelayLockKey = 0x7061726c65790004;

// Takes the session-level advisory lock `key` if it is free. Returns false
// when another session holds it. Throws DbError.
bool try_lock_session(Connection& connection, std::int64_t key);
// Takes the session-level advisory lock `key`, waiting for it (bounded only
// by the connection's statement_timeout). Throws DbError.
void lock_session(Connection& connection, std::int64_t key);
// Releases one hold of the session-level advisory lock `key`. Returns false
// when this session did not hold it. Throws DbError.
bool unlock_session(Connection& connection, std::int64_t key);

}  // namespace parley::db
