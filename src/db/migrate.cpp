#include "db/migrate.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/logging.hpp"
#include "db/advisory_locks.hpp"
#include "db/sql_text.hpp"

namespace parley::db {
namespace {

// Holds the migration lock for one scope. If the unlock fails because the
// connection broke, the server has ended the session and released the lock.
class MigrationLock {
 public:
  explicit MigrationLock(Connection& connection) : connection_(connection) {
    lock_session(connection_, kMigrationLockKey);
  }
  ~MigrationLock() {
    if (!connection_.ok()) return;
    try {
      unlock_session(connection_, kMigrationLockKey);
    } catch (const DbError& error) {
      logger("db")->warn("releasing the migration lock failed: {}", error.what());
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Connection& connection_;
};

std::map<int, std::string> applied_versions(Connection& connection) {
  Rows rows = connection.exec("SELECT version, name FROM schema_migrations");
  std::map<int, std::string> versions;
  for (int i = 0; i < rows.size(); ++i) versions.emplace(rows.int32(i, 0), rows.string(i, 1));
  return versions;
}

void apply(Connection& connection, const Migration& migration) {
  logger("db")->info("applying migration {} ({})", migration.version, migration.name);
  Transaction transaction(connection);
  connection.exec_script(migration.sql);
  connection.exec(
      "INSERT INTO schema_migrations (version, name, applied_at) "
      "VALUES ($1::int, $2::text, now())",
      {std::to_string(migration.version), std::string(migration.name)});
  transaction.commit();
}

}  // namespace

void migrate(Connection& connection) { migrate(connection, embedded_migrations()); }

void migrate(Connection& connection, std::span<const Migration> migrations) {
  std::vector<Migration> ordered(migrations.begin(), migrations.end());
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });

  MigrationLock lock(connection);
  // Under the lock, so concurrent starts do not race on creating the table.
  connection.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)");
  std::map<int, std::string> applied = applied_versions(connection);

  int applied_now = 0;
  for (const Migration& migration : ordered) {
    auto recorded = applied.find(migration.version);
    if (recorded == applied.end()) {
      apply(connection, migration);
      ++applied_now;
      continue;
    }
    if (recorded->second != migration.name) {
      logger("db")->warn("migration {} is recorded as \"{}\" but this binary has \"{}\"",
                         migration.version, recorded->second, migration.name);
    }
    applied.erase(recorded);
  }
  for (const auto& [version, name] : applied) {
    logger("db")->warn("database has migration {} ({}), which this binary does not know", version,
                       name);
  }
  logger("db")->info("schema up to date: {} migration(s) applied now, {} known", applied_now,
                     ordered.size());
}

}  // namespace parley::db
