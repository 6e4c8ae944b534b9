#include "client/chat_session.hpp"

#include <chrono>
#include <future>
#include <string>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "fake_server.hpp"

namespace parley::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;

constexpr auto kWait = 2s;

boost::json::object room_json(int id, const std::string& name) {
  return {{"id", std::to_string(id)},
          {"name", name},
          {"owner", "alice_0001"},
          {"createdAt", "2025-03-10T12:01:00"},
          {"updatedAt", "2025-03-10T12:01:00"}};
}

boost::json::object message_json(int id, const std::string& text) {
  return {{"id", std::to_string(id)},
          {"senderId", "7"},
          {"roomId", "3"},
          {"message", text},
          {"timestamp", "2025-03-10T12:02:03.456"}};
}

// A ChatSession on a connection to a fresh FakeServer.
class ChatSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Connection::open(server_.url(), kWait);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    connection_ = std::move(opened.value());
    session_ = std::make_unique<ChatSession>(*connection_, kWait);
  }

  // Reads the next request and checks its qualifier.
  boost::json::object expect_request(const std::string& operation) {
    std::optional<boost::json::object> request = server_.next_request(kWait);
    EXPECT_TRUE(request.has_value()) << "no " << operation << " request arrived";
    if (!request) {
      return {};
    }
    EXPECT_EQ(request->at("qualifier"), boost::json::value("v1/syemessenger/" + operation))
        << boost::json::serialize(*request);
    return std::move(*request);
  }

  FakeServer server_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<ChatSession> session_;
};

TEST_F(ChatSessionTest, LoginSendsCredentialsAndDecodesId) {
  auto login =
      std::async(std::launch::async, [&] { return session_->login("alice_0001", "s3cretpass"); });
  boost::json::object request = expect_request("login");
  EXPECT_EQ(request.at("data").at("username"), "alice_0001");
  EXPECT_EQ(request.at("data").at("password"), "s3cretpass");
  EXPECT_FALSE(request.at("data").as_object().contains("email"));
  server_.reply(request, "12");

  Result<AccountId> id = login.get();
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id.value(), 12);
}

TEST_F(ChatSessionTest, LoginFailureKeepsServerError) {
  auto login = std::async(std::launch::async, [&] { return session_->login("alice_0001", "x"); });
  server_.reply_error(expect_request("login"), 401, "Login failed");

  Result<AccountId> id = login.get();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, 401);
  EXPECT_EQ(id.error().message, "Login failed");
}

TEST_F(ChatSessionTest, CreateAccountDecodesAccount) {
  auto created = std::async(std::launch::async, [&] {
    return session_->create_account("alice_0001", "alice@example.org", "s3cretpass");
  });
  boost::json::object request = expect_request("createAccount");
  EXPECT_EQ(request.at("data").at("email"), "alice@example.org");
  server_.reply(request, {{"id", "12"},
                          {"username", "alice_0001"},
                          {"email", "alice@example.org"},
                          {"createdAt", "2025-03-10T12:00:00.123"},
                          {"updatedAt", "2025-03-10T12:00:00.123"}});

  Result<AccountInfo> account = created.get();
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->id, 12);
  EXPECT_EQ(account->username, "alice_0001");
  EXPECT_EQ(account->email, "alice@example.org");
}

TEST_F(ChatSessionTest, UsernameOfCachesAccounts) {
  auto first = std::async(std::launch::async, [&] { return session_->username_of(7); });
  boost::json::object request = expect_request("getAccount");
  EXPECT_EQ(request.at("data"), "7");
  server_.reply(request, {{"id", "7"}, {"username", "bob_00007"}, {"email", "bob@example.org"}});
  Result<std::string> name = first.get();
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(name.value(), "bob_00007");

  Result<std::string> cached = session_->username_of(7);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  EXPECT_EQ(cached.value(), "bob_00007");
  EXPECT_FALSE(server_.next_frame(100ms).has_value()) << "the second lookup reached the server";
}

TEST_F(ChatSessionTest, FindRoomPagesUntilExactName) {
  auto found = std::async(std::launch::async, [&] { return session_->find_room("general"); });

  boost::json::object first = expect_request("listRooms");
  EXPECT_EQ(first.at("data").at("keyword"), "general");
  EXPECT_EQ(first.at("data").at("offset"), "0");
  EXPECT_EQ(first.at("data").at("limit"), "50");
  boost::json::array page;
  for (int i = 0; i < 50; ++i) {
    page.push_back(room_json(100 + i, "general-" + std::to_string(i)));
  }
  server_.reply(first, {{"roomInfos", page}, {"totalCount", "51"}});

  boost::json::object second = expect_request("listRooms");
  EXPECT_EQ(second.at("data").at("offset"), "50");
  server_.reply(second, {{"roomInfos", {room_json(9, "general")}}, {"totalCount", "51"}});

  Result<std::optional<RoomInfo>> room = found.get();
  ASSERT_TRUE(room.ok()) << room.error().message;
  ASSERT_TRUE(room->has_value());
  EXPECT_EQ((*room)->id, 9);
  EXPECT_EQ((*room)->owner, "alice_0001");
}

TEST_F(ChatSessionTest, FindRoomReturnsNulloptWhenMissing) {
  auto found = std::async(std::launch::async, [&] { return session_->find_room("general"); });
  server_.reply(expect_request("listRooms"),
                {{"roomInfos", {room_json(4, "general-chat")}}, {"totalCount", "1"}});

  Result<std::optional<RoomInfo>> room = found.get();
  ASSERT_TRUE(room.ok()) << room.error().message;
  EXPECT_FALSE(room->has_value());
}

TEST_F(ChatSessionTest, RecentMessagesPagesNewestFirstAndReverses) {
  auto recent = std::async(std::launch::async, [&] { return session_->recent_messages(3, 60); });

  boost::json::object first = expect_request("listMessages");
  EXPECT_EQ(first.at("data").at("roomId"), "3");
  EXPECT_EQ(first.at("data").at("offset"), "0");
  EXPECT_EQ(first.at("data").at("limit"), "50");
  EXPECT_EQ(first.at("data").at("orderBy").at("field"), "id");
  EXPECT_EQ(first.at("data").at("orderBy").at("direction"), "DESC");
  boost::json::array newest;
  for (int id = 70; id > 20; --id) {
    newest.push_back(message_json(id, "m" + std::to_string(id)));
  }
  server_.reply(first, {{"messages", newest}, {"totalCount", "70"}});

  boost::json::object second = expect_request("listMessages");
  EXPECT_EQ(second.at("data").at("offset"), "50");
  EXPECT_EQ(second.at("data").at("limit"), "10");
  boost::json::array older;
  for (int id = 20; id > 10; --id) {
    older.push_back(message_json(id, "m" + std::to_string(id)));
  }
  server_.reply(second, {{"messages", older}, {"totalCount", "70"}});

  Result<std::vector<MessageInfo>> messages = recent.get();
  ASSERT_TRUE(messages.ok()) << messages.error().message;
  ASSERT_EQ(messages->size(), 60u);
  EXPECT_EQ(messages->front().id, 11);
  EXPECT_EQ(messages->back().id, 70);
  EXPECT_EQ(messages->back().text, "m70");
}

TEST_F(ChatSessionTest, RecentMessagesSkipsRepeatAfterNewMessage) {
  auto recent = std::async(std::launch::async, [&] { return session_->recent_messages(3, 52); });

  boost::json::array newest;
  for (int id = 100; id > 50; --id) {
    newest.push_back(message_json(id, "m" + std::to_string(id)));
  }
  server_.reply(expect_request("listMessages"), {{"messages", newest}, {"totalCount", "100"}});
  // Message 101 arrived in between, so the page at offset 50 starts with 51
  // again.
  boost::json::object second = expect_request("listMessages");
  EXPECT_EQ(second.at("data").at("offset"), "50");
  EXPECT_EQ(second.at("data").at("limit"), "2");
  server_.reply(second, {{"messages", {message_json(51, "m51"), message_json(50, "m50")}},
                         {"totalCount", "101"}});
  boost::json::object third = expect_request("listMessages");
  EXPECT_EQ(third.at("data").at("offset"), "52");
  EXPECT_EQ(third.at("data").at("limit"), "1");
  server_.reply(third, {{"messages", {message_json(49, "m49")}}, {"totalCount", "101"}});

  Result<std::vector<MessageInfo>> messages = recent.get();
  ASSERT_TRUE(messages.ok()) << messages.error().message;
  ASSERT_EQ(messages->size(), 52u);
  for (std::size_t i = 0; i < messages->size(); ++i) {
    EXPECT_EQ(messages->at(i).id, static_cast<MessageId>(49 + i)) << "at index " << i;
  }
}

TEST_F(ChatSessionTest, RecentMessagesStopsAtShortPage) {
  auto recent = std::async(std::launch::async, [&] { return session_->recent_messages(3, 20); });
  server_.reply(expect_request("listMessages"),
                {{"messages", {message_json(2, "b"), message_json(1, "a")}}, {"totalCount", "2"}});

  Result<std::vector<MessageInfo>> messages = recent.get();
  ASSERT_TRUE(messages.ok()) << messages.error().message;
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ(messages->at(0).text, "a");
  EXPECT_EQ(messages->at(1).text, "b");
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatSessionTest, ListMembersFetchesEveryPage) {
  auto members = std::async(std::launch::async, [&] { return session_->list_members(3); });

  boost::json::array page;
  for (int i = 0; i < 50; ++i) {
    page.push_back({{"id", std::to_string(i)}, {"username", "user_" + std::to_string(i)}});
  }
  boost::json::object first = expect_request("getRoomMembers");
  EXPECT_EQ(first.at("data").at("roomId"), "3");
  server_.reply(first, {{"accountInfos", page}, {"totalCount", "51"}});
  boost::json::object second = expect_request("getRoomMembers");
  EXPECT_EQ(second.at("data").at("offset"), "50");
  server_.reply(
      second, {{"accountInfos", {{{"id", "50"}, {"username", "user_50"}}}}, {"totalCount", "51"}});

  Result<std::vector<AccountInfo>> all = members.get();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 51u);
  EXPECT_EQ(all->back().username, "user_50");
}

TEST_F(ChatSessionTest, SendReturnsRoomId) {
  auto sent = std::async(std::launch::async, [&] { return session_->send("hello"); });
  boost::json::object request = expect_request("send");
  EXPECT_EQ(request.at("data"), "hello");
  server_.reply(request, "3");

  Result<RoomId> room = sent.get();
  ASSERT_TRUE(room.ok()) << room.error().message;
  EXPECT_EQ(room.value(), 3);
}

TEST_F(ChatSessionTest, InvalidReplyHasCodeZero) {
  auto sent = std::async(std::launch::async, [&] { return session_->subscribe(3); });
  server_.reply(expect_request("subscribe"), {{"unexpected", true}});

  Result<RoomId> room = sent.get();
  ASSERT_FALSE(room.ok());
  EXPECT_EQ(room.error().code, 0);
}

TEST_F(ChatSessionTest, NextPushSkipsInvalidPushes) {
  ASSERT_TRUE(server_.wait_handshake(kWait).has_value());
  server_.push({{"senderId", "7"}, {"message", "no room id"}});
  boost::json::object valid = message_json(5, "valid");
  valid.erase("id");
  server_.push(valid);

  std::optional<MessageInfo> message = session_->next_push(kWait);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->text, "valid");
  EXPECT_FALSE(message->id.has_value());
  EXPECT_EQ(message->room_id, 3);
  EXPECT_FALSE(session_->next_push(50ms).has_value());
}

}  // namespace
}  // namespace parley::client
