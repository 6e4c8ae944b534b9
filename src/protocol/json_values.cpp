#include "protocol/json_values.hpp"

#include <charconv>
#include <limits>
#include <optional>
#include <system_error>

#include "protocol/text.hpp"

namespace parley::protocol {
namespace {

// Parses an optional sign followed by ASCII digits, the integer syntax that
// Jackson accepts inside a string (Integer.parseInt and Long.parseLong).
template <typename T>
std::optional<T> parse_decimal(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }

  // Parsing the digits with the sign in place keeps the minimum value of T
  // in range.
  std::string signed_digits = negative ? "-" : "";
  signed_digits.append(text);
  T result{};
  const char* end = signed_digits.data() + signed_digits.size();
  auto [stop, error] = std::from_chars(signed_digits.data(), end, result);
  if (error != std::errc{} || stop != end) {
    return std::nullopt;
  }
  return result;
}

// Truncates a JSON float toward zero. As in Jackson, the float must lie
// within [min, max] of T before truncation, and for int64 the bound max
// rounds up to 2^63, which converts to INT64_MAX.
template <typename T>
std::optional<T> truncate_double(double number) {
  const double lower = static_cast<double>(std::numeric_limits<T>::min());
  const double upper = static_cast<double>(std::numeric_limits<T>::max());
  if (!(number >= lower && number <= upper)) {
    return std::nullopt;
  }
  if (number >= -lower) {
    return std::numeric_limits<T>::max();
  }
  return static_cast<T>(number);
}

template <typename T>
Field<T> present(T value) {
  return Field<T>{FieldState::kPresent, std::move(value)};
}

template <typename T>
Field<T> invalid() {
  return Field<T>{FieldState::kInvalid, T{}};
}

template <typename T>
Field<T> read_integer(const boost::json::value* value) {
  if (value == nullptr || value->is_null()) {
    return Field<T>{};
  }

  std::optional<T> number;
  switch (value->kind()) {
    case boost::json::kind::int64: {
      const std::int64_t raw = value->get_int64();
      if (raw >= std::numeric_limits<T>::min() && raw <= std::numeric_limits<T>::max()) {
        number = static_cast<T>(raw);
      }
      break;
    }
    case boost::json::kind::uint64: {
      // Boost.JSON uses uint64 only for values above INT64_MAX.
      const std::uint64_t raw = value->get_uint64();
      if (raw <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
        number = static_cast<T>(raw);
      }
      break;
    }
    case boost::json::kind::double_:
      number = truncate_double<T>(value->get_double());
      break;
    case boost::json::kind::string: {
      const std::string_view raw = value->get_string();
      if (raw.empty()) {
        return Field<T>{};
      }
      const std::string_view trimmed = trim_java(raw);
      if (trimmed == "null") {
        return Field<T>{};
      }
      number = parse_decimal<T>(trimmed);
      break;
    }
    default:
      break;
  }

  if (!number) {
    return invalid<T>();
  }
  return present(*number);
}

}  // namespace

Field<std::int64_t> read_int64(const boost::json::value* value) {
  return read_integer<std::int64_t>(value);
}

Field<std::int32_t> read_int32(const boost::json::value* value) {
  return read_integer<std::int32_t>(value);
}

Field<std::string> read_string(const boost::json::value* value) {
  if (value == nullptr || value->is_null()) {
    return Field<std::string>{};
  }
  switch (value->kind()) {
    case boost::json::kind::string:
      // PostgreSQL text cannot hold U+0000, so a string with one could be
      // pushed but never stored; it is rejected like any invalid value.
      if (value->get_string().find('\0') != boost::json::string::npos) {
        return invalid<std::string>();
      }
      return present(std::string(value->get_string()));
    case boost::json::kind::bool_:
      return present(std::string(value->get_bool() ? "true" : "false"));
    case boost::json::kind::int64:
      return present(std::to_string(value->get_int64()));
    case boost::json::kind::uint64:
      return present(std::to_string(value->get_uint64()));
    case boost::json::kind::double_:
      // NOTE: Jackson keeps the number's text as the client wrote it, but
      // Boost.JSON keeps only the double, so 1e3 reads as "1E3" here.
      return present(boost::json::serialize(*value));
    default:
      return invalid<std::string>();
  }
}

const boost::json::value* member(const boost::json::object& object, std::string_view key) {
  return object.if_contains(key);
}

boost::json::string id_string(std::int64_t id) { return boost::json::string(std::to_string(id)); }

}  // namespace parley::protocol
