#pragma once

// Checks shared by the parse functions of requests.hpp.

#include <array>
#include <span>
#include <string_view>

#include <boost/json.hpp>

#include "common/error.hpp"
#include "protocol/json_values.hpp"
#include "protocol/requests.hpp"

namespace parley::protocol::detail {

// Sort fields that each kind of list accepts, by their client names.
inline constexpr std::array<std::string_view, 6> kRoomSortFields = {
    "id", "name", "owner", "description", "createdAt", "updatedAt"};
inline constexpr std::array<std::string_view, 5> kAccountSortFields = {"id", "username", "email",
                                                                       "createdAt", "updatedAt"};
inline constexpr std::array<std::string_view, 5> kMessageSortFields = {"id", "senderId", "roomId",
                                                                       "message", "timestamp"};

// Returns the payload if it is an object, and an empty object otherwise.
const boost::json::object& payload_object(const boost::json::value& data);

// Returns Error{400, "Missing or invalid: <field>"}.
Error missing_or_invalid(std::string_view field);

// Returns whether the UTF-16 length of `text` lies within [min, max].
bool length_within(std::string_view text, std::size_t min, std::size_t max);

// Reads an id that must be present, failing with missing_or_invalid(field).
Result<std::int64_t> required_id(const boost::json::value* value, std::string_view field);

// Reads "offset" (at least 0) into `paging`, echoing it when present.
Status read_offset(const boost::json::object& payload, Paging& paging);

// Reads "limit" (1 to kMaxPageLimit) into `paging`, echoing it when present.
Status read_limit(const boost::json::object& payload, Paging& paging);

// Reads "orderBy": {"field"?: one of `fields`, "direction"?: ASC or DESC in
// any case}. A missing field means "id", a missing or empty direction ASC.
// Anything else fails with 400 "Missing or invalid: orderBy".
Status read_order_by(const boost::json::object& payload, std::span<const std::string_view> fields,
                     Paging& paging);

}  // namespace parley::protocol::detail
