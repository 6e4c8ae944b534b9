#include <boost/json.hpp>

#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class TokensTest : public ProtocolTest {
 protected:
  std::string create_token(client::Connection& connection) {
    auto created = connection.call("createToken");
    EXPECT_TRUE(created.ok()) << created.error().message;
    if (!created.ok()) return {};
    return std::string(created->as_object().at("token").as_string());
  }
};

TEST_F(TokensTest, TokenOperationsNeedLogin) {
  auto connection = connect();
  EXPECT_PROTOCOL_ERROR(connection->call("createToken"), 401, "Not authenticated");
  EXPECT_PROTOCOL_ERROR(connection->call("logout"), 401, "Not authenticated");
}

TEST_F(TokensTest, CreateTokenReturnsTokenAndExpiry) {
  TestAccount alice = create_account();
  auto connection = logged_in(alice);
  auto created = connection->call("createToken");
  ASSERT_PROTOCOL_OK(created);
  const auto& reply = created->as_object();
  EXPECT_GE(reply.at("token").as_string().size(), 32u);
  EXPECT_TRUE(reply.at("expiresAt").is_string());
  EXPECT_NE(create_token(*connection), std::string(reply.at("token").as_string()));
}

TEST_F(TokensTest, LoginWithTokenOnAnyNode) {
  TestAccount alice = create_account();
  auto first = logged_in(alice, 0);
  std::string token = create_token(*first);
  for (std::size_t node = 0; node < cluster().size(); ++node) {
    SCOPED_TRACE("node " + std::to_string(node));
    auto connection = connect(node);
    auto login = connection->call("loginWithToken", json::object{{"token", token}});
    ASSERT_PROTOCOL_OK(login);
    EXPECT_EQ(as_id(*login), alice.id);
    auto own = connection->call("getAccount", json::value(alice.id));
    ASSERT_PROTOCOL_OK(own);
  }
}

TEST_F(TokensTest, BadTokensFailLogin) {
  auto connection = connect();
  for (const json::value& data :
       {json::value(json::object{{"token", "not-a-real-token"}}), json::value(json::object{}),
        json::value(json::object{{"token", ""}}), json::value(nullptr), json::value("text")}) {
    SCOPED_TRACE(json::serialize(data));
    EXPECT_PROTOCOL_ERROR(connection->call("loginWithToken", data), 401, "Login failed");
  }
}

TEST_F(TokensTest, LogoutRevokesItsToken) {
  TestAccount alice = create_account();
  auto creator = logged_in(alice);
  std::string token = create_token(*creator);

  auto user = connect(1);
  ASSERT_PROTOCOL_OK(user->call("loginWithToken", json::object{{"token", token}}));
  auto logged_out = user->call("logout");
  ASSERT_PROTOCOL_OK(logged_out);
  EXPECT_EQ(as_id(*logged_out), alice.id);
  EXPECT_PROTOCOL_ERROR(user->call("getAccount", json::value(alice.id)), 401, "Not authenticated");

  auto again = connect(2);
  EXPECT_PROTOCOL_ERROR(again->call("loginWithToken", json::object{{"token", token}}), 401,
                        "Login failed");
}

TEST_F(TokensTest, PasswordLogoutKeepsTokens) {
  TestAccount alice = create_account();
  auto creator = logged_in(alice);
  std::string token = create_token(*creator);
  auto other = logged_in(alice, 1);
  ASSERT_PROTOCOL_OK(other->call("logout"));
  auto connection = connect(2);
  ASSERT_PROTOCOL_OK(connection->call("loginWithToken", json::object{{"token", token}}));
}

TEST_F(TokensTest, LogoutEndsSubscription) {
  TestAccount alice = create_account();
  auto [room, name] = create_room(alice);
  auto connection = logged_in(alice);
  ASSERT_PROTOCOL_OK(connection->call("subscribe", json::value(room)));
  ASSERT_PROTOCOL_OK(connection->call("logout"));
  login(*connection, alice);
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
}

TEST_F(TokensTest, TokenReusableForManyLogins) {
  TestAccount alice = create_account();
  auto creator = logged_in(alice);
  std::string token = create_token(*creator);
  for (int i = 0; i < 5; ++i) {
    auto connection = connect(static_cast<std::size_t>(i) % cluster().size());
    ASSERT_PROTOCOL_OK(connection->call("loginWithToken", json::object{{"token", token}}));
  }
}

}  // namespace
}  // namespace parley::testing
