// Parsing of subscribe, send and listMessages.

#include "protocol/request_checks.hpp"
#include "protocol/requests.hpp"
#include "protocol/time_zone.hpp"

namespace parley::protocol {
namespace {

using detail::length_within;
using detail::missing_or_invalid;
using detail::payload_object;

constexpr std::size_t kMinKeywordLength = 3;
constexpr std::size_t kMaxKeywordLength = 64;

Result<std::string> read_message_text(const boost::json::value* value) {
  Field<std::string> text = read_string(value);
  if (!text.present() || utf16_length(text.value) > kMaxMessageLength) {
    return missing_or_invalid("messageText");
  }
  return std::move(text.value);
}

Result<SendRequest> parse_send_object(const boost::json::object& payload) {
  Result<std::string> text = read_message_text(member(payload, "message"));
  if (!text) {
    return text.error();
  }
  SendRequest request;
  request.message = std::move(text).value();

  // An empty id cannot tell retries apart, so it is rejected like a long one.
  Field<std::string> client_message_id = read_string(member(payload, "clientMessageId"));
  if (client_message_id.invalid() ||
      (client_message_id.present() &&
       !length_within(client_message_id.value, 1, kMaxClientMessageIdLength))) {
    return missing_or_invalid("clientMessageId");
  }
  if (client_message_id.present()) {
    request.client_message_id = std::move(client_message_id.value);
  }

  const Field<std::int64_t> room_id = read_int64(member(payload, "roomId"));
  if (room_id.invalid()) {
    return missing_or_invalid("roomId");
  }
  if (room_id.present()) {
    request.room_id = room_id.value;
  }
  return request;
}

// Converts a local bound to UTC milliseconds. Stored timestamps are whole
// milliseconds, so rounding `from` up and `to` down keeps both comparisons
// exact.
Timestamp from_bound_utc(const TimeZone& zone, const LocalDateTime& local) {
  return std::chrono::ceil<std::chrono::milliseconds>(zone.to_utc(local.value));
}

Timestamp to_bound_utc(const TimeZone& zone, const LocalDateTime& local) {
  return std::chrono::floor<std::chrono::milliseconds>(zone.to_utc(local.value));
}

// The checks of listMessages after roomId, offset and limit. `request`
// receives the keyword and the window.
Status read_message_filter(const boost::json::object& payload, TimeZoneDatabase& zones,
                           Timestamp now, ListMessagesRequest& request) {
  const Field<LocalDateTime> from = read_local_datetime(member(payload, "from"));
  if (from.invalid()) {
    return missing_or_invalid("from");
  }
  const Field<LocalDateTime> to = read_local_datetime(member(payload, "to"));
  if (to.invalid()) {
    return missing_or_invalid("to");
  }
  if (from.present() && to.present() && from.value > to.value) {
    return missing_or_invalid("'from' later than 'to'");
  }
  const Field<std::string> timezone = read_string(member(payload, "timezone"));
  if ((from.present() || to.present()) && !timezone.present()) {
    return missing_or_invalid("timezone");
  }

  Field<std::string> keyword = read_string(member(payload, "keyword"));
  if (keyword.invalid() ||
      (keyword.present() && !length_within(keyword.value, kMinKeywordLength, kMaxKeywordLength))) {
    return missing_or_invalid("keyword");
  }
  if (keyword.present()) {
    request.keyword = std::move(keyword.value);
  }

  // The zone is validated whenever it is given, even without from and to.
  // An unknown zone is reported by the service after the room and
  // membership checks, the place where the reference server rejects it.
  std::shared_ptr<const TimeZone> zone;
  if (timezone.invalid() || timezone.present()) {
    zone = timezone.present() ? zones.locate(timezone.value) : nullptr;
    if (!zone) {
      request.invalid_timezone = true;
    }
  }
  request.from_utc = from.present() && zone ? from_bound_utc(*zone, from.value) : Timestamp{};
  request.to_utc = to.present() && zone ? to_bound_utc(*zone, to.value) : now;
  return Done{};
}

}  // namespace

Result<SubscribeRequest> parse_subscribe(const boost::json::value& data) {
  if (!data.is_object()) {
    Result<RoomId> room_id = detail::required_id(&data, "roomId");
    if (!room_id) {
      return room_id.error();
    }
    return SubscribeRequest{*room_id, std::nullopt};
  }

  const boost::json::object& payload = data.get_object();
  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  SubscribeRequest request{*room_id, std::nullopt};
  const Field<std::int64_t> after = read_int64(member(payload, "afterMessageId"));
  if (after.invalid()) {
    return missing_or_invalid("afterMessageId");
  }
  if (after.present()) {
    request.after_message_id = after.value;
  }
  return request;
}

Result<SendRequest> parse_send(const boost::json::value& data) {
  if (data.is_object()) {
    return parse_send_object(data.get_object());
  }
  Result<std::string> text = read_message_text(&data);
  if (!text) {
    return text.error();
  }
  SendRequest request;
  request.message = std::move(text).value();
  return request;
}

Result<ListMessagesRequest> parse_list_messages(const boost::json::value& data) {
  return parse_list_messages(data, TimeZoneDatabase::system(), now_utc());
}

Result<ListMessagesRequest> parse_list_messages(const boost::json::value& data,
                                                TimeZoneDatabase& zones, Timestamp now) {
  const boost::json::object& payload = payload_object(data);
  ListMessagesRequest request{};

  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  request.room_id = *room_id;

  if (Status s = detail::read_offset(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_limit(payload, request.paging); !s) return s.error();
  if (Status s = read_message_filter(payload, zones, now, request); !s) return s.error();
  if (Status s = detail::read_order_by(payload, detail::kMessageSortFields, request.paging); !s) {
    return s.error();
  }
  return request;
}

}  // namespace parley::protocol
