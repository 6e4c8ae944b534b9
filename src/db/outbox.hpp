#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.hpp"
#include "db/connection.hpp"

namespace parley::db {

// Channel of the NOTIFY that a trigger sends, with the row id as payload,
// for every row inserted into outbox_room_events. The notification arrives
// when the inserting transaction commits.
inline constexpr std::string_view kOutboxChannel = "parley_outbox";

namespace outbox {

// One room event waiting to be published: `data` is the encoded event.
struct OutboxRow {
  std::int64_t id = 0;
  RoomId room_id = 0;
  std::string data;
};

// Appends one event row inside the caller's open transaction. Takes the
// transaction advisory lock kOutboxAppendLockKey first and keeps it until
// commit, so appends are serialised and a reader never sees an id while a
// smaller one is still uncommitted. That makes after_position() safe to
// resume from the last published id. Call it as the last statement before
// commit to keep the lock short. The repositories in rooms.hpp call it.
void append(Connection& connection, RoomId room, std::string_view data);

// Returns up to `max_rows` rows with an id greater than the saved position,
// ordered by id.
std::vector<OutboxRow> after_position(Connection& connection, std::size_t max_rows);

// Returns the saved position: the id of the last published row, 0 at first.
std::int64_t position(Connection& connection);

// Saves `id` as the position. Never moves the position back, so a relay
// that lost its lock and saves late does not make others publish again.
void save_position(Connection& connection, std::int64_t id);

}  // namespace outbox
}  // namespace parley::db
