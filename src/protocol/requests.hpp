#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/error.hpp"
#include "common/types.hpp"
#include "protocol/views.hpp"

// Request payloads of every operation, and the parse functions that apply the
// checks which need no database, in the protocol's order and with its exact
// codes and messages. The caller does the login check before calling a parse
// function and the database checks (room exists, is member, ...) after it
// succeeds.
//
// Common rules:
// - An object payload that is missing, null or not an object counts as {},
//   so the operation's first check fires.
// - A field of the wrong JSON type fails that field's own check, with its
//   usual 400 message.
// - unsubscribe, createToken and logout take no payload, so they have no
//   parse function.

namespace parley::protocol {

class TimeZoneDatabase;

inline constexpr std::int32_t kMaxPageLimit = 50;
inline constexpr std::size_t kMaxMemberIds = 1000;
inline constexpr std::size_t kMaxMessageLength = 500;         // UTF-16 code units
inline constexpr std::size_t kMaxClientMessageIdLength = 64;  // UTF-16 code units
// Argon2id accepts longer passwords, but the Java reference server's BCrypt
// silently cut them after 72 bytes, so Parley rejects them instead.
inline constexpr std::size_t kMaxPasswordBytes = 72;

// Sort order of a paged request. `field` is one of the client names that the
// operation allows:
// - getRooms, listRooms: id, name, owner, description, createdAt, updatedAt.
// - getRoomMembers, getBlockedMembers: id, username, email, createdAt,
//   updatedAt.
// - listMessages: id, senderId, roomId, message, timestamp.
struct OrderBy {
  std::string field = "id";
  bool descending = false;
};

struct Paging {
  std::int32_t offset = 0;
  std::int32_t limit = kMaxPageLimit;
  PageEcho echo;
  OrderBy order_by;
};

struct CreateAccountRequest {
  std::string username, email, password;
};

// Exactly one of username and email is set.
struct LoginRequest {
  std::optional<std::string> username, email;
  std::string password;
};

struct UpdateAccountRequest {
  std::optional<std::string> username, email, password;
};

struct CreateRoomRequest {
  std::string name;
  std::optional<std::string> description;
};

struct UpdateRoomRequest {
  RoomId room_id = 0;
  std::string description;
};

// Payload of removeRoomMembers, blockRoomMembers and unblockRoomMembers.
struct MembersRequest {
  RoomId room_id = 0;
  std::vector<AccountId> member_ids;  // 1 to kMaxMemberIds ids, as sent
};

// Payload of getRoomMembers and getBlockedMembers.
struct RoomPageRequest {
  RoomId room_id = 0;
  Paging paging;
};

struct GetRoomsRequest {
  Paging paging;
};

struct ListRoomsRequest {
  std::optional<std::string> keyword;
  Paging paging;
};

struct SubscribeRequest {
  RoomId room_id = 0;
  std::optional<MessageId> after_message_id;
};

// Payload of send. `room_id` is set only by the object form, and without it
// the message goes to the connection's subscribed room.
struct SendRequest {
  std::optional<RoomId> room_id;
  std::string message;
  std::optional<std::string> client_message_id;
};

struct ListMessagesRequest {
  RoomId room_id = 0;
  Paging paging;
  std::optional<std::string> keyword;
  // The window converted to UTC, both ends inclusive. The parser always sets
  // both: from defaults to the Unix epoch and to to the time of parsing.
  // A bound with sub-millisecond digits is rounded inward (from up, to
  // down), so comparing it with millisecond timestamps is exact.
  std::optional<Timestamp> from_utc, to_utc;
  // `timezone` was given but names no known zone. The caller rejects the
  // request with 400 `Missing or invalid: timezone` after its room checks,
  // and the window above is then meaningless.
  bool invalid_timezone = false;
};

struct TokenLoginRequest {
  std::string token;
};

// createAccount: username, email (length, then pattern), password.
Result<CreateAccountRequest> parse_create_account(const boost::json::value& data);
// login: every failure is Error{401, "Login failed"}.
Result<LoginRequest> parse_login(const boost::json::value& data);
// updateAccount: 400 "Invalid: username", "Invalid: email", "Invalid: password".
Result<UpdateAccountRequest> parse_update_account(const boost::json::value& data);
// getAccount: 400 "Missing or invalid: id".
Result<AccountId> parse_get_account(const boost::json::value& data);
// getRooms: offset, limit, orderBy.
Result<GetRoomsRequest> parse_get_rooms(const boost::json::value& data);
// createRoom: name, then description.
Result<CreateRoomRequest> parse_create_room(const boost::json::value& data);
// updateRoom: description before roomId.
Result<UpdateRoomRequest> parse_update_room(const boost::json::value& data);
// getRoom and leaveRoom: 400 "Missing or invalid: id".
Result<RoomId> parse_room_id(const boost::json::value& data);
// joinRoom: a null or blank name is 400 "Missing or invalid: name".
Result<std::string> parse_join_room(const boost::json::value& data);
// removeRoomMembers, blockRoomMembers, unblockRoomMembers: roomId, then
// memberIds (missing, empty, more than kMaxMemberIds, or a null or invalid
// element).
Result<MembersRequest> parse_members(const boost::json::value& data);
// getBlockedMembers: offset, limit, then roomId, then orderBy.
Result<RoomPageRequest> parse_get_blocked_members(const boost::json::value& data);
// getRoomMembers: roomId, offset, limit, then orderBy.
Result<RoomPageRequest> parse_get_room_members(const boost::json::value& data);
// listRooms: offset, limit, keyword (only its JSON type), then orderBy.
Result<ListRoomsRequest> parse_list_rooms(const boost::json::value& data);
// subscribe: a room id or {roomId, afterMessageId?}. Checks roomId (400
// "Missing or invalid: roomId"), then an invalid afterMessageId (400
// "Missing or invalid: afterMessageId").
Result<SubscribeRequest> parse_subscribe(const boost::json::value& data);
// send: a string, or {roomId?, message, clientMessageId?}. Checks message
// (missing or over kMaxMessageLength: "Missing or invalid: messageText"),
// then clientMessageId (empty or over kMaxClientMessageIdLength), then an
// invalid roomId.
Result<SendRequest> parse_send(const boost::json::value& data);
// listMessages: roomId, offset, limit, an unreadable from or to, from later
// than to, from or to without timezone, keyword length (3 to 64), an unknown
// timezone, then orderBy. Reads the clock for the default of `to`.
Result<ListMessagesRequest> parse_list_messages(const boost::json::value& data);
// The same, with the zone database and the clock given by the caller.
Result<ListMessagesRequest> parse_list_messages(const boost::json::value& data,
                                                TimeZoneDatabase& zones, Timestamp now);
// loginWithToken: a missing or empty token is Error{401, "Login failed"}.
Result<TokenLoginRequest> parse_login_with_token(const boost::json::value& data);

}  // namespace parley::protocol
