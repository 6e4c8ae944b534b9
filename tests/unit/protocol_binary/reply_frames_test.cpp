// Binary replies, errors and pushes: each decodes on the client to exactly
// the JSON envelope that the server sends as a text frame.

#include <gtest/gtest.h>

#include "binary_test_support.hpp"
#include "protocol/json_values.hpp"
#include "protocol/views.hpp"

namespace parley::protocol::binary {
namespace {

using testing::json;
using testing::kCid;
using testing::qualifier_of;

Timestamp at_millis(std::int64_t millis) { return Timestamp{std::chrono::milliseconds{millis}}; }

// 2025-03-10T12:00:00.123 and 2025-03-10T12:00:01 UTC.
const Timestamp kCreated = at_millis(1741608000123);
const Timestamp kUpdated = at_millis(1741608001000);

AccountInfo account(AccountId id) {
  return AccountInfo{id, "alice_000" + std::to_string(id), "alice@example.org", kCreated, kUpdated};
}

RoomInfo room(RoomId id, std::optional<std::string> description) {
  return RoomInfo{id, "general-chat", "alice_0001", std::move(description), kCreated, kUpdated};
}

MessageInfo message(MessageId id, std::string text) {
  return MessageInfo{id, 12, 3, std::move(text), kCreated};
}

struct ReplyCase {
  std::string operation;
  boost::json::value data;
};

std::vector<ReplyCase> reply_cases() {
  const PageEcho no_echo{};
  const PageEcho echo{0, 50};
  return {
      {"createAccount", to_json(account(1))},
      {"login", id_string(1)},
      {"updateAccount", to_json(account(2))},
      {"getAccount", to_json(account(3))},
      {"getRooms", room_page({room(1, "about things"), room(2, std::nullopt)}, echo, 9)},
      {"getRooms", room_page({}, no_echo, 0)},
      {"createRoom", to_json(room(4, std::nullopt))},
      {"createRoom", to_json(room(4, ""))},
      {"updateRoom", to_json(room(4, "new text"))},
      {"getRoom", to_json(room(4, "about things"))},
      {"joinRoom", id_string(4)},
      {"leaveRoom", id_string(4)},
      {"removeRoomMembers", id_string(4)},
      {"blockRoomMembers", id_string(4)},
      {"unblockRoomMembers", id_string(4)},
      {"getBlockedMembers", account_page({account(5)}, PageEcho{3, std::nullopt}, 4)},
      {"listRooms", room_page({room(6, "x")}, PageEcho{std::nullopt, 1}, 1)},
      {"getRoomMembers", account_page({account(1), account(2)}, no_echo, 2)},
      {"subscribe", id_string(3)},
      {"unsubscribe", id_string(3)},
      {"send", send_reply(3, 77, kCreated)},
      {"listMessages",
       message_page({message(1, "hello"), message(2, "h\xc3\xa9llo")}, PageEcho{2, 10}, 40)},
      {"listMessages", message_page({}, no_echo, 0)},
      {"createToken", token_reply("opaque-token", kUpdated)},
      {"loginWithToken", id_string(9223372036854775807)},
      {"logout", id_string(1)},
  };
}

boost::json::object decode_server_frame(const std::string& frame) {
  Result<boost::json::object> decoded = parse_server_frame(frame_bytes(frame));
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  return decoded ? decoded.value() : boost::json::object{};
}

TEST(BinaryReply, DecodesToJsonReplyOfEveryOperation) {
  for (const ReplyCase& c : reply_cases()) {
    SCOPED_TRACE(c.operation + " " + boost::json::serialize(c.data));
    for (std::optional<std::string> cid :
         {std::optional<std::string>(kCid), std::optional<std::string>()}) {
      const Envelope request{cid, qualifier_of(c.operation), nullptr};
      const boost::json::object decoded =
          decode_server_frame(binary::serialize_reply(request, c.data));
      EXPECT_EQ(boost::json::serialize(decoded), protocol::serialize_reply(request, c.data));
    }
  }
}

TEST(BinaryReply, EncodesWrongShapeAsInternalError) {
  const Envelope request{std::string(kCid), qualifier_of("getRoom"), nullptr};
  const boost::json::object decoded =
      decode_server_frame(binary::serialize_reply(request, json(R"({"id":"x"})")));
  EXPECT_EQ(boost::json::serialize(decoded),
            protocol::serialize_error(std::string(kCid), {500, "Internal service error"}));
}

TEST(BinaryReply, EncodesUnknownQualifierAsInternalError) {
  const Envelope request{std::nullopt, qualifier_of("nothing"), nullptr};
  const boost::json::object decoded =
      decode_server_frame(binary::serialize_reply(request, id_string(1)));
  EXPECT_EQ(boost::json::serialize(decoded),
            protocol::serialize_error(std::nullopt, {500, "Internal service error"}));
}

TEST(BinaryError, DecodesToJsonError) {
  const Error errors[] = {{400, "Wrong message: invalid envelope"},
                          {404, "Wrong message: request handler is missing"},
                          {401, "Not authenticated"},
                          {400, "Missing or invalid: 'from' later than 'to'"},
                          {429, "Too many requests"}};
  for (const Error& error : errors) {
    SCOPED_TRACE(error.message);
    for (std::optional<std::string> cid :
         {std::optional<std::string>(kCid), std::optional<std::string>()}) {
      EXPECT_EQ(boost::json::serialize(decode_server_frame(binary::serialize_error(cid, error))),
                protocol::serialize_error(cid, error));
    }
  }
}

TEST(BinaryPush, DecodesToJsonPush) {
  for (const MessageInfo& pushed :
       {message(1, "hello"), message(2, ""), message(3, std::string(500, 'x'))}) {
    SCOPED_TRACE(pushed.id);
    EXPECT_EQ(boost::json::serialize(decode_server_frame(binary::serialize_push(pushed))),
              protocol::serialize_push(pushed));
  }
}

TEST(BinaryPush, ReencodesJsonPush) {
  const MessageInfo pushed = message(42, "re-encoded");
  const Result<std::string> frame = push_from_json(protocol::serialize_push(pushed));
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_EQ(*frame, binary::serialize_push(pushed));
}

TEST(BinaryPush, RejectsJsonWithoutMessage) {
  EXPECT_FALSE(push_from_json("not json").ok());
  EXPECT_FALSE(push_from_json(R"({"qualifier":"v1/syemessenger/messages"})").ok());
  EXPECT_FALSE(push_from_json(R"({"data":{"id":"1"}})").ok());
}

TEST(BinaryServerFrame, RejectsRequestTemplate) {
  const std::string request = testing::encode_request("getRoom", json("5"));
  const Result<boost::json::object> decoded = parse_server_frame(frame_bytes(request));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, 0);
}

}  // namespace
}  // namespace parley::protocol::binary
