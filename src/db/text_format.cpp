#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "db/connection.hpp"

namespace parley::db {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads exactly `width` decimal digits at `position`, advancing it.
bool read_digits(std::string_view text, std::size_t& position, std::size_t width, int& value) {
  if (position + width > text.size()) return false;
  const char* begin = text.data() + position;
  for (std::size_t i = 0; i < width; ++i) {
    if (begin[i] < '0' || begin[i] > '9') return false;
  }
  std::from_chars(begin, begin + width, value);
  position += width;
  return true;
}

bool expect(std::string_view text, std::size_t& position, char c) {
  if (position >= text.size() || text[position] != c) return false;
  ++position;
  return true;
}

// Parses a zone offset suffix: +HH, +HH:MM or +HH:MM:SS (or with '-').
// Returns the offset to subtract from the local time to get UTC.
bool read_offset(std::string_view text, std::size_t& position, seconds& offset) {
  const char sign = text[position];
  if (sign != '+' && sign != '-') return false;
  ++position;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(text, position, 2, hour)) return false;
  if (position < text.size() && text[position] == ':') {
    ++position;
    if (!read_digits(text, position, 2, minute)) return false;
  }
  if (position < text.size() && text[position] == ':') {
    ++position;
    if (!read_digits(text, position, 2, second)) return false;
  }
  offset = hours(hour) + minutes(minute) + seconds(second);
  if (sign == '-') offset = -offset;
  return true;
}

}  // namespace

std::string format_timestamp(Timestamp timestamp) {
  const auto day = std::chrono::floor<days>(timestamp);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss<milliseconds> time{timestamp - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  std::size_t position = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!read_digits(text, position, 4, year) || !expect(text, position, '-') ||
      !read_digits(text, position, 2, month) || !expect(text, position, '-') ||
      !read_digits(text, position, 2, day) || !expect(text, position, ' ') ||
      !read_digits(text, position, 2, hour) || !expect(text, position, ':') ||
      !read_digits(text, position, 2, minute) || !expect(text, position, ':') ||
      !read_digits(text, position, 2, second)) {
    return std::nullopt;
  }

  // Fraction: PostgreSQL prints up to six digits and drops trailing zeros.
  int millisecond = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    std::size_t digits = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      if (digits < 3) millisecond = millisecond * 10 + (text[position] - '0');
      ++digits;
      ++position;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millisecond *= 10;
  }

  seconds offset{0};
  if (position < text.size() && !read_offset(text, position, offset)) return std::nullopt;
  if (position != text.size()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto local = std::chrono::sys_days{date} + hours(hour) + minutes(minute) + seconds(second) +
                     milliseconds(millisecond);
  return Timestamp{local - offset};
}

std::string bytea_literal(std::string_view bytes) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string literal = "\\x";
  literal.reserve(2 + 2 * bytes.size());
  for (unsigned char byte : bytes) {
    literal.push_back(kHexDigits[byte >> 4]);
    literal.push_back(kHexDigits[byte & 0x0f]);
  }
  return literal;
}

}  // namespace parley::db
