#include "db/client_messages.hpp"

#include "db/sql_text.hpp"

namespace parley::db::client_messages {

std::optional<RememberedMessage> remember(Connection& connection, AccountId account,
                                          std::string_view client_message_id,
                                          const RememberedMessage& message) {
  // The insert records the pair unless a row for it exists. When another
  // transaction inserted that row but has not committed, the insert waits
  // for it. The select then reads the row that won. It finds none only when
  // forget_older_than() deleted the row in between, and then the next
  // attempt records the pair.
  for (int round = 0; round < 3; ++round) {
    Rows inserted = connection.exec(
        "INSERT INTO client_message_ids "
        "(account_id, client_message_id, message_id, room_id, \"timestamp\") "
        "VALUES ($1::bigint, $2::text, $3::bigint, $4::bigint, $5::timestamp(3)) "
        "ON CONFLICT (account_id, client_message_id) DO NOTHING",
        {sql::to_param(account), std::string(client_message_id), sql::to_param(message.message_id),
         sql::to_param(message.room_id), sql::to_param(message.timestamp)});
    if (inserted.affected_rows() == 1) return std::nullopt;

    Rows existing = connection.exec(
        "SELECT message_id, room_id, \"timestamp\" FROM client_message_ids "
        "WHERE account_id = $1::bigint AND client_message_id = $2::text",
        {sql::to_param(account), std::string(client_message_id)});
    if (!existing.empty()) {
      return RememberedMessage{existing.int64(0, 0), existing.int64(0, 1),
                               existing.timestamp(0, 2)};
    }
  }
  throw DbError("client message id was deleted repeatedly while being recorded", "", false);
}

std::size_t forget_older_than(Connection& connection, std::chrono::milliseconds age) {
  Rows rows = connection.exec(
      "DELETE FROM client_message_ids WHERE created_at < now() - $1::bigint * interval '1 ms'",
      {std::to_string(age.count())});
  return static_cast<std::size_t>(rows.affected_rows());
}

}  // namespace parley::db::client_messages
