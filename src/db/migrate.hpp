#pragma once

#include <span>
#include <string_view>

#include "db/connection.hpp"

namespace parley::db {

// One schema migration: a file db/migrations/NNNN_name.sql, embedded in the
// binary at build time.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The migrations built into this binary, ordered by version. Generated at
// build time from db/migrations/*.sql (see embed_migrations.cmake).
std::span<const Migration> embedded_migrations();

// Applies every embedded migration that the database has not recorded yet.
// See the overload below.
void migrate(Connection& connection);

// Applies, in version order, each migration whose version is not in table
// schema_migrations, each in its own transaction together with its row in
// that table. Everything runs under the session advisory lock
// kMigrationLockKey (db/advisory_locks.hpp), so nodes that start at the same
// time apply each migration once: the others wait, then find it recorded.
// A recorded version this binary does not know (a newer binary migrated the
// database) is logged and left alone. Throws DbError when a migration fails.
// That migration is rolled back, and the ones before it stay applied.
//
// NOTE: a migration runs inside a transaction, so statements that refuse to
// (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE before PostgreSQL 12)
// cannot be used in a migration file.
void migrate(Connection& connection, std::span<const Migration> migrations);

}  // namespace parley::db
