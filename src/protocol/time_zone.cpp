#include "protocol/time_zone.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/logging.hpp"

namespace parley::protocol {
namespace {

constexpr std::int32_t kMaxZoneOffsetSeconds = 18 * 3600;
// Far larger than any TZif file of the tz database (a few KiB each).
constexpr std::uintmax_t kMaxZoneFileBytes = 1 << 20;

// Two digits at `position`, preceded by ':' when `after_colon` is set.
std::optional<int> offset_field(std::string_view text, std::size_t position, bool after_colon) {
  if (after_colon && text[position - 1] != ':') {
    return std::nullopt;
  }
  const char tens = text[position];
  const char ones = text[position + 1];
  if (tens < '0' || tens > '9' || ones < '0' || ones > '9') {
    return std::nullopt;
  }
  return (tens - '0') * 10 + (ones - '0');
}

// Java's ZoneRegion.checkName: [A-Za-z][A-Za-z0-9~/._+-]+.
bool has_region_id_syntax(std::string_view id) {
  auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (id.size() < 2 || !is_letter(id[0])) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return is_letter(c) || (c >= '0' && c <= '9') ||
           std::string_view("~/._+-").find(c) != std::string_view::npos;
  });
}

// Rejects "." and ".." path components, which could leave the directory.
bool is_plain_relative_path(std::string_view id) {
  std::size_t start = 0;
  while (start <= id.size()) {
    std::size_t end = id.find('/', start);
    if (end == std::string_view::npos) {
      end = id.size();
    }
    const std::string_view component = id.substr(start, end - start);
    if (component.empty() || component == "." || component == "..") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size > kMaxZoneFileBytes) {
    return std::nullopt;
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return std::nullopt;
  }
  std::string contents((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (stream.bad()) {
    return std::nullopt;
  }
  return contents;
}

// Reads the Zone ("Z name ...") and Link ("L target name") names of a
// tzdata.zi file.
std::optional<std::set<std::string, std::less<>>> read_region_names(
    const std::filesystem::path& path) {
  std::ifstream stream(path);
  if (!stream) {
    return std::nullopt;
  }
  std::set<std::string, std::less<>> names;
  std::string line;
  while (std::getline(stream, line)) {
    std::istringstream fields(line);
    std::string kind, first, second;
    fields >> kind >> first >> second;
    if (kind == "Z" && !first.empty()) {
      names.insert(first);
    } else if (kind == "L" && !second.empty()) {
      names.insert(second);
    }
  }
  return names;
}

}  // namespace

TimeZone TimeZone::fixed(std::int32_t offset_seconds) {
  TimeZone zone;
  zone.initial_offset_ = offset_seconds;
  return zone;
}

std::chrono::sys_time<std::chrono::microseconds> TimeZone::to_utc(
    std::chrono::local_time<std::chrono::microseconds> local) const {
  const auto local_seconds = std::chrono::floor<std::chrono::seconds>(local);
  const std::int32_t offset = offset_before_local(local_seconds.time_since_epoch().count());
  return std::chrono::sys_time<std::chrono::microseconds>{local.time_since_epoch() -
                                                          std::chrono::seconds{offset}};
}

// Returns the offset that converts `local_seconds` to UTC. Around a
// transition at instant T, the local times from T + min(before, after) to
// T + max(before, after) are either skipped (a gap) or repeated (an
// overlap). In both cases Java's rule amounts to the offset before T, so the
// result is the offset before the first transition whose window ends after
// the local time. Comparing whole seconds is exact because transitions and
// offsets are whole seconds.
std::int32_t TimeZone::offset_before_local(std::int64_t local_seconds) const {
  auto first_ending_after = [local_seconds](const std::vector<ZoneTransition>& transitions) {
    return std::partition_point(
        transitions.begin(), transitions.end(), [local_seconds](const ZoneTransition& t) {
          return t.utc_seconds + std::max(t.offset_before, t.offset_after) <= local_seconds;
        });
  };

  auto listed = first_ending_after(transitions_);
  if (listed != transitions_.end()) {
    return listed->offset_before;
  }
  const std::int32_t last_offset =
      transitions_.empty() ? initial_offset_ : transitions_.back().offset_after;
  if (!rule_) {
    return last_offset;
  }
  if (!rule_->daylight) {
    return rule_->standard_offset;
  }

  // Past the listed transitions, the rule gives those of the years around
  // the local time. Rule transitions at or before the last listed one are
  // already covered by the list.
  const auto local_day = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds{std::chrono::seconds{local_seconds}});
  const int year = static_cast<int>(std::chrono::year_month_day{local_day}.year());
  std::vector<ZoneTransition> generated = rule_transitions(*rule_, year - 1, year + 1);
  if (!transitions_.empty()) {
    const std::int64_t last_listed = transitions_.back().utc_seconds;
    std::erase_if(generated,
                  [last_listed](const ZoneTransition& t) { return t.utc_seconds <= last_listed; });
  }
  auto from_rule = first_ending_after(generated);
  if (from_rule != generated.end()) {
    return from_rule->offset_before;
  }
  return generated.empty() ? last_offset : generated.back().offset_after;
}

std::optional<std::int32_t> parse_zone_offset(std::string_view text) {
  if (text == "Z") {
    return 0;
  }
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) {
    return std::nullopt;
  }

  // +h is read as +0h.
  const std::string padded =
      text.size() == 2 ? std::string{text[0], '0', text[1]} : std::string(text);
  std::optional<int> hours, minutes = 0, seconds = 0;
  switch (padded.size()) {
    case 3:  // +hh
      hours = offset_field(padded, 1, false);
      break;
    case 5:  // +hhmm
      hours = offset_field(padded, 1, false);
      minutes = offset_field(padded, 3, false);
      break;
    case 6:  // +hh:mm
      hours = offset_field(padded, 1, false);
      minutes = offset_field(padded, 4, true);
      break;
    case 7:  // +hhmmss
      hours = offset_field(padded, 1, false);
      minutes = offset_field(padded, 3, false);
      seconds = offset_field(padded, 5, false);
      break;
    case 9:  // +hh:mm:ss
      hours = offset_field(padded, 1, false);
      minutes = offset_field(padded, 4, true);
      seconds = offset_field(padded, 7, true);
      break;
    default:
      return std::nullopt;
  }
  if (!hours || !minutes || !seconds || *minutes > 59 || *seconds > 59) {
    return std::nullopt;
  }
  const std::int32_t total = *hours * 3600 + *minutes * 60 + *seconds;
  if (total > kMaxZoneOffsetSeconds) {
    return std::nullopt;
  }
  return padded[0] == '-' ? -total : total;
}

TimeZoneDatabase::TimeZoneDatabase(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

TimeZoneDatabase& TimeZoneDatabase::system() {
  static TimeZoneDatabase database{std::filesystem::path(kSystemDirectory)};
  return database;
}

std::shared_ptr<const TimeZone> TimeZoneDatabase::locate(std::string_view id) {
  // The order of Java's ZoneId.of: offsets, then the UTC prefixes, then
  // region ids.
  if (id.size() <= 1 || id[0] == '+' || id[0] == '-') {
    auto offset = parse_zone_offset(id);
    return offset ? std::make_shared<const TimeZone>(TimeZone::fixed(*offset)) : nullptr;
  }
  if (id == "UTC" || id == "GMT" || id == "UT") {
    return std::make_shared<const TimeZone>(TimeZone::fixed(0));
  }
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (id.size() > prefix.size() && id.starts_with(prefix) &&
        (id[prefix.size()] == '+' || id[prefix.size()] == '-')) {
      auto offset = parse_zone_offset(id.substr(prefix.size()));
      return offset ? std::make_shared<const TimeZone>(TimeZone::fixed(*offset)) : nullptr;
    }
  }
  return locate_region(id);
}

std::shared_ptr<const TimeZone> TimeZoneDatabase::locate_region(std::string_view id) {
  if (!has_region_id_syntax(id) || !is_plain_relative_path(id)) {
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  if (auto found = zones_.find(id); found != zones_.end()) {
    return found->second;
  }
  if (!is_known_region(id)) {
    return nullptr;
  }
  return load_region(id);
}

std::size_t TimeZoneDatabase::preload() {
  std::lock_guard lock(mutex_);
  load_region_names();
  if (!region_names_) {
    return 0;
  }
  std::size_t loaded = 0;
  for (const std::string& name : *region_names_) {
    if (zones_.contains(name) || load_region(name)) {
      ++loaded;
    }
  }
  return loaded;
}

std::shared_ptr<const TimeZone> TimeZoneDatabase::load_region(std::string_view id) {
  const std::filesystem::path path = directory_ / std::string(id);
  std::optional<std::string> contents = read_file(path);
  std::optional<TimeZone> zone = contents ? TimeZone::from_tzif(*contents) : std::nullopt;
  if (!zone) {
    // Only a broken installation gets here when the name came from
    // tzdata.zi, and in the fallback any missing file does.
    if (region_names_) {
      logger("protocol")
          ->error(
              "time zone {} is listed in tzdata.zi, but {} is not a valid TZif file. "
              "Reinstall the tzdata package.",
              id, path.string());
    }
    return nullptr;
  }
  auto shared = std::make_shared<const TimeZone>(std::move(*zone));
  zones_.emplace(std::string(id), shared);
  return shared;
}

void TimeZoneDatabase::load_region_names() {
  if (region_names_loaded_) {
    return;
  }
  region_names_ = read_region_names(directory_ / "tzdata.zi");
  region_names_loaded_ = true;
  if (!region_names_) {
    logger("protocol")
        ->warn("cannot read {}, so every region id that has a TZif file is accepted",
               (directory_ / "tzdata.zi").string());
  }
}

bool TimeZoneDatabase::is_known_region(std::string_view id) {
  load_region_names();
  return !region_names_ || region_names_->contains(id);
}

}  // namespace parley::protocol
