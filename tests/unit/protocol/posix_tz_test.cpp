#include "protocol/posix_tz.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace parley::protocol {
namespace {

std::int64_t utc_seconds(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute};
  return t.time_since_epoch().count();
}

TEST(ParsePosixTz, ReadsStandardOnlyZone) {
  const auto rule = parse_posix_tz("JST-9");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->standard_offset, 9 * 3600);
  EXPECT_FALSE(rule->daylight.has_value());
}

TEST(ParsePosixTz, ReadsQuotedNamesAndMinutes) {
  const auto india = parse_posix_tz("IST-5:30");
  ASSERT_TRUE(india.has_value());
  EXPECT_EQ(india->standard_offset, 5 * 3600 + 30 * 60);

  const auto chatham = parse_posix_tz("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
  ASSERT_TRUE(chatham.has_value());
  EXPECT_EQ(chatham->standard_offset, 12 * 3600 + 45 * 60);
  ASSERT_TRUE(chatham->daylight.has_value());
  EXPECT_EQ(chatham->daylight->offset, 13 * 3600 + 45 * 60);
  EXPECT_EQ(chatham->daylight->start.time_seconds, 2 * 3600 + 45 * 60);
}

TEST(ParsePosixTz, DefaultsDaylightToOneHourAhead) {
  const auto rule = parse_posix_tz("PST8PDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->standard_offset, -8 * 3600);
  ASSERT_TRUE(rule->daylight.has_value());
  EXPECT_EQ(rule->daylight->offset, -7 * 3600);
  EXPECT_EQ(rule->daylight->start.month, 3);
  EXPECT_EQ(rule->daylight->start.week, 2);
  EXPECT_EQ(rule->daylight->start.day, 0);
  EXPECT_EQ(rule->daylight->start.time_seconds, 7200);
}

TEST(ParsePosixTz, ReadsExtendedAndNegativeTimes) {
  const auto rule = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(rule.has_value());
  ASSERT_TRUE(rule->daylight.has_value());
  EXPECT_EQ(rule->daylight->start.time_seconds, -3600);
  EXPECT_EQ(rule->daylight->end.time_seconds, 0);

  const auto long_time = parse_posix_tz("EET-2EEST,M3.4.4/50,M10.4.4/50");
  ASSERT_TRUE(long_time.has_value());
  EXPECT_EQ(long_time->daylight->start.time_seconds, 50 * 3600);
}

TEST(ParsePosixTz, RejectsMalformedText) {
  for (const char* text :
       {"", "PS8", "PST", "PST8PDT", "PST8PDT,M3.2.0", "PST8PDT,M13.2.0,M11.1.0",
        "PST8PDT,M3.6.0,M11.1.0", "PST8PDT,M3.2.7,M11.1.0", "PST8PDT,J366,J100",
        "PST8PDT,M3.2.0,M11.1.0x", "<>8", "<ABC8", "PST25", "PST8PDT,M3.2.0/168,M11.1.0"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_posix_tz(text).has_value());
  }
}

TEST(RuleTransitions, FollowsUsRule) {
  const auto rule = parse_posix_tz("PST8PDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(rule.has_value());
  const std::vector<ZoneTransition> transitions = rule_transitions(*rule, 2040, 2040);
  ASSERT_EQ(transitions.size(), 2u);
  // 2040-03-11 02:00 PST and 2040-11-04 02:00 PDT.
  EXPECT_EQ(transitions[0], (ZoneTransition{utc_seconds(2040, 3, 11, 10), -8 * 3600, -7 * 3600}));
  EXPECT_EQ(transitions[1], (ZoneTransition{utc_seconds(2040, 11, 4, 9), -7 * 3600, -8 * 3600}));
}

TEST(RuleTransitions, OrdersSouthernHemisphereByInstant) {
  const auto rule = parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(rule.has_value());
  const std::vector<ZoneTransition> transitions = rule_transitions(*rule, 2040, 2040);
  ASSERT_EQ(transitions.size(), 2u);
  // 2040-04-01 03:00 AEDT ends daylight time, 2040-10-07 02:00 AEST starts it.
  EXPECT_EQ(transitions[0].utc_seconds, utc_seconds(2040, 3, 31, 16));
  EXPECT_EQ(transitions[0].offset_after, 10 * 3600);
  EXPECT_EQ(transitions[1].utc_seconds, utc_seconds(2040, 10, 6, 16));
  EXPECT_EQ(transitions[1].offset_after, 11 * 3600);
}

TEST(RuleTransitions, ComputesJulianDays) {
  // J60 is March 1 in every year, and 59 (zero-based) is March 1 only in
  // leap years.
  const auto julian = parse_posix_tz("AAA0BBB,J60/0,J300/0");
  ASSERT_TRUE(julian.has_value());
  EXPECT_EQ(rule_transitions(*julian, 2040, 2040)[0].utc_seconds, utc_seconds(2040, 3, 1, 0));
  EXPECT_EQ(rule_transitions(*julian, 2041, 2041)[0].utc_seconds, utc_seconds(2041, 3, 1, 0));

  const auto zero_based = parse_posix_tz("AAA0BBB,59/0,300/0");
  ASSERT_TRUE(zero_based.has_value());
  EXPECT_EQ(rule_transitions(*zero_based, 2040, 2040)[0].utc_seconds, utc_seconds(2040, 2, 29, 0));
  EXPECT_EQ(rule_transitions(*zero_based, 2041, 2041)[0].utc_seconds, utc_seconds(2041, 3, 1, 0));
}

TEST(RuleTransitions, UsesLastWeekdayForWeekFive) {
  // The last Sunday of March 2040 is March 25.
  const auto rule = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule_transitions(*rule, 2040, 2040)[0].utc_seconds, utc_seconds(2040, 3, 25, 1));
}

TEST(RuleTransitions, DropsCancellingPairsOfAllYearDaylightTime) {
  const auto rule = parse_posix_tz("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(rule.has_value());
  const std::vector<ZoneTransition> transitions = rule_transitions(*rule, 2040, 2042);
  // Only the first start and the last end remain.
  ASSERT_EQ(transitions.size(), 2u);
  EXPECT_EQ(transitions[0].utc_seconds, utc_seconds(2040, 1, 1, 5));
  EXPECT_EQ(transitions[1].utc_seconds, utc_seconds(2043, 1, 1, 5));
}

TEST(RuleTransitions, ReturnsNoneWithoutDaylightTime) {
  const auto rule = parse_posix_tz("JST-9");
  ASSERT_TRUE(rule.has_value());
  EXPECT_TRUE(rule_transitions(*rule, 2000, 2100).empty());
}

}  // namespace
}  // namespace parley::protocol
