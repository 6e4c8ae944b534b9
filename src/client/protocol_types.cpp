#include "client/protocol_types.hpp"

#include <charconv>
#include <ctime>

#include <boost/json/serialize.hpp>

namespace parley::client {
namespace {

Error invalid_field(const char* type, const char* field, const boost::json::value& value) {
  return Error{0, std::string("invalid ") + type + " in reply: field '" + field +
                      "' is missing or invalid in " + boost::json::serialize(value)};
}

const boost::json::object* as_object(const boost::json::value& value) { return value.if_object(); }

// Reads a required string field of `object`.
std::optional<std::string> string_field(const boost::json::object& object, const char* field) {
  const boost::json::value* member = object.if_contains(field);
  if (member == nullptr || !member->is_string()) {
    return std::nullopt;
  }
  return std::string(member->as_string());
}

// Reads a required id field of `object`, in string or number form.
std::optional<std::int64_t> id_field(const boost::json::object& object, const char* field) {
  const boost::json::value* member = object.if_contains(field);
  if (member == nullptr) {
    return std::nullopt;
  }
  Result<std::int64_t> id = decode_id(*member, field);
  if (!id) {
    return std::nullopt;
  }
  return id.value();
}

// Parses exactly `length` decimal digits at `text[position]`.
std::optional<int> parse_digits(std::string_view text, std::size_t position, std::size_t length) {
  if (position + length > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = position; i < position + length; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

template <typename T, typename Decoder>
Result<Page<T>> decode_page(const boost::json::value& value, const char* list_field,
                            Decoder decode_item) {
  const boost::json::object* object = as_object(value);
  if (object == nullptr) {
    return invalid_field("page", list_field, value);
  }
  const boost::json::value* list = object->if_contains(list_field);
  std::optional<std::int64_t> total = id_field(*object, "totalCount");
  if (list == nullptr || !list->is_array()) {
    return invalid_field("page", list_field, value);
  }
  if (!total) {
    return invalid_field("page", "totalCount", value);
  }
  Page<T> page;
  page.total_count = *total;
  for (const boost::json::value& item : list->as_array()) {
    Result<T> decoded = decode_item(item);
    if (!decoded) {
      return decoded.error();
    }
    page.items.push_back(std::move(decoded.value()));
  }
  return page;
}

}  // namespace

Result<std::int64_t> decode_id(const boost::json::value& value, const char* field) {
  if (value.is_int64()) {
    return value.as_int64();
  }
  if (value.is_string()) {
    const boost::json::string& text = value.as_string();
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      return id;
    }
  }
  return Error{0, std::string("invalid number in reply: '") + field + "' is " +
                      boost::json::serialize(value)};
}

Result<AccountInfo> decode_account(const boost::json::value& value) {
  const boost::json::object* object = as_object(value);
  if (object == nullptr) {
    return invalid_field("AccountInfo", "id", value);
  }
  AccountInfo account;
  std::optional<std::int64_t> id = id_field(*object, "id");
  std::optional<std::string> username = string_field(*object, "username");
  if (!id) {
    return invalid_field("AccountInfo", "id", value);
  }
  if (!username) {
    return invalid_field("AccountInfo", "username", value);
  }
  account.id = *id;
  account.username = std::move(*username);
  account.email = string_field(*object, "email").value_or("");
  return account;
}

Result<RoomInfo> decode_room(const boost::json::value& value) {
  const boost::json::object* object = as_object(value);
  if (object == nullptr) {
    return invalid_field("RoomInfo", "id", value);
  }
  RoomInfo room;
  std::optional<std::int64_t> id = id_field(*object, "id");
  std::optional<std::string> name = string_field(*object, "name");
  if (!id) {
    return invalid_field("RoomInfo", "id", value);
  }
  if (!name) {
    return invalid_field("RoomInfo", "name", value);
  }
  room.id = *id;
  room.name = std::move(*name);
  room.owner = string_field(*object, "owner").value_or("");
  room.description = string_field(*object, "description");
  return room;
}

Result<MessageInfo> decode_message(const boost::json::value& value) {
  const boost::json::object* object = as_object(value);
  if (object == nullptr) {
    return invalid_field("MessageInfo", "senderId", value);
  }
  std::optional<std::int64_t> sender_id = id_field(*object, "senderId");
  std::optional<std::int64_t> room_id = id_field(*object, "roomId");
  std::optional<std::string> text = string_field(*object, "message");
  std::optional<std::string> timestamp_text = string_field(*object, "timestamp");
  std::optional<Timestamp> timestamp;
  if (timestamp_text) {
    timestamp = parse_timestamp(*timestamp_text);
  }

  if (!sender_id) {
    return invalid_field("MessageInfo", "senderId", value);
  }
  if (!room_id) {
    return invalid_field("MessageInfo", "roomId", value);
  }
  if (!text) {
    return invalid_field("MessageInfo", "message", value);
  }
  if (!timestamp) {
    return invalid_field("MessageInfo", "timestamp", value);
  }

  MessageInfo message;
  if (object->contains("id")) {
    message.id = id_field(*object, "id");
    if (!message.id) {
      return invalid_field("MessageInfo", "id", value);
    }
  }
  message.sender_id = *sender_id;
  message.room_id = *room_id;
  message.text = std::move(*text);
  message.timestamp = *timestamp;
  return message;
}

Result<Page<AccountInfo>> decode_account_page(const boost::json::value& value) {
  return decode_page<AccountInfo>(value, "accountInfos", decode_account);
}

Result<Page<RoomInfo>> decode_room_page(const boost::json::value& value) {
  return decode_page<RoomInfo>(value, "roomInfos", decode_room);
}

Result<Page<MessageInfo>> decode_message_page(const boost::json::value& value) {
  return decode_page<MessageInfo>(value, "messages", decode_message);
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  // Fixed positions of yyyy-MM-ddTHH:mm:ss.
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  std::optional<int> year = parse_digits(text, 0, 4);
  std::optional<int> month = parse_digits(text, 5, 2);
  std::optional<int> day = parse_digits(text, 8, 2);
  std::optional<int> hour = parse_digits(text, 11, 2);
  std::optional<int> minute = parse_digits(text, 14, 2);
  std::optional<int> second = parse_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) {
    return std::nullopt;
  }

  int milliseconds = 0;
  if (text.size() > 19) {
    std::size_t digits = text.size() - 20;
    if (text[19] != '.' || digits < 1 || digits > 9 || !parse_digits(text, 20, digits)) {
      return std::nullopt;
    }
    std::size_t millisecond_digits = std::min<std::size_t>(digits, 3);
    milliseconds = *parse_digits(text, 20, millisecond_digits);
    for (std::size_t i = millisecond_digits; i < 3; ++i) {
      milliseconds *= 10;
    }
  }

  std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                   std::chrono::day(*day)};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         std::chrono::seconds(*second) + std::chrono::milliseconds(milliseconds);
}

std::string format_local_time(Timestamp time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(time));
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[9];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

}  // namespace parley::client
