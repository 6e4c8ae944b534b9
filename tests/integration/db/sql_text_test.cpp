// Tests of the SQL text helpers and timestamp conversions that need no
// server. Their round trips through PostgreSQL are in connection_test.cpp.
#include "db/sql_text.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "db/connection.hpp"

namespace parley::db {
namespace {

using namespace std::chrono_literals;

Timestamp at(int year, unsigned month, unsigned day, std::chrono::milliseconds time_of_day) {
  return Timestamp{std::chrono::sys_days{std::chrono::year{year} / month / day}} + time_of_day;
}

TEST(LikeSubstring, EscapesWildcardsAndBackslash) {
  EXPECT_EQ(sql::like_substring("plain"), "%plain%");
  EXPECT_EQ(sql::like_substring("50%"), "%50\\%%");
  EXPECT_EQ(sql::like_substring("a_b"), "%a\\_b%");
  EXPECT_EQ(sql::like_substring("c:\\dir"), "%c:\\\\dir%");
  EXPECT_EQ(sql::like_substring(""), "%%");
}

TEST(ArrayLiteral, QuotesTextElements) {
  EXPECT_EQ(sql::text_array({}), "{}");
  EXPECT_EQ(sql::text_array({"a", std::nullopt, "NULL"}), "{\"a\",NULL,\"NULL\"}");
  EXPECT_EQ(sql::text_array({"say \"hi\"", "back\\slash"}),
            "{\"say \\\"hi\\\"\",\"back\\\\slash\"}");
  EXPECT_EQ(sql::text_array({"{a,b}", " spaced "}), "{\"{a,b}\",\" spaced \"}");
}

TEST(ArrayLiteral, JoinsIntegers) {
  EXPECT_EQ(sql::int64_array({}), "{}");
  EXPECT_EQ(sql::int64_array({1, -2, 9223372036854775807}), "{1,-2,9223372036854775807}");
}

TEST(StorableText, AcceptsValidUtf8) {
  EXPECT_TRUE(sql::is_storable_text(""));
  EXPECT_TRUE(sql::is_storable_text("ascii text"));
  EXPECT_TRUE(sql::is_storable_text("\xc3\xa4"));          // U+00E4
  EXPECT_TRUE(sql::is_storable_text("\xe2\x82\xac"));      // U+20AC
  EXPECT_TRUE(sql::is_storable_text("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_TRUE(sql::is_storable_text("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(StorableText, RejectsNulAndInvalidUtf8) {
  EXPECT_FALSE(sql::is_storable_text(std::string("a\0b", 3)));
  EXPECT_FALSE(sql::is_storable_text("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(sql::is_storable_text("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(sql::is_storable_text("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(sql::is_storable_text("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(sql::is_storable_text("\xe2\x82"));          // truncated
  EXPECT_FALSE(sql::is_storable_text("\x80"));              // lone continuation
  EXPECT_FALSE(sql::is_storable_text("\xff"));
}

TEST(OrderBy, MapsFieldsAndAppendsIdTieBreaker) {
  const sql::SortColumns columns = {{"id", "r.id"}, {"createdAt", "r.created_at"}};
  PageQuery page;
  page.order_field = "createdAt";
  EXPECT_EQ(sql::order_by(columns, page, "r.id"), "ORDER BY r.created_at ASC, r.id ASC");
  page.descending = true;
  EXPECT_EQ(sql::order_by(columns, page, "r.id"), "ORDER BY r.created_at DESC, r.id ASC");
  page.order_field = "id";
  EXPECT_EQ(sql::order_by(columns, page, "r.id"), "ORDER BY r.id DESC");
}

TEST(OrderBy, RejectsUnknownField) {
  const sql::SortColumns columns = {{"id", "r.id"}};
  PageQuery page;
  page.order_field = "password_hash";
  EXPECT_THROW(sql::order_by(columns, page, "r.id"), std::invalid_argument);
  page.order_field = "created_at";
  EXPECT_THROW(sql::order_by(columns, page, "r.id"), std::invalid_argument);
}

TEST(TimestampText, FormatsWithMilliseconds) {
  EXPECT_EQ(format_timestamp(at(2025, 3, 31, 13h + 5min + 7s + 9ms)), "2025-03-31 13:05:07.009");
  EXPECT_EQ(format_timestamp(at(1970, 1, 1, 0ms)), "1970-01-01 00:00:00.000");
  EXPECT_EQ(format_timestamp(at(1969, 12, 31, 23h + 59min + 59s + 999ms)),
            "1969-12-31 23:59:59.999");
}

TEST(TimestampText, ParsesPostgresOutput) {
  const Timestamp expected = at(2025, 3, 31, 13h + 5min + 7s + 120ms);
  EXPECT_EQ(parse_timestamp("2025-03-31 13:05:07.12"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 13:05:07.120"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 13:05:07.120999"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 13:05:07.12+00"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 15:35:07.12+02:30"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 08:05:07.12-05"), expected);
  EXPECT_EQ(parse_timestamp("2025-03-31 13:05:07"), at(2025, 3, 31, 13h + 5min + 7s));
}

TEST(TimestampText, RejectsOtherText) {
  EXPECT_FALSE(parse_timestamp(""));
  EXPECT_FALSE(parse_timestamp("infinity"));
  EXPECT_FALSE(parse_timestamp("2025-03-31"));
  EXPECT_FALSE(parse_timestamp("2025-03-31T13:05:07"));
  EXPECT_FALSE(parse_timestamp("2025-02-30 13:05:07"));
  EXPECT_FALSE(parse_timestamp("2025-03-31 13:05:07."));
  EXPECT_FALSE(parse_timestamp("2025-03-31 13:05:07 BC"));
}

TEST(TimestampText, RoundTrips) {
  for (const Timestamp value :
       {at(2000, 2, 29, 0ms), at(2025, 12, 31, 23h + 59min + 59s + 1ms), at(1900, 1, 1, 12h)}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(value)), value) << format_timestamp(value);
  }
}

TEST(ByteaLiteral, EncodesHex) {
  EXPECT_EQ(bytea_literal(""), "\\x");
  EXPECT_EQ(bytea_literal(std::string("\x00\x7f\xff", 3)), "\\x007fff");
}

}  // namespace
}  // namespace parley::db
