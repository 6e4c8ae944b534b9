#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.hpp"
#include "db/connection.hpp"

namespace parley::db {

// One row of table accounts. Usernames and e-mails compare exactly and
// case-sensitively (COLLATE "C").
struct AccountRow {
  AccountId id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  Timestamp created_at;
  Timestamp updated_at;
};

namespace accounts {

// Inserts an account with created_at = updated_at = `now`. Returns
// std::nullopt, and inserts nothing, when the username or the e-mail is
// already taken.
std::optional<AccountRow> create(Connection& connection, std::string_view username,
                                 std::string_view email, std::string_view password_hash,
                                 Timestamp now);

std::optional<AccountRow> find_by_id(Connection& connection, AccountId id);
std::optional<AccountRow> find_by_username(Connection& connection, std::string_view username);
std::optional<AccountRow> find_by_email(Connection& connection, std::string_view email);

// Fields to change. std::nullopt keeps the current value, and updated_at is
// set to `now` in every case.
struct AccountUpdate {
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::optional<std::string> password_hash;
  Timestamp now;
};

enum class UpdateOutcome { kUpdated, kNotFound, kAlreadyExists };

// `row` is the account after the update when the outcome is kUpdated.
struct UpdateResult {
  UpdateOutcome outcome;
  std::optional<AccountRow> row;
};

// Applies `update` to account `id`. kAlreadyExists: the new username or
// e-mail belongs to another account, and nothing changed. Setting a field to
// its current value is not a conflict.
// NOTE: kAlreadyExists is detected from a failed statement (SQLSTATE 23505),
// which aborts an enclosing transaction, so call this outside one.
UpdateResult update(Connection& connection, AccountId id, const AccountUpdate& update);

// Returns the ids among `ids` that name no account, each once, in the order
// of their first occurrence.
std::vector<AccountId> missing_ids(Connection& connection, const std::vector<AccountId>& ids);

}  // namespace accounts
}  // namespace parley::db
