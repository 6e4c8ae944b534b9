#pragma once

#include <chrono>
#include <string>

#include "common/types.hpp"
#include "db/accounts.hpp"
#include "db/connection.hpp"
#include "db/rooms.hpp"

// Row builders shared by the repository tests.
namespace parley::db::testing {

// 2025-01-01 00:00:00 UTC plus `offset`.
inline Timestamp test_time(std::chrono::milliseconds offset = {}) {
  return Timestamp{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}} + offset;
}

// Creates an account named `username` with e-mail <username>@example.com.
// Fails the test when the name is taken.
inline AccountRow make_account(Connection& connection, const std::string& username,
                               Timestamp now = test_time()) {
  auto row = accounts::create(connection, username, username + "@example.com", "hash", now);
  if (!row) throw std::runtime_error("test account " + username + " already exists");
  return *row;
}

inline RoomRow make_room(Connection& connection, const std::string& name, AccountId owner,
                         std::optional<std::string> description = std::nullopt,
                         Timestamp now = test_time()) {
  auto row = rooms::create(connection, name, description, owner, now);
  if (!row) throw std::runtime_error("test room " + name + " already exists");
  return *row;
}

}  // namespace parley::db::testing
