// Every operation over binary frames: the same replies, codes and messages
// as over text frames for the same input.

#include <thread>

#include <boost/json.hpp>

#include "integration/binary/binary_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class BinaryOperationsTest : public BinaryTest {};

TEST_F(BinaryOperationsTest, LoginRequiredByEveryOperation) {
  auto json_connection = connect(0);
  auto binary_connection = connect_binary(1);
  for (const char* operation : {"updateAccount",
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
                                "logout"}) {
    SCOPED_TRACE(operation);
    // No data: an object would not fit the binary form of the operations
    // whose payload is an id or a name.
    EXPECT_PROTOCOL_ERROR(binary_connection->call(operation), 401, "Not authenticated");
    expect_same(*json_connection, *binary_connection, operation, nullptr);
  }
}

TEST_F(BinaryOperationsTest, Accounts) {
  auto json_connection = connect(0);
  auto binary_connection = connect_binary(1);

  for (const char* payload :
       {R"({})", R"({"username":"alice_0001"})", R"({"username":"short","email":"x"})",
        R"({"username":"alice_0001","email":"alice@example.org"})",
        R"({"username":"alice_0001","email":"alice@example.org","password":""})"}) {
    expect_same(*json_connection, *binary_connection, "createAccount", json::parse(payload));
  }
  const std::string username = unique_name(16);
  auto created = binary_connection->call("createAccount",
                                         json::object{{"username", username},
                                                      {"email", unique_name(10) + "@example.org"},
                                                      {"password", "test12345"}});
  ASSERT_PROTOCOL_OK(created);
  const AccountId id = as_id(created->as_object().at("id"));
  EXPECT_EQ(created->as_object().at("username").as_string(), username);

  TestAccount account{id, username, std::string(created->as_object().at("email").as_string()),
                      "test12345"};
  expect_same(
      *json_connection, *binary_connection, "createAccount",
      json::object{{"username", username}, {"email", account.email}, {"password", "test12345"}});

  for (const char* payload :
       {R"({})", R"({"password":"test12345"})", R"({"username":"a","email":"b","password":"c"})"}) {
    expect_same(*json_connection, *binary_connection, "login", json::parse(payload));
  }
  expect_same(*json_connection, *binary_connection, "login",
              json::object{{"username", username}, {"password", "wrong-password"}});
  expect_same(*json_connection, *binary_connection, "login",
              json::object{{"email", account.email}, {"password", "test12345"}});

  expect_same(*json_connection, *binary_connection, "getAccount", json::value(nullptr));
  expect_same(*json_connection, *binary_connection, "getAccount", json::value(std::to_string(id)));
  expect_same(*json_connection, *binary_connection, "getAccount", json::value("999999999999"));

  for (const char* payload :
       {R"({"username":"short"})", R"({"email":"no-at-sign"})", R"({"password":"1234567"})"}) {
    expect_same(*json_connection, *binary_connection, "updateAccount", json::parse(payload));
  }
  auto updated = binary_connection->call("updateAccount", json::object{});
  ASSERT_PROTOCOL_OK(updated);
  EXPECT_EQ(as_id(updated->as_object().at("id")), id);
}

TEST_F(BinaryOperationsTest, Rooms) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto json_owner = logged_in(owner, 0);
  auto binary_owner = logged_in_binary(owner, 1);
  auto json_member = logged_in(member, 0);
  auto binary_member = logged_in_binary(member, 2);

  for (const char* payload :
       {R"({})", R"({"name":"short"})", R"({"name":"long-enough","description":"short"})"}) {
    expect_same(*json_owner, *binary_owner, "createRoom", json::parse(payload));
  }
  const std::string name = "room-" + unique_name(12);
  auto created = binary_owner->call("createRoom", json::object{{"name", name}});
  ASSERT_PROTOCOL_OK(created);
  EXPECT_FALSE(created->as_object().contains("description"));
  const RoomId room = as_id(created->as_object().at("id"));
  const std::string room_text = std::to_string(room);
  expect_same(*json_owner, *binary_owner, "createRoom", json::object{{"name", name}});

  expect_same(*json_owner, *binary_owner, "getRoom", json::value(room_text));
  expect_same(*json_owner, *binary_owner, "getRoom", json::value(nullptr));
  expect_same(*json_owner, *binary_owner, "getRoom", json::value("999999999999"));

  expect_same(*json_owner, *binary_owner, "updateRoom", json::object{{"roomId", room_text}});
  expect_same(*json_owner, *binary_owner, "updateRoom",
              json::object{{"description", "about things"}});
  auto updated = binary_owner->call(
      "updateRoom", json::object{{"roomId", room_text}, {"description", "about things"}});
  ASSERT_PROTOCOL_OK(updated);
  EXPECT_EQ(updated->as_object().at("description").as_string(), "about things");
  expect_same(*json_owner, *binary_owner, "getRoom", json::value(room_text));

  expect_same(*json_member, *binary_member, "joinRoom", json::value("   "));
  expect_same(*json_member, *binary_member, "joinRoom", json::value("no-such-room-" + name));
  auto joined = binary_member->call("joinRoom", json::value(name));
  ASSERT_PROTOCOL_OK(joined);
  EXPECT_EQ(as_id(*joined), room);
  EXPECT_PROTOCOL_ERROR(binary_member->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: already joined");

  const json::object page{{"roomId", room_text}, {"orderBy", {{"field", "username"}}}};
  expect_same(*json_owner, *binary_owner, "getRoomMembers", page);
  expect_same(*json_owner, *binary_owner, "getRoomMembers",
              json::object{{"roomId", room_text}, {"offset", 0}, {"limit", 1}});
  expect_same(*json_owner, *binary_owner, "getRoomMembers",
              json::object{{"roomId", room_text}, {"limit", 51}});
  expect_same(*json_owner, *binary_owner, "getRoomMembers",
              json::object{{"roomId", room_text}, {"orderBy", {{"field", "password_hash"}}}});
  expect_same(*json_owner, *binary_owner, "getRooms",
              json::object{{"orderBy", {{"field", "name"}, {"direction", "DESC"}}}});
  expect_same(*json_owner, *binary_owner, "getRooms", json::object{{"offset", -1}});
  expect_same(*json_owner, *binary_owner, "listRooms",
              json::object{{"keyword", name}, {"limit", 5}});
  expect_same(*json_owner, *binary_owner, "listRooms", json::object{{"limit", 0}});

  const json::object members{{"roomId", room_text}, {"memberIds", json::array{member.id}}};
  const json::object with_owner{{"roomId", room_text}, {"memberIds", json::array{owner.id}}};
  expect_same(*json_member, *binary_member, "blockRoomMembers", members);
  expect_same(*json_owner, *binary_owner, "blockRoomMembers", with_owner);
  expect_same(*json_owner, *binary_owner, "removeRoomMembers", with_owner);
  expect_same(*json_owner, *binary_owner, "removeRoomMembers",
              json::object{{"roomId", room_text}, {"memberIds", json::array{}}});
  expect_same(*json_owner, *binary_owner, "unblockRoomMembers",
              json::object{{"memberIds", json::array{member.id}}});
  expect_same(*json_owner, *binary_owner, "blockRoomMembers",
              json::object{{"roomId", room_text}, {"memberIds", json::array{999999999999}}});
  auto blocked = binary_owner->call("blockRoomMembers", members);
  ASSERT_PROTOCOL_OK(blocked);
  EXPECT_EQ(as_id(*blocked), room);
  expect_same(*json_owner, *binary_owner, "getBlockedMembers", json::object{{"roomId", room_text}});
  expect_same(*json_owner, *binary_owner, "getBlockedMembers", json::object{{"limit", 60}});
  EXPECT_PROTOCOL_ERROR(binary_member->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: blocked");
  auto unblocked = binary_owner->call("unblockRoomMembers", members);
  ASSERT_PROTOCOL_OK(unblocked);
  ASSERT_PROTOCOL_OK(binary_member->call("joinRoom", json::value(name)));
  auto removed = binary_owner->call("removeRoomMembers", members);
  ASSERT_PROTOCOL_OK(removed);
  EXPECT_EQ(as_id(*removed), room);

  expect_same(*json_member, *binary_member, "leaveRoom", json::value(room_text));
  expect_same(*json_member, *binary_member, "leaveRoom", json::value(nullptr));
  ASSERT_PROTOCOL_OK(binary_member->call("joinRoom", json::value(name)));
  auto left = binary_member->call("leaveRoom", json::value(room_text));
  ASSERT_PROTOCOL_OK(left);
  EXPECT_EQ(as_id(*left), room);
}

TEST_F(BinaryOperationsTest, Messages) {
  TestAccount owner = create_account();
  auto [room, name] = create_room(owner);
  const std::string room_text = std::to_string(room);
  auto json_owner = logged_in(owner, 0);
  auto binary_owner = logged_in_binary(owner, 1);

  expect_same(*json_owner, *binary_owner, "unsubscribe", json::value(nullptr));
  expect_same(*json_owner, *binary_owner, "send", json::value("not subscribed yet"));
  expect_same(*json_owner, *binary_owner, "subscribe", json::value(nullptr));
  expect_same(*json_owner, *binary_owner, "subscribe", json::value("999999999999"));
  expect_same(*json_owner, *binary_owner, "send", json::value(std::string(501, 'x')));
  expect_same(*json_owner, *binary_owner, "send",
              json::object{{"message", "hi"}, {"clientMessageId", std::string(65, 'c')}});

  auto subscribed = binary_owner->call("subscribe", json::value(room_text));
  ASSERT_PROTOCOL_OK(subscribed);
  EXPECT_EQ(as_id(*subscribed), room);

  auto sent = binary_owner->call("send", json::value("hello over sbe"));
  ASSERT_PROTOCOL_OK(sent);
  EXPECT_EQ(as_id(*sent), room);
  auto push = binary_owner->next_push(kPushTimeout);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string(), "hello over sbe");
  EXPECT_EQ(as_id(push->at("roomId")), room);
  EXPECT_EQ(as_id(push->at("senderId")), owner.id);

  const json::object object_send{{"roomId", room_text},
                                 {"message", "object form"},
                                 {"clientMessageId", "retry-" + unique_name(8)}};
  auto first = binary_owner->call("send", object_send);
  ASSERT_PROTOCOL_OK(first);
  auto retried = binary_owner->call("send", object_send);
  ASSERT_PROTOCOL_OK(retried);
  EXPECT_EQ(json::serialize(*retried), json::serialize(*first));
  EXPECT_EQ(as_id(first->as_object().at("roomId")), room);
  // The retry creates no second message, so one push arrives.
  auto object_push = binary_owner->next_push(kPushTimeout);
  ASSERT_TRUE(object_push.has_value());
  EXPECT_EQ(object_push->at("message").as_string(), "object form");
  EXPECT_EQ(as_id(object_push->at("id")), as_id(first->as_object().at("id")));

  const json::object window{{"roomId", room_text},
                            {"from", "2000-01-01T00:00"},
                            {"to", "2999-01-01T00:00:00.5"},
                            {"timezone", "Europe/Paris"},
                            {"orderBy", {{"field", "id"}, {"direction", "DESC"}}}};
  // History is written asynchronously, so wait until both messages are in.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto page = json_owner->call("listMessages", window);
    ASSERT_PROTOCOL_OK(page);
    if (page->as_object().at("messages").as_array().size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  expect_same(*json_owner, *binary_owner, "listMessages", window);
  expect_same(*json_owner, *binary_owner, "listMessages",
              json::object{{"roomId", room_text}, {"keyword", "SBE"}, {"limit", 1}, {"offset", 0}});
  expect_same(*json_owner, *binary_owner, "listMessages",
              json::object{{"roomId", room_text},
                           {"from", "2025-03-10T13:00"},
                           {"to", "2025-03-10T12:00"},
                           {"timezone", "UTC"}});
  expect_same(*json_owner, *binary_owner, "listMessages",
              json::object{{"roomId", room_text}, {"from", "2025-03-10T13:00"}});
  expect_same(*json_owner, *binary_owner, "listMessages",
              json::object{{"roomId", room_text}, {"keyword", "hi"}});
  expect_same(*json_owner, *binary_owner, "listMessages",
              json::object{{"roomId", room_text}, {"timezone", "Nowhere/City"}});

  auto resumed =
      binary_owner->call("subscribe", json::object{{"roomId", room_text}, {"afterMessageId", "0"}});
  ASSERT_PROTOCOL_OK(resumed);
  auto replayed = binary_owner->next_push(kPushTimeout);
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->at("message").as_string(), "hello over sbe");
  auto replayed_second = binary_owner->next_push(kPushTimeout);
  ASSERT_TRUE(replayed_second.has_value());
  EXPECT_EQ(replayed_second->at("message").as_string(), "object form");

  auto unsubscribed = binary_owner->call("unsubscribe");
  ASSERT_PROTOCOL_OK(unsubscribed);
  EXPECT_EQ(as_id(*unsubscribed), room);
  EXPECT_PROTOCOL_ERROR(binary_owner->call("unsubscribe"), 400, "Not subscribed");
}

TEST_F(BinaryOperationsTest, Tokens) {
  TestAccount account = create_account();
  auto json_connection = connect(0);
  auto binary_connection = logged_in_binary(account, 1);

  auto token = binary_connection->call("createToken");
  ASSERT_PROTOCOL_OK(token);
  const std::string text(token->as_object().at("token").as_string());
  EXPECT_FALSE(text.empty());
  EXPECT_TRUE(token->as_object().contains("expiresAt"));

  auto fresh = connect_binary(2);
  expect_same(*json_connection, *fresh, "loginWithToken", json::object{});
  expect_same(*json_connection, *fresh, "loginWithToken", json::object{{"token", "unknown"}});
  auto logged_in = fresh->call("loginWithToken", json::object{{"token", text}});
  ASSERT_PROTOCOL_OK(logged_in);
  EXPECT_EQ(as_id(*logged_in), account.id);

  auto logged_out = fresh->call("logout");
  ASSERT_PROTOCOL_OK(logged_out);
  EXPECT_EQ(as_id(*logged_out), account.id);
  EXPECT_PROTOCOL_ERROR(fresh->call("logout"), 401, "Not authenticated");
  EXPECT_PROTOCOL_ERROR(fresh->call("loginWithToken", json::object{{"token", text}}), 401,
                        "Login failed");
}

}  // namespace
}  // namespace parley::testing
