#include "protocol/request_checks.hpp"

#include <algorithm>
#include <string>

#include "protocol/json_values.hpp"

namespace parley::protocol::detail {
namespace {

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

const boost::json::object& payload_object(const boost::json::value& data) {
  static const boost::json::object kEmpty;
  return data.is_object() ? data.get_object() : kEmpty;
}

Error missing_or_invalid(std::string_view field) {
  return Error{400, "Missing or invalid: " + std::string(field)};
}

bool length_within(std::string_view text, std::size_t min, std::size_t max) {
  const std::size_t length = utf16_length(text);
  return length >= min && length <= max;
}

Result<std::int64_t> required_id(const boost::json::value* value, std::string_view field) {
  const Field<std::int64_t> id = read_int64(value);
  if (!id.present()) {
    return missing_or_invalid(field);
  }
  return id.value;
}

Status read_offset(const boost::json::object& payload, Paging& paging) {
  const Field<std::int32_t> offset = read_int32(member(payload, "offset"));
  if (offset.invalid() || (offset.present() && offset.value < 0)) {
    return missing_or_invalid("offset");
  }
  if (offset.present()) {
    paging.offset = offset.value;
    paging.echo.offset = offset.value;
  }
  return Done{};
}

Status read_limit(const boost::json::object& payload, Paging& paging) {
  const Field<std::int32_t> limit = read_int32(member(payload, "limit"));
  if (limit.invalid() || (limit.present() && (limit.value <= 0 || limit.value > kMaxPageLimit))) {
    return missing_or_invalid("limit");
  }
  if (limit.present()) {
    paging.limit = limit.value;
    paging.echo.limit = limit.value;
  }
  return Done{};
}

Status read_order_by(const boost::json::object& payload, std::span<const std::string_view> fields,
                     Paging& paging) {
  const boost::json::value* order_by = member(payload, "orderBy");
  if (order_by == nullptr || order_by->is_null()) {
    return Done{};
  }
  if (!order_by->is_object()) {
    return missing_or_invalid("orderBy");
  }
  const boost::json::object& object = order_by->get_object();

  const Field<std::string> field = read_string(member(object, "field"));
  if (field.invalid()) {
    return missing_or_invalid("orderBy");
  }
  if (field.present()) {
    if (std::find(fields.begin(), fields.end(), field.value) == fields.end()) {
      return missing_or_invalid("orderBy");
    }
    paging.order_by.field = field.value;
  }

  // The direction is an enum, not a string, so "" means absent as for
  // numbers and dates.
  const boost::json::value* direction = member(object, "direction");
  if (direction == nullptr || direction->is_null()) {
    return Done{};
  }
  if (!direction->is_string()) {
    return missing_or_invalid("orderBy");
  }
  const std::string_view name = direction->get_string();
  if (name.empty() || equals_ignoring_ascii_case(name, "ASC")) {
    paging.order_by.descending = false;
  } else if (equals_ignoring_ascii_case(name, "DESC")) {
    paging.order_by.descending = true;
  } else {
    return missing_or_invalid("orderBy");
  }
  return Done{};
}

}  // namespace parley::protocol::detail
