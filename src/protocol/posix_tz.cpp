#include "protocol/posix_tz.hpp"

#include <algorithm>
#include <chrono>

namespace parley::protocol {
namespace {

constexpr std::int32_t kSecondsPerHour = 3600;

// Reads the TZ string from left to right. Every read returns nullopt or
// false on a syntax error.
class TzCursor {
 public:
  explicit TzCursor(std::string_view text) : text_(text) {}

  bool at_end() const { return position_ == text_.size(); }

  bool consume(char expected) {
    if (position_ < text_.size() && text_[position_] == expected) {
      ++position_;
      return true;
    }
    return false;
  }

  // A zone abbreviation: three or more letters, or any text within <>.
  // Parley needs no abbreviation, so the text is skipped.
  bool skip_abbreviation() {
    if (consume('<')) {
      const std::size_t close = text_.find('>', position_);
      if (close == std::string_view::npos || close == position_) {
        return false;
      }
      position_ = close + 1;
      return true;
    }
    std::size_t letters = 0;
    while (position_ < text_.size() && is_letter(text_[position_])) {
      ++position_;
      ++letters;
    }
    return letters >= 3;
  }

  bool next_is_offset_start() const {
    return position_ < text_.size() &&
           (text_[position_] == '+' || text_[position_] == '-' || is_digit(text_[position_]));
  }

  // [+-]h[h[h]][:mm[:ss]] as seconds, with at most `max_hours` hours.
  std::optional<std::int32_t> read_duration(int max_hours) {
    const bool negative = consume('-');
    if (!negative) {
      consume('+');
    }
    auto hours = read_number(3);
    if (!hours || *hours > max_hours) {
      return std::nullopt;
    }
    std::int32_t seconds = *hours * kSecondsPerHour;
    for (int multiplier : {60, 1}) {
      if (!consume(':')) {
        break;
      }
      auto part = read_number(2);
      if (!part || *part > 59) {
        return std::nullopt;
      }
      seconds += *part * multiplier;
    }
    return negative ? -seconds : seconds;
  }

  std::optional<int> read_number(std::size_t max_digits) {
    std::size_t digits = 0;
    int value = 0;
    while (position_ < text_.size() && is_digit(text_[position_]) && digits < max_digits) {
      value = value * 10 + (text_[position_] - '0');
      ++position_;
      ++digits;
    }
    if (digits == 0) {
      return std::nullopt;
    }
    return value;
  }

 private:
  static bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t position_ = 0;
};

std::optional<PosixTzRule::Date> read_date(TzCursor& cursor) {
  using Kind = PosixTzRule::Date::Kind;
  PosixTzRule::Date date;
  if (cursor.consume('J')) {
    auto day = cursor.read_number(3);
    if (!day || *day < 1 || *day > 365) return std::nullopt;
    date.kind = Kind::kJulianNoLeap;
    date.day = *day;
  } else if (cursor.consume('M')) {
    auto month = cursor.read_number(2);
    if (!month || *month < 1 || *month > 12 || !cursor.consume('.')) return std::nullopt;
    auto week = cursor.read_number(1);
    if (!week || *week < 1 || *week > 5 || !cursor.consume('.')) return std::nullopt;
    auto weekday = cursor.read_number(1);
    if (!weekday || *weekday > 6) return std::nullopt;
    date.kind = Kind::kMonthWeekDay;
    date.month = *month;
    date.week = *week;
    date.day = *weekday;
  } else {
    auto day = cursor.read_number(3);
    if (!day || *day > 365) return std::nullopt;
    date.kind = Kind::kZeroBasedDay;
    date.day = *day;
  }

  // RFC 8536 extends the POSIX time of day to -167..167 hours.
  if (cursor.consume('/')) {
    auto time = cursor.read_duration(167);
    if (!time) return std::nullopt;
    date.time_seconds = *time;
  }
  return date;
}

std::int64_t days_since_epoch(std::chrono::year_month_day date) {
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

// Returns the day of `date` in `year` as days since the Unix epoch.
std::int64_t rule_day(const PosixTzRule::Date& date, int year) {
  using namespace std::chrono;
  using Kind = PosixTzRule::Date::Kind;
  const std::chrono::year y{year};
  const std::int64_t january_first = days_since_epoch(y / January / 1);
  switch (date.kind) {
    case Kind::kJulianNoLeap: {
      // Jn never counts February 29, so days from March on shift by one in
      // leap years.
      const int shift = (y.is_leap() && date.day >= 60) ? 1 : 0;
      return january_first + date.day - 1 + shift;
    }
    case Kind::kZeroBasedDay:
      return january_first + date.day;
    case Kind::kMonthWeekDay:
      break;
  }
  const std::chrono::month m{static_cast<unsigned>(date.month)};
  const sys_days first{y / m / 1};
  const int first_weekday = static_cast<int>(weekday{first}.c_encoding());
  int day = 1 + (date.day - first_weekday + 7) % 7 + 7 * (date.week - 1);
  const int last_day = static_cast<int>(static_cast<unsigned>((y / m / last).day()));
  while (day > last_day) {
    day -= 7;
  }
  return days_since_epoch(y / m / std::chrono::day{static_cast<unsigned>(day)});
}

}  // namespace

std::optional<PosixTzRule> parse_posix_tz(std::string_view text) {
  TzCursor cursor(text);
  PosixTzRule rule;
  if (!cursor.skip_abbreviation()) return std::nullopt;
  // POSIX offsets count hours west of UTC, the opposite sign of Parley's.
  auto standard = cursor.read_duration(24);
  if (!standard) return std::nullopt;
  rule.standard_offset = -*standard;
  if (cursor.at_end()) {
    return rule;
  }

  if (!cursor.skip_abbreviation()) return std::nullopt;
  PosixTzRule::Daylight daylight{rule.standard_offset + kSecondsPerHour, {}, {}};
  if (cursor.next_is_offset_start()) {
    auto offset = cursor.read_duration(24);
    if (!offset) return std::nullopt;
    daylight.offset = -*offset;
  }
  if (!cursor.consume(',')) return std::nullopt;
  auto start = read_date(cursor);
  if (!start || !cursor.consume(',')) return std::nullopt;
  auto end = read_date(cursor);
  if (!end || !cursor.at_end()) return std::nullopt;
  daylight.start = *start;
  daylight.end = *end;
  rule.daylight = daylight;
  return rule;
}

std::vector<ZoneTransition> rule_transitions(const PosixTzRule& rule, int first_year,
                                             int last_year) {
  std::vector<ZoneTransition> transitions;
  if (!rule.daylight) {
    return transitions;
  }
  const PosixTzRule::Daylight& daylight = *rule.daylight;
  for (int year = first_year; year <= last_year; ++year) {
    // The start is given in standard time and the end in daylight saving time.
    const std::int64_t start_local =
        rule_day(daylight.start, year) * 86400 + daylight.start.time_seconds;
    const std::int64_t end_local = rule_day(daylight.end, year) * 86400 + daylight.end.time_seconds;
    transitions.push_back(
        {start_local - rule.standard_offset, rule.standard_offset, daylight.offset});
    transitions.push_back({end_local - daylight.offset, daylight.offset, rule.standard_offset});
  }
  std::stable_sort(transitions.begin(), transitions.end(),
                   [](const ZoneTransition& a, const ZoneTransition& b) {
                     return a.utc_seconds < b.utc_seconds;
                   });

  // A zone on daylight saving time all year ends it and starts it again at
  // the same instant. Such pairs change nothing and are dropped.
  std::vector<ZoneTransition> result;
  for (const ZoneTransition& transition : transitions) {
    if (!result.empty() && result.back().utc_seconds == transition.utc_seconds &&
        result.back().offset_before == transition.offset_after) {
      result.pop_back();
      continue;
    }
    result.push_back(transition);
  }
  return result;
}

}  // namespace parley::protocol
