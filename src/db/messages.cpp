#include "db/messages.hpp"

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
    "INSERT INTO messages (id, room_id, sender_id, message, \"timestamp\", client_message_id) "
    "SELECT b.id, b.room_id, b.sender_id, b.message, b.sent_at, b.client_message_id "
    "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamp(3)[], "
    "            $6::text[]) AS b(id, room_id, sender_id, message, sent_at, client_message_id) "
    "WHERE EXISTS (SELECT 1 FROM rooms r WHERE r.id = b.room_id) "
    "  AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = b.sender_id) "
    "ON CONFLICT (id) DO NOTHING";

constexpr int kInsertAttempts = 3;

bool is_storable(const MessageRow& row) {
  if (!sql::is_storable_text(row.message)) return false;
  return !row.client_message_id || sql::is_storable_text(*row.client_message_id);
}

Params insert_params(const std::vector<MessageRow>& rows) {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> room_ids;
  std::vector<std::int64_t> sender_ids;
  std::vector<std::optional<std::string>> texts;
  std::vector<std::optional<std::string>> timestamps;
  std::vector<std::optional<std::string>> client_message_ids;
  for (const MessageRow& row : rows) {
    ids.push_back(row.id);
    room_ids.push_back(row.room_id);
    sender_ids.push_back(row.sender_id);
    texts.emplace_back(row.message);
    timestamps.emplace_back(format_timestamp(row.timestamp));
    client_message_ids.push_back(row.client_message_id);
  }
  return {sql::int64_array(ids),  sql::int64_array(room_ids),  sql::int64_array(sender_ids),
          sql::text_array(texts), sql::text_array(timestamps), sql::text_array(client_message_ids)};
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

std::size_t insert_batch(Connection& connection, const std::vector<MessageRow>& rows) {
  std::vector<MessageRow> storable;
  storable.reserve(rows.size());
  for (const MessageRow& row : rows) {
    if (is_storable(row)) {
      storable.push_back(row);
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

std::vector<MessageRow> after(Connection& connection, RoomId room, MessageId after_id,
                              std::size_t max_rows) {
  static const std::string statement = fmt::format(
      "SELECT {} FROM messages m WHERE m.room_id = $1::bigint AND m.id > $2::bigint "
      "ORDER BY m.id LIMIT $3::bigint",
      rows::kMessageColumns);
  return rows::all<MessageRow>(
      connection.exec(statement,
                      {sql::to_param(room), sql::to_param(after_id), std::to_string(max_rows)}),
      rows::message);
}

}  // namespace parley::db::messages
