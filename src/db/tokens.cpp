#include "db/tokens.hpp"

#include "db/sql_text.hpp"

namespace parley::db::tokens {

// expires_at is timestamptz. The parameters are UTC wall-clock text, which
// AT TIME ZONE 'UTC' converts whatever the session time zone.

bool create(Connection& connection, std::string_view token_hash, AccountId account,
            Timestamp expires_at) {
  Rows rows = connection.exec(
      "INSERT INTO tokens (token_hash, account_id, expires_at) "
      "SELECT $1::bytea, $2::bigint, $3::timestamp(3) AT TIME ZONE 'UTC' "
      "WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $2::bigint) "
      "ON CONFLICT (token_hash) DO NOTHING",
      {bytea_literal(token_hash), sql::to_param(account), sql::to_param(expires_at)});
  return rows.affected_rows() == 1;
}

std::optional<AccountId> find_valid(Connection& connection, std::string_view token_hash,
                                    Timestamp now) {
  Rows rows = connection.exec(
      "SELECT account_id FROM tokens WHERE token_hash = $1::bytea AND NOT revoked "
      "AND expires_at > $2::timestamp(3) AT TIME ZONE 'UTC'",
      {bytea_literal(token_hash), sql::to_param(now)});
  if (rows.empty()) return std::nullopt;
  return rows.int64(0, 0);
}

bool revoke(Connection& connection, std::string_view token_hash) {
  Rows rows = connection.exec("UPDATE tokens SET revoked = true WHERE token_hash = $1::bytea",
                              {bytea_literal(token_hash)});
  return rows.affected_rows() == 1;
}

std::size_t delete_expired(Connection& connection, Timestamp cutoff) {
  Rows rows =
      connection.exec("DELETE FROM tokens WHERE expires_at < $1::timestamp(3) AT TIME ZONE 'UTC'",
                      {sql::to_param(cutoff)});
  return static_cast<std::size_t>(rows.affected_rows());
}

}  // namespace parley::db::tokens
