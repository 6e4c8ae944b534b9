#include "db/connection.hpp"

#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "db/libpq_support.hpp"

namespace parley::db {
namespace {

bool is_connection_lost_state(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

// The first words of a statement, enough to find it in the code without
// logging parameters or whole statements.
std::string statement_summary(std::string_view sql) {
  std::string summary;
  for (char c : sql) {
    if (summary.size() >= 60) {
      summary += "...";
      break;
    }
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (summary.empty() || summary.back() == ' ')) continue;
    summary.push_back(space ? ' ' : c);
  }
  return summary;
}

// SQLSTATE feature_not_supported, which PostgreSQL reports when a prepared
// statement's result columns changed since it was prepared.
constexpr std::string_view kStalePlanState = "0A000";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// Rows

Rows::Rows(PGresult* result) : result_(result) {}

int Rows::size() const { return PQntuples(result_.get()); }

int Rows::columns() const { return PQnfields(result_.get()); }

std::int64_t Rows::affected_rows() const {
  const char* text = PQcmdTuples(result_.get());
  std::int64_t count = 0;
  std::from_chars(text, text + std::strlen(text), count);
  return count;
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view Rows::cell(int row, int column, const char* type) const {
  if (row < 0 || row >= size() || column < 0 || column >= columns()) {
    throw DbError(fmt::format("result has no cell ({}, {}); expected {}", row, column, type), "",
                  false);
  }
  if (is_null(row, column)) {
    throw DbError(
        fmt::format("column \"{}\" is NULL; expected {}", PQfname(result_.get(), column), type), "",
        false);
  }
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::string_view Rows::text(int row, int column) const { return cell(row, column, "text"); }

std::string Rows::string(int row, int column) const {
  return std::string(cell(row, column, "text"));
}

std::optional<std::string> Rows::optional_string(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return string(row, column);
}

std::int64_t Rows::int64(int row, int column) const {
  const std::string_view text = cell(row, column, "bigint");
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw DbError(
        fmt::format("column \"{}\" is not a bigint: {}", PQfname(result_.get(), column), text), "",
        false);
  }
  return value;
}

std::int32_t Rows::int32(int row, int column) const {
  const std::int64_t value = int64(row, column);
  if (value < INT32_MIN || value > INT32_MAX) {
    throw DbError(
        fmt::format("column \"{}\" is out of int range: {}", PQfname(result_.get(), column), value),
        "", false);
  }
  return static_cast<std::int32_t>(value);
}

bool Rows::boolean(int row, int column) const {
  const std::string_view text = cell(row, column, "boolean");
  if (text == "t") return true;
  if (text == "f") return false;
  throw DbError(
      fmt::format("column \"{}\" is not a boolean: {}", PQfname(result_.get(), column), text), "",
      false);
}

Timestamp Rows::timestamp(int row, int column) const {
  const std::string_view text = cell(row, column, "timestamp");
  const std::optional<Timestamp> value = parse_timestamp(text);
  if (!value) {
    throw DbError(
        fmt::format("column \"{}\" is not a timestamp: {}", PQfname(result_.get(), column), text),
        "", false);
  }
  return *value;
}

std::string Rows::bytea(int row, int column) const {
  const std::string_view text = cell(row, column, "bytea");
  if (!text.starts_with("\\x") || text.size() % 2 != 0) {
    throw DbError(
        fmt::format("column \"{}\" is not bytea in hex format", PQfname(result_.get(), column)), "",
        false);
  }
  std::string bytes;
  bytes.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) {
      throw DbError(
          fmt::format("column \"{}\" has an invalid hex digit", PQfname(result_.get(), column)), "",
          false);
    }
    bytes.push_back(static_cast<char>(high << 4 | low));
  }
  return bytes;
}

// Connection

Connection::~Connection() { PQfinish(conn_); }

bool Connection::ok() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

bool Connection::is_alive() {
  // An idle connection has no input unless the server sent something on its
  // own: a notification, or a termination notice followed by end of file.
  // PQconsumeInput() reads one chunk per call and reports the end of file
  // only on the read after the notice, hence the loop. Its bound keeps a
  // stream of notifications from holding the caller.
  for (int read = 0; read < 8 && ok(); ++read) {
    if (wait_for_socket(PQsocket(conn_), false, std::chrono::steady_clock::now()) !=
        SocketWait::kReady) {
      break;
    }
    if (PQconsumeInput(conn_) == 0) broken_ = true;
  }
  return ok();
}

[[noreturn]] void Connection::fail(PGresult* result, std::string_view sql) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string reason = one_line(primary != nullptr ? primary : PQerrorMessage(conn_));
  PQclear(result);

  const bool lost = PQstatus(conn_) != CONNECTION_OK || is_connection_lost_state(sqlstate);
  if (lost) broken_ = true;
  std::string message = fmt::format("statement failed: {} [{}]", reason, statement_summary(sql));
  if (!sqlstate.empty()) message += fmt::format(" (SQLSTATE {})", sqlstate);
  throw DbError(message, sqlstate, lost);
}

Rows Connection::check(PGresult* result, std::string_view sql) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  return Rows(result);
}

Rows Connection::exec(std::string_view sql,
                      std::initializer_list<std::optional<std::string>> params) {
  return exec(sql, Params(params));
}

Rows Connection::exec(std::string_view sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i]) {
      values.push_back(nullptr);
      continue;
    }
    // libpq reads text parameters as C strings, so a NUL byte would cut the
    // value short without an error.
    if (params[i]->find('\0') != std::string::npos) {
      throw std::invalid_argument(fmt::format(
          "parameter ${} contains a NUL byte, which PostgreSQL text cannot store", i + 1));
    }
    values.push_back(params[i]->c_str());
  }
  const std::string statement(sql);
  const int count = static_cast<int>(values.size());
  const std::string* name = prepared_name(statement, count);
  if (name == nullptr) {
    return check(
        PQexecParams(conn_, statement.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0),
        sql);
  }
  PGresult* result =
      PQexecPrepared(conn_, name->c_str(), count, values.data(), nullptr, nullptr, 0);
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr && std::string_view(state) == kStalePlanState) {
    // A table that the statement reads changed its columns since it was
    // prepared ("cached plan must not change result type"). The statement
    // did not run, so outside a transaction it runs again unprepared. The
    // next call prepares it anew.
    prepared_.erase(statement);
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      PQclear(result);
      result = PQexecParams(conn_, statement.c_str(), count, nullptr, values.data(), nullptr,
                            nullptr, 0);
    }
  }
  return check(result, sql);
}

const std::string* Connection::prepared_name(const std::string& sql, int param_count) {
  auto found = prepared_.find(sql);
  if (found != prepared_.end()) return &found->second;
  if (prepared_.size() >= kMaxPreparedStatements) return nullptr;
  std::string name = fmt::format("parley_{}", prepared_count_++);
  check(PQprepare(conn_, name.c_str(), sql.c_str(), param_count, nullptr), sql);
  return &prepared_.emplace(sql, std::move(name)).first->second;
}

void Connection::exec_script(std::string_view sql) {
  const std::string script(sql);
  // PQexec returns the result of the last statement. An error stops the
  // script, so an error result is the only one that needs checking.
  check(PQexec(conn_, script.c_str()), sql);
}

void Connection::begin() { exec("BEGIN"); }
void Connection::commit() { exec("COMMIT"); }
void Connection::rollback() { exec("ROLLBACK"); }

bool Connection::in_transaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

void Connection::listen(std::string_view channel) {
  char* quoted = PQescapeIdentifier(conn_, channel.data(), channel.size());
  if (quoted == nullptr) fail(nullptr, "LISTEN");
  const std::string statement = std::string("LISTEN ") + quoted;
  PQfreemem(quoted);
  exec(statement);
}

std::optional<Notification> Connection::wait_for_notification(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (PQconsumeInput(conn_) == 0) fail(nullptr, "wait for notification");
    if (PGnotify* notify = PQnotifies(conn_)) {
      Notification notification{notify->relname, notify->extra, notify->be_pid};
      PQfreemem(notify);
      return notification;
    }
    const SocketWait wait = wait_for_socket(PQsocket(conn_), false, deadline);
    if (wait == SocketWait::kTimedOut) return std::nullopt;
    if (wait == SocketWait::kFailed) fail(nullptr, "wait for notification");
  }
}

bool Connection::ping(std::chrono::steady_clock::time_point deadline) {
  if (!ok() || PQsendQuery(conn_, "SELECT 1") == 0) {
    broken_ = broken_ || PQstatus(conn_) != CONNECTION_OK;
    return false;
  }
  bool answered = false;
  while (true) {
    if (PQconsumeInput(conn_) == 0) {
      broken_ = true;
      return false;
    }
    while (PQisBusy(conn_) == 0) {
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) return answered;
      answered = PQresultStatus(result) == PGRES_TUPLES_OK;
      PQclear(result);
    }
    if (wait_for_socket(PQsocket(conn_), false, deadline) != SocketWait::kReady) {
      // The result may still arrive and would be read as the result of the
      // next statement, so the connection cannot be used again.
      broken_ = true;
      return false;
    }
  }
}

// Transaction

Transaction::Transaction(Connection& connection) : connection_(connection) { connection_.begin(); }

Transaction::~Transaction() {
  if (finished_ || !connection_.ok()) return;
  try {
    connection_.rollback();
  } catch (const DbError& error) {
    logger("db")->warn("rollback failed: {}", error.what());
  }
}

void Transaction::commit() {
  finished_ = true;
  connection_.commit();
}

}  // namespace parley::db
