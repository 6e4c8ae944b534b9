#include "client/protocol_types.hpp"

#include <chrono>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace parley::client {
namespace {

using std::chrono::milliseconds;

Timestamp utc(int year, unsigned month, unsigned day, int hour, int minute, int second,
              int millisecond) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second) + milliseconds(millisecond);
}

TEST(ParseTimestamp, AcceptsZeroToNineFractionDigits) {
  EXPECT_EQ(parse_timestamp("2025-03-10T12:00:00"), utc(2025, 3, 10, 12, 0, 0, 0));
  EXPECT_EQ(parse_timestamp("2025-03-10T12:00:00.1"), utc(2025, 3, 10, 12, 0, 0, 100));
  EXPECT_EQ(parse_timestamp("2025-03-10T12:00:00.12"), utc(2025, 3, 10, 12, 0, 0, 120));
  EXPECT_EQ(parse_timestamp("2025-03-10T12:00:00.005"), utc(2025, 3, 10, 12, 0, 0, 5));
  EXPECT_EQ(parse_timestamp("2025-03-10T12:00:00.123456789"), utc(2025, 3, 10, 12, 0, 0, 123));
  EXPECT_EQ(parse_timestamp("2024-02-29T23:59:59.999"), utc(2024, 2, 29, 23, 59, 59, 999));
}

TEST(ParseTimestamp, RejectsOtherForms) {
  for (const char* text :
       {"", "2025-03-10", "2025-03-10 12:00:00", "2025-03-10T12:00", "2025-03-10T12:00:00.",
        "2025-03-10T12:00:00.1234567890", "2025-03-10T12:00:00Z", "2025-03-10T12:00:00+02:00",
        "2025-02-30T12:00:00", "2025-13-01T12:00:00", "2025-03-10T24:00:00", "2025-03-10T12:60:00",
        "2025-3-10T12:00:00", "2025-03-10T12:00:0a"}) {
    EXPECT_FALSE(parse_timestamp(text).has_value()) << "accepted '" << text << "'";
  }
}

TEST(DecodeMessage, ReadsStringAndNumberIds) {
  Result<MessageInfo> from_strings = decode_message(boost::json::parse(
      R"({"id":"42","senderId":"7","roomId":"5","message":"hi","timestamp":"2025-03-10T12:00:00.005"})"));
  ASSERT_TRUE(from_strings.ok()) << from_strings.error().message;
  EXPECT_EQ(from_strings->id, 42);
  EXPECT_EQ(from_strings->sender_id, 7);
  EXPECT_EQ(from_strings->room_id, 5);
  EXPECT_EQ(from_strings->text, "hi");
  EXPECT_EQ(from_strings->timestamp, utc(2025, 3, 10, 12, 0, 0, 5));

  Result<MessageInfo> from_numbers = decode_message(boost::json::parse(
      R"({"senderId":9223372036854775807,"roomId":5,"message":"","timestamp":"2025-03-10T12:00:00"})"));
  ASSERT_TRUE(from_numbers.ok()) << from_numbers.error().message;
  EXPECT_FALSE(from_numbers->id.has_value());
  EXPECT_EQ(from_numbers->sender_id, 9223372036854775807);
  EXPECT_EQ(from_numbers->text, "");
}

TEST(DecodeMessage, NamesMissingOrInvalidField) {
  struct Case {
    const char* json;
    const char* field;
  };
  const Case cases[] = {
      {R"({"roomId":"5","message":"hi","timestamp":"2025-03-10T12:00:00"})", "senderId"},
      {R"({"senderId":"x7","roomId":"5","message":"hi","timestamp":"2025-03-10T12:00:00"})",
       "senderId"},
      {R"({"senderId":"7","message":"hi","timestamp":"2025-03-10T12:00:00"})", "roomId"},
      {R"({"senderId":"7","roomId":"5","timestamp":"2025-03-10T12:00:00"})", "message"},
      {R"({"senderId":"7","roomId":"5","message":"hi","timestamp":"yesterday"})", "timestamp"},
      {R"({"id":"","senderId":"7","roomId":"5","message":"hi","timestamp":"2025-03-10T12:00:00"})",
       "id"},
      {R"("not an object")", "senderId"},
  };
  for (const Case& test_case : cases) {
    Result<MessageInfo> message = decode_message(boost::json::parse(test_case.json));
    ASSERT_FALSE(message.ok()) << "accepted " << test_case.json;
    EXPECT_EQ(message.error().code, 0);
    EXPECT_NE(message.error().message.find(std::string("'") + test_case.field + "'"),
              std::string::npos)
        << message.error().message;
  }
}

TEST(DecodeRoom, OmittedDescriptionStaysEmpty) {
  Result<RoomInfo> room =
      decode_room(boost::json::parse(R"({"id":"3","name":"general-chat","owner":"alice_0001"})"));
  ASSERT_TRUE(room.ok()) << room.error().message;
  EXPECT_EQ(room->id, 3);
  EXPECT_EQ(room->name, "general-chat");
  EXPECT_EQ(room->owner, "alice_0001");
  EXPECT_FALSE(room->description.has_value());
}

TEST(DecodeRoomPage, RequiresListAndTotalCount) {
  Result<Page<RoomInfo>> page = decode_room_page(boost::json::parse(
      R"({"roomInfos":[{"id":"3","name":"general-chat","owner":"a"}],"totalCount":"7"})"));
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total_count, 7);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].name, "general-chat");

  EXPECT_FALSE(decode_room_page(boost::json::parse(R"({"totalCount":"7"})")).ok());
  EXPECT_FALSE(decode_room_page(boost::json::parse(R"({"roomInfos":[]})")).ok());
  EXPECT_FALSE(
      decode_room_page(boost::json::parse(R"({"roomInfos":[{"id":"3"}],"totalCount":"1"})")).ok());
}

TEST(FormatLocalTime, UsesProcessTimeZone) {
  ASSERT_EQ(setenv("TZ", "Asia/Tokyo", 1), 0);
  tzset();
  std::string tokyo = format_local_time(utc(2025, 3, 10, 12, 2, 3, 456));
  ASSERT_EQ(setenv("TZ", "UTC", 1), 0);
  tzset();
  std::string utc_text = format_local_time(utc(2025, 3, 10, 12, 2, 3, 456));

  EXPECT_EQ(tokyo, "21:02:03");
  EXPECT_EQ(utc_text, "12:02:03");
}

}  // namespace
}  // namespace parley::client
