#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace parley::db {

// A database fault: a failed connection attempt, a failed statement, or a
// result that does not have the expected shape. Expected outcomes such as a
// duplicate name are never thrown, because the repositories return them.
class DbError : public std::runtime_error {
 public:
  DbError(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost) {}

  // The five-character SQLSTATE the server reported, or "" when the error did
  // not come from the server (connection failure, unexpected result shape).
  const std::string& sqlstate() const { return sqlstate_; }

  // True when the connection is unusable after this error: libpq reports
  // PQstatus() != CONNECTION_OK, or the SQLSTATE is of class 08 (connection
  // exception) or 57P01..57P03 (server shutting down or not accepting).
  bool connection_lost() const { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

// SQLSTATE codes the repositories branch on (PostgreSQL appendix A).
inline constexpr const char* kUniqueViolation = "23505";
inline constexpr const char* kForeignKeyViolation = "23503";
inline constexpr const char* kQueryCanceled = "57014";

}  // namespace parley::db
