#include "db/rooms.hpp"

#include <fmt/format.h>

#include "db/outbox.hpp"
#include "db/row_readers.hpp"
#include "db/sql_text.hpp"

namespace parley::db::rooms {
namespace {

std::optional<RoomRow> first_room(const Rows& rows) {
  if (rows.empty()) return std::nullopt;
  return rows::room(rows, 0);
}

std::optional<RoomRow> find_where(Connection& connection, const char* condition,
                                  std::string value) {
  const std::string statement =
      fmt::format("SELECT {} FROM rooms r JOIN accounts o ON o.id = r.owner_id WHERE {}",
                  rows::kRoomColumns, condition);
  return first_room(connection.exec(statement, {std::move(value)}));
}

bool exists_in(Connection& connection, const char* table, RoomId room, AccountId account) {
  const std::string statement = fmt::format(
      "SELECT EXISTS (SELECT 1 FROM {} WHERE room_id = $1::bigint AND account_id = $2::bigint)",
      table);
  return connection.exec(statement, {sql::to_param(room), sql::to_param(account)}).boolean(0, 0);
}

}  // namespace

std::optional<RoomRow> create(Connection& connection, std::string_view name,
                              const std::optional<std::string>& description, AccountId owner,
                              Timestamp now) {
  // One statement, so the room and the owner's membership are stored
  // together. A taken name inserts nothing and returns no row.
  static const std::string statement = fmt::format(
      "WITH r AS ("
      "  INSERT INTO rooms (name, owner_id, description, created_at, updated_at)"
      "  VALUES ($1::text, $2::bigint, $3::text, $4::timestamp(3), $4::timestamp(3))"
      "  ON CONFLICT (name) DO NOTHING RETURNING *), "
      "m AS (INSERT INTO room_members (room_id, account_id) SELECT id, owner_id FROM r) "
      "SELECT {} FROM r JOIN accounts o ON o.id = r.owner_id",
      rows::kRoomColumns);
  return first_room(connection.exec(
      statement, {std::string(name), sql::to_param(owner), description, sql::to_param(now)}));
}

std::optional<RoomRow> find_by_id(Connection& connection, RoomId id) {
  return find_where(connection, "r.id = $1::bigint", sql::to_param(id));
}

std::optional<RoomRow> find_by_name(Connection& connection, std::string_view name) {
  return find_where(connection, "r.name = $1::text", std::string(name));
}

bool is_member(Connection& connection, RoomId room, AccountId account) {
  return exists_in(connection, "room_members", room, account);
}

std::vector<bool> members_among(Connection& connection, std::span<const Membership> candidates) {
  // One pair, the common case on a lightly loaded node, takes the plain
  // statement: in the rooms benchmark it cost PostgreSQL less CPU than an
  // array statement.
  if (candidates.size() == 1) {
    return {is_member(connection, candidates.front().room, candidates.front().account)};
  }
  // The LATERAL subquery with LIMIT cannot be turned into a join, so each
  // pair costs one probe of the primary key of room_members, whatever the
  // planner guesses about the size of the arrays.
  static const char* statement =
      "SELECT c.position FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY "
      "  AS c(room_id, account_id, position) "
      "CROSS JOIN LATERAL (SELECT 1 FROM room_members m "
      "  WHERE m.room_id = c.room_id AND m.account_id = c.account_id LIMIT 1) AS found";
  std::vector<std::int64_t> rooms;
  std::vector<std::int64_t> accounts;
  rooms.reserve(candidates.size());
  accounts.reserve(candidates.size());
  for (const Membership& candidate : candidates) {
    rooms.push_back(candidate.room);
    accounts.push_back(candidate.account);
  }
  Rows rows = connection.exec(statement, {sql::int64_array(rooms), sql::int64_array(accounts)});
  std::vector<bool> members(candidates.size(), false);
  for (int row = 0; row < rows.size(); ++row) {
    // WITH ORDINALITY counts from 1.
    members.at(static_cast<std::size_t>(rows.int64(row, 0) - 1)) = true;
  }
  return members;
}

bool is_blocked(Connection& connection, RoomId room, AccountId account) {
  return exists_in(connection, "blocked_members", room, account);
}

RoomAccess access(Connection& connection, RoomId room, AccountId account) {
  static const char* statement =
      "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1::bigint), "
      "EXISTS (SELECT 1 FROM blocked_members WHERE room_id = $1::bigint AND account_id = "
      "$2::bigint), "
      "EXISTS (SELECT 1 FROM room_members WHERE room_id = $1::bigint AND account_id = $2::bigint)";
  Rows rows = connection.exec(statement, {sql::to_param(room), sql::to_param(account)});
  return RoomAccess{rows.boolean(0, 0), rows.boolean(0, 1), rows.boolean(0, 2)};
}

AddMemberOutcome add_member(Connection& connection, RoomId room, AccountId account) {
  // The EXISTS test turns a missing room into "no row inserted". A room
  // deleted between that test and the insert fails the foreign key instead.
  static const char* statement =
      "WITH inserted AS ("
      "  INSERT INTO room_members (room_id, account_id)"
      "  SELECT $1::bigint, $2::bigint WHERE EXISTS (SELECT 1 FROM rooms WHERE id = $1::bigint)"
      "  ON CONFLICT DO NOTHING RETURNING 1) "
      "SELECT EXISTS (SELECT 1 FROM inserted),"
      "       EXISTS (SELECT 1 FROM rooms WHERE id = $1::bigint)";
  try {
    Rows rows = connection.exec(statement, {sql::to_param(room), sql::to_param(account)});
    if (rows.boolean(0, 0)) return AddMemberOutcome::kAdded;
    return rows.boolean(0, 1) ? AddMemberOutcome::kAlreadyMember : AddMemberOutcome::kRoomNotFound;
  } catch (const DbError& error) {
    if (error.sqlstate() != kForeignKeyViolation || find_by_id(connection, room)) throw;
    return AddMemberOutcome::kRoomNotFound;
  }
}

std::optional<RoomRow> update_description(Connection& connection, RoomId room,
                                          std::string_view description, Timestamp now) {
  static const std::string statement = fmt::format(
      "WITH r AS (UPDATE rooms SET description = $2::text, updated_at = $3::timestamp(3)"
      "  WHERE id = $1::bigint RETURNING *) "
      "SELECT {} FROM r JOIN accounts o ON o.id = r.owner_id",
      rows::kRoomColumns);
  return first_room(connection.exec(
      statement, {sql::to_param(room), std::string(description), sql::to_param(now)}));
}

bool leave(Connection& connection, RoomId room, AccountId account, std::string_view event) {
  Transaction transaction(connection);
  Rows deleted = connection.exec(
      "DELETE FROM room_members WHERE room_id = $1::bigint AND account_id = $2::bigint",
      {sql::to_param(room), sql::to_param(account)});
  if (deleted.affected_rows() == 0) return false;
  outbox::append(connection, room, event);
  transaction.commit();
  return true;
}

bool delete_room(Connection& connection, RoomId room, std::string_view event) {
  Transaction transaction(connection);
  // Memberships, blocks and messages go with the room (ON DELETE CASCADE).
  Rows deleted = connection.exec("DELETE FROM rooms WHERE id = $1::bigint", {sql::to_param(room)});
  if (deleted.affected_rows() == 0) return false;
  outbox::append(connection, room, event);
  transaction.commit();
  return true;
}

std::size_t remove_members(Connection& connection, RoomId room,
                           const std::vector<AccountId>& members, std::string_view event) {
  Transaction transaction(connection);
  Rows deleted = connection.exec(
      "DELETE FROM room_members WHERE room_id = $1::bigint AND account_id = ANY($2::bigint[])",
      {sql::to_param(room), sql::int64_array(members)});
  outbox::append(connection, room, event);
  transaction.commit();
  return static_cast<std::size_t>(deleted.affected_rows());
}

void block_members(Connection& connection, RoomId room, const std::vector<AccountId>& members,
                   std::string_view event) {
  const std::string ids = sql::int64_array(members);
  Transaction transaction(connection);
  connection.exec(
      "DELETE FROM room_members WHERE room_id = $1::bigint AND account_id = ANY($2::bigint[])",
      {sql::to_param(room), ids});
  connection.exec(
      "INSERT INTO blocked_members (room_id, account_id) "
      "SELECT DISTINCT $1::bigint, id FROM unnest($2::bigint[]) AS id ON CONFLICT DO NOTHING",
      {sql::to_param(room), ids});
  outbox::append(connection, room, event);
  transaction.commit();
}

std::size_t unblock_members(Connection& connection, RoomId room,
                            const std::vector<AccountId>& members) {
  Rows deleted = connection.exec(
      "DELETE FROM blocked_members WHERE room_id = $1::bigint AND account_id = ANY($2::bigint[])",
      {sql::to_param(room), sql::int64_array(members)});
  return static_cast<std::size_t>(deleted.affected_rows());
}

}  // namespace parley::db::rooms
