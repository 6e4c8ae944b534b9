#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "common/types.hpp"

namespace parley::client {

// Account as the server returns it (AccountInfo). The timestamps are left out
// because no client feature uses them.
struct AccountInfo {
  AccountId id = 0;
  std::string username;
  std::string email;
};

// Room as the server returns it (RoomInfo). `owner` is the owner's username.
struct RoomInfo {
  RoomId id = 0;
  std::string name;
  std::string owner;
  std::optional<std::string> description;
};

// Chat message from a push or from listMessages (MessageInfo). `id` is
// absent in pushes of servers that do not send it.
struct MessageInfo {
  std::optional<MessageId> id;
  AccountId sender_id = 0;
  RoomId room_id = 0;
  std::string text;
  Timestamp timestamp;
};

// One page of a paged reply and the number of matching rows on all pages.
template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total_count = 0;
};

// Decoders of reply payloads. The server writes every number as a JSON
// string, and JSON numbers are accepted too. Errors have code 0 and name the
// field that is missing or invalid.
Result<std::int64_t> decode_id(const boost::json::value& value, const char* field);
Result<AccountInfo> decode_account(const boost::json::value& value);
Result<RoomInfo> decode_room(const boost::json::value& value);
Result<MessageInfo> decode_message(const boost::json::value& value);
Result<Page<AccountInfo>> decode_account_page(const boost::json::value& value);
Result<Page<RoomInfo>> decode_room_page(const boost::json::value& value);
Result<Page<MessageInfo>> decode_message_page(const boost::json::value& value);

// Parses the protocol's date-time, yyyy-MM-ddTHH:mm:ss with an optional
// fraction of 1 to 9 digits, as a UTC time. Digits beyond milliseconds are
// truncated.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Formats `time` as HH:MM:SS in the local time zone of the process.
std::string format_local_time(Timestamp time);

}  // namespace parley::client
