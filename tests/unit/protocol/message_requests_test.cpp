#include <gtest/gtest.h>

#include "protocol/requests.hpp"
#include "protocol/time_zone.hpp"
#include "request_test_support.hpp"

namespace parley::protocol {
namespace {

using testing::expect_accepted;
using testing::expect_rejections;
using testing::json;
using testing::json_literal;
using testing::repeat;

const std::string kRoomId = "Missing or invalid: roomId";
const std::string kMessageText = "Missing or invalid: messageText";
const std::string kClientMessageId = "Missing or invalid: clientMessageId";
const std::string kTimezone = "Missing or invalid: timezone";
const std::string kKeyword = "Missing or invalid: keyword";
const std::string kFromAfterTo = "Missing or invalid: 'from' later than 'to'";

Timestamp utc_millis(int y, unsigned m, unsigned d, int hour, int minute, int second = 0,
                     int millis = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute} + seconds{second} +
         milliseconds{millis};
}

// 2025-03-10T12:00:00 UTC, the clock of the listMessages tests.
const Timestamp kNow = utc_millis(2025, 3, 10, 12, 0);

Result<ListMessagesRequest> list_messages(const boost::json::value& data) {
  return parse_list_messages(data, TimeZoneDatabase::system(), kNow);
}

TEST(ParseSubscribe, ReadsScalarRoomId) {
  for (const char* payload : {"3", R"("3")", R"(" +3 ")", "3.99"}) {
    SCOPED_TRACE(payload);
    const auto result = parse_subscribe(json(payload));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->room_id, 3);
    EXPECT_FALSE(result->after_message_id.has_value());
  }
}

TEST(ParseSubscribe, ReadsObjectForm) {
  const auto result = parse_subscribe(json(R"({"roomId":"3","afterMessageId":"1234567890123"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 3);
  EXPECT_EQ(result->after_message_id, 1234567890123);

  const auto without = parse_subscribe(json(R"({"roomId":3,"afterMessageId":null})"));
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->after_message_id.has_value());
}

TEST(ParseSubscribe, RejectsMissingOrInvalidRoomId) {
  expect_rejections(
      parse_subscribe,
      {
          {"null", "null", 400, kRoomId},
          {"empty string", R"("")", 400, kRoomId},
          {"word", R"("room")", 400, kRoomId},
          {"array", "[3]", 400, kRoomId},
          {"boolean", "true", 400, kRoomId},
          {"empty object", "{}", 400, kRoomId},
          {"object without room", R"({"afterMessageId":5})", 400, kRoomId},
          {"object room word", R"({"roomId":"x","afterMessageId":"y"})", 400, kRoomId},
          {"after invalid", R"({"roomId":3,"afterMessageId":"y"})", 400,
           "Missing or invalid: afterMessageId"},
          {"after object", R"({"roomId":3,"afterMessageId":{}})", 400,
           "Missing or invalid: afterMessageId"},
      });
}

TEST(ParseSend, ReadsStringForm) {
  const auto result = parse_send(json(R"("hello")"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->message, "hello");
  EXPECT_FALSE(result->room_id.has_value());
  EXPECT_FALSE(result->client_message_id.has_value());
}

TEST(ParseSend, AcceptsEmptyAndMaximumText) {
  expect_accepted(parse_send, {R"("")", json_literal(repeat("m", 500)),
                               // 250 astral characters are 500 UTF-16 units.
                               json_literal(repeat("\xF0\x9F\x98\x80", 250)),
                               // 500 CJK characters are 1500 UTF-8 bytes but 500 units.
                               json_literal(repeat("\xE4\xB8\xAD", 500)), "42", "true"});
}

TEST(ParseSend, ReadsObjectForm) {
  const auto result =
      parse_send(json(R"({"roomId":"3","message":"hello","clientMessageId":"retry-1"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 3);
  EXPECT_EQ(result->message, "hello");
  EXPECT_EQ(result->client_message_id, "retry-1");

  const auto minimal = parse_send(json(R"({"message":"hello"})"));
  ASSERT_TRUE(minimal.ok());
  EXPECT_FALSE(minimal->room_id.has_value());
  EXPECT_FALSE(minimal->client_message_id.has_value());
}

TEST(ParseSend, RejectsInOrder) {
  expect_rejections(
      parse_send,
      {
          {"null", "null", 400, kMessageText},
          {"array", R"(["hello"])", 400, kMessageText},
          {"501 units", json_literal(repeat("m", 501)), 400, kMessageText},
          {"251 astral characters", json_literal(repeat("\xF0\x9F\x98\x80", 251)), 400,
           kMessageText},
          {"empty object", "{}", 400, kMessageText},
          {"message null", R"({"roomId":3,"message":null})", 400, kMessageText},
          {"message object", R"({"message":{}})", 400, kMessageText},
          {"message too long", R"({"message":)" + json_literal(repeat("m", 501)) + "}", 400,
           kMessageText},
          {"message before client id",
           R"({"message":null,"clientMessageId":)" + json_literal(repeat("c", 65)) + "}", 400,
           kMessageText},
          {"client id 65",
           R"({"message":"hi","clientMessageId":)" + json_literal(repeat("c", 65)) + "}", 400,
           kClientMessageId},
          {"client id empty", R"({"message":"hi","clientMessageId":""})", 400, kClientMessageId},
          {"client id object", R"({"message":"hi","clientMessageId":{}})", 400, kClientMessageId},
          {"client id before room", R"({"message":"hi","clientMessageId":"","roomId":"x"})", 400,
           kClientMessageId},
          {"room id word", R"({"message":"hi","roomId":"x"})", 400, kRoomId},
          {"room id array", R"({"message":"hi","roomId":[3]})", 400, kRoomId},
      });
  expect_accepted(parse_send,
                  {R"({"message":"hi","clientMessageId":)" + json_literal(repeat("c", 64)) + "}",
                   R"({"message":"hi","roomId":""})", R"({"message":"hi","roomId":null})"});
}

TEST(ParseListMessages, AppliesDefaults) {
  const auto result = list_messages(json(R"({"roomId":"5"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 5);
  EXPECT_EQ(result->paging.offset, 0);
  EXPECT_EQ(result->paging.limit, 50);
  EXPECT_FALSE(result->paging.echo.offset.has_value());
  EXPECT_FALSE(result->paging.echo.limit.has_value());
  EXPECT_EQ(result->paging.order_by.field, "id");
  EXPECT_FALSE(result->keyword.has_value());
  EXPECT_EQ(result->from_utc, Timestamp{});
  EXPECT_EQ(result->to_utc, kNow);
}

TEST(ParseListMessages, RejectsInOrder) {
  const std::string keyword_65 = json_literal(repeat("k", 65));
  expect_rejections(
      list_messages,
      {
          {"empty object", "{}", 400, kRoomId},
          {"null payload", "null", 400, kRoomId},
          {"string payload", R"("5")", 400, kRoomId},
          {"room id word", R"({"roomId":"x"})", 400, kRoomId},
          {"room before offset", R"({"offset":-50})", 400, kRoomId},
          {"offset negative", R"({"roomId":5,"offset":-50})", 400, "Missing or invalid: offset"},
          {"offset before limit", R"({"roomId":5,"offset":-1,"limit":60})", 400,
           "Missing or invalid: offset"},
          {"limit negative", R"({"roomId":5,"limit":-50})", 400, "Missing or invalid: limit"},
          {"limit over max", R"({"roomId":5,"limit":60})", 400, "Missing or invalid: limit"},
          {"limit zero", R"({"roomId":5,"limit":0})", 400, "Missing or invalid: limit"},
          {"limit before from", R"({"roomId":5,"limit":0,"from":"x"})", 400,
           "Missing or invalid: limit"},
          {"from unreadable", R"({"roomId":5,"from":"yesterday","timezone":"UTC"})", 400,
           "Missing or invalid: from"},
          {"to unreadable", R"({"roomId":5,"to":"2025-03-10","timezone":"UTC"})", 400,
           "Missing or invalid: to"},
          {"from later than to",
           R"({"roomId":5,"from":"2025-03-05T12:00","to":"2025-03-04T12:00"})", 400, kFromAfterTo},
          {"from later by a microsecond",
           R"({"roomId":5,"from":"2025-03-05T12:00:00.000001","to":"2025-03-05T12:00","timezone":"UTC"})",
           400, kFromAfterTo},
          {"order before timezone",
           R"({"roomId":5,"from":"2025-03-05T12:00","to":"2025-03-04T12:00","timezone":"Nowhere"})",
           400, kFromAfterTo},
          {"from without timezone", R"({"roomId":5,"from":"2025-02-28T12:00"})", 400, kTimezone},
          {"to without timezone", R"({"roomId":5,"to":"2025-03-05T12:00"})", 400, kTimezone},
          {"both without timezone",
           R"({"roomId":5,"from":"2025-02-28T12:00","to":"2025-03-05T12:00"})", 400, kTimezone},
          {"timezone null", R"({"roomId":5,"from":"2025-02-28T12:00","timezone":null})", 400,
           kTimezone},
          {"missing timezone before keyword",
           R"({"roomId":5,"from":"2025-02-28T12:00","keyword":"ab"})", 400, kTimezone},
          {"keyword 2", R"({"roomId":5,"keyword":"ab"})", 400, kKeyword},
          {"keyword empty", R"({"roomId":5,"keyword":""})", 400, kKeyword},
          {"keyword 65", R"({"roomId":5,"keyword":)" + keyword_65 + "}", 400, kKeyword},
          {"keyword object", R"({"roomId":5,"keyword":{}})", 400, kKeyword},
          {"keyword before unknown timezone", R"({"roomId":5,"keyword":"ab","timezone":"Nowhere"})",
           400, kKeyword},
          {"orderBy checked before unknown timezone",
           R"({"roomId":5,"timezone":"X","orderBy":"x"})", 400, "Missing or invalid: orderBy"},
          {"orderBy field", R"({"roomId":5,"orderBy":{"field":"name"}})", 400,
           "Missing or invalid: orderBy"},
          {"orderBy direction", R"({"roomId":5,"orderBy":{"direction":"down"}})", 400,
           "Missing or invalid: orderBy"},
      });
}

TEST(ParseListMessages, DefersUnknownTimezone) {
  for (const char* payload : {R"({"roomId":5,"timezone":"Nowhere/City"})",
                              R"({"roomId":5,"from":"2025-02-28T12:00","timezone":"Mars/Olympus"})",
                              R"({"roomId":5,"timezone":"america/los_angeles"})",
                              R"({"roomId":5,"timezone":""})", R"({"roomId":5,"timezone":{}})"}) {
    SCOPED_TRACE(payload);
    const auto result = list_messages(json(payload));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(result->invalid_timezone);
  }
}

TEST(ParseListMessages, KnownTimezoneIsValid) {
  const auto result = list_messages(json(R"({"roomId":5,"timezone":"Asia/Tokyo"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->invalid_timezone);
}

TEST(ParseListMessages, AcceptsKeywordBounds) {
  expect_accepted(list_messages, {R"({"roomId":5,"keyword":"tes"})",
                                  R"({"roomId":5,"keyword":)" + json_literal(repeat("k", 64)) + "}",
                                  // Three astral characters are six UTF-16 units.
                                  R"({"roomId":5,"keyword":)" +
                                      json_literal(repeat("\xF0\x9F\x98\x80", 3)) + "}"});
  const auto result = list_messages(json(R"({"roomId":5,"keyword":"test@1"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->keyword, "test@1");
}

TEST(ParseListMessages, AcceptsMessageSortFields) {
  for (const char* field : {"id", "senderId", "roomId", "message", "timestamp"}) {
    SCOPED_TRACE(field);
    const auto result = list_messages(json(R"({"roomId":5,"orderBy":{"field":")" +
                                           std::string(field) + R"(","direction":"desc"}})"));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->paging.order_by.field, field);
    EXPECT_TRUE(result->paging.order_by.descending);
  }
}

TEST(ParseListMessages, ValidatesTimezoneWithoutWindow) {
  const auto result = list_messages(json(R"({"roomId":5,"timezone":"Asia/Tokyo"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->from_utc, Timestamp{});
  EXPECT_EQ(result->to_utc, kNow);
}

TEST(ParseListMessages, AcceptsEqualBounds) {
  const auto result = list_messages(json(
      R"({"roomId":5,"from":"2025-03-05T12:00","to":"2025-03-05T12:00:00","timezone":"UTC"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->from_utc, utc_millis(2025, 3, 5, 12, 0));
  EXPECT_EQ(result->to_utc, utc_millis(2025, 3, 5, 12, 0));
}

TEST(ParseListMessages, ConvertsWindowToUtc) {
  const auto result = list_messages(json(
      R"({"roomId":5,"from":"2025-02-28T12:00","to":[2025,3,5,12,0],"timezone":"America/Los_Angeles"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->from_utc, utc_millis(2025, 2, 28, 20, 0));
  EXPECT_EQ(result->to_utc, utc_millis(2025, 3, 5, 20, 0));
}

TEST(ParseListMessages, DefaultsMissingBound) {
  const auto from_only =
      list_messages(json(R"({"roomId":5,"from":"2025-03-10T10:00","timezone":"Asia/Tokyo"})"));
  ASSERT_TRUE(from_only.ok());
  EXPECT_EQ(from_only->from_utc, utc_millis(2025, 3, 10, 1, 0));
  EXPECT_EQ(from_only->to_utc, kNow);

  const auto to_only =
      list_messages(json(R"({"roomId":5,"to":"2025-03-10T10:00","timezone":"+02:00"})"));
  ASSERT_TRUE(to_only.ok());
  EXPECT_EQ(to_only->from_utc, Timestamp{});
  EXPECT_EQ(to_only->to_utc, utc_millis(2025, 3, 10, 8, 0));
}

TEST(ParseListMessages, ConvertsAcrossDaylightSavingChanges) {
  // 2025-03-09 02:30 does not exist in Los Angeles and moves to 03:30 PDT;
  // 2025-11-02 01:30 happens twice and takes PDT.
  const auto result = list_messages(json(
      R"({"roomId":5,"from":"2025-03-09T02:30","to":"2025-11-02T01:30","timezone":"America/Los_Angeles"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->from_utc, utc_millis(2025, 3, 9, 10, 30));
  EXPECT_EQ(result->to_utc, utc_millis(2025, 11, 2, 8, 30));
}

TEST(ParseListMessages, RoundsBoundsInward) {
  const auto result = list_messages(json(
      R"({"roomId":5,"from":"2025-03-01T00:00:00.0005","to":"2025-03-02T00:00:00.9999","timezone":"Z"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->from_utc, utc_millis(2025, 3, 1, 0, 0, 0, 1));
  EXPECT_EQ(result->to_utc, utc_millis(2025, 3, 2, 0, 0, 0, 999));
}

TEST(ParseListMessages, AcceptsJavaZoneIds) {
  for (const char* zone : {"UTC", "Z", "GMT", "GMT+2", "UTC+02:00", "+02:00", "-0530", "+2",
                           "Europe/Paris", "US/Pacific", "Etc/GMT-14"}) {
    SCOPED_TRACE(zone);
    const auto result = list_messages(
        json(R"({"roomId":5,"from":"2025-03-01T00:00","timezone":")" + std::string(zone) + "\"}"));
    EXPECT_TRUE(result.ok());
  }
}

}  // namespace
}  // namespace parley::protocol
