#include "protocol/json_values.hpp"

#include <limits>

#include <gtest/gtest.h>

#include "request_test_support.hpp"

namespace parley::protocol {
namespace {

using testing::json;

struct IntegerCase {
  std::string json_text;
  FieldState state;
  std::int64_t value;
};

TEST(ReadInt64, FollowsLenientRules) {
  const std::vector<IntegerCase> cases = {
      {"5", FieldState::kPresent, 5},
      {"-5", FieldState::kPresent, -5},
      {R"("5")", FieldState::kPresent, 5},
      {R"(" 5 ")", FieldState::kPresent, 5},
      {R"("+5")", FieldState::kPresent, 5},
      {R"("-5")", FieldState::kPresent, -5},
      {R"("007")", FieldState::kPresent, 7},
      {"5.7", FieldState::kPresent, 5},
      {"-5.7", FieldState::kPresent, -5},
      {"1e3", FieldState::kPresent, 1000},
      {"5.0", FieldState::kPresent, 5},
      {R"("9223372036854775807")", FieldState::kPresent, std::numeric_limits<std::int64_t>::max()},
      {R"("-9223372036854775808")", FieldState::kPresent, std::numeric_limits<std::int64_t>::min()},
      {"9223372036854775807", FieldState::kPresent, std::numeric_limits<std::int64_t>::max()},
      {"null", FieldState::kAbsent, 0},
      {R"("")", FieldState::kAbsent, 0},
      {R"("null")", FieldState::kAbsent, 0},
      {R"(" null ")", FieldState::kAbsent, 0},
      {R"("5.7")", FieldState::kInvalid, 0},
      {R"("1e3")", FieldState::kInvalid, 0},
      {R"("0x10")", FieldState::kInvalid, 0},
      {R"("abc")", FieldState::kInvalid, 0},
      {R"("true")", FieldState::kInvalid, 0},
      {R"("   ")", FieldState::kInvalid, 0},
      {R"("+")", FieldState::kInvalid, 0},
      {R"("--5")", FieldState::kInvalid, 0},
      {R"("5 5")", FieldState::kInvalid, 0},
      {R"("9223372036854775808")", FieldState::kInvalid, 0},
      {"9223372036854775808", FieldState::kInvalid, 0},
      {"1e19", FieldState::kInvalid, 0},
      {"-1e19", FieldState::kInvalid, 0},
      {"true", FieldState::kInvalid, 0},
      {"false", FieldState::kInvalid, 0},
      {"{}", FieldState::kInvalid, 0},
      {"[]", FieldState::kInvalid, 0},
      {"[5]", FieldState::kInvalid, 0},
  };
  for (const IntegerCase& c : cases) {
    SCOPED_TRACE(c.json_text);
    const boost::json::value value = json(c.json_text);
    const Field<std::int64_t> field = read_int64(&value);
    EXPECT_EQ(field.state, c.state);
    if (c.state == FieldState::kPresent) {
      EXPECT_EQ(field.value, c.value);
    }
  }
}

TEST(ReadInt64, TreatsMissingMemberAsAbsent) {
  EXPECT_EQ(read_int64(nullptr).state, FieldState::kAbsent);
}

TEST(ReadInt32, RejectsValuesOutsideRange) {
  const std::vector<IntegerCase> cases = {
      {"2147483647", FieldState::kPresent, 2147483647},
      {"-2147483648", FieldState::kPresent, -2147483648LL},
      {R"("2147483647")", FieldState::kPresent, 2147483647},
      {"2147483647.0", FieldState::kPresent, 2147483647},
      {"-2147483648.0", FieldState::kPresent, -2147483648LL},
      {"2147483648", FieldState::kInvalid, 0},
      {"-2147483649", FieldState::kInvalid, 0},
      {R"("2147483648")", FieldState::kInvalid, 0},
      {"2147483647.5", FieldState::kInvalid, 0},
      {"-2147483648.5", FieldState::kInvalid, 0},
      {"60", FieldState::kPresent, 60},
  };
  for (const IntegerCase& c : cases) {
    SCOPED_TRACE(c.json_text);
    const boost::json::value value = json(c.json_text);
    const Field<std::int32_t> field = read_int32(&value);
    EXPECT_EQ(field.state, c.state);
    if (c.state == FieldState::kPresent) {
      EXPECT_EQ(field.value, c.value);
    }
  }
}

TEST(ReadString, ConvertsScalarsToText) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("hello")", "hello"}, {R"("")", ""},
      {"123", "123"},          {"-7", "-7"},
      {"true", "true"},        {"false", "false"},
      {R"(" x ")", " x "},     {"18446744073709551615", "18446744073709551615"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    const Field<std::string> field = read_string(&value);
    EXPECT_EQ(field.state, FieldState::kPresent);
    EXPECT_EQ(field.value, expected);
  }
}

TEST(ReadString, RejectsObjectsAndArrays) {
  for (const char* text : {"{}", R"({"a":"b"})", "[]", R"(["a"])"}) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    EXPECT_EQ(read_string(&value).state, FieldState::kInvalid);
  }
}

TEST(ReadString, TreatsNullAsAbsent) {
  const boost::json::value null_value = json("null");
  EXPECT_EQ(read_string(&null_value).state, FieldState::kAbsent);
  EXPECT_EQ(read_string(nullptr).state, FieldState::kAbsent);
}

TEST(Member, FindsKeysCaseSensitively) {
  const boost::json::value value = json(R"({"roomId":"5","RoomId":"6"})");
  const boost::json::value* found = member(value.get_object(), "roomId");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->get_string(), "5");
  EXPECT_EQ(member(value.get_object(), "roomid"), nullptr);
}

TEST(Utf16Length, CountsBmpCharactersOnce) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1u);      // U+00E9
  EXPECT_EQ(utf16_length("\xE2\x82\xAC"), 1u);  // U+20AC
  EXPECT_EQ(utf16_length("\xEF\xBF\xBF"), 1u);  // U+FFFF
  EXPECT_EQ(utf16_length("a\xE4\xB8\xAD"
                         "b"),
            3u);  // a, U+4E2D, b
}

TEST(Utf16Length, CountsAstralCharactersTwice) {
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2u);  // U+1F600
  EXPECT_EQ(utf16_length("\xF0\x90\x80\x80"), 2u);  // U+10000
  EXPECT_EQ(utf16_length("\xF4\x8F\xBF\xBF"), 2u);  // U+10FFFF
  EXPECT_EQ(utf16_length("x\xF0\x9F\x98\x80y\xF0\x9F\x98\x80"), 6u);
}

TEST(Utf16Length, CountsEachIllFormedSubpartOnce) {
  EXPECT_EQ(utf16_length("\xFF"), 1u);      // never a lead byte
  EXPECT_EQ(utf16_length("\x80"), 1u);      // lone continuation byte
  EXPECT_EQ(utf16_length("\xC3"), 1u);      // truncated 2-byte sequence
  EXPECT_EQ(utf16_length("\xE2\x82"), 1u);  // truncated 3-byte sequence
  EXPECT_EQ(utf16_length("\xE2\x82"
                         "A"),
            2u);                                    // truncated, then 'A'
  EXPECT_EQ(utf16_length("\xF0\x9F\x98"), 1u);      // truncated 4-byte sequence
  EXPECT_EQ(utf16_length("\xC0\x80"), 2u);          // overlong: two bad bytes
  EXPECT_EQ(utf16_length("\xED\xA0\x80"), 3u);      // encoded surrogate U+D800
  EXPECT_EQ(utf16_length("\xF4\x90\x80\x80"), 4u);  // above U+10FFFF
}

TEST(IsValidEmail, AcceptsEverySymbolOfLocalPart) {
  for (char symbol : std::string_view("_!#$%&'*+/=?`{|}~^.-")) {
    std::string email = std::string("a") + symbol + "b@example.org";
    SCOPED_TRACE(email);
    EXPECT_TRUE(is_valid_email(email));
  }
}

TEST(IsValidEmail, AcceptsUsualAddresses) {
  for (const char* email : {"alice@example.org", "A.B-C_9@mail.example.co", "x@y.zz",
                            "`tick`@host.name", "a@b..com", "a@-b.com", "1@2.ab"}) {
    SCOPED_TRACE(email);
    EXPECT_TRUE(is_valid_email(email));
  }
}

TEST(IsValidEmail, RejectsOtherText) {
  for (const char* email :
       {"", "plainaddress", "@example.org", "a@", "a@b", "a@b.c", "a@.org", "a@b.c0m", "a@b.com.",
        "a@@b.com", "a@b@c.com", "a b@c.com", "a@b_c.com", "(a)@b.com", "a,b@c.com", "a@b.com\n",
        "\xC3\xA9@b.com", "a@b.\xC3\xA9\xC3\xA9", "a\"b@c.com"}) {
    SCOPED_TRACE(email);
    EXPECT_FALSE(is_valid_email(email));
  }
}

TEST(IsBlank, MatchesJavaWhitespace) {
  for (const char* text : {"", " ", "\t\n\r", "\x0B\x0C", "\x1C\x1F", "\xE2\x80\x83",
                           "\xE3\x80\x80", "\xE2\x80\xA8", "\xE1\x9A\x80"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(is_blank(text));
  }
  // U+00A0, U+2007, U+202F are no-break spaces and U+200B is a format
  // character, so Java does not count them as whitespace.
  for (const char* text :
       {"a", " a ", "\xC2\xA0", "\xE2\x80\x87", "\xE2\x80\xAF", "\xE2\x80\x8B", "\xFF"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(is_blank(text));
  }
}

Timestamp at(int y, unsigned m, unsigned d, int hour, int minute, int second, int millis) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute} + seconds{second} +
         milliseconds{millis};
}

TEST(FormatDatetime, OmitsZeroFraction) {
  EXPECT_EQ(format_datetime(Timestamp{}), "1970-01-01T00:00:00");
  EXPECT_EQ(format_datetime(at(2025, 3, 10, 12, 0, 0, 0)), "2025-03-10T12:00:00");
}

TEST(FormatDatetime, TrimsTrailingZerosOfFraction) {
  EXPECT_EQ(format_datetime(at(2025, 3, 10, 12, 0, 0, 120)), "2025-03-10T12:00:00.12");
  EXPECT_EQ(format_datetime(at(2025, 3, 10, 12, 0, 0, 123)), "2025-03-10T12:00:00.123");
  EXPECT_EQ(format_datetime(at(2025, 3, 10, 12, 0, 0, 100)), "2025-03-10T12:00:00.1");
  EXPECT_EQ(format_datetime(at(2025, 3, 10, 12, 0, 0, 5)), "2025-03-10T12:00:00.005");
  EXPECT_EQ(format_datetime(at(2025, 12, 31, 23, 59, 59, 999)), "2025-12-31T23:59:59.999");
}

TEST(FormatDatetime, HandlesTimesBeforeEpoch) {
  EXPECT_EQ(format_datetime(Timestamp{std::chrono::milliseconds{-1}}), "1969-12-31T23:59:59.999");
}

LocalDateTime local(int y, unsigned m, unsigned d, int hour, int minute, int second = 0,
                    int micros = 0) {
  using namespace std::chrono;
  return LocalDateTime{local_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute} +
                       seconds{second} + microseconds{micros}};
}

TEST(ReadLocalDatetime, AcceptsIsoForms) {
  const std::vector<std::pair<std::string, LocalDateTime>> cases = {
      {R"("2025-03-10T12:34")", local(2025, 3, 10, 12, 34)},
      {R"("2025-03-10T12:34:56")", local(2025, 3, 10, 12, 34, 56)},
      {R"("2025-03-10T12:34:56.1")", local(2025, 3, 10, 12, 34, 56, 100000)},
      {R"("2025-03-10T12:34:56.123456")", local(2025, 3, 10, 12, 34, 56, 123456)},
      {R"("2025-03-10T12:34:56.123456789")", local(2025, 3, 10, 12, 34, 56, 123456)},
      {R"("2025-03-10T12:34:56Z")", local(2025, 3, 10, 12, 34, 56)},
      {R"("2025-03-10T12:34Z")", local(2025, 3, 10, 12, 34)},
      {R"(" 2025-03-10T12:34 ")", local(2025, 3, 10, 12, 34)},
      {R"("2025-03-10t12:34")", local(2025, 3, 10, 12, 34)},
      {R"("2024-02-29T00:00")", local(2024, 2, 29, 0, 0)},
      {R"("0000-01-01T00:00")", local(0, 1, 1, 0, 0)},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    const Field<LocalDateTime> field = read_local_datetime(&value);
    ASSERT_EQ(field.state, FieldState::kPresent);
    EXPECT_EQ(field.value, expected);
  }
}

TEST(ReadLocalDatetime, AcceptsArrayForm) {
  const std::vector<std::pair<std::string, LocalDateTime>> cases = {
      {"[2025,3,10,12,34]", local(2025, 3, 10, 12, 34)},
      {"[2025,3,10,12,34,56]", local(2025, 3, 10, 12, 34, 56)},
      {"[2025,3,10,12,34,56,123456789]", local(2025, 3, 10, 12, 34, 56, 123456)},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    const Field<LocalDateTime> field = read_local_datetime(&value);
    ASSERT_EQ(field.state, FieldState::kPresent);
    EXPECT_EQ(field.value, expected);
  }
}

TEST(ReadLocalDatetime, TreatsEmptyValuesAsAbsent) {
  for (const char* text : {"null", R"("")", R"("   ")", "[]"}) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    EXPECT_EQ(read_local_datetime(&value).state, FieldState::kAbsent);
  }
  EXPECT_EQ(read_local_datetime(nullptr).state, FieldState::kAbsent);
}

TEST(ReadLocalDatetime, RejectsOtherForms) {
  for (const char* text : {R"("2025-03-10")",
                           R"("2025-03-10 12:34")",
                           R"("2025-3-10T12:34")",
                           R"("25-03-10T12:34")",
                           R"("2025-03-10T1:34")",
                           R"("2025-03-10T12:34+02:00")",
                           R"("2025-03-10T12:34:56+02:00")",
                           R"("2025-02-30T00:00")",
                           R"("2023-02-29T00:00")",
                           R"("2025-13-01T00:00")",
                           R"("2025-00-01T00:00")",
                           R"("2025-03-00T00:00")",
                           R"("2025-03-10T24:00")",
                           R"("2025-03-10T12:60")",
                           R"("2025-03-10T12:34:60")",
                           R"("2025-03-10T12:34:56.")",
                           R"("2025-03-10T12:34:56.1234567890")",
                           R"("2025-03-10T12:34z")",
                           R"("2025-03-10T12:34:5")",
                           R"("+2025-03-10T12:34")",
                           R"("now")",
                           "1741608000000",
                           "true",
                           "{}",
                           "[2025,3,10]",
                           "[2025,3,10,12]",
                           R"([2025,"3",10,12,34])",
                           "[2025,3,10,12,34,56,0,0]",
                           "[2025,13,10,12,34]",
                           "[2025,3,10,12,34,56,1000000000]",
                           "[2025,3,10,12,34.5]"}) {
    SCOPED_TRACE(text);
    const boost::json::value value = json(text);
    EXPECT_EQ(read_local_datetime(&value).state, FieldState::kInvalid);
  }
}

TEST(IdString, WritesFullInt64) {
  EXPECT_EQ(id_string(0), "0");
  EXPECT_EQ(id_string(-12), "-12");
  EXPECT_EQ(id_string(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
}

}  // namespace
}  // namespace parley::protocol
