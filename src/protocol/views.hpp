#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/types.hpp"

namespace parley::protocol {

struct AccountInfo {
  AccountId id;
  std::string username;
  std::string email;
  Timestamp created_at;
  Timestamp updated_at;
};

struct RoomInfo {
  RoomId id;
  std::string name;
  std::string owner;  // the owner's username
  std::optional<std::string> description;
  Timestamp created_at;
  Timestamp updated_at;
};

struct MessageInfo {
  MessageId id;
  AccountId sender_id;
  RoomId room_id;
  std::string message;
  Timestamp timestamp;
};

// Key order: id, username, email, createdAt, updatedAt.
boost::json::object to_json(const AccountInfo& account);
// Key order: id, name, owner, description, createdAt, updatedAt. The
// description is omitted when it is nullopt.
boost::json::object to_json(const RoomInfo& room);
// Key order: id, senderId, roomId, message, timestamp.
boost::json::object to_json(const MessageInfo& message);

// The offset and limit of a paged request, echoed in the reply only when the
// request carried them.
struct PageEcho {
  std::optional<std::int32_t> offset;
  std::optional<std::int32_t> limit;
};

// {"roomInfos": [...], "offset"?, "limit"?, "totalCount"} (getRooms, listRooms).
boost::json::object room_page(const std::vector<RoomInfo>& rooms, const PageEcho& echo,
                              std::int64_t total);
// {"accountInfos": [...], "offset"?, "limit"?, "totalCount"} (getRoomMembers,
// getBlockedMembers).
boost::json::object account_page(const std::vector<AccountInfo>& accounts, const PageEcho& echo,
                                 std::int64_t total);
// {"messages": [...], "limit"?, "offset"?, "totalCount"} (listMessages). The
// Java reference server writes limit before offset here.
boost::json::object message_page(const std::vector<MessageInfo>& messages, const PageEcho& echo,
                                 std::int64_t total);

// Serializes the push frame {"qualifier": "v1/syemessenger/messages",
// "data": MessageInfo} without a cid. Callers serialize each message once
// and share the bytes among all recipients.
std::string serialize_push(const MessageInfo& message);

// Reply of the object form of send: {"roomId", "id", "timestamp"}.
boost::json::object send_reply(RoomId room_id, MessageId id, Timestamp timestamp);

// Reply of createToken: {"token", "expiresAt"}.
boost::json::object token_reply(std::string_view token, Timestamp expires_at);

}  // namespace parley::protocol
