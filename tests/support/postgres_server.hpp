#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <sys/types.h>

namespace parley::testing {

// A throwaway PostgreSQL server for tests: a fresh cluster made by initdb
// in a new directory under /tmp, run by `postgres` on a free loopback port
// with its socket in that directory. When this process runs as root, both
// run as the `postgres` system user, which owns the directory. Server
// output goes to <directory>/postgres.log. The destructor stops the server
// by its PID and deletes the directory.
//
// The binaries come from $PARLEY_POSTGRES_BIN_DIR, or else
// /usr/lib/postgresql/15/bin (Debian's postgresql-15 package).
//
// NOTE: the server also gets SIGINT when the thread that called start() or
// restart() exits (PR_SET_PDEATHSIG follows the thread, not the process),
// which stops it if the test process dies. Call both from a thread that
// outlives the server, such as the main thread.
class PostgresServer {
 public:
  // Runs initdb (superuser `parley`, trust authentication, UTF8, locale C)
  // and starts the server, waiting up to `startup_timeout` until it accepts
  // connections. Throws std::runtime_error, with the end of the log, when a
  // step fails.
  static std::unique_ptr<PostgresServer> start(
      std::chrono::milliseconds startup_timeout = std::chrono::seconds(60));

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Stops the server (fast shutdown: SIGINT to the postmaster), waiting up
  // to 30 seconds before SIGKILL. The data directory is kept. Idempotent.
  void stop();
  // Starts the stopped server again on the same port and data directory.
  void restart();
  bool running() const { return pid_ > 0; }

  // Creates database `name`. Throws std::runtime_error when that fails.
  void create_database(const std::string& name);
  // A libpq key=value connection string for `database` over TCP.
  std::string conninfo(const std::string& database = "postgres") const;

  std::uint16_t port() const { return port_; }
  const std::string& directory() const { return directory_; }
  pid_t pid() const { return pid_; }

 private:
  PostgresServer() = default;
  void launch(std::chrono::milliseconds startup_timeout);
  std::string log_tail() const;

  std::string bin_dir_;
  std::string directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace parley::testing
