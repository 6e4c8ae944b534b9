#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace parley::protocol {

// A change of a zone's UTC offset. Offsets are seconds east of UTC.
struct ZoneTransition {
  std::int64_t utc_seconds;  // instant of the change, seconds since the Unix epoch
  std::int32_t offset_before;
  std::int32_t offset_after;

  friend bool operator==(const ZoneTransition&, const ZoneTransition&) = default;
};

// A POSIX TZ string as found in the footer of a TZif file (RFC 8536, 3.3),
// for example "PST8PDT,M3.2.0,M11.1.0". It gives the offsets after the last
// transition listed in the file.
struct PosixTzRule {
  // A day of the year on which daylight saving time starts or ends.
  struct Date {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;                       // Jn: 1..365, n: 0..365, Mm.w.d: weekday 0 (Sunday)..6
    int month = 0;                     // Mm.w.d only: 1..12
    int week = 0;                      // Mm.w.d only: 1..5, 5 meaning the last
    std::int32_t time_seconds = 7200;  // local time of day, -167 h..167 h
  };

  std::int32_t standard_offset = 0;  // seconds east of UTC
  // Daylight saving time, when the zone has it.
  struct Daylight {
    std::int32_t offset;  // seconds east of UTC
    Date start;
    Date end;
  };
  std::optional<Daylight> daylight;
};

// Parses a POSIX TZ string. Returns nullopt when it is malformed, or names a
// daylight saving time without the rule for its start and end.
std::optional<PosixTzRule> parse_posix_tz(std::string_view text);

// Returns the transitions of the rule in the calendar years first_year to
// last_year, ordered by instant. A year's end and the next year's start of
// daylight saving time at the same instant cancel out and are dropped, as
// in "EST5EDT,0/0,J365/25" (daylight saving time all year).
std::vector<ZoneTransition> rule_transitions(const PosixTzRule& rule, int first_year,
                                             int last_year);

}  // namespace parley::protocol
