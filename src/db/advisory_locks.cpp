#include "db/advisory_locks.hpp"

#include "db/sql_text.hpp"

namespace parley::db {

bool try_lock_session(Connection& connection, std::int64_t key) {
  return connection.exec("SELECT pg_try_advisory_lock($1::bigint)", {sql::to_param(key)})
      .boolean(0, 0);
}

void lock_session(Connection& connection, std::int64_t key) {
  connection.exec("SELECT pg_advisory_lock($1::bigint)", {sql::to_param(key)});
}

bool unlock_session(Connection& connection, std::int64_t key) {
  return connection.exec("SELECT pg_advisory_unlock($1::bigint)", {sql::to_param(key)})
      .boolean(0, 0);
}

}  // namespace parley::db
