#include "db/connection.hpp"

#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "database_environment.hpp"
#include "db/sql_text.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int backend_pid(Connection& connection) {
  return connection.exec("SELECT pg_backend_pid()").int32(0, 0);
}

void terminate_backend(int pid) {
  auto other = Connection::open(shared_conninfo());
  ASSERT_TRUE(
      other->exec("SELECT pg_terminate_backend($1::int)", {std::to_string(pid)}).boolean(0, 0));
}

TEST(ConnectionOpen, SetsSessionSettings) {
  auto connection = Connection::open(shared_conninfo(), 1234);
  EXPECT_EQ(connection->exec("SHOW TimeZone").string(0, 0), "UTC");
  EXPECT_EQ(connection->exec("SHOW statement_timeout").string(0, 0), "1234ms");
  EXPECT_EQ(connection->exec("SHOW client_encoding").string(0, 0), "UTF8");
  EXPECT_EQ(connection->exec("SHOW DateStyle").string(0, 0).substr(0, 3), "ISO");
  EXPECT_EQ(connection->exec("SHOW application_name").string(0, 0), "parley");
}

TEST(ConnectionOpen, KeepsOptionsOfConnectionString) {
  auto connection = Connection::open(shared_conninfo() + " options='-c search_path=pg_catalog'", 0);
  EXPECT_EQ(connection->exec("SHOW search_path").string(0, 0), "pg_catalog");
  EXPECT_EQ(connection->exec("SHOW TimeZone").string(0, 0), "UTC");
}

TEST(ConnectionOpen, AcceptsUri) {
  const std::string uri =
      "postgresql://parley@127.0.0.1:" + std::to_string(shared_server().port()) + "/parley";
  auto connection = Connection::open(uri);
  EXPECT_TRUE(connection->ok());
}

TEST(ConnectionOpen, FailsForUnreachableServer) {
  try {
    Connection::open(unreachable_conninfo());
    FAIL() << "open() succeeded without a server";
  } catch (const DbError& error) {
    EXPECT_TRUE(error.connection_lost());
    EXPECT_EQ(error.sqlstate(), "");
    EXPECT_NE(std::string(error.what()).find("cannot connect"), std::string::npos) << error.what();
  }
}

TEST(ConnectionOpen, RejectsInvalidConnectionString) {
  EXPECT_THROW(Connection::open("host=127.0.0.1 no_such_option=1"), DbError);
}

TEST(ConnectionOpen, TimesOutOnSilentServer) {
  // A listener that never accepts: the TCP handshake completes in the
  // kernel backlog, but no server ever replies to the startup packet.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(ntohs(address.sin_port)) + " user=parley";

  const auto started = Clock::now();
  EXPECT_THROW(Connection::open(conninfo, 0, 300ms), DbError);
  const auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  ::close(listener);
}

class ConnectionTest : public DatabaseTest {};

TEST_F(ConnectionTest, ExecReportsSqlstate) {
  try {
    db().exec("SELEKT 1");
    FAIL() << "a syntax error did not throw";
  } catch (const DbError& error) {
    EXPECT_EQ(error.sqlstate(), "42601");
    EXPECT_FALSE(error.connection_lost());
  }
  EXPECT_TRUE(db().ok());
  EXPECT_EQ(db().exec("SELECT 1").int32(0, 0), 1);
}

TEST_F(ConnectionTest, ExecPassesNullAndText) {
  Rows rows = db().exec("SELECT $1::text IS NULL, $2::text", {std::nullopt, "it's \"quoted\""});
  EXPECT_TRUE(rows.boolean(0, 0));
  EXPECT_EQ(rows.string(0, 1), "it's \"quoted\"");
}

TEST_F(ConnectionTest, ExecRejectsNulInParameter) {
  EXPECT_THROW(db().exec("SELECT $1::text", {std::string("a\0b", 3)}), std::invalid_argument);
}

std::int64_t prepared_statement_count(Connection& connection, const std::string& sql) {
  return connection
      .exec("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1::text", {sql})
      .int64(0, 0);
}

TEST_F(ConnectionTest, ExecPreparesStatementOnce) {
  const std::string sql = "SELECT $1::int + 1";
  EXPECT_EQ(db().exec(sql, {"1"}).int32(0, 0), 2);
  EXPECT_EQ(db().exec(sql, {"41"}).int32(0, 0), 42);
  EXPECT_EQ(prepared_statement_count(db(), sql), 1);
}

TEST_F(ConnectionTest, ExecRunsStatementsBeyondCacheUnprepared) {
  const std::size_t statements = Connection::kMaxPreparedStatements + 10;
  for (std::size_t i = 0; i < statements; ++i) {
    const std::string sql = "SELECT $1::int + " + std::to_string(i);
    ASSERT_EQ(db().exec(sql, {"1"}).int64(0, 0), static_cast<std::int64_t>(i + 1)) << sql;
  }
  const std::string last = "SELECT $1::int + " + std::to_string(statements - 1);
  EXPECT_EQ(prepared_statement_count(db(), last), 0);
  EXPECT_EQ(db().exec("SELECT count(*) FROM pg_prepared_statements").int64(0, 0),
            static_cast<std::int64_t>(Connection::kMaxPreparedStatements));
}

TEST_F(ConnectionTest, ExecRunsPreparedSelectAfterColumnAdded) {
  db().exec("CREATE TEMP TABLE widened (a int)");
  db().exec("INSERT INTO widened VALUES (1)");
  const std::string sql = "SELECT * FROM widened";
  EXPECT_EQ(db().exec(sql).columns(), 1);
  db().exec("ALTER TABLE widened ADD COLUMN b int");
  Rows rows = db().exec(sql);
  EXPECT_EQ(rows.columns(), 2);
  EXPECT_EQ(rows.size(), 1);
}

TEST_F(ConnectionTest, ExecReportsStalePlanInsideTransaction) {
  db().exec("CREATE TEMP TABLE widened (a int)");
  const std::string sql = "SELECT * FROM widened";
  EXPECT_EQ(db().exec(sql).columns(), 1);
  db().exec("ALTER TABLE widened ADD COLUMN b int");
  {
    Transaction transaction(db());
    try {
      db().exec(sql);
      FAIL() << "a stale prepared statement ran inside a transaction";
    } catch (const DbError& error) {
      EXPECT_EQ(error.sqlstate(), "0A000");
      EXPECT_FALSE(error.connection_lost());
    }
  }
  EXPECT_EQ(db().exec(sql).columns(), 2);
}

TEST_F(ConnectionTest, StatementTimeoutCancelsStatement) {
  auto connection = Connection::open(shared_conninfo(), 100);
  try {
    connection->exec("SELECT pg_sleep(5)");
    FAIL() << "pg_sleep(5) outlived statement_timeout=100ms";
  } catch (const DbError& error) {
    EXPECT_EQ(error.sqlstate(), kQueryCanceled);
    EXPECT_FALSE(error.connection_lost());
  }
  EXPECT_TRUE(connection->ok());
}

TEST_F(ConnectionTest, RowsReadTypedValues) {
  Rows rows = db().exec(
      "SELECT 9223372036854775807::bigint, -5::int, true, false, NULL::text, 'x'::text, "
      "'2025-03-31 13:05:07.12'::timestamp(3), "
      "'2025-03-31 15:05:07.12+02'::timestamptz");
  EXPECT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.columns(), 8);
  EXPECT_EQ(rows.int64(0, 0), 9223372036854775807);
  EXPECT_EQ(rows.int32(0, 1), -5);
  EXPECT_TRUE(rows.boolean(0, 2));
  EXPECT_FALSE(rows.boolean(0, 3));
  EXPECT_TRUE(rows.is_null(0, 4));
  EXPECT_EQ(rows.optional_string(0, 4), std::nullopt);
  EXPECT_EQ(rows.optional_string(0, 5), "x");
  const auto expected = parse_timestamp("2025-03-31 13:05:07.120");
  ASSERT_TRUE(expected);
  EXPECT_EQ(rows.timestamp(0, 6), *expected);
  EXPECT_EQ(rows.timestamp(0, 7), *expected);
}

TEST_F(ConnectionTest, RowsRejectMismatchedValues) {
  Rows rows = db().exec("SELECT NULL::bigint, 'abc'::text, 3000000000::bigint");
  EXPECT_THROW(rows.int64(0, 0), DbError);
  EXPECT_THROW(rows.int64(0, 1), DbError);
  EXPECT_THROW(rows.int32(0, 2), DbError);
  EXPECT_THROW(rows.timestamp(0, 1), DbError);
  EXPECT_THROW(rows.string(1, 0), DbError);
  EXPECT_THROW(rows.string(0, 3), DbError);
}

TEST_F(ConnectionTest, AffectedRowsCountsChanges) {
  db().exec("CREATE TEMP TABLE numbers (n int)");
  EXPECT_EQ(db().exec("INSERT INTO numbers SELECT generate_series(1, 7)").affected_rows(), 7);
  EXPECT_EQ(db().exec("DELETE FROM numbers WHERE n > 4").affected_rows(), 3);
}

TEST_F(ConnectionTest, ByteaRoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  Rows rows = db().exec("SELECT $1::bytea, length($1::bytea)", {bytea_literal(bytes)});
  EXPECT_EQ(rows.int32(0, 1), 256);
  EXPECT_EQ(rows.bytea(0, 0), bytes);
}

TEST_F(ConnectionTest, TimestampRoundTripsThroughServer) {
  const Timestamp value = *parse_timestamp("1999-12-31 23:59:59.999");
  Rows rows = db().exec("SELECT $1::timestamp(3), ($1::timestamp(3) AT TIME ZONE 'UTC')",
                        {format_timestamp(value)});
  EXPECT_EQ(rows.timestamp(0, 0), value);
  EXPECT_EQ(rows.timestamp(0, 1), value);
}

TEST_F(ConnectionTest, TextArrayRoundTripsThroughServer) {
  const std::vector<std::optional<std::string>> values = {
      "plain",    std::nullopt,  "NULL", "with \"quotes\"",     "back\\slash", "{a,b}",
      " spaced ", "line\nbreak", "",     "\xc3\xa4\xe2\x82\xac"};
  Rows rows = db().exec("SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                        {sql::text_array(values)});
  ASSERT_EQ(rows.size(), static_cast<int>(values.size()));
  for (int i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows.optional_string(i, 0), values[static_cast<std::size_t>(i)]) << "element " << i;
  }
}

TEST_F(ConnectionTest, ExecScriptRunsSeveralStatements) {
  db().exec_script("CREATE TEMP TABLE a (n int); INSERT INTO a VALUES (1), (2);");
  EXPECT_EQ(db().exec("SELECT count(*) FROM a").int64(0, 0), 2);
  EXPECT_THROW(db().exec_script("INSERT INTO a VALUES (3); SELECT broken;"), DbError);
}

TEST_F(ConnectionTest, TransactionRollsBackUnlessCommitted) {
  db().exec("CREATE TEMP TABLE a (n int)");
  {
    Transaction transaction(db());
    db().exec("INSERT INTO a VALUES (1)");
    EXPECT_TRUE(db().in_transaction());
  }
  EXPECT_FALSE(db().in_transaction());
  EXPECT_EQ(db().exec("SELECT count(*) FROM a").int64(0, 0), 0);
  {
    Transaction transaction(db());
    db().exec("INSERT INTO a VALUES (2)");
    transaction.commit();
  }
  EXPECT_EQ(db().exec("SELECT count(*) FROM a").int64(0, 0), 1);
}

TEST_F(ConnectionTest, ListenReceivesNotification) {
  db().listen("parley_test_channel");
  EXPECT_EQ(db().wait_for_notification(10ms), std::nullopt);

  auto other = Connection::open(shared_conninfo());
  other->exec("SELECT pg_notify('parley_test_channel', 'hello')");
  const std::optional<Notification> notification = db().wait_for_notification(5s);
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->channel, "parley_test_channel");
  EXPECT_EQ(notification->payload, "hello");
  EXPECT_EQ(notification->sender_pid, backend_pid(*other));
}

TEST_F(ConnectionTest, PingAnswers) {
  EXPECT_TRUE(db().ping(Clock::now() + 1s));
  EXPECT_TRUE(db().ok());
  EXPECT_EQ(db().exec("SELECT 2").int32(0, 0), 2);
}

TEST_F(ConnectionTest, IsAliveDetectsTerminatedBackend) {
  EXPECT_TRUE(db().is_alive());
  terminate_backend(backend_pid(db()));
  // The server's termination notice arrives asynchronously.
  const auto deadline = Clock::now() + 5s;
  while (db().is_alive() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(db().is_alive());
  EXPECT_FALSE(db().ok());
}

TEST_F(ConnectionTest, ExecAfterTerminationReportsLostConnection) {
  terminate_backend(backend_pid(db()));
  try {
    // The first statement may still be sent before the notice is read.
    db().exec("SELECT 1");
    db().exec("SELECT 1");
    FAIL() << "statements on a terminated connection succeeded";
  } catch (const DbError& error) {
    EXPECT_TRUE(error.connection_lost()) << error.what();
  }
  EXPECT_FALSE(db().ok());
}

}  // namespace
}  // namespace parley::db::testing
