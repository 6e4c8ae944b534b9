#include "protocol/views.hpp"

#include "protocol/envelope.hpp"
#include "protocol/json_values.hpp"

namespace parley::protocol {
namespace {

template <typename Info>
boost::json::array to_json_array(const std::vector<Info>& items) {
  boost::json::array array;
  array.reserve(items.size());
  for (const Info& item : items) {
    array.push_back(to_json(item));
  }
  return array;
}

void put_echo_field(boost::json::object& page, std::string_view key,
                    const std::optional<std::int32_t>& value) {
  if (value) {
    page[key] = id_string(*value);
  }
}

// Pages of rooms and accounts write offset before limit.
boost::json::object offset_limit_page(std::string_view list_key, boost::json::array list,
                                      const PageEcho& echo, std::int64_t total) {
  boost::json::object page;
  page[list_key] = std::move(list);
  put_echo_field(page, "offset", echo.offset);
  put_echo_field(page, "limit", echo.limit);
  page["totalCount"] = id_string(total);
  return page;
}

}  // namespace

boost::json::object to_json(const AccountInfo& account) {
  boost::json::object object;
  object["id"] = id_string(account.id);
  object["username"] = account.username;
  object["email"] = account.email;
  object["createdAt"] = format_datetime(account.created_at);
  object["updatedAt"] = format_datetime(account.updated_at);
  return object;
}

boost::json::object to_json(const RoomInfo& room) {
  boost::json::object object;
  object["id"] = id_string(room.id);
  object["name"] = room.name;
  object["owner"] = room.owner;
  if (room.description) {
    object["description"] = *room.description;
  }
  object["createdAt"] = format_datetime(room.created_at);
  object["updatedAt"] = format_datetime(room.updated_at);
  return object;
}

boost::json::object to_json(const MessageInfo& message) {
  boost::json::object object;
  object["id"] = id_string(message.id);
  object["senderId"] = id_string(message.sender_id);
  object["roomId"] = id_string(message.room_id);
  object["message"] = message.message;
  object["timestamp"] = format_datetime(message.timestamp);
  return object;
}

boost::json::object room_page(const std::vector<RoomInfo>& rooms, const PageEcho& echo,
                              std::int64_t total) {
  return offset_limit_page("roomInfos", to_json_array(rooms), echo, total);
}

boost::json::object account_page(const std::vector<AccountInfo>& accounts, const PageEcho& echo,
                                 std::int64_t total) {
  return offset_limit_page("accountInfos", to_json_array(accounts), echo, total);
}

boost::json::object message_page(const std::vector<MessageInfo>& messages, const PageEcho& echo,
                                 std::int64_t total) {
  boost::json::object page;
  page["messages"] = to_json_array(messages);
  put_echo_field(page, "limit", echo.limit);
  put_echo_field(page, "offset", echo.offset);
  page["totalCount"] = id_string(total);
  return page;
}

std::string serialize_push(const MessageInfo& message) {
  boost::json::object push;
  push["qualifier"] = kMessagesQualifier;
  push["data"] = to_json(message);
  return boost::json::serialize(push);
}

boost::json::object send_reply(RoomId room_id, MessageId id, Timestamp timestamp) {
  boost::json::object reply;
  reply["roomId"] = id_string(room_id);
  reply["id"] = id_string(id);
  reply["timestamp"] = format_datetime(timestamp);
  return reply;
}

boost::json::object token_reply(std::string_view token, Timestamp expires_at) {
  boost::json::object reply;
  reply["token"] = token;
  reply["expiresAt"] = format_datetime(expires_at);
  return reply;
}

}  // namespace parley::protocol
