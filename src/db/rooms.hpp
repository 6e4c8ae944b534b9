#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.hpp"
#include "db/accounts.hpp"
#include "db/connection.hpp"
#include "db/paging.hpp"

namespace parley::db {

// One row of table rooms with the owner's current username.
struct RoomRow {
  RoomId id = 0;
  std::string name;
  AccountId owner_id = 0;
  std::string owner_username;
  std::optional<std::string> description;
  Timestamp created_at;
  Timestamp updated_at;
};

namespace rooms {

// Inserts a room owned by `owner` and the owner's membership, in one
// statement. Returns std::nullopt, and inserts nothing, when the name is
// taken (exact, case-sensitive). Throws DbError (SQLSTATE 23503) when
// `owner` names no account.
std::optional<RoomRow> create(Connection& connection, std::string_view name,
                              const std::optional<std::string>& description, AccountId owner,
                              Timestamp now);

std::optional<RoomRow> find_by_id(Connection& connection, RoomId id);
std::optional<RoomRow> find_by_name(Connection& connection, std::string_view name);

bool is_member(Connection& connection, RoomId room, AccountId account);

// One account's membership in one room, as members_among() checks it.
struct Membership {
  RoomId room = 0;
  AccountId account = 0;
};
// Returns, for each entry of `candidates` and in the same order, whether
// the account is a member of the room. One statement checks them all.
std::vector<bool> members_among(Connection& connection, std::span<const Membership> candidates);
bool is_blocked(Connection& connection, RoomId room, AccountId account);

// A room's existence and one account's standing in it, read from one
// snapshot.
struct RoomAccess {
  bool room_exists = false;
  bool blocked = false;
  bool member = false;
};
// Reads RoomAccess in one statement, which costs one round trip where
// find_by_id(), is_blocked() and is_member() cost three.
RoomAccess access(Connection& connection, RoomId room, AccountId account);

enum class AddMemberOutcome { kAdded, kAlreadyMember, kRoomNotFound };

// Adds `account` to the room's members. Idempotent: kAlreadyMember when the
// membership exists. kRoomNotFound when the room does not exist (or was
// deleted concurrently). Blocks are not checked here. Throws DbError
// (SQLSTATE 23503) when `account` names no account.
AddMemberOutcome add_member(Connection& connection, RoomId room, AccountId account);

// Sets the description and updated_at = `now`. Returns the room after the
// change, or std::nullopt when the room does not exist.
std::optional<RoomRow> update_description(Connection& connection, RoomId room,
                                          std::string_view description, Timestamp now);

// leave(), delete_room(), remove_members() and block_members() change
// memberships and append `event` (the encoded room event, stored as bytes)
// as one outbox_room_events row for the room, in one transaction. They open
// that transaction themselves, so the caller must not have one open.

// Deletes the membership of `account`. Returns false, and appends no event,
// when it was not a member.
bool leave(Connection& connection, RoomId room, AccountId account, std::string_view event);

// Deletes the room with its memberships, blocks and messages (the owner
// left). Returns false, and appends no event, when the room did not exist.
// NOTE: the messages are deleted in the same transaction, so the time this
// takes grows with the room's history.
bool delete_room(Connection& connection, RoomId room, std::string_view event);

// Deletes the memberships of `members`, ignoring ids that are not members.
// Appends the event in every case. Returns the number of memberships
// deleted.
std::size_t remove_members(Connection& connection, RoomId room,
                           const std::vector<AccountId>& members, std::string_view event);

// Deletes the memberships of `members` and blocks them. Blocking an account
// twice is a no-op. Appends the event in every case. Throws DbError
// (SQLSTATE 23503) when the room or one of the accounts does not exist, and
// then nothing changed.
void block_members(Connection& connection, RoomId room, const std::vector<AccountId>& members,
                   std::string_view event);

// Deletes the blocks of `members`, ignoring ids that are not blocked.
// Memberships are not restored. Returns the number of blocks deleted.
std::size_t unblock_members(Connection& connection, RoomId room,
                            const std::vector<AccountId>& members);

// Rooms that `account` is a member of (getRooms). Sort fields: id, name,
// owner (the owner's id), description, createdAt, updatedAt.
Page<RoomRow> rooms_of_member(Connection& connection, AccountId account, const PageQuery& page);

// All rooms (listRooms). With a keyword, a room matches when its name or
// description contains the keyword as a case-sensitive substring. `%`, `_`
// and `\` in the keyword match themselves, and an empty keyword matches
// every room. Sort fields as for rooms_of_member().
Page<RoomRow> list(Connection& connection, const std::optional<std::string>& keyword,
                   const PageQuery& page);

// Members (getRoomMembers) and blocked accounts (getBlockedMembers) of a
// room. Sort fields: id, username, email, createdAt, updatedAt.
Page<AccountRow> members(Connection& connection, RoomId room, const PageQuery& page);
Page<AccountRow> blocked(Connection& connection, RoomId room, const PageQuery& page);

}  // namespace rooms
}  // namespace parley::db
