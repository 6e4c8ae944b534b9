#pragma once

#include "db/accounts.hpp"
#include "db/connection.hpp"
#include "db/messages.hpp"
#include "db/rooms.hpp"

// Column lists and row readers shared by the repositories. Each kColumns
// string and its reader list the columns in the same order.
namespace parley::db::rows {

inline constexpr const char* kAccountColumns =
    "a.id, a.username, a.email, a.password_hash, a.created_at, a.updated_at";

inline AccountRow account(const Rows& rows, int row) {
  return {rows.int64(row, 0),  rows.string(row, 1),    rows.string(row, 2),
          rows.string(row, 3), rows.timestamp(row, 4), rows.timestamp(row, 5)};
}

// Rooms are read joined with their owner as `o`.
inline constexpr const char* kRoomColumns =
    "r.id, r.name, r.owner_id, o.username, r.description, r.created_at, r.updated_at";

inline RoomRow room(const Rows& rows, int row) {
  return {rows.int64(row, 0),    rows.string(row, 1),          rows.int64(row, 2),
          rows.string(row, 3),   rows.optional_string(row, 4), rows.timestamp(row, 5),
          rows.timestamp(row, 6)};
}

inline constexpr const char* kMessageColumns =
    "m.id, m.room_id, m.sender_id, m.message, m.\"timestamp\", m.client_message_id";

inline MessageRow message(const Rows& rows, int row) {
  return {rows.int64(row, 0),  rows.int64(row, 1),     rows.int64(row, 2),
          rows.string(row, 3), rows.timestamp(row, 4), rows.optional_string(row, 5)};
}

template <typename Row, typename Read>
std::vector<Row> all(const Rows& rows, Read read) {
  std::vector<Row> items;
  items.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) items.push_back(read(rows, i));
  return items;
}

}  // namespace parley::db::rows
