#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libpq-fe.h>

#include "common/types.hpp"
#include "db/db_error.hpp"

namespace parley::db {

// Text-format query parameters. std::nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

// The rows of one statement result, read as text. Every accessor throws
// DbError when the cell does not exist, is NULL (unless the accessor allows
// NULL), or does not parse as the requested type. Row and column indexes
// start at 0.
class Rows {
 public:
  // Takes ownership of `result`.
  explicit Rows(PGresult* result);

  int size() const;
  bool empty() const { return size() == 0; }
  int columns() const;
  // Rows inserted, updated or deleted by an INSERT, UPDATE or DELETE.
  std::int64_t affected_rows() const;

  bool is_null(int row, int column) const;
  // The cell's text, valid as long as this Rows lives.
  std::string_view text(int row, int column) const;
  std::string string(int row, int column) const;
  std::optional<std::string> optional_string(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  std::int32_t int32(int row, int column) const;
  bool boolean(int row, int column) const;
  // A `timestamp` (read as UTC) or `timestamptz` column.
  Timestamp timestamp(int row, int column) const;
  // A `bytea` column, decoded from the hex output format.
  std::string bytea(int row, int column) const;

  PGresult* native() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* result) const { PQclear(result); }
  };
  std::string_view cell(int row, int column, const char* type) const;

  std::unique_ptr<PGresult, Clear> result_;
};

// One NOTIFY received on a channel this connection listens on.
struct Notification {
  std::string channel;
  std::string payload;
  int sender_pid = 0;
};

// One libpq connection. Every session runs with TimeZone UTC and DateStyle
// ISO, so timestamps read and written as text are UTC wall-clock values,
// and with client_encoding UTF8 unless the connection string sets another. Not thread-safe: one
// thread uses a connection at a time.
class Connection {
 public:
  // Default bound on establishing a connection when the connection string
  // sets no connect_timeout.
  static constexpr std::chrono::milliseconds kDefaultConnectTimeout{5000};
  // Maximum number of statements one connection keeps prepared. Further
  // statements run unprepared, so SQL whose text varies cannot grow the
  // cache without bound.
  static constexpr std::size_t kMaxPreparedStatements = 256;

  // Connects to `conninfo` (a key=value string or a postgresql:// URI) and
  // sets statement_timeout to `statement_timeout_ms` (0 disables it). The
  // attempt, authentication included, fails after `connect_timeout` when
  // given, else after the connection string's connect_timeout (0: no
  // limit), else after kDefaultConnectTimeout. Throws DbError (with
  // connection_lost() true) when the connection string is invalid, or the
  // server is unreachable or rejects the connection.
  static std::unique_ptr<Connection> open(
      const std::string& conninfo, int statement_timeout_ms = 0,
      std::optional<std::chrono::milliseconds> connect_timeout = std::nullopt);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one parameterised statement ($1, $2, ...) with text parameters and
  // returns its rows. The first kMaxPreparedStatements distinct statements
  // are prepared on first use and reused, so the server parses each once
  // per connection. Throws DbError when the statement fails, and
  // std::invalid_argument when a parameter contains a NUL byte, which
  // PostgreSQL text cannot store.
  Rows exec(std::string_view sql, std::initializer_list<std::optional<std::string>> params = {});
  Rows exec(std::string_view sql, const Params& params);

  // Runs a script of one or more statements without parameters, in the
  // simple query protocol. Used for migrations. Throws DbError.
  void exec_script(std::string_view sql);

  // Transaction control. Prefer the RAII Transaction below.
  void begin();
  void commit();
  void rollback();
  // True while a transaction is open (also when it has failed and awaits
  // rollback).
  bool in_transaction() const;

  // LISTEN on `channel`. Notifications are read by wait_for_notification().
  void listen(std::string_view channel);
  // Returns the next notification, waiting up to `timeout` for one to arrive.
  // Returns std::nullopt on timeout. Throws DbError when the connection broke.
  std::optional<Notification> wait_for_notification(std::chrono::milliseconds timeout);

  // Sends `SELECT 1` and waits for its result until `deadline`, without
  // blocking past it. Returns false on timeout or failure. A timeout marks
  // the connection broken, because the result may still arrive later.
  bool ping(std::chrono::steady_clock::time_point deadline);

  // False once the connection is known to be broken: libpq reports a bad
  // status, or a statement failed with a connection-lost error.
  bool ok() const;
  // Reads, without blocking, whatever the server sent while the connection
  // was idle, then returns ok(). Detects a connection that the server closed
  // (for example on restart) before the next statement is sent over it.
  bool is_alive();

  PGconn* native() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Rows check(PGresult* result, std::string_view sql);
  // Returns the name of the prepared statement for `sql`, preparing it on
  // first use, or nullptr when the cache is full.
  const std::string* prepared_name(const std::string& sql, int param_count);
  [[noreturn]] void fail(PGresult* result, std::string_view sql);

  PGconn* conn_;
  bool broken_ = false;
  // Statement names by SQL text. Names are never reused, because a name
  // whose entry was dropped may still exist on the server.
  std::unordered_map<std::string, std::string> prepared_;
  std::uint64_t prepared_count_ = 0;
};

// Opens a transaction on construction and rolls it back on destruction
// unless commit() ran. A rollback failure in the destructor is logged, not
// thrown.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool finished_ = false;
};

// Conversions between Timestamp and PostgreSQL's ISO text format
// 'YYYY-MM-DD HH:MM:SS.mmm' (UTC, no zone suffix).
std::string format_timestamp(Timestamp timestamp);
// Parses 'YYYY-MM-DD HH:MM:SS[.f...]' with an optional zone offset suffix
// ('+00', '-05:30'), truncating fractions beyond milliseconds. Returns
// std::nullopt when the text does not have this form.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Encodes bytes as a bytea hex literal ('\x0a1b...') for a text parameter.
std::string bytea_literal(std::string_view bytes);

}  // namespace parley::db
