#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/posix_tz.hpp"

namespace parley::protocol {

// The UTC offsets of one time zone over time: a fixed offset, or the
// transitions of a TZif file (RFC 8536) and the POSIX TZ rule of its footer
// for instants after the last transition.
class TimeZone {
 public:
  static TimeZone fixed(std::int32_t offset_seconds);

  // Reads the contents of a TZif file of version 1 to 4. Returns nullopt when
  // the data is truncated or inconsistent.
  static std::optional<TimeZone> from_tzif(std::string_view bytes);

  // Converts a local date-time in this zone to UTC as Java's
  // ZonedDateTime.of does. A local time that occurs twice (the clocks go
  // back) takes the earlier offset. A local time that does not exist (the
  // clocks go forward) is moved later by the length of the gap, which
  // amounts to using the offset from before the gap.
  std::chrono::sys_time<std::chrono::microseconds> to_utc(
      std::chrono::local_time<std::chrono::microseconds> local) const;

 private:
  TimeZone() = default;

  std::int32_t offset_before_local(std::int64_t local_seconds) const;

  std::int32_t initial_offset_ = 0;
  std::vector<ZoneTransition> transitions_;
  std::optional<PosixTzRule> rule_;
};

// The time zones that listMessages accepts, with the ids of Java's ZoneId.of:
// - "Z", and fixed offsets +h, +hh, +hh:mm, +hhmm, +hh:mm:ss and +hhmmss
//   (or with -) up to 18 hours.
// - "UTC", "GMT" and "UT", alone or followed by such an offset ("GMT+2",
//   "UTC+02:00").
// - The region ids of the zone database ("America/Los_Angeles"), which are
//   case-sensitive.
//
// Region ids are the Zone and Link names of tzdata.zi in the database
// directory. When that file is missing, any name of Java's region id syntax
// with a TZif file is accepted. Zones are read on first use and kept.
// Thread-safe.
class TimeZoneDatabase {
 public:
  static constexpr std::string_view kSystemDirectory = "/usr/share/zoneinfo";

  explicit TimeZoneDatabase(std::filesystem::path directory);

  // Returns the database of kSystemDirectory.
  static TimeZoneDatabase& system();

  // Returns the zone of `id`, or nullptr when the id is not valid.
  // NOTE: The first lookup of a region reads its file from disk, unless
  // preload() read it at start.
  std::shared_ptr<const TimeZone> locate(std::string_view id);

  // Reads every region listed in tzdata.zi and returns how many were read.
  // Without tzdata.zi it reads nothing, and regions are read on first use.
  std::size_t preload();

 private:
  std::shared_ptr<const TimeZone> locate_region(std::string_view id);
  // These require mutex_ to be held.
  std::shared_ptr<const TimeZone> load_region(std::string_view id);
  void load_region_names();
  bool is_known_region(std::string_view id);

  const std::filesystem::path directory_;
  std::mutex mutex_;
  // The members below are guarded by mutex_.
  // Names from tzdata.zi, or nullopt when it could not be read.
  std::optional<std::set<std::string, std::less<>>> region_names_;
  bool region_names_loaded_ = false;
  // Zones read so far. Invalid ids are not kept, so clients cannot grow it.
  std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> zones_;
};

// Parses a fixed offset of Java's ZoneOffset.of ("Z", "+2", "-05:30", ...)
// into seconds east of UTC.
std::optional<std::int32_t> parse_zone_offset(std::string_view text);

}  // namespace parley::protocol
