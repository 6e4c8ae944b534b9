// Parsing of the room operations: getRooms, createRoom, updateRoom, getRoom,
// leaveRoom, joinRoom, the member list changes, getBlockedMembers,
// getRoomMembers and listRooms.

#include "protocol/request_checks.hpp"
#include "protocol/requests.hpp"

namespace parley::protocol {
namespace {

using detail::length_within;
using detail::missing_or_invalid;
using detail::payload_object;

constexpr std::size_t kMinRoomNameLength = 8;
constexpr std::size_t kMaxRoomNameLength = 64;
constexpr std::size_t kMinDescriptionLength = 8;
constexpr std::size_t kMaxDescriptionLength = 200;

bool is_valid_description(std::string_view description) {
  return length_within(description, kMinDescriptionLength, kMaxDescriptionLength);
}

Result<std::vector<AccountId>> read_member_ids(const boost::json::value* value) {
  if (value == nullptr || !value->is_array()) {
    return missing_or_invalid("memberIds");
  }
  const boost::json::array& elements = value->get_array();
  if (elements.empty() || elements.size() > kMaxMemberIds) {
    return missing_or_invalid("memberIds");
  }
  std::vector<AccountId> ids;
  ids.reserve(elements.size());
  for (const boost::json::value& element : elements) {
    const Field<std::int64_t> id = read_int64(&element);
    if (!id.present()) {
      return missing_or_invalid("memberIds");
    }
    ids.push_back(id.value);
  }
  return ids;
}

}  // namespace

Result<GetRoomsRequest> parse_get_rooms(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  GetRoomsRequest request;
  if (Status s = detail::read_offset(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_limit(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_order_by(payload, detail::kRoomSortFields, request.paging); !s) {
    return s.error();
  }
  return request;
}

Result<CreateRoomRequest> parse_create_room(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);

  Field<std::string> name = read_string(member(payload, "name"));
  if (!name.present() || !length_within(name.value, kMinRoomNameLength, kMaxRoomNameLength)) {
    return missing_or_invalid("name");
  }
  Field<std::string> description = read_string(member(payload, "description"));
  if (description.invalid() ||
      (description.present() && !is_valid_description(description.value))) {
    return missing_or_invalid("description");
  }

  CreateRoomRequest request{std::move(name.value), std::nullopt};
  if (description.present()) {
    request.description = std::move(description.value);
  }
  return request;
}

Result<UpdateRoomRequest> parse_update_room(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);

  Field<std::string> description = read_string(member(payload, "description"));
  if (!description.present() || !is_valid_description(description.value)) {
    return missing_or_invalid("description");
  }
  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  return UpdateRoomRequest{*room_id, std::move(description.value)};
}

Result<RoomId> parse_room_id(const boost::json::value& data) {
  return detail::required_id(&data, "id");
}

Result<std::string> parse_join_room(const boost::json::value& data) {
  Field<std::string> name = read_string(&data);
  if (!name.present() || is_blank(name.value)) {
    return missing_or_invalid("name");
  }
  return std::move(name.value);
}

Result<MembersRequest> parse_members(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);

  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  Result<std::vector<AccountId>> member_ids = read_member_ids(member(payload, "memberIds"));
  if (!member_ids) {
    return member_ids.error();
  }
  return MembersRequest{*room_id, std::move(member_ids).value()};
}

Result<RoomPageRequest> parse_get_blocked_members(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  RoomPageRequest request{};
  if (Status s = detail::read_offset(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_limit(payload, request.paging); !s) return s.error();

  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  request.room_id = *room_id;

  if (Status s = detail::read_order_by(payload, detail::kAccountSortFields, request.paging); !s) {
    return s.error();
  }
  return request;
}

Result<RoomPageRequest> parse_get_room_members(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  RoomPageRequest request{};

  Result<RoomId> room_id = detail::required_id(member(payload, "roomId"), "roomId");
  if (!room_id) {
    return room_id.error();
  }
  request.room_id = *room_id;

  if (Status s = detail::read_offset(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_limit(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_order_by(payload, detail::kAccountSortFields, request.paging); !s) {
    return s.error();
  }
  return request;
}

Result<ListRoomsRequest> parse_list_rooms(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  ListRoomsRequest request;
  if (Status s = detail::read_offset(payload, request.paging); !s) return s.error();
  if (Status s = detail::read_limit(payload, request.paging); !s) return s.error();

  // listRooms puts no limit on the keyword, and an empty one matches every
  // room.
  Field<std::string> keyword = read_string(member(payload, "keyword"));
  if (keyword.invalid()) {
    return missing_or_invalid("keyword");
  }
  if (keyword.present()) {
    request.keyword = std::move(keyword.value);
  }

  if (Status s = detail::read_order_by(payload, detail::kRoomSortFields, request.paging); !s) {
    return s.error();
  }
  return request;
}

}  // namespace parley::protocol
