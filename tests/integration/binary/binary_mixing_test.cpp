// Binary and text frames together: binary and JSON clients in one room, a
// connection that mixes both encodings, and invalid binary frames.

#include <boost/json.hpp>

#include "integration/binary/binary_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

constexpr std::string_view kCid = "5a1e0c1e-3f57-4c52-9a3e-6d2f0f5e9a20";
constexpr auto kReplyTimeout = std::chrono::seconds(5);

class BinaryMixingTest : public BinaryTest {
 protected:
  // Returns the next frame of the frame queue, or nullopt after
  // kReplyTimeout.
  static std::optional<client::Frame> next_frame(client::Connection& connection) {
    return connection.next_frame_with_type(kReplyTimeout);
  }

  static json::object decode(const client::Frame& frame) {
    if (!frame.binary) return json::parse(frame.payload).as_object();
    auto decoded = client::decode_binary_frame(frame.payload);
    if (!decoded) {
      ADD_FAILURE() << "binary frame is no server frame";
      return {};
    }
    return *decoded;
  }

  static std::string binary_request(std::string_view operation, const json::value& data) {
    auto frame = client::encode_binary_request(std::string(kCid), operation, data);
    EXPECT_TRUE(frame.ok()) << frame.error().message;
    return frame ? *frame : std::string{};
  }

  static std::string text_request(std::string_view operation, const json::value& data) {
    json::object request{
        {"cid", kCid}, {"qualifier", "v1/syemessenger/" + std::string(operation)}, {"data", data}};
    return json::serialize(request);
  }
};

TEST_F(BinaryMixingTest, BinaryAndJsonClientsSeeSameMessages) {
  TestAccount json_user = create_account();
  TestAccount binary_user = create_account();
  auto [room, name] = create_room(json_user);
  join_room(binary_user, name);
  const std::string room_text = std::to_string(room);

  auto json_connection = logged_in(json_user, 0);
  auto binary_connection = logged_in_binary(binary_user, 1);
  ASSERT_PROTOCOL_OK(json_connection->call("subscribe", json::value(room_text)));
  ASSERT_PROTOCOL_OK(binary_connection->call("subscribe", json::value(room_text)));

  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) {
    client::Connection& sender = i % 2 == 0 ? *json_connection : *binary_connection;
    ASSERT_PROTOCOL_OK(sender.call("send", json::value("message " + std::to_string(i))));
  }
  std::vector<json::object> json_pushes;
  std::vector<json::object> binary_pushes;
  for (int i = 0; i < kMessages; ++i) {
    auto from_json = json_connection->next_push(kPushTimeout);
    auto from_binary = binary_connection->next_push(kPushTimeout);
    ASSERT_TRUE(from_json.has_value()) << "JSON push " << i;
    ASSERT_TRUE(from_binary.has_value()) << "binary push " << i;
    json_pushes.push_back(*from_json);
    binary_pushes.push_back(*from_binary);
  }
  for (int i = 0; i < kMessages; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(json::serialize(binary_pushes[i]), json::serialize(json_pushes[i]));
  }
  // Both senders' messages arrive, each sender's in the order it sent them.
  std::vector<std::string> texts;
  for (const auto& push : json_pushes) texts.emplace_back(push.at("message").as_string());
  for (int sender = 0; sender < 2; ++sender) {
    int last = -1;
    for (const std::string& text : texts) {
      const int index = std::stoi(text.substr(std::string("message ").size()));
      if (index % 2 != sender) continue;
      EXPECT_GT(index, last);
      last = index;
    }
  }
}

TEST_F(BinaryMixingTest, RepliesAndPushesFollowRequestEncoding) {
  TestAccount account = create_account();
  auto [room, name] = create_room(account);
  const std::string room_text = std::to_string(room);
  auto connection = logged_in(account, 0);
  auto sender = logged_in(account, 1);

  // A binary request gets a binary reply.
  connection->send_binary(binary_request("subscribe", json::value(room_text)));
  auto subscribed = next_frame(*connection);
  ASSERT_TRUE(subscribed.has_value());
  EXPECT_TRUE(subscribed->binary);
  json::object reply = decode(*subscribed);
  EXPECT_EQ(reply.at("cid").as_string(), kCid);
  EXPECT_EQ(reply.at("qualifier").as_string(), "v1/syemessenger/subscribe");
  EXPECT_EQ(as_id(reply.at("data")), room);

  // After a binary request, pushes are binary frames. The connection's
  // call() encoding is JSON, so they stay in the frame queue.
  ASSERT_PROTOCOL_OK(
      sender->call("send", json::object{{"roomId", room_text}, {"message", "first"}}));
  auto first = next_frame(*connection);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->binary);
  json::object first_push = decode(*first);
  EXPECT_EQ(first_push.at("qualifier").as_string(), "v1/syemessenger/messages");
  EXPECT_EQ(first_push.at("data").at("message").as_string(), "first");

  // A text request gets a text reply, and later pushes are text frames.
  connection->send_text(text_request("getRoom", json::value(room_text)));
  auto room_reply = next_frame(*connection);
  ASSERT_TRUE(room_reply.has_value());
  EXPECT_FALSE(room_reply->binary);
  EXPECT_EQ(as_id(decode(*room_reply).at("data").at("id")), room);

  ASSERT_PROTOCOL_OK(
      sender->call("send", json::object{{"roomId", room_text}, {"message", "second"}}));
  auto second = connection->next_push(kPushTimeout);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->at("message").as_string(), "second");

  // And a binary request switches the pushes back.
  connection->send_binary(binary_request("getRoom", json::value(room_text)));
  auto binary_room = next_frame(*connection);
  ASSERT_TRUE(binary_room.has_value());
  EXPECT_TRUE(binary_room->binary);
  EXPECT_EQ(json::serialize(decode(*binary_room)), json::serialize(decode(*room_reply)));
  ASSERT_PROTOCOL_OK(
      sender->call("send", json::object{{"roomId", room_text}, {"message", "third"}}));
  auto third = next_frame(*connection);
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(third->binary);
  EXPECT_EQ(decode(*third).at("data").at("message").as_string(), "third");
}

TEST_F(BinaryMixingTest, InvalidBinaryFramesGetBinaryErrors) {
  auto connection = connect(0);
  const std::string valid = binary_request("getRoom", json::value("1"));
  struct Case {
    std::string name;
    std::string frame;
    std::string code;
    std::string message;
    bool echoes_cid;
  };
  std::string wrong_schema = valid;
  wrong_schema[4] = 99;
  std::string unknown_template = valid;
  unknown_template[2] = static_cast<char>(0xE7);
  unknown_template[3] = 0x03;

  const Case cases[] = {
      {"empty", "", "400", "Wrong message: invalid envelope", false},
      {"short", "\x01\x02\x03", "400", "Wrong message: invalid envelope", false},
      {"wrong schema", wrong_schema, "400", "Wrong message: invalid envelope", false},
      {"truncated", valid.substr(0, valid.size() - 1), "400", "Wrong message: invalid envelope",
       true},
      {"unknown template", unknown_template, "404", "Wrong message: request handler is missing",
       true},
      {"not authenticated", valid, "401", "Not authenticated", true},
  };

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    connection->send_binary(c.frame);
    auto frame = next_frame(*connection);
    ASSERT_TRUE(frame.has_value());
    EXPECT_TRUE(frame->binary);
    json::object reply = decode(*frame);
    EXPECT_EQ(reply.at("qualifier").as_string(), "v1/syemessenger/error");
    EXPECT_EQ(reply.at("data").at("errorCode").as_string(), c.code);
    EXPECT_EQ(reply.at("data").at("errorMessage").as_string(), c.message);
    EXPECT_EQ(reply.contains("cid"), c.echoes_cid);
  }

  EXPECT_TRUE(connection->is_open());
  EXPECT_PROTOCOL_ERROR(connection->call("getRoom", json::value("1")), 401, "Not authenticated");
}

}  // namespace
}  // namespace parley::testing
