#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <poll.h>

#include "common/logging.hpp"
#include "db/connection.hpp"
#include "db/libpq_support.hpp"

namespace parley::db {
namespace {

using Clock = std::chrono::steady_clock;

// libpq settings of one connection attempt, as keyword/value pairs.
struct ConnectSettings {
  std::vector<std::pair<std::string, std::string>> values;
  // The connection string's connect_timeout in seconds, if set.
  std::optional<int> connect_timeout_s;
};

// Parses `conninfo` and adds the session settings every Parley connection
// needs. The server options are appended to the string's own `options`, so
// both apply.
ConnectSettings connect_settings(const std::string& conninfo, int statement_timeout_ms) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (parsed == nullptr) {
    std::string reason = error != nullptr ? one_line(error) : "out of memory";
    PQfreemem(error);
    throw DbError("invalid database connection string: " + reason, "", true);
  }

  ConnectSettings settings;
  std::string options;
  bool has_client_encoding = false;
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || option->val[0] == '\0') continue;
    const std::string keyword = option->keyword;
    const std::string value = option->val;
    if (keyword == "options") {
      options = value;
      continue;
    }
    if (keyword == "connect_timeout") {
      int seconds = 0;
      std::from_chars(value.data(), value.data() + value.size(), seconds);
      settings.connect_timeout_s = seconds;
    }
    if (keyword == "client_encoding") has_client_encoding = true;
    settings.values.emplace_back(keyword, value);
  }
  PQconninfoFree(parsed);

  options += fmt::format(" -c TimeZone=UTC -c DateStyle=ISO -c statement_timeout={}",
                         statement_timeout_ms);
  settings.values.emplace_back("options", options);
  if (!has_client_encoding) settings.values.emplace_back("client_encoding", "UTF8");
  settings.values.emplace_back("fallback_application_name", "parley");
  return settings;
}

std::optional<Clock::time_point> connect_deadline(
    const ConnectSettings& settings, std::optional<std::chrono::milliseconds> connect_timeout) {
  if (connect_timeout) return Clock::now() + *connect_timeout;
  if (settings.connect_timeout_s) {
    // As in libpq, connect_timeout=0 (or less) waits without bound.
    if (*settings.connect_timeout_s <= 0) return std::nullopt;
    return Clock::now() + std::chrono::seconds(*settings.connect_timeout_s);
  }
  return Clock::now() + Connection::kDefaultConnectTimeout;
}

// Sends server notices and warnings (for example "relation already exists,
// skipping") to the log instead of libpq's default, stderr.
void log_notice(void* /*context*/, const PGresult* result) {
  const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const bool warning = severity != nullptr && std::string_view(severity) == "WARNING";
  logger("db")->log(warning ? spdlog::level::warn : spdlog::level::debug, "server {}: {}",
                    severity != nullptr ? severity : "NOTICE", message != nullptr ? message : "");
}

[[noreturn]] void fail_connect(PGconn* conn, const std::string& reason) {
  PQfinish(conn);
  throw DbError("cannot connect to the database: " + reason, "", true);
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (line.empty() || line.back() == ' ')) continue;
    line.push_back(space ? ' ' : c);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

SocketWait wait_for_socket(int socket, bool for_write, std::optional<Clock::time_point> deadline) {
  pollfd descriptor{socket, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  while (true) {
    // A deadline already passed still polls once, without waiting.
    int timeout_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      timeout_ms = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    }
    const int ready = ::poll(&descriptor, 1, timeout_ms);
    if (ready > 0) return SocketWait::kReady;
    if (ready == 0) return SocketWait::kTimedOut;
    if (errno != EINTR) return SocketWait::kFailed;
  }
}

std::unique_ptr<Connection> Connection::open(
    const std::string& conninfo, int statement_timeout_ms,
    std::optional<std::chrono::milliseconds> connect_timeout) {
  const ConnectSettings settings = connect_settings(conninfo, statement_timeout_ms);
  const auto deadline = connect_deadline(settings, connect_timeout);

  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : settings.values) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  // The asynchronous handshake lets the deadline cover DNS, TCP, TLS and
  // authentication. libpq ignores connect_timeout in this mode.
  PGconn* conn = PQconnectStartParams(keywords.data(), values.data(), 0);
  if (conn == nullptr) throw DbError("cannot connect to the database: out of memory", "", true);
  if (PQstatus(conn) == CONNECTION_BAD) fail_connect(conn, one_line(PQerrorMessage(conn)));

  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) fail_connect(conn, one_line(PQerrorMessage(conn)));
    const SocketWait wait =
        wait_for_socket(PQsocket(conn), status == PGRES_POLLING_WRITING, deadline);
    if (wait == SocketWait::kTimedOut) fail_connect(conn, "timed out; the server did not answer");
    if (wait == SocketWait::kFailed) fail_connect(conn, "poll() failed");
    status = PQconnectPoll(conn);
  }
  PQsetNoticeReceiver(conn, log_notice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

}  // namespace parley::db
