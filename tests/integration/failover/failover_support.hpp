#pragma once

#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "common/types.hpp"

namespace parley::testing {

// Opens a connection to `url`, recording a test failure when it cannot.
inline std::unique_ptr<client::Connection> open(const std::string& url) {
  auto connection = client::Connection::open(url);
  EXPECT_TRUE(connection.ok()) << connection.error().message;
  return connection.ok() ? std::move(connection.value()) : nullptr;
}

// Returns a connection to `url` logged in as `name` (password test12345),
// creating the account first when `create` is set. Stores the account id in
// `id` when given.
inline std::unique_ptr<client::Connection> user(const std::string& url, const std::string& name,
                                                bool create, AccountId* id = nullptr) {
  namespace json = boost::json;
  auto connection = open(url);
  if (!connection) return nullptr;
  if (create) {
    auto created = connection->call("createAccount", json::object{{"username", name},
                                                                  {"email", name + "@example.org"},
                                                                  {"password", "test12345"}});
    EXPECT_TRUE(created.ok()) << created.error().message;
  }
  auto login =
      connection->call("login", json::object{{"username", name}, {"password", "test12345"}});
  EXPECT_TRUE(login.ok()) << login.error().message;
  if (login.ok() && id != nullptr) *id = std::stoll(std::string(login->as_string()));
  return connection;
}

}  // namespace parley::testing
