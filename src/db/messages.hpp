#pragma once

#include <cstddef>
#include <cstdint>
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

// The position of a message's record in the messages topic. All records of
// a room are on one partition, so offsets give the room's order.
struct KafkaPosition {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

namespace messages {

// Inserts `rows` in one statement, so all of them or none are stored.
// Idempotent by id: a row whose id exists is skipped. Also skipped, and not
// an error: rows whose room or sender no longer exists, and rows whose text
// PostgreSQL cannot store (a NUL byte or invalid UTF-8), which are logged.
// `positions` is either empty, for rows stored without a Kafka position, or
// has the position of each row at the same index. Any other size throws
// std::invalid_argument. Returns the number of rows inserted.
std::size_t insert_batch(Connection& connection, const std::vector<MessageRow>& rows,
                         const std::vector<KafkaPosition>& positions = {});

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

// The order of the rows that after() returns.
enum class AfterOrder {
  // The rows whose Kafka position follows that of the given message.
  kafka_position,
  // The rows whose id is greater than the given one, because its message
  // is stored without a position or not stored at all.
  id,
};

// The rows that after() returns, and their order.
struct MessagesAfter {
  std::vector<MessageRow> rows;
  AfterOrder order = AfterOrder::id;
};

// Reads up to `max_rows` messages of `room` that follow message `after_id`,
// oldest first. When the row of `after_id` has a Kafka position, these are
// the rows with a greater position, in Kafka order, which is the room's
// order. Rows without a position are left out, because a history writer
// that predates positions stored them, normally before every row that has
// one. When the row of `after_id` has no position, the rows are those with
// a greater id, in id order, as before positions were stored.
//
// When `after_id` is not stored in `room`, the rows are also those with a
// greater id. The message is then usually still in Kafka only, and the
// history writer stores each partition in offset order, so every stored row
// precedes it in room order. Ids are time-ordered, so only rows from nodes
// whose clocks run ahead have a greater id, and these are replayed again.
// Returning no rows instead would replay nothing for an id that names no
// stored message, where the rows after it in time are the best guess.
MessagesAfter after(Connection& connection, RoomId room, MessageId after_id, std::size_t max_rows);

}  // namespace messages
}  // namespace parley::db
