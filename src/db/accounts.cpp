#include "db/accounts.hpp"

#include <unordered_set>

#include <fmt/format.h>

#include "db/row_readers.hpp"
#include "db/sql_text.hpp"

namespace parley::db::accounts {
namespace {

std::optional<AccountRow> first_account(const Rows& rows) {
  if (rows.empty()) return std::nullopt;
  return rows::account(rows, 0);
}

std::optional<AccountRow> find_where(Connection& connection, const char* condition,
                                     std::string value) {
  const std::string statement =
      fmt::format("SELECT {} FROM accounts a WHERE {}", rows::kAccountColumns, condition);
  return first_account(connection.exec(statement, {std::move(value)}));
}

}  // namespace

std::optional<AccountRow> create(Connection& connection, std::string_view username,
                                 std::string_view email, std::string_view password_hash,
                                 Timestamp now) {
  // ON CONFLICT DO NOTHING covers both unique constraints and leaves an
  // enclosing transaction usable, unlike a caught unique_violation.
  static const std::string statement = fmt::format(
      "INSERT INTO accounts AS a (username, email, password_hash, created_at, updated_at) "
      "VALUES ($1::text, $2::text, $3::text, $4::timestamp(3), $4::timestamp(3)) "
      "ON CONFLICT DO NOTHING RETURNING {}",
      rows::kAccountColumns);
  return first_account(connection.exec(
      statement,
      {std::string(username), std::string(email), std::string(password_hash), sql::to_param(now)}));
}

std::optional<AccountRow> find_by_id(Connection& connection, AccountId id) {
  return find_where(connection, "a.id = $1::bigint", sql::to_param(id));
}

std::optional<AccountRow> find_by_username(Connection& connection, std::string_view username) {
  return find_where(connection, "a.username = $1::text", std::string(username));
}

std::optional<AccountRow> find_by_email(Connection& connection, std::string_view email) {
  return find_where(connection, "a.email = $1::text", std::string(email));
}

UpdateResult update(Connection& connection, AccountId id, const AccountUpdate& update) {
  static const std::string statement = fmt::format(
      "UPDATE accounts AS a SET username = COALESCE($2::text, a.username), "
      "email = COALESCE($3::text, a.email), "
      "password_hash = COALESCE($4::text, a.password_hash), "
      "updated_at = $5::timestamp(3) "
      "WHERE a.id = $1::bigint RETURNING {}",
      rows::kAccountColumns);
  try {
    Rows rows = connection.exec(statement, {sql::to_param(id), update.username, update.email,
                                            update.password_hash, sql::to_param(update.now)});
    if (rows.empty()) return {UpdateOutcome::kNotFound, std::nullopt};
    return {UpdateOutcome::kUpdated, rows::account(rows, 0)};
  } catch (const DbError& error) {
    if (error.sqlstate() == kUniqueViolation) return {UpdateOutcome::kAlreadyExists, std::nullopt};
    throw;
  }
}

std::vector<AccountId> missing_ids(Connection& connection, const std::vector<AccountId>& ids) {
  if (ids.empty()) return {};
  Rows rows = connection.exec(
      "SELECT i.id FROM unnest($1::bigint[]) WITH ORDINALITY AS i(id, position) "
      "WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = i.id) ORDER BY i.position",
      {sql::int64_array(ids)});
  std::vector<AccountId> missing;
  std::unordered_set<AccountId> seen;
  for (int i = 0; i < rows.size(); ++i) {
    const AccountId id = rows.int64(i, 0);
    if (seen.insert(id).second) missing.push_back(id);
  }
  return missing;
}

}  // namespace parley::db::accounts
