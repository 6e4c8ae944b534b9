#include "db/migrate.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "db/advisory_locks.hpp"

namespace parley::db::testing {
namespace {

std::int64_t count_rows(Connection& connection, const std::string& table) {
  return connection.exec("SELECT count(*) FROM " + table).int64(0, 0);
}

bool table_exists(Connection& connection, const std::string& table) {
  return !connection.exec("SELECT to_regclass($1::text)", {table}).is_null(0, 0);
}

TEST(EmbeddedMigrations, AreOrderedAndStartWithInitial) {
  const auto migrations = embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "initial");
  EXPECT_NE(migrations[0].sql.find("CREATE TABLE accounts"), std::string_view::npos);
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    EXPECT_LT(migrations[i - 1].version, migrations[i].version);
  }
}

TEST(Migrate, SecondRunChangesNothing) {
  auto connection = Connection::open(create_empty_database());
  migrate(*connection);
  const auto expected = static_cast<std::int64_t>(embedded_migrations().size());
  EXPECT_EQ(count_rows(*connection, "schema_migrations"), expected);
  for (const char* table :
       {"accounts", "rooms", "room_members", "blocked_members", "messages", "outbox_room_events",
        "outbox_position", "tokens", "client_message_ids", "node_leases"}) {
    EXPECT_TRUE(table_exists(*connection, table)) << table;
  }

  connection->exec(
      "INSERT INTO accounts (username, email, password_hash, created_at, updated_at) "
      "VALUES ('kept_user', 'kept@example.com', 'hash', now(), now())");
  migrate(*connection);
  EXPECT_EQ(count_rows(*connection, "schema_migrations"), expected);
  EXPECT_EQ(count_rows(*connection, "accounts"), 1);
  EXPECT_EQ(count_rows(*connection, "outbox_position"), 1);
}

TEST(Migrate, ConcurrentRunsApplyEachMigrationOnce) {
  const std::string conninfo = create_empty_database();
  std::vector<std::thread> threads;
  std::vector<std::string> failures(3);
  for (std::size_t i = 0; i < failures.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        auto connection = Connection::open(conninfo);
        migrate(*connection);
      } catch (const std::exception& error) {
        failures[i] = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");

  auto connection = Connection::open(conninfo);
  EXPECT_EQ(count_rows(*connection, "schema_migrations"),
            static_cast<std::int64_t>(embedded_migrations().size()));
  EXPECT_EQ(count_rows(*connection, "outbox_position"), 1);
}

TEST(Migrate, FailureRollsBackAndUnlocks) {
  const std::string conninfo = create_empty_database();
  auto connection = Connection::open(conninfo);
  const Migration migrations[] = {
      {1, "first", "CREATE TABLE first_table (n int);"},
      {2, "broken", "CREATE TABLE second_table (n int); SELECT no_such_column FROM first_table;"},
  };
  EXPECT_THROW(migrate(*connection, migrations), DbError);

  EXPECT_TRUE(table_exists(*connection, "first_table"));
  EXPECT_FALSE(table_exists(*connection, "second_table"));
  EXPECT_EQ(connection->exec("SELECT version FROM schema_migrations").int32(0, 0), 1);
  EXPECT_EQ(count_rows(*connection, "schema_migrations"), 1);

  EXPECT_FALSE(connection->in_transaction());
  // Advisory locks are reentrant within a session, so only another session
  // shows whether the lock was released.
  auto other = Connection::open(conninfo);
  EXPECT_TRUE(try_lock_session(*other, kMigrationLockKey));
  EXPECT_TRUE(unlock_session(*other, kMigrationLockKey));
}

TEST(Migrate, AppliesMigrationsInVersionOrder) {
  auto connection = Connection::open(create_empty_database());
  // Given out of order: version 2 needs the table of version 1.
  const Migration migrations[] = {
      {2, "second", "INSERT INTO ordered_table VALUES (2);"},
      {1, "first", "CREATE TABLE ordered_table (n int); INSERT INTO ordered_table VALUES (1);"},
  };
  migrate(*connection, migrations);
  EXPECT_EQ(count_rows(*connection, "ordered_table"), 2);
  EXPECT_EQ(connection->exec("SELECT name FROM schema_migrations ORDER BY version").string(1, 0),
            "second");
}

TEST(Migrate, KeepsVersionsUnknownToBinary) {
  auto connection = Connection::open(create_empty_database());
  const Migration newer[] = {
      {1, "first", "CREATE TABLE first_table (n int);"},
      {2, "second", "CREATE TABLE second_table (n int);"},
  };
  migrate(*connection, newer);
  const Migration older[] = {{1, "first", "CREATE TABLE first_table (n int);"}};
  EXPECT_NO_THROW(migrate(*connection, older));
  EXPECT_EQ(count_rows(*connection, "schema_migrations"), 2);
}

}  // namespace
}  // namespace parley::db::testing
