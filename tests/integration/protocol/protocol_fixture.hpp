#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "common/types.hpp"
#include "support/cluster.hpp"

namespace parley::testing {

// An account created for one test through the protocol.
struct TestAccount {
  AccountId id = 0;
  std::string username;
  std::string email;
  std::string password;
};

// Helpers shared by the protocol tests, which drive the shared three-node
// cluster over WebSocket exactly as a client would.
class ProtocolTest : public ::testing::Test {
 protected:
  static constexpr auto kPushTimeout = std::chrono::seconds(5);
  // How long a test waits to be sure that a push does NOT arrive.
  static constexpr auto kSilenceWindow = std::chrono::milliseconds(1500);

  Cluster& cluster() { return SharedCluster::get(); }

  // Opens a connection to node `node` (0-based), failing the test if it
  // cannot.
  std::unique_ptr<client::Connection> connect(std::size_t node = 0);

  // A fresh unique name of `length` characters (letters and digits).
  static std::string unique_name(std::size_t length = 16);

  // Creates an account over a throw-away connection.
  TestAccount create_account(std::size_t node = 0);
  // Logs `connection` in as `account`, asserting success.
  void login(client::Connection& connection, const TestAccount& account);
  // A connection to `node` logged in as `account`.
  std::unique_ptr<client::Connection> logged_in(const TestAccount& account, std::size_t node = 0);

  // Creates a room owned by `owner` and returns its id and name.
  std::pair<RoomId, std::string> create_room(const TestAccount& owner, std::size_t node = 0);
  void join_room(const TestAccount& account, const std::string& room_name, std::size_t node = 0);

  // Creates an account with the given username and email (password
  // "test12345") over a throw-away connection.
  TestAccount create_account_named(const std::string& username, const std::string& email,
                                   std::size_t node = 0);
  // Creates a room owned by `owner` and returns its RoomInfo, or an empty
  // object (after recording a failure) when createRoom fails.
  boost::json::object create_room_with(const TestAccount& owner, const std::string& name,
                                       const std::optional<std::string>& description,
                                       std::size_t node = 0);
};

// Reads a protocol number (written as a JSON string) as int64.
std::int64_t as_id(const boost::json::value& value);

// Asserts that `result` is the error (code, message).
#define EXPECT_PROTOCOL_ERROR(result, expected_code, expected_message) \
  do {                                                                 \
    const auto& protocol_result_ = (result);                           \
    ASSERT_FALSE(protocol_result_.ok()) << "expected an error reply";  \
    EXPECT_EQ(protocol_result_.error().code, (expected_code));         \
    EXPECT_EQ(protocol_result_.error().message, (expected_message));   \
  } while (false)

// Asserts that `result` is a success and evaluates to its data.
#define ASSERT_PROTOCOL_OK(result)                                                                \
  do {                                                                                            \
    const auto& protocol_result_ = (result);                                                      \
    ASSERT_TRUE(protocol_result_.ok())                                                            \
        << "error " << protocol_result_.error().code << ": " << protocol_result_.error().message; \
  } while (false)

}  // namespace parley::testing
