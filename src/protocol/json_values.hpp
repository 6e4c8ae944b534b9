#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/types.hpp"

namespace parley::protocol {

// Outcome of reading one payload field with the lenient rules of the JSON
// mapper (Jackson 2.16) of the Java reference server, syegod/syemessenger,
// whose client protocol Parley keeps.
enum class FieldState { kAbsent, kPresent, kInvalid };

template <typename T>
struct Field {
  FieldState state = FieldState::kAbsent;
  T value{};

  bool present() const { return state == FieldState::kPresent; }
  bool invalid() const { return state == FieldState::kInvalid; }
};

// Reads an integer field. `value` may be nullptr (field absent).
// - Accepted: a JSON integer, a string of ASCII decimal digits with an
//   optional sign and surrounding whitespace (" 5 ", "+5", "-5"), and a JSON
//   float, which is truncated toward zero (5.7 -> 5, 1e3 -> 1000).
// - Absent: nullptr, null, "" and the string "null".
// - Invalid: fraction strings, hex, words, booleans, objects, arrays and
//   values outside the target type's range.
Field<std::int64_t> read_int64(const boost::json::value* value);
Field<std::int32_t> read_int32(const boost::json::value* value);

// Reads a string field: a JSON string as is, a number or boolean as its text
// (123 -> "123", true -> "true"). Absent: nullptr and null. Invalid: objects
// and arrays.
Field<std::string> read_string(const boost::json::value* value);

// Returns the member `key` of `object`, or nullptr when it is absent.
const boost::json::value* member(const boost::json::object& object, std::string_view key);

// Returns the length of UTF-8 text in UTF-16 code units, the unit of every
// length limit of the protocol: code points >= U+10000 count 2, others 1.
// Each maximal subpart of an ill-formed UTF-8 sequence counts 1, as the one
// U+FFFD that Java's decoder puts in its place would.
std::size_t utf16_length(std::string_view utf8);

// Returns whether the whole text matches the e-mail pattern of createAccount
// and updateAccount:
//   ^[A-Za-z0-9_!#$%&'*+/=?`{|}~^.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$
bool is_valid_email(std::string_view text);

// Returns whether the text is empty or contains only characters for which
// Java's Character.isWhitespace is true (the joinRoom "blank" rule).
bool is_blank(std::string_view utf8);

// Formats a UTC timestamp as the protocol's date-time:
// yyyy-MM-ddTHH:mm:ss, then "." and the milliseconds with trailing zeros
// removed, only when they are non-zero (120 ms -> ".12").
std::string format_datetime(Timestamp t);

// A date-time without a zone, as clients send in listMessages from/to.
struct LocalDateTime {
  std::chrono::local_time<std::chrono::microseconds> value;

  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

// Reads a local date-time field.
// - Accepted: yyyy-MM-ddTHH:mm, ...:ss and ...:ss.f with 1 to 9 fraction
//   digits, which are truncated to microseconds. Surrounding whitespace and a
//   trailing Z are ignored. The array form [y, M, d, H, m] may add seconds
//   and nanoseconds elements.
// - Absent: nullptr, null, "" and [].
// - Invalid: anything else, including impossible dates such as February 30.
Field<LocalDateTime> read_local_datetime(const boost::json::value* value);

// Returns an id as the JSON string the protocol writes for every number.
boost::json::string id_string(std::int64_t id);

}  // namespace parley::protocol
