#include "protocol/time_zone.hpp"

#include <atomic>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace parley::protocol {
namespace {

using std::chrono::microseconds;

std::chrono::local_time<microseconds> local(int y, unsigned m, unsigned d, int hour, int minute,
                                            int second = 0) {
  using namespace std::chrono;
  return local_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute} + seconds{second};
}

std::chrono::sys_time<microseconds> utc(int y, unsigned m, unsigned d, int hour, int minute,
                                        int second = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute} + seconds{second};
}

std::shared_ptr<const TimeZone> system_zone(std::string_view id) {
  std::shared_ptr<const TimeZone> zone = TimeZoneDatabase::system().locate(id);
  EXPECT_NE(zone, nullptr) << id;
  return zone;
}

TEST(ParseZoneOffset, AcceptsJavaOffsetForms) {
  const std::vector<std::pair<std::string, std::int32_t>> cases = {
      {"Z", 0},          {"+2", 7200},      {"-2", -7200},     {"+02", 7200},
      {"-0530", -19800}, {"+05:30", 19800}, {"+023045", 9045}, {"-02:30:45", -9045},
      {"+18:00", 64800}, {"-18", -64800},   {"+00:00", 0},
  };
  for (const auto& [text, seconds] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_zone_offset(text), seconds);
  }
}

TEST(ParseZoneOffset, RejectsOtherText) {
  for (const char* text :
       {"", "z", "2", "+", "+123", "+2:00", "+02:0", "+02-00", "+0260", "+02:60", "+02:00:60",
        "+18:01", "+19", "+02:00:0", "02:00", "+ab", "+02:00:00:00"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_zone_offset(text).has_value());
  }
}

TEST(TimeZoneDatabase, LocatesFixedAndPrefixedOffsets) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"Z", 0},  {"UTC", 0},   {"GMT", 0},       {"UT", 0},      {"+02:00", 2}, {"-0530", -5},
      {"+2", 2}, {"GMT+2", 2}, {"UTC+02:00", 2}, {"UTC-03", -3}, {"UT+1", 1},   {"GMT-0", 0},
  };
  for (const auto& [id, hours] : cases) {
    SCOPED_TRACE(id);
    const auto zone = TimeZoneDatabase::system().locate(id);
    ASSERT_NE(zone, nullptr);
    // -0530 is five and a half hours, so compare at minute precision.
    const auto expected_shift =
        id == "-0530" ? std::chrono::minutes{-330} : std::chrono::minutes{hours * 60};
    EXPECT_EQ(zone->to_utc(local(2025, 3, 10, 12, 0)), utc(2025, 3, 10, 12, 0) - expected_shift);
  }
}

TEST(TimeZoneDatabase, RejectsUnknownIds) {
  for (const char* id : {"",
                         "z",
                         "utc",
                         "Utc",
                         "UTC+",
                         "UTC+25",
                         "GMT+2:00",
                         "UTC2",
                         "Mars/Base",
                         "america/los_angeles",
                         "America/Los_Angeles ",
                         " UTC",
                         "PST",
                         "America//Los_Angeles",
                         "America/../Europe/Paris",
                         "../etc/passwd",
                         "/etc/passwd",
                         "posixrules/x",
                         "zone.tab",
                         "America/",
                         "America"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(TimeZoneDatabase::system().locate(id), nullptr);
  }
}

TEST(TimeZoneDatabase, LocatesRegionsAndLinks) {
  for (const char* id : {"America/Los_Angeles", "US/Pacific", "Asia/Tokyo", "Europe/Dublin",
                         "Australia/Sydney", "Etc/GMT+5", "EST5EDT", "UTC", "Etc/UTC"}) {
    SCOPED_TRACE(id);
    EXPECT_NE(TimeZoneDatabase::system().locate(id), nullptr);
  }
}

TEST(TimeZoneDatabase, ReturnsSameZoneOnRepeatedLookup) {
  const auto first = TimeZoneDatabase::system().locate("Europe/Paris");
  const auto second = TimeZoneDatabase::system().locate("Europe/Paris");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, second);
}

TEST(TimeZoneLosAngeles, ConvertsStandardAndDaylightTime) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->to_utc(local(2024, 1, 15, 12, 0)), utc(2024, 1, 15, 20, 0));
  EXPECT_EQ(zone->to_utc(local(2024, 7, 1, 12, 0)), utc(2024, 7, 1, 19, 0));
}

TEST(TimeZoneLosAngeles, MovesGapTimesLater) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  // The clocks go from 02:00 PST to 03:00 PDT on 2024-03-10. Java moves
  // 02:30 to 03:30 PDT, which is 10:30 UTC.
  EXPECT_EQ(zone->to_utc(local(2024, 3, 10, 1, 59, 59)), utc(2024, 3, 10, 9, 59, 59));
  EXPECT_EQ(zone->to_utc(local(2024, 3, 10, 2, 0)), utc(2024, 3, 10, 10, 0));
  EXPECT_EQ(zone->to_utc(local(2024, 3, 10, 2, 30)), utc(2024, 3, 10, 10, 30));
  EXPECT_EQ(zone->to_utc(local(2024, 3, 10, 3, 0)), utc(2024, 3, 10, 10, 0));
  EXPECT_EQ(zone->to_utc(local(2024, 3, 10, 3, 30)), utc(2024, 3, 10, 10, 30));
}

TEST(TimeZoneLosAngeles, UsesEarlierOffsetInOverlap) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  // The clocks go from 02:00 PDT back to 01:00 PST on 2024-11-03, so
  // 01:00..01:59 happen twice and the PDT reading wins.
  EXPECT_EQ(zone->to_utc(local(2024, 11, 3, 0, 59)), utc(2024, 11, 3, 7, 59));
  EXPECT_EQ(zone->to_utc(local(2024, 11, 3, 1, 0)), utc(2024, 11, 3, 8, 0));
  EXPECT_EQ(zone->to_utc(local(2024, 11, 3, 1, 30)), utc(2024, 11, 3, 8, 30));
  EXPECT_EQ(zone->to_utc(local(2024, 11, 3, 1, 59, 59)), utc(2024, 11, 3, 8, 59, 59));
  EXPECT_EQ(zone->to_utc(local(2024, 11, 3, 2, 0)), utc(2024, 11, 3, 10, 0));
}

TEST(TimeZoneLosAngeles, KeepsMicroseconds) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->to_utc(local(2024, 1, 15, 12, 0) + microseconds{123456}),
            utc(2024, 1, 15, 20, 0) + microseconds{123456});
}

TEST(TimeZoneLosAngeles, FollowsFooterRuleAfterTable) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  // The table of the file ends in 2037, so 2040 comes from
  // "PST8PDT,M3.2.0,M11.1.0".
  EXPECT_EQ(zone->to_utc(local(2040, 1, 15, 12, 0)), utc(2040, 1, 15, 20, 0));
  EXPECT_EQ(zone->to_utc(local(2040, 3, 11, 2, 30)), utc(2040, 3, 11, 10, 30));
  EXPECT_EQ(zone->to_utc(local(2040, 7, 1, 12, 0)), utc(2040, 7, 1, 19, 0));
  EXPECT_EQ(zone->to_utc(local(2040, 11, 4, 1, 30)), utc(2040, 11, 4, 8, 30));
  EXPECT_EQ(zone->to_utc(local(2040, 11, 4, 2, 0)), utc(2040, 11, 4, 10, 0));
}

TEST(TimeZoneLosAngeles, UsesLocalMeanTimeBefore1883) {
  const auto zone = system_zone("America/Los_Angeles");
  ASSERT_NE(zone, nullptr);
  // Local mean time of Los Angeles was UTC-7:52:58.
  EXPECT_EQ(zone->to_utc(local(1850, 1, 1, 0, 0)), utc(1850, 1, 1, 7, 52, 58));
}

TEST(TimeZoneOtherRegions, ConvertsAroundTheWorld) {
  struct Case {
    const char* id;
    std::chrono::local_time<microseconds> local_time;
    std::chrono::sys_time<microseconds> expected;
  };
  const std::vector<Case> cases = {
      {"Asia/Tokyo", local(2025, 3, 10, 12, 0), utc(2025, 3, 10, 3, 0)},
      {"Europe/Dublin", local(2024, 7, 1, 12, 0), utc(2024, 7, 1, 11, 0)},
      {"Europe/Dublin", local(2040, 7, 1, 12, 0), utc(2040, 7, 1, 11, 0)},
      {"Europe/Dublin", local(2040, 1, 15, 12, 0), utc(2040, 1, 15, 12, 0)},
      {"Australia/Sydney", local(2040, 1, 15, 12, 0), utc(2040, 1, 15, 1, 0)},
      {"Australia/Sydney", local(2040, 7, 1, 12, 0), utc(2040, 7, 1, 2, 0)},
      // Overlap on 2024-04-07 and gap on 2024-10-06 in Sydney.
      {"Australia/Sydney", local(2024, 4, 7, 2, 30), utc(2024, 4, 6, 15, 30)},
      {"Australia/Sydney", local(2024, 10, 6, 2, 30), utc(2024, 10, 5, 16, 30)},
      {"Asia/Kolkata", local(2025, 3, 10, 12, 0), utc(2025, 3, 10, 6, 30)},
      {"Etc/GMT+5", local(2025, 3, 10, 12, 0), utc(2025, 3, 10, 17, 0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    const auto zone = system_zone(c.id);
    ASSERT_NE(zone, nullptr);
    EXPECT_EQ(zone->to_utc(c.local_time), c.expected);
  }
}

// Builds a version 2 TZif file with one transition at `transition` from
// `before` to `after` seconds east of UTC, and the given footer.
std::string make_tzif(std::int64_t transition, std::int32_t before, std::int32_t after,
                      std::string_view footer) {
  auto put = [](std::string& out, std::uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out += static_cast<char>((value >> (8 * i)) & 0xFF);
    }
  };
  auto header = [&](std::string& out, std::uint32_t timecnt) {
    out += "TZif2";
    out.append(15, '\0');
    for (std::uint32_t count : {0u, 0u, 0u, timecnt, 2u, 4u}) {
      put(out, count, 4);
    }
  };
  auto types = [&](std::string& out) {
    for (std::int32_t offset : {before, after}) {
      put(out, static_cast<std::uint32_t>(offset), 4);
      out += '\0';
      out += '\0';
    }
    out.append("AB\0\0", 4);
  };
  std::string file;
  header(file, 0);  // the version 1 block, left empty
  types(file);
  header(file, 1);
  put(file, static_cast<std::uint64_t>(transition), 8);
  file += '\1';
  types(file);
  file += '\n';
  file += footer;
  file += '\n';
  return file;
}

TEST(TimeZoneFromTzif, ReadsTransitionAndFooter) {
  const std::int64_t transition = 1'000'000'000;  // 2001-09-09T01:46:40Z
  const auto zone = TimeZone::from_tzif(make_tzif(transition, 3600, 7200, "AAA-2"));
  ASSERT_TRUE(zone.has_value());
  const auto at_transition = std::chrono::sys_time<microseconds>{std::chrono::seconds{transition}};
  const auto local_before =
      std::chrono::local_time<microseconds>{std::chrono::seconds{transition + 3600 - 1}};
  EXPECT_EQ(zone->to_utc(local_before), at_transition - std::chrono::seconds{1});
  EXPECT_EQ(zone->to_utc(local(2030, 1, 1, 12, 0)), utc(2030, 1, 1, 10, 0));
}

TEST(TimeZoneFromTzif, RejectsDamagedFiles) {
  const std::string good = make_tzif(1'000'000'000, 3600, 7200, "AAA-2");
  EXPECT_TRUE(TimeZone::from_tzif(good).has_value());
  EXPECT_FALSE(TimeZone::from_tzif("").has_value());
  EXPECT_FALSE(TimeZone::from_tzif("TZif").has_value());
  EXPECT_FALSE(TimeZone::from_tzif("NotTZif2" + good.substr(8)).has_value());
  for (std::size_t length : {std::size_t{10}, std::size_t{44}, std::size_t{60}, good.size() - 2}) {
    SCOPED_TRACE(length);
    EXPECT_FALSE(TimeZone::from_tzif(good.substr(0, length)).has_value());
  }
  EXPECT_FALSE(TimeZone::from_tzif(make_tzif(0, 3600, 7200, "not a rule")).has_value());
}

// A zoneinfo directory of its own under the system temporary directory.
class TemporaryZoneDirectory {
 public:
  TemporaryZoneDirectory() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("parley-zoneinfo-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_ / "Test");
  }
  ~TemporaryZoneDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  void write(const std::string& name, const std::string& contents) const {
    std::ofstream(path_ / name, std::ios::binary) << contents;
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(TimeZoneDatabase, AcceptsOnlyNamesListedInTzdataZi) {
  TemporaryZoneDirectory directory;
  const std::string zone_file = make_tzif(0, 0, 3600, "AAA-1");
  directory.write("Test/Listed", zone_file);
  directory.write("Test/Unlisted", zone_file);
  directory.write("tzdata.zi", "# version test\nZ Test/Listed 1 - AAA\nL Test/Listed Test/Alias\n");
  directory.write("Test/Alias", zone_file);

  TimeZoneDatabase database(directory.path());
  EXPECT_NE(database.locate("Test/Listed"), nullptr);
  EXPECT_NE(database.locate("Test/Alias"), nullptr);
  EXPECT_EQ(database.locate("Test/Unlisted"), nullptr);
}

TEST(TimeZoneDatabase, FallsBackToFilesWithoutTzdataZi) {
  TemporaryZoneDirectory directory;
  directory.write("Test/Zone", make_tzif(0, 0, 3600, "AAA-1"));
  directory.write("Test/Broken", "TZif2 but nothing else");

  TimeZoneDatabase database(directory.path());
  const auto zone = database.locate("Test/Zone");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->to_utc(local(2025, 1, 1, 12, 0)), utc(2025, 1, 1, 11, 0));
  EXPECT_EQ(database.locate("Test/Broken"), nullptr);
  EXPECT_EQ(database.locate("Test/Missing"), nullptr);
  EXPECT_EQ(database.locate("Test/../Test/Zone"), nullptr);
}

TEST(TimeZoneDatabase, PreloadsListedZones) {
  TemporaryZoneDirectory directory;
  const std::string zone_file = make_tzif(0, 0, 3600, "AAA-1");
  directory.write("Test/One", zone_file);
  directory.write("Test/Two", zone_file);
  directory.write("tzdata.zi", "Z Test/One 1 - AAA\nL Test/One Test/Two\nZ Test/Gone 1 - AAA\n");

  TimeZoneDatabase database(directory.path());
  EXPECT_EQ(database.preload(), 2u);
  // Preloaded zones stay available after their files are gone.
  std::filesystem::remove(directory.path() / "Test/One");
  EXPECT_NE(database.locate("Test/One"), nullptr);
  EXPECT_EQ(database.locate("Test/Gone"), nullptr);
}

TEST(TimeZoneDatabase, PreloadsNothingWithoutTzdataZi) {
  TemporaryZoneDirectory directory;
  directory.write("Test/Zone", make_tzif(0, 0, 3600, "AAA-1"));
  TimeZoneDatabase database(directory.path());
  EXPECT_EQ(database.preload(), 0u);
  EXPECT_NE(database.locate("Test/Zone"), nullptr);
}

TEST(TimeZoneDatabase, PreloadsEverySystemZone) {
  TimeZoneDatabase database{std::filesystem::path(TimeZoneDatabase::kSystemDirectory)};
  // Debian 12's tzdata lists several hundred zones and links; every one
  // must be a readable TZif file.
  std::ifstream listing(std::filesystem::path(TimeZoneDatabase::kSystemDirectory) / "tzdata.zi");
  std::size_t listed = 0;
  for (std::string line; std::getline(listing, line);) {
    if (line.starts_with("Z ") || line.starts_with("L ")) {
      ++listed;
    }
  }
  EXPECT_GT(listed, 300u);
  EXPECT_EQ(database.preload(), listed);
}

}  // namespace
}  // namespace parley::protocol
