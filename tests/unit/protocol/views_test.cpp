#include "protocol/views.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace parley::protocol {
namespace {

Timestamp at_millis(std::int64_t millis) { return Timestamp{std::chrono::milliseconds{millis}}; }

// 2025-03-10T12:00:00.123 UTC.
const Timestamp kCreated = at_millis(1741608000123);
// 2025-03-10T12:00:01 UTC.
const Timestamp kUpdated = at_millis(1741608001000);

AccountInfo sample_account() {
  return AccountInfo{12, "alice_0001", "alice@example.org", kCreated, kUpdated};
}

RoomInfo sample_room() {
  return RoomInfo{3, "general-chat", "alice_0001", "about things", kCreated, kUpdated};
}

MessageInfo sample_message() { return MessageInfo{77, 12, 3, "hello", kCreated}; }

TEST(AccountInfoJson, WritesFieldsInOrder) {
  EXPECT_EQ(
      boost::json::serialize(to_json(sample_account())),
      R"({"id":"12","username":"alice_0001","email":"alice@example.org","createdAt":"2025-03-10T12:00:00.123","updatedAt":"2025-03-10T12:00:01"})");
}

TEST(RoomInfoJson, WritesFieldsInOrder) {
  EXPECT_EQ(
      boost::json::serialize(to_json(sample_room())),
      R"({"id":"3","name":"general-chat","owner":"alice_0001","description":"about things","createdAt":"2025-03-10T12:00:00.123","updatedAt":"2025-03-10T12:00:01"})");
}

TEST(RoomInfoJson, OmitsMissingDescription) {
  RoomInfo room = sample_room();
  room.description.reset();
  EXPECT_EQ(
      boost::json::serialize(to_json(room)),
      R"({"id":"3","name":"general-chat","owner":"alice_0001","createdAt":"2025-03-10T12:00:00.123","updatedAt":"2025-03-10T12:00:01"})");
}

TEST(RoomInfoJson, KeepsEmptyDescription) {
  RoomInfo room = sample_room();
  room.description = "";
  EXPECT_TRUE(to_json(room).contains("description"));
}

TEST(MessageInfoJson, WritesFieldsInOrder) {
  EXPECT_EQ(
      boost::json::serialize(to_json(sample_message())),
      R"({"id":"77","senderId":"12","roomId":"3","message":"hello","timestamp":"2025-03-10T12:00:00.123"})");
}

TEST(MessageInfoJson, WritesFullInt64Ids) {
  MessageInfo message = sample_message();
  message.id = std::numeric_limits<std::int64_t>::max();
  const boost::json::object object = to_json(message);
  EXPECT_EQ(object.at("id"), "9223372036854775807");
}

TEST(RoomPage, OmitsOffsetAndLimitNotRequested) {
  EXPECT_EQ(boost::json::serialize(room_page({}, PageEcho{}, 0)),
            R"({"roomInfos":[],"totalCount":"0"})");
}

TEST(RoomPage, EchoesOffsetBeforeLimit) {
  EXPECT_EQ(
      boost::json::serialize(room_page({sample_room()}, PageEcho{10, 5}, 25)),
      R"({"roomInfos":[{"id":"3","name":"general-chat","owner":"alice_0001","description":"about things","createdAt":"2025-03-10T12:00:00.123","updatedAt":"2025-03-10T12:00:01"}],"offset":"10","limit":"5","totalCount":"25"})");
}

TEST(RoomPage, EchoesOnlyGivenField) {
  EXPECT_EQ(boost::json::serialize(room_page({}, PageEcho{std::nullopt, 5}, 0)),
            R"({"roomInfos":[],"limit":"5","totalCount":"0"})");
  EXPECT_EQ(boost::json::serialize(room_page({}, PageEcho{0, std::nullopt}, 0)),
            R"({"roomInfos":[],"offset":"0","totalCount":"0"})");
}

TEST(AccountPage, UsesAccountInfosKey) {
  EXPECT_EQ(
      boost::json::serialize(account_page({sample_account()}, PageEcho{0, 50}, 1)),
      R"({"accountInfos":[{"id":"12","username":"alice_0001","email":"alice@example.org","createdAt":"2025-03-10T12:00:00.123","updatedAt":"2025-03-10T12:00:01"}],"offset":"0","limit":"50","totalCount":"1"})");
}

TEST(MessagePage, WritesLimitBeforeOffset) {
  EXPECT_EQ(
      boost::json::serialize(message_page({sample_message()}, PageEcho{10, 5}, 26)),
      R"({"messages":[{"id":"77","senderId":"12","roomId":"3","message":"hello","timestamp":"2025-03-10T12:00:00.123"}],"limit":"5","offset":"10","totalCount":"26"})");
  EXPECT_EQ(boost::json::serialize(message_page({}, PageEcho{}, 0)),
            R"({"messages":[],"totalCount":"0"})");
}

TEST(SerializePush, WritesQualifierAndMessageWithoutCid) {
  EXPECT_EQ(
      serialize_push(sample_message()),
      R"({"qualifier":"v1/syemessenger/messages","data":{"id":"77","senderId":"12","roomId":"3","message":"hello","timestamp":"2025-03-10T12:00:00.123"}})");
}

TEST(SerializePush, EscapesMessageText) {
  MessageInfo message = sample_message();
  message.message = "say \"hi\"\n\xE2\x82\xAC";
  EXPECT_EQ(
      serialize_push(message),
      "{\"qualifier\":\"v1/syemessenger/messages\",\"data\":{\"id\":\"77\",\"senderId\":\"12\","
      "\"roomId\":\"3\",\"message\":\"say \\\"hi\\\"\\n\xE2\x82\xAC\","
      "\"timestamp\":\"2025-03-10T12:00:00.123\"}}");
}

TEST(SendReply, WritesRoomIdIdAndTimestamp) {
  EXPECT_EQ(boost::json::serialize(send_reply(3, 77, kCreated)),
            R"({"roomId":"3","id":"77","timestamp":"2025-03-10T12:00:00.123"})");
}

TEST(TokenReply, WritesTokenAndExpiry) {
  EXPECT_EQ(boost::json::serialize(token_reply("abc", kUpdated)),
            R"({"token":"abc","expiresAt":"2025-03-10T12:00:01"})");
}

}  // namespace
}  // namespace parley::protocol
