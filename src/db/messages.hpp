#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/types.hpp"
#include "db/connection.hpp"
#include "db/paging.hpp"

namespace parley::db {

// One row of table messages. `id` and `timestamp` are assigned by the node
// that accepted the message, not by the database.
struct MessageRow {
  MessageId id = 0;
  RoomId room_id = 0;
  AccountId sender_id = 0;
  std::string message;
  Timestamp timestamp;
  std::optional<std::string> client_message_id;
};

namespace messages {

// Inserts `rows` in one statement, so all of them or none are stored.
// Idempotent by id: a row whose id exists is skipped. Also skipped, and not
// an error: rows whose room or sender no longer exists, and rows whose text
// PostgreSQL cannot store (a NUL byte or invalid UTF-8), which are logged.
// Returns the number of rows inserted.
std::size_t insert_batch(Connection& connection, const std::vector<MessageRow>& rows);

// Filter of list(). `from` and `to` are inclusive bounds on `timestamp`.
struct MessageQuery {
  RoomId room_id = 0;
  std::optional<std::string> keyword;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  PageQuery page;
};

// Messages of one room (listMessages). A keyword matches as a
// case-insensitive substring of the text, with both sides lower-cased by
// Unicode rules, and `%`, `_` and `\` in it match themselves. Sort fields:
// id, senderId, roomId, message, timestamp. The room filter can use the
// indexes on (room_id, id) and (room_id, timestamp).
Page<MessageRow> list(Connection& connection, const MessageQuery& query);

// Returns up to `max_rows` messages of `room` whose id is greater than
// `after_id`, oldest first.
std::vector<MessageRow> after(Connection& connection, RoomId room, MessageId after_id,
                              std::size_t max_rows);

}  // namespace messages
}  // namespace parley::db
