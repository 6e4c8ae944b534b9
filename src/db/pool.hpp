#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/connection.hpp"

namespace parley::db {

// A bounded pool of connections, each owned by one worker thread, that runs
// database work off the caller's thread.
//
// Each of the `size` workers opens its connection at its first task and
// keeps it. Before a task runs, the worker checks the connection without a
// round trip (Connection::is_alive()) and reopens it when it broke. When the
// open fails, the worker runs the task's `on_unavailable` instead of the
// task. For the next kReopenDelay it then does the same for every task
// without trying to connect, so an unreachable server costs one connect
// timeout per worker rather than one per queued task.
//
// After a task, the worker rolls back a transaction the task left open. It
// discards the connection when it is no longer ok(), which is the case
// after a statement failed with a lost connection, even when the task
// caught that DbError.
//
// Thread-safe: submit(), probe() and stop() may be called from any thread.
class Pool {
 public:
  // Time after a failed open during which a worker does not try again.
  static constexpr std::chrono::milliseconds kReopenDelay{1000};
  // Upper bound on one probe(), connection attempt included.
  static constexpr std::chrono::milliseconds kProbeTimeout{1000};

  // Starts the workers; opens no connection yet. Throws
  // std::invalid_argument unless size >= 1 and queue_limit >= 0.
  Pool(std::string conninfo, int size, int queue_limit, int statement_timeout_ms);
  // Stops the workers after the queued tasks ran (see stop()).
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Queues task(connection) for a worker thread. Returns false, and runs
  // nothing, when `queue_limit` tasks are already waiting or the pool is
  // stopping. When no usable connection can be had, `on_unavailable` runs
  // on the worker thread in place of the task. An exception thrown by either
  // function is logged and otherwise ignored.
  bool submit(std::function<void(Connection&)> task, std::function<void()> on_unavailable);

  // Returns true when the database returns the result of `SELECT 1` within
  // kProbeTimeout. The probe uses a connection of its own and never waits
  // for the workers, so a busy pool does not make it fail. Used by
  // GET /readyz.
  bool probe();

  // Rejects new tasks, lets the workers finish the queued ones, and joins
  // them. Idempotent.
  void stop();

  // Tasks waiting for a worker (not counting the ones running).
  std::size_t queued() const;

 private:
  struct Task {
    std::function<void(Connection&)> work;
    std::function<void()> on_unavailable;
  };
  void run_worker(int index);
  void run_task(std::unique_ptr<Connection>& connection,
                std::chrono::steady_clock::time_point& next_open, Task& task);
  void report_probe_failure(const std::string& reason);

  const std::string conninfo_;
  const int statement_timeout_ms_;
  const std::size_t queue_limit_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  bool stopping_ = false;

  // Guards workers_, which stop() joins.
  std::mutex stop_mutex_;
  std::vector<std::thread> workers_;

  // True from the first failed open (or probe) until the next success, so
  // only the first failure of an outage is logged as a warning.
  std::atomic<bool> open_failing_{false};
  std::atomic<bool> probe_failing_{false};

  std::timed_mutex probe_mutex_;
  std::unique_ptr<Connection> probe_connection_;
};

}  // namespace parley::db
