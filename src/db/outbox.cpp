#include "db/outbox.hpp"

#include "db/advisory_locks.hpp"
#include "db/sql_text.hpp"

namespace parley::db::outbox {

void append(Connection& connection, RoomId room, std::string_view data) {
  // Without the lock, one transaction could take id 5 and another id 6 and
  // commit first. A relay that published 6 and saved it as its position
  // would then never read 5.
  connection.exec("SELECT pg_advisory_xact_lock($1::bigint)",
                  {sql::to_param(kOutboxAppendLockKey)});
  connection.exec("INSERT INTO outbox_room_events (room_id, data) VALUES ($1::bigint, $2::bytea)",
                  {sql::to_param(room), bytea_literal(data)});
}

std::vector<OutboxRow> after_position(Connection& connection, std::size_t max_rows) {
  Rows rows = connection.exec(
      "SELECT e.id, e.room_id, e.data FROM outbox_room_events e "
      "WHERE e.id > COALESCE((SELECT position FROM outbox_position WHERE id = 1), 0) "
      "ORDER BY e.id LIMIT $1::bigint",
      {std::to_string(max_rows)});
  std::vector<OutboxRow> events;
  events.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    events.push_back({rows.int64(i, 0), rows.int64(i, 1), rows.bytea(i, 2)});
  }
  return events;
}

std::int64_t position(Connection& connection) {
  Rows rows = connection.exec("SELECT position FROM outbox_position WHERE id = 1");
  return rows.empty() ? 0 : rows.int64(0, 0);
}

void save_position(Connection& connection, std::int64_t id) {
  connection.exec(
      "INSERT INTO outbox_position AS p (id, position) VALUES (1, $1::bigint) "
      "ON CONFLICT (id) DO UPDATE SET position = GREATEST(p.position, EXCLUDED.position)",
      {sql::to_param(id)});
}

}  // namespace parley::db::outbox
