#include "db/messages.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "db/row_readers.hpp"
#include "db/sql_text.hpp"

namespace parley::db::messages {
namespace {

const sql::SortColumns kMessageSortColumns = {
    {"id", "m.id"},           {"senderId", "m.sender_id"},      {"roomId", "m.room_id"},
    {"message", "m.message"}, {"timestamp", "m.\"timestamp\""},
};

// The EXISTS tests skip rows whose room or sender is gone. A room deleted
// after the test but before the insert fails the foreign key instead, and
// insert_batch() runs the statement again, when the test skips that row.
constexpr const char* kInsertStatement =
    "INSERT INTO messages (id, room_id, sender_id, message, \"timestamp\", client_message_id, "
    "                      kafka_partition, kafka_offset) "
    "SELECT b.id, b.room_id, b.sender_id, b.message, b.sent_at, b.client_message_id, "
    "       b.kafka_partition, b.kafka_offset "
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamp(3)[], "
    "            $6::text[], $7::integer[], $8::bigint[]) "
    "     AS b(id, room_id, sender_id, message, sent_at, client_message_id, kafka_partition, "
    "          kafka_offset) "
    "WHERE EXISTS (SELECT 1 FROM rooms r WHERE r.id = b.room_id) "
    "  AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = b.sender_id) "
    "ON CONFLICT (id) DO NOTHING";

constexpr int kInsertAttempts = 3;

bool is_storable(const MessageRow& row) {
  if (!sql::is_storable_text(row.message)) return false;
  return !row.client_message_id || sql::is_storable_text(*row.client_message_id);
}

// One stored row and its Kafka position, when it has one.
struct PositionedRow {
  const MessageRow* row;
  std::optional<KafkaPosition> position;
};

Params insert_params(const std::vector<PositionedRow>& batch) {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> room_ids;
  std::vector<std::int64_t> sender_ids;
  std::vector<std::optional<std::string>> texts;
  std::vector<std::optional<std::string>> timestamps;
  std::vector<std::optional<std::string>> client_message_ids;
  std::vector<std::optional<std::string>> partitions;
  std::vector<std::optional<std::string>> offsets;
  for (const auto& [row_pointer, position] : batch) {
    const MessageRow& row = *row_pointer;
    ids.push_back(row.id);
    room_ids.push_back(row.room_id);
    sender_ids.push_back(row.sender_id);
    texts.emplace_back(row.message);
    timestamps.emplace_back(format_timestamp(row.timestamp));
    client_message_ids.push_back(row.client_message_id);
    // NULL array elements are written as text, which PostgreSQL casts.
    partitions.push_back(position ? std::optional(std::to_string(position->partition))
                                  : std::nullopt);
    offsets.push_back(position ? std::optional(std::to_string(position->offset)) : std::nullopt);
  }
  return {sql::int64_array(ids),        sql::int64_array(room_ids),
          sql::int64_array(sender_ids), sql::text_array(texts),
          sql::text_array(timestamps),  sql::text_array(client_message_ids),
          sql::text_array(partitions),  sql::text_array(offsets)};
}

// Runs the insert, inside a savepoint when the caller has a transaction
// open, so a foreign-key failure can be retried without aborting it.
std::size_t run_insert(Connection& connection, const Params& params) {
  const bool nested = connection.in_transaction();
  for (int attempt = 1;; ++attempt) {
    if (nested) connection.exec("SAVEPOINT parley_insert_batch");
    try {
      Rows rows = connection.exec(kInsertStatement, params);
      if (nested) connection.exec("RELEASE SAVEPOINT parley_insert_batch");
      return static_cast<std::size_t>(rows.affected_rows());
    } catch (const DbError& error) {
      if (error.sqlstate() != kForeignKeyViolation || attempt == kInsertAttempts) throw;
      if (nested) connection.exec("ROLLBACK TO SAVEPOINT parley_insert_batch");
      logger("db")->info("message batch hit a deleted room or sender (attempt {}); retrying",
                         attempt);
    }
  }
}

}  // namespace

std::size_t insert_batch(Connection& connection, const std::vector<MessageRow>& rows,
                         const std::vector<KafkaPosition>& positions) {
  if (!positions.empty() && positions.size() != rows.size()) {
    throw std::invalid_argument(
        fmt::format("insert_batch got {} positions for {} rows, expected none or one per row",
                    positions.size(), rows.size()));
  }
  std::vector<PositionedRow> storable;
  storable.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const MessageRow& row = rows[i];
    if (is_storable(row)) {
      std::optional<KafkaPosition> position;
      if (!positions.empty()) position = positions[i];
      storable.push_back({&row, position});
      continue;
    }
    logger("db")->warn("skipping message {} of room {}: text contains a NUL byte or invalid UTF-8",
                       row.id, row.room_id);
  }
  if (storable.empty()) return 0;
  return run_insert(connection, insert_params(storable));
}

Page<MessageRow> list(Connection& connection, const MessageQuery& query) {
  const std::string order = sql::order_by(kMessageSortColumns, query.page, "m.id");

  std::string from_where = "FROM messages m WHERE m.room_id = $1::bigint";
  Params params{sql::to_param(query.room_id)};
  if (query.from) {
    params.push_back(sql::to_param(*query.from));
    from_where += fmt::format(" AND m.\"timestamp\" >= ${}::timestamp(3)", params.size());
  }
  if (query.to) {
    params.push_back(sql::to_param(*query.to));
    from_where += fmt::format(" AND m.\"timestamp\" <= ${}::timestamp(3)", params.size());
  }
  if (query.keyword) {
    // The column is COLLATE "C", whose lower() folds only ASCII letters, but
    // the ICU root collation folds all of Unicode.
    // NOTE: "und-x-icu" exists only when PostgreSQL was built with ICU (the
    // Debian and PGDG packages are).
    params.push_back(sql::like_substring(*query.keyword));
    from_where += fmt::format(
        " AND lower(m.message COLLATE \"und-x-icu\") LIKE lower(${}::text COLLATE \"und-x-icu\")"
        " ESCAPE '\\'",
        params.size());
  }

  // As in rooms_lists.cpp, the count and the page are two statements.
  Page<MessageRow> page;
  page.total_count = connection.exec("SELECT count(*) " + from_where, params).int64(0, 0);
  const std::string limit = sql::limit_offset(query.page, params);
  const std::string statement =
      fmt::format("SELECT {} {} {} {}", rows::kMessageColumns, from_where, order, limit);
  page.items = rows::all<MessageRow>(connection.exec(statement, params), rows::message);
  return page;
}

MessagesAfter after(Connection& connection, RoomId room, MessageId after_id, std::size_t max_rows) {
  const Params start_params{sql::to_param(room), sql::to_param(after_id)};
  Rows start = connection.exec(
      "SELECT kafka_partition, kafka_offset FROM messages "
      "WHERE room_id = $1::bigint AND id = $2::bigint",
      start_params);
  const bool positioned = start.size() == 1 && !start.is_null(0, 0) && !start.is_null(0, 1);

  MessagesAfter result;
  if (positioned) {
    // The row comparison is NULL, so false, for rows without a position.
    static const std::string statement = fmt::format(
        "SELECT {} FROM messages m WHERE m.room_id = $1::bigint "
        "AND (m.kafka_partition, m.kafka_offset) > ($2::integer, $3::bigint) "
        "ORDER BY m.kafka_partition, m.kafka_offset LIMIT $4::bigint",
        rows::kMessageColumns);
    // NOTE: a room moves to another partition only when the topic's
    // partition count changes. If it moved to a lower-numbered partition,
    // its messages there sort before `after_id` and are not replayed.
    result.order = AfterOrder::kafka_position;
    result.rows = rows::all<MessageRow>(
        connection.exec(statement, {sql::to_param(room), std::to_string(start.int32(0, 0)),
                                    sql::to_param(start.int64(0, 1)), std::to_string(max_rows)}),
        rows::message);
    return result;
  }

  static const std::string statement = fmt::format(
      "SELECT {} FROM messages m WHERE m.room_id = $1::bigint AND m.id > $2::bigint "
      "ORDER BY m.id LIMIT $3::bigint",
      rows::kMessageColumns);
  result.order = AfterOrder::id;
  result.rows = rows::all<MessageRow>(
      connection.exec(statement,
                      {sql::to_param(room), sql::to_param(after_id), std::to_string(max_rows)}),
      rows::message);
  return result;
}

}  // namespace parley::db::messages
