#include <boost/json.hpp>

#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class AccountsTest : public ProtocolTest {};

struct CreateAccountCase {
  const char* name;
  json::value data;
  const char* message;
};

TEST_F(AccountsTest, CreateAccountChecksInOrder) {
  const std::string long_text(80, 'a');
  const std::string valid_name = unique_name(12);
  const std::vector<CreateAccountCase> cases = {
      {"empty strings", json::object{{"username", ""}, {"email", ""}, {"password", ""}},
       "Missing or invalid: username"},
      {"empty object", json::object{}, "Missing or invalid: username"},
      {"no payload", nullptr, "Missing or invalid: username"},
      {"string payload", json::value("alice"), "Missing or invalid: username"},
      {"no password", json::object{{"username", valid_name}, {"email", "example@email.com"}},
       "Missing or invalid: password"},
      {"no username", json::object{{"email", "example@email.com"}, {"password", "test12345"}},
       "Missing or invalid: username"},
      {"no email", json::object{{"username", valid_name}, {"password", "test12345"}},
       "Missing or invalid: email"},
      {"short username", json::object{{"username", "abcdefg"}, {"email", "x"}, {"password", "x"}},
       "Missing or invalid: username"},
      {"long username",
       json::object{
           {"username", long_text}, {"email", "example@email.com"}, {"password", "test12345"}},
       "Missing or invalid: username"},
      {"email without at",
       json::object{{"username", valid_name}, {"email", "abcdefghijk"}, {"password", "test12345"}},
       "Missing or invalid: email"},
      {"short email",
       json::object{{"username", valid_name}, {"email", "a@b.com"}, {"password", "test12345"}},
       "Missing or invalid: email"},
      {"long email",
       json::object{{"username", valid_name},
                    {"email", long_text + "@example.org"},
                    {"password", "test12345"}},
       "Missing or invalid: email"},
      {"short password",
       json::object{
           {"username", valid_name}, {"email", "example@email.com"}, {"password", "1234567"}},
       "Missing or invalid: password"},
      {"long password",
       json::object{
           {"username", valid_name}, {"email", "example@email.com"}, {"password", long_text}},
       "Missing or invalid: password"},
      {"username of wrong type",
       json::object{
           {"username", json::array{1}}, {"email", "example@email.com"}, {"password", "test12345"}},
       "Missing or invalid: username"},
  };
  auto connection = connect();
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(connection->call("createAccount", test.data), 400, test.message);
  }
}

TEST_F(AccountsTest, CreateAccountReturnsAccountInfo) {
  auto connection = connect();
  std::string username = unique_name(20);
  std::string email = unique_name(8) + "@example.org";
  auto created = connection->call(
      "createAccount",
      json::object{{"username", username}, {"email", email}, {"password", "test12345"}});
  ASSERT_PROTOCOL_OK(created);
  const auto& info = created->as_object();
  EXPECT_TRUE(info.at("id").is_string());
  EXPECT_GT(as_id(info.at("id")), 0);
  EXPECT_EQ(info.at("username").as_string(), username);
  EXPECT_EQ(info.at("email").as_string(), email);
  EXPECT_EQ(info.at("createdAt"), info.at("updatedAt"));
  EXPECT_FALSE(info.contains("password"));
  EXPECT_FALSE(info.contains("passwordHash"));
}

TEST_F(AccountsTest, DuplicateUsernameOrEmail) {
  TestAccount existing = create_account();
  auto connection = connect(1);
  EXPECT_PROTOCOL_ERROR(
      connection->call("createAccount", json::object{{"username", existing.username},
                                                     {"email", unique_name(8) + "@example.org"},
                                                     {"password", "test12345"}}),
      400, "Cannot create account: already exists");
  EXPECT_PROTOCOL_ERROR(
      connection->call("createAccount", json::object{{"username", unique_name(12)},
                                                     {"email", existing.email},
                                                     {"password", "test12345"}}),
      400, "Cannot create account: already exists");
}

TEST_F(AccountsTest, LoginFailures) {
  TestAccount account = create_account();
  auto connection = connect();
  const std::vector<json::value> cases = {
      json::object{{"username", unique_name(12)}, {"password", "test12345"}},
      json::object{
          {"username", account.username}, {"email", account.email}, {"password", "test12345"}},
      json::object{{"password", "test12345"}},
      json::object{{"username", account.username}},
      json::object{{"username", account.username}, {"password", "wrong-password"}},
      json::value("not an object"),
      nullptr,
  };
  for (const auto& data : cases) {
    SCOPED_TRACE(json::serialize(data));
    EXPECT_PROTOCOL_ERROR(connection->call("login", data), 401, "Login failed");
  }
}

TEST_F(AccountsTest, LoginByUsernameOrEmail) {
  TestAccount account = create_account();
  auto connection = connect(2);
  auto by_username = connection->call(
      "login", json::object{{"username", account.username}, {"password", account.password}});
  ASSERT_PROTOCOL_OK(by_username);
  EXPECT_EQ(*by_username, json::value(std::to_string(account.id)));
  auto by_email = connection->call(
      "login", json::object{{"email", account.email}, {"password", account.password}});
  ASSERT_PROTOCOL_OK(by_email);
  EXPECT_EQ(as_id(*by_email), account.id);
}

TEST_F(AccountsTest, OperationsNeedLogin) {
  auto connection = connect();
  for (const char* operation :
       {"getAccount", "updateAccount", "getRooms", "createRoom", "updateRoom", "getRoom",
        "joinRoom", "leaveRoom", "removeRoomMembers", "blockRoomMembers", "unblockRoomMembers",
        "getBlockedMembers", "listRooms", "getRoomMembers", "subscribe", "unsubscribe", "send",
        "listMessages"}) {
    SCOPED_TRACE(operation);
    // A payload of the wrong type must not change the reply, because the
    // login check comes first.
    EXPECT_PROTOCOL_ERROR(connection->call(operation, json::array{1, 2}), 401, "Not authenticated");
  }
}

TEST_F(AccountsTest, GetOwnAndForeignAccount) {
  TestAccount alice = create_account();
  TestAccount bob = create_account();
  auto connection = logged_in(alice, 1);
  auto own = connection->call("getAccount", json::value(std::to_string(alice.id)));
  ASSERT_PROTOCOL_OK(own);
  EXPECT_EQ(own->as_object().at("username").as_string(), alice.username);
  auto foreign = connection->call("getAccount", json::value(bob.id));
  ASSERT_PROTOCOL_OK(foreign);
  EXPECT_EQ(foreign->as_object().at("email").as_string(), bob.email);
}

TEST_F(AccountsTest, GetAccountErrors) {
  TestAccount alice = create_account();
  auto connection = logged_in(alice);
  EXPECT_PROTOCOL_ERROR(connection->call("getAccount", nullptr), 400, "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("getAccount", json::value("")), 400,
                        "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("getAccount", json::value("9223372036854775807")), 404,
                        "Account not found");
}

TEST_F(AccountsTest, LoginAsOtherAccountDropsSubscription) {
  TestAccount alice = create_account();
  TestAccount bob = create_account();
  auto [room, name] = create_room(alice);
  auto connection = logged_in(alice);
  ASSERT_PROTOCOL_OK(connection->call("subscribe", json::value(std::to_string(room))));
  login(*connection, bob);
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
}

TEST_F(AccountsTest, LoginAsSameAccountKeepsSubscription) {
  TestAccount alice = create_account();
  auto [room, name] = create_room(alice);
  auto connection = logged_in(alice);
  ASSERT_PROTOCOL_OK(connection->call("subscribe", json::value(std::to_string(room))));
  login(*connection, alice);
  auto unsubscribed = connection->call("unsubscribe");
  ASSERT_PROTOCOL_OK(unsubscribed);
  EXPECT_EQ(as_id(*unsubscribed), room);
}

TEST_F(AccountsTest, FailedLoginKeepsIdentity) {
  TestAccount alice = create_account();
  auto connection = logged_in(alice);
  EXPECT_PROTOCOL_ERROR(
      connection->call("login", json::object{{"username", alice.username}, {"password", "nope"}}),
      401, "Login failed");
  auto own = connection->call("getAccount", json::value(alice.id));
  ASSERT_PROTOCOL_OK(own);
}

}  // namespace
}  // namespace parley::testing
