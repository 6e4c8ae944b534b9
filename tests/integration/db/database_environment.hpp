#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "support/postgres_server.hpp"

namespace parley::db::testing {

// The PostgreSQL server shared by the tests of this binary, started once by
// a global GoogleTest environment, with database "parley" migrated.
parley::testing::PostgresServer& shared_server();
// Connection string of the migrated database "parley".
std::string shared_conninfo();
// Creates a new, empty database on the shared server and returns its
// connection string. Each call uses a new name.
std::string create_empty_database();

// A connection string for a loopback port that nothing listens on, so
// connecting fails at once with "connection refused".
std::string unreachable_conninfo();

// Base fixture: a connection to the migrated database, with every table
// emptied and every sequence reset before each test.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<Connection> connection_;
  Connection& db() { return *connection_; }
};

}  // namespace parley::db::testing
