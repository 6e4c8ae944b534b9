// Binary requests: each operation's request survives the client encoding
// and the server decoding, and the decoded data passes the same checks as
// the JSON payload it came from.

#include <functional>

#include <gtest/gtest.h>

#include "binary_test_support.hpp"
#include "protocol/requests.hpp"
#include "protocol/time_zone.hpp"

namespace parley::protocol::binary {
namespace {

using testing::decode_request;
using testing::encode_request;
using testing::json;
using testing::kCid;
using testing::qualifier_of;

struct RoundTripCase {
  std::string operation;
  std::string sent;      // data passed to the client library
  std::string expected;  // data the server decodes
};

const RoundTripCase kRoundTrips[] = {
    {"createAccount", R"({"username":"alice_0001","email":"a@example.org","password":"pw"})",
     R"({"username":"alice_0001","email":"a@example.org","password":"pw"})"},
    {"createAccount", R"({"username":"","password":"pw"})", R"({"username":"","password":"pw"})"},
    {"createAccount", "{}", "{}"},
    {"login", R"({"email":"a@example.org","password":"pw"})",
     R"({"email":"a@example.org","password":"pw"})"},
    {"updateAccount", R"({"username":"bob_00001"})", R"({"username":"bob_00001"})"},
    {"getAccount", R"("12")", "12"},
    {"getAccount", "null", "null"},
    {"getRooms", R"({"offset":"3","limit":7,"orderBy":{"field":"name","direction":"desc"}})",
     R"({"offset":3,"limit":7,"orderBy":{"field":"name","direction":"DESC"}})"},
    {"getRooms", R"({"orderBy":{}})", R"({"orderBy":{}})"},
    {"getRooms", "{}", "{}"},
    {"createRoom", R"({"name":"general-chat","description":""})",
     R"({"name":"general-chat","description":""})"},
    {"updateRoom", R"({"roomId":5,"description":"about things"})",
     R"({"roomId":5,"description":"about things"})"},
    {"getRoom", "5", "5"},
    {"joinRoom", R"("general-chat")", R"("general-chat")"},
    {"joinRoom", R"("")", R"("")"},
    {"joinRoom", "null", "null"},
    {"leaveRoom", R"("9223372036854775807")", "9223372036854775807"},
    {"removeRoomMembers", R"({"roomId":5,"memberIds":[1,"2",null]})",
     R"({"roomId":5,"memberIds":[1,2,null]})"},
    {"removeRoomMembers", R"({"roomId":5})", R"({"roomId":5,"memberIds":[]})"},
    {"blockRoomMembers", R"({"roomId":5,"memberIds":[3]})", R"({"roomId":5,"memberIds":[3]})"},
    {"unblockRoomMembers", R"({"memberIds":[3]})", R"({"memberIds":[3]})"},
    {"getBlockedMembers", R"({"roomId":5,"offset":0,"limit":50})",
     R"({"roomId":5,"offset":0,"limit":50})"},
    {"listRooms", R"({"keyword":"","orderBy":{"direction":"ASC"}})",
     R"({"orderBy":{"direction":"ASC"},"keyword":""})"},
    {"getRoomMembers", R"({"roomId":5,"orderBy":{"field":"username"}})",
     R"({"roomId":5,"orderBy":{"field":"username"}})"},
    {"subscribe", "5", R"({"roomId":5})"},
    {"subscribe", R"({"roomId":5,"afterMessageId":"77"})", R"({"roomId":5,"afterMessageId":77})"},
    {"unsubscribe", "null", "null"},
    {"send", R"("hello")", R"({"message":"hello"})"},
    {"send", R"({"roomId":5,"message":"","clientMessageId":"retry-1"})",
     R"({"roomId":5,"message":"","clientMessageId":"retry-1"})"},
    {"send", "{}", "{}"},
    {"listMessages",
     R"({"roomId":5,"from":"2025-03-10T12:00","to":"2025-03-10T13:00:00.123456789",
         "timezone":"Europe/Paris","keyword":"hel","offset":1,"limit":2,
         "orderBy":{"field":"timestamp","direction":"DESC"}})",
     R"({"roomId":5,"offset":1,"limit":2,"from":"2025-03-10T12:00:00.000000",
         "to":"2025-03-10T13:00:00.123456","orderBy":{"field":"timestamp","direction":"DESC"},
         "timezone":"Europe/Paris","keyword":"hel"})"},
    {"createToken", "null", "null"},
    {"loginWithToken", R"({"token":"abc"})", R"({"token":"abc"})"},
    {"logout", "null", "null"},
};

TEST(BinaryRequest, RoundTripsEveryOperation) {
  for (const RoundTripCase& c : kRoundTrips) {
    SCOPED_TRACE(c.operation + " " + c.sent);
    const std::string frame = encode_request(c.operation, json(c.sent));
    const EnvelopeParse parsed = decode_request(frame);
    ASSERT_TRUE(parsed.envelope.has_value()) << parsed.error.message;
    EXPECT_EQ(parsed.envelope->cid, std::string(kCid));
    EXPECT_EQ(parsed.envelope->qualifier, qualifier_of(c.operation));
    EXPECT_EQ(parsed.envelope->data, json(c.expected));
  }
}

TEST(BinaryRequest, CoversEveryOperation) {
  const char* operations[] = {"createAccount",
                              "login",
                              "updateAccount",
                              "getAccount",
                              "getRooms",
                              "createRoom",
                              "updateRoom",
                              "getRoom",
                              "joinRoom",
                              "leaveRoom",
                              "removeRoomMembers",
                              "blockRoomMembers",
                              "unblockRoomMembers",
                              "getBlockedMembers",
                              "listRooms",
                              "getRoomMembers",
                              "subscribe",
                              "unsubscribe",
                              "send",
                              "listMessages",
                              "createToken",
                              "loginWithToken",
                              "logout"};
  for (const char* operation : operations) {
    SCOPED_TRACE(operation);
    const Result<std::string> frame =
        serialize_request(Envelope{std::nullopt, qualifier_of(operation), nullptr});
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    const EnvelopeParse parsed = decode_request(*frame);
    ASSERT_TRUE(parsed.envelope.has_value());
    EXPECT_EQ(parsed.envelope->qualifier, qualifier_of(operation));
  }
}

TEST(BinaryRequest, MapsZeroCidToAbsent) {
  const EnvelopeParse parsed = decode_request(encode_request("getRoom", json("5"), std::nullopt));
  ASSERT_TRUE(parsed.envelope.has_value());
  EXPECT_FALSE(parsed.envelope->cid.has_value());
}

TEST(BinaryRequest, LowersCidCase) {
  const EnvelopeParse parsed = decode_request(
      encode_request("getRoom", json("5"), std::string("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")));
  ASSERT_TRUE(parsed.envelope.has_value());
  EXPECT_EQ(parsed.envelope->cid, std::string(kCid));
}

TEST(BinaryRequest, RejectsUnencodableClientValues) {
  const struct {
    const char* operation;
    const char* data;
  } cases[] = {
      {"getRoom", R"("abc")"},
      {"getRoom", "-9223372036854775808"},
      {"getRooms", R"({"limit":"5.5"})"},
      {"getRooms", R"({"offset":4294967296})"},
      {"createRoom", R"({"name":{}})"},
      {"getRooms", R"({"orderBy":{"direction":"sideways"}})"},
      {"listMessages", R"({"from":"yesterday"})"},
      {"removeRoomMembers", R"({"memberIds":5})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.operation) + " " + c.data);
    const Result<std::string> frame =
        serialize_request(Envelope{std::nullopt, qualifier_of(c.operation), json(c.data)});
    ASSERT_FALSE(frame.ok());
    EXPECT_EQ(frame.error().code, 0);
  }
}

TEST(BinaryRequest, RejectsOperationWithoutTemplate) {
  const Result<std::string> frame =
      serialize_request(Envelope{std::nullopt, qualifier_of("messages"), nullptr});
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().code, 0);
}

// The checks of the JSON protocol give the same result for a JSON payload
// and for the data decoded from its binary form.
struct SameCheckCase {
  std::string operation;
  std::string payload;
};

using ParseOutcome = std::function<std::optional<Error>(const boost::json::value&)>;

template <typename Parse>
ParseOutcome outcome_of(Parse parse) {
  return [parse](const boost::json::value& data) -> std::optional<Error> {
    auto result = parse(data);
    if (result.ok()) return std::nullopt;
    return result.error();
  };
}

ParseOutcome parse_for(std::string_view operation) {
  if (operation == "createAccount") return outcome_of(parse_create_account);
  if (operation == "login") return outcome_of(parse_login);
  if (operation == "updateAccount") return outcome_of(parse_update_account);
  if (operation == "getAccount") return outcome_of(parse_get_account);
  if (operation == "getRooms") return outcome_of(parse_get_rooms);
  if (operation == "createRoom") return outcome_of(parse_create_room);
  if (operation == "updateRoom") return outcome_of(parse_update_room);
  if (operation == "getRoom" || operation == "leaveRoom") return outcome_of(parse_room_id);
  if (operation == "joinRoom") return outcome_of(parse_join_room);
  if (operation == "removeRoomMembers") return outcome_of(parse_members);
  if (operation == "getBlockedMembers") return outcome_of(parse_get_blocked_members);
  if (operation == "getRoomMembers") return outcome_of(parse_get_room_members);
  if (operation == "listRooms") return outcome_of(parse_list_rooms);
  if (operation == "subscribe") return outcome_of(parse_subscribe);
  if (operation == "send") return outcome_of(parse_send);
  if (operation == "loginWithToken") return outcome_of(parse_login_with_token);
  if (operation == "listMessages") {
    return outcome_of([](const boost::json::value& data) {
      return parse_list_messages(data, TimeZoneDatabase::system(), now_utc());
    });
  }
  ADD_FAILURE() << "no parse function for " << operation;
  return outcome_of(parse_room_id);
}

const SameCheckCase kSameChecks[] = {
    {"createAccount", R"({})"},
    {"createAccount", R"({"username":"alice_0001"})"},
    {"createAccount", R"({"username":"alice_0001","email":"alice@example.org"})"},
    {"createAccount", R"({"username":"alice_0001","email":"bad","password":"s3cretpass"})"},
    {"createAccount",
     R"({"username":"alice_0001","email":"alice@example.org","password":"s3cretpass"})"},
    {"login", R"({"password":"pw"})"},
    {"login", R"({"username":"u","email":"e","password":"pw"})"},
    {"login", R"({"username":"u"})"},
    {"login", R"({"username":"u","password":""})"},
    {"updateAccount", R"({})"},
    {"updateAccount", R"({"username":"short"})"},
    {"updateAccount", R"({"email":"bad"})"},
    {"updateAccount", R"({"password":""})"},
    {"getAccount", "null"},
    {"getAccount", "7"},
    {"getRooms", R"({"offset":-1})"},
    {"getRooms", R"({"limit":0})"},
    {"getRooms", R"({"limit":51})"},
    {"getRooms", R"({"orderBy":{"field":"password_hash"}})"},
    {"getRooms", R"({"orderBy":{"field":"name","direction":"DESC"}})"},
    {"createRoom", R"({})"},
    {"createRoom", R"({"name":"general-chat","description":"short"})"},
    {"createRoom", R"({"name":"general-chat"})"},
    {"updateRoom", R"({"roomId":5})"},
    {"updateRoom", R"({"description":"about things"})"},
    {"getRoom", "null"},
    {"joinRoom", "null"},
    {"joinRoom", R"("")"},
    {"joinRoom", R"("   ")"},
    {"joinRoom", R"("general-chat")"},
    {"leaveRoom", "null"},
    {"removeRoomMembers", R"({"memberIds":[1]})"},
    {"removeRoomMembers", R"({"roomId":5})"},
    {"removeRoomMembers", R"({"roomId":5,"memberIds":[]})"},
    {"removeRoomMembers", R"({"roomId":5,"memberIds":[1,null]})"},
    {"removeRoomMembers", R"({"roomId":5,"memberIds":[1,2]})"},
    {"getBlockedMembers", R"({"offset":-1})"},
    {"getBlockedMembers", R"({"limit":60})"},
    {"getBlockedMembers", R"({})"},
    {"getBlockedMembers", R"({"roomId":5,"orderBy":{"field":"name"}})"},
    {"getRoomMembers", R"({"offset":-1})"},
    {"getRoomMembers", R"({"roomId":5,"offset":-1})"},
    {"getRoomMembers", R"({"roomId":5,"orderBy":{"field":"email","direction":"asc"}})"},
    {"listRooms", R"({"keyword":"","limit":51})"},
    {"listRooms", R"({"keyword":"x"})"},
    {"subscribe", "null"},
    {"subscribe", R"({"afterMessageId":3})"},
    {"subscribe", R"({"roomId":5,"afterMessageId":3})"},
    {"send", "null"},
    {"send", R"("")"},
    {"send", R"({"message":"hi","clientMessageId":""})"},
    {"send", R"({"roomId":5,"message":"hi","clientMessageId":"retry-1"})"},
    {"listMessages", R"({})"},
    {"listMessages", R"({"roomId":5,"offset":-1})"},
    {"listMessages", R"({"roomId":5,"from":"2025-03-10T13:00","to":"2025-03-10T12:00"})"},
    {"listMessages", R"({"roomId":5,"from":"2025-03-10T12:00"})"},
    {"listMessages", R"({"roomId":5,"keyword":"hi"})"},
    {"listMessages", R"({"roomId":5,"timezone":"Nowhere/City"})"},
    {"listMessages", R"({"roomId":5,"orderBy":{"field":"name"}})"},
    {"listMessages",
     R"({"roomId":5,"from":"2025-03-10T12:00","to":"2025-03-10T13:00","timezone":"UTC"})"},
    {"loginWithToken", R"({})"},
    {"loginWithToken", R"({"token":""})"},
    {"loginWithToken", R"({"token":"abc"})"},
};

TEST(BinaryRequest, PassesSameChecksAsJson) {
  for (const SameCheckCase& c : kSameChecks) {
    SCOPED_TRACE(c.operation + " " + c.payload);
    const boost::json::value payload = json(c.payload);
    const EnvelopeParse parsed = decode_request(encode_request(c.operation, payload));
    ASSERT_TRUE(parsed.envelope.has_value()) << parsed.error.message;

    const ParseOutcome parse = parse_for(c.operation);
    const std::optional<Error> from_json = parse(payload);
    const std::optional<Error> from_binary = parse(parsed.envelope->data);
    ASSERT_EQ(from_json.has_value(), from_binary.has_value());
    if (from_json) {
      EXPECT_EQ(from_binary->code, from_json->code);
      EXPECT_EQ(from_binary->message, from_json->message);
    }
  }
}

}  // namespace
}  // namespace parley::protocol::binary
