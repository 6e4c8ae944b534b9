#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "protocol/json_values.hpp"
#include "protocol/text.hpp"

namespace parley::protocol {
namespace {

using std::chrono::local_days;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

struct DateTimeFields {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::int64_t nanosecond = 0;
};

// Builds the local date-time, rejecting impossible dates and times as
// Java's LocalDateTime.of does.
std::optional<LocalDateTime> make_local_datetime(const DateTimeFields& f) {
  const std::chrono::year_month_day date{std::chrono::year{f.year},
                                         std::chrono::month{static_cast<unsigned>(f.month)},
                                         std::chrono::day{static_cast<unsigned>(f.day)}};
  if (f.year < 0 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 || !date.ok()) {
    return std::nullopt;
  }
  if (f.hour < 0 || f.hour > 23 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 59 ||
      f.nanosecond < 0 || f.nanosecond > 999'999'999) {
    return std::nullopt;
  }
  const auto time = std::chrono::hours{f.hour} + std::chrono::minutes{f.minute} +
                    std::chrono::seconds{f.second} +
                    std::chrono::duration_cast<microseconds>(nanoseconds{f.nanosecond});
  return LocalDateTime{local_days{date} + time};
}

// Reads exactly `width` ASCII digits at `position` and advances it.
std::optional<int> read_digits(std::string_view text, std::size_t& position, std::size_t width) {
  if (position + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[position + i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  position += width;
  return value;
}

bool read_literal(std::string_view text, std::size_t& position, char expected) {
  if (position >= text.size() || text[position] != expected) {
    return false;
  }
  ++position;
  return true;
}

// Parses ISO_LOCAL_DATE_TIME as Java reads it: yyyy-MM-ddTHH:mm, then
// optionally :ss and .f with 1 to 9 digits. Java parses it case-insensitively,
// so a lower-case 't' is accepted too.
std::optional<DateTimeFields> parse_iso_local(std::string_view text) {
  DateTimeFields f;
  std::size_t pos = 0;
  auto year = read_digits(text, pos, 4);
  if (!year || !read_literal(text, pos, '-')) return std::nullopt;
  auto month = read_digits(text, pos, 2);
  if (!month || !read_literal(text, pos, '-')) return std::nullopt;
  auto day = read_digits(text, pos, 2);
  if (!day) return std::nullopt;
  if (!read_literal(text, pos, 'T') && !read_literal(text, pos, 't')) return std::nullopt;
  auto hour = read_digits(text, pos, 2);
  if (!hour || !read_literal(text, pos, ':')) return std::nullopt;
  auto minute = read_digits(text, pos, 2);
  if (!minute) return std::nullopt;
  f.year = *year;
  f.month = *month;
  f.day = *day;
  f.hour = *hour;
  f.minute = *minute;
  if (pos == text.size()) {
    return f;
  }

  auto second = read_literal(text, pos, ':') ? read_digits(text, pos, 2) : std::nullopt;
  if (!second) return std::nullopt;
  f.second = *second;
  if (pos == text.size()) {
    return f;
  }

  if (!read_literal(text, pos, '.')) return std::nullopt;
  const std::string_view fraction = text.substr(pos);
  if (fraction.empty() || fraction.size() > 9) return std::nullopt;
  std::size_t fraction_pos = 0;
  auto digits = read_digits(fraction, fraction_pos, fraction.size());
  if (!digits) return std::nullopt;
  f.nanosecond = *digits;
  for (std::size_t i = fraction.size(); i < 9; ++i) {
    f.nanosecond *= 10;
  }
  return f;
}

Field<LocalDateTime> from_fields(const std::optional<DateTimeFields>& fields) {
  std::optional<LocalDateTime> result = fields ? make_local_datetime(*fields) : std::nullopt;
  if (!result) {
    return Field<LocalDateTime>{FieldState::kInvalid, {}};
  }
  return Field<LocalDateTime>{FieldState::kPresent, *result};
}

Field<LocalDateTime> read_datetime_string(std::string_view raw) {
  std::string_view text = trim_java(raw);
  if (text.empty()) {
    return Field<LocalDateTime>{};
  }
  // Jackson ignores a trailing Z after a date and a time (it does no
  // conversion), and only this upper-case form.
  if (text.size() > 10 && text[10] == 'T' && text.back() == 'Z') {
    text.remove_suffix(1);
  }
  return from_fields(parse_iso_local(text));
}

// The array form [y, M, d, H, m] with optional seconds and nanoseconds, all
// JSON integers. An empty array reads as absent, as in Jackson.
Field<LocalDateTime> read_datetime_array(const boost::json::array& parts) {
  if (parts.empty()) {
    return Field<LocalDateTime>{};
  }
  if (parts.size() < 5 || parts.size() > 7) {
    return Field<LocalDateTime>{FieldState::kInvalid, {}};
  }
  std::int64_t values[7] = {0, 0, 0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].is_int64()) {
      return Field<LocalDateTime>{FieldState::kInvalid, {}};
    }
    const std::int64_t value = parts[i].get_int64();
    if (value < INT32_MIN || value > INT32_MAX) {
      return Field<LocalDateTime>{FieldState::kInvalid, {}};
    }
    values[i] = value;
  }
  DateTimeFields f;
  f.year = static_cast<int>(values[0]);
  f.month = static_cast<int>(values[1]);
  f.day = static_cast<int>(values[2]);
  f.hour = static_cast<int>(values[3]);
  f.minute = static_cast<int>(values[4]);
  f.second = static_cast<int>(values[5]);
  f.nanosecond = values[6];
  return from_fields(f);
}

}  // namespace

std::string format_datetime(Timestamp t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{t - day};
  std::string text =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  time.hours().count(), time.minutes().count(), time.seconds().count());
  int millis = static_cast<int>(time.subseconds().count());
  if (millis != 0) {
    std::string fraction = fmt::format("{:03}", millis);
    while (fraction.back() == '0') {
      fraction.pop_back();
    }
    text += '.';
    text += fraction;
  }
  return text;
}

Field<LocalDateTime> read_local_datetime(const boost::json::value* value) {
  if (value == nullptr || value->is_null()) {
    return Field<LocalDateTime>{};
  }
  if (value->is_string()) {
    return read_datetime_string(value->get_string());
  }
  if (value->is_array()) {
    return read_datetime_array(value->get_array());
  }
  return Field<LocalDateTime>{FieldState::kInvalid, {}};
}

}  // namespace parley::protocol
