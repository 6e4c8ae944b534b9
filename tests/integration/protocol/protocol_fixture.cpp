#include "integration/protocol/protocol_fixture.hpp"

#include <random>

namespace parley::testing {
namespace json = boost::json;

std::int64_t as_id(const json::value& value) {
  if (value.is_string()) return std::stoll(std::string(value.as_string()));
  if (value.is_int64()) return value.as_int64();
  ADD_FAILURE() << "not a protocol number: " << json::serialize(value);
  return 0;
}

std::unique_ptr<client::Connection> ProtocolTest::connect(std::size_t node) {
  auto connection = client::Connection::open(cluster().url(node));
  EXPECT_TRUE(connection.ok()) << connection.error().message;
  if (!connection.ok()) return nullptr;
  return std::move(connection.value());
}

std::string ProtocolTest::unique_name(std::size_t length) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string name;
  for (std::size_t i = 0; i < length; ++i) name += kAlphabet[pick(random)];
  return name;
}

TestAccount ProtocolTest::create_account(std::size_t node) {
  TestAccount account;
  account.username = unique_name(16);
  account.email = unique_name(10) + "@example.org";
  account.password = "test12345";
  auto connection = connect(node);
  if (!connection) return account;
  auto created = connection->call("createAccount", json::object{{"username", account.username},
                                                                {"email", account.email},
                                                                {"password", account.password}});
  EXPECT_TRUE(created.ok()) << created.error().message;
  if (created.ok()) account.id = as_id(created->as_object().at("id"));
  return account;
}

void ProtocolTest::login(client::Connection& connection, const TestAccount& account) {
  auto result = connection.call(
      "login", json::object{{"username", account.username}, {"password", account.password}});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(as_id(*result), account.id);
}

std::unique_ptr<client::Connection> ProtocolTest::logged_in(const TestAccount& account,
                                                            std::size_t node) {
  auto connection = connect(node);
  if (connection) login(*connection, account);
  return connection;
}

std::pair<RoomId, std::string> ProtocolTest::create_room(const TestAccount& owner,
                                                         std::size_t node) {
  auto connection = logged_in(owner, node);
  std::string name = "room-" + unique_name(12);
  auto created = connection->call("createRoom", json::object{{"name", name}});
  EXPECT_TRUE(created.ok()) << created.error().message;
  if (!created.ok()) return {0, name};
  return {as_id(created->as_object().at("id")), name};
}

void ProtocolTest::join_room(const TestAccount& account, const std::string& room_name,
                             std::size_t node) {
  auto connection = logged_in(account, node);
  auto joined = connection->call("joinRoom", json::value(room_name));
  EXPECT_TRUE(joined.ok()) << joined.error().message;
}

TestAccount ProtocolTest::create_account_named(const std::string& username,
                                               const std::string& email, std::size_t node) {
  TestAccount account;
  account.username = username;
  account.email = email;
  account.password = "test12345";
  auto connection = connect(node);
  if (!connection) return account;
  auto created = connection->call("createAccount", json::object{{"username", account.username},
                                                                {"email", account.email},
                                                                {"password", account.password}});
  EXPECT_TRUE(created.ok()) << username << ": " << created.error().message;
  if (created.ok()) account.id = as_id(created->as_object().at("id"));
  return account;
}

json::object ProtocolTest::create_room_with(const TestAccount& owner, const std::string& name,
                                            const std::optional<std::string>& description,
                                            std::size_t node) {
  auto connection = logged_in(owner, node);
  if (!connection) return {};
  json::object request{{"name", name}};
  if (description) request["description"] = *description;
  auto created = connection->call("createRoom", request);
  EXPECT_TRUE(created.ok()) << name << ": " << created.error().message;
  if (!created.ok()) return {};
  return created->as_object();
}

}  // namespace parley::testing
