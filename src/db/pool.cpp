#include "db/pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "common/thread_name.hpp"

namespace parley::db {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `function`, logging what it throws: a worker must outlive any task.
template <typename Function>
void run_guarded(const char* operation, Function&& function) {
  try {
    function();
  } catch (const std::exception& error) {
    logger("db")->error("{} failed: {}", operation, error.what());
  } catch (...) {
    logger("db")->error("{} failed with an exception that is not std::exception", operation);
  }
}

}  // namespace

Pool::Pool(std::string conninfo, int size, int queue_limit, int statement_timeout_ms)
    : conninfo_(std::move(conninfo)),
      statement_timeout_ms_(statement_timeout_ms),
      queue_limit_(static_cast<std::size_t>(std::max(queue_limit, 0))) {
  if (size < 1 || queue_limit < 0) {
    throw std::invalid_argument(
        fmt::format("invalid database pool size {} or queue limit {}: need size >= 1, limit >= 0",
                    size, queue_limit));
  }
  workers_.reserve(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i)
    workers_.emplace_back([this, i] {
      set_thread_name("parley-db-" + std::to_string(i));
      run_worker(i);
    });
  logger("db")->info("database pool started: {} connection(s), queue limit {}", size, queue_limit);
}

Pool::~Pool() { stop(); }

bool Pool::submit(std::function<void(Connection&)> task, std::function<void()> on_unavailable) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back({std::move(task), std::move(on_unavailable)});
  }
  wake_.notify_one();
  return true;
}

std::size_t Pool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void Pool::stop() {
  std::lock_guard stop_lock(stop_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (workers_.empty()) return;
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  logger("db")->info("database pool stopped");
}

void Pool::run_worker(int index) {
  std::unique_ptr<Connection> connection;
  Clock::time_point next_open{};
  while (true) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    run_task(connection, next_open, task);
  }
  logger("db")->debug("database worker {} stopped", index);
}

void Pool::run_task(std::unique_ptr<Connection>& connection, Clock::time_point& next_open,
                    Task& task) {
  if (connection && !connection->is_alive()) {
    logger("db")->warn("database connection lost while idle; reopening");
    connection.reset();
  }
  if (!connection && Clock::now() >= next_open) {
    try {
      connection = Connection::open(conninfo_, statement_timeout_ms_);
      if (open_failing_.exchange(false)) logger("db")->info("database connection restored");
    } catch (const DbError& error) {
      // Only the first failure of an outage is a warning, so a down database
      // does not log one line per worker per kReopenDelay.
      const bool repeated = open_failing_.exchange(true);
      logger("db")->log(repeated ? spdlog::level::debug : spdlog::level::warn,
                        "{}; tasks get on_unavailable until a reopen succeeds, next attempt "
                        "in {} ms",
                        error.what(), kReopenDelay.count());
      next_open = Clock::now() + kReopenDelay;
    }
  }
  if (!connection) {
    if (task.on_unavailable) run_guarded("database-unavailable handler", task.on_unavailable);
    return;
  }

  run_guarded("database task", [&] { task.work(*connection); });

  // A task that returned or threw inside a transaction leaves it open, but
  // the next task must start outside one.
  if (connection->ok() && connection->in_transaction()) {
    logger("db")->warn("database task left a transaction open; rolling back");
    run_guarded("rollback", [&] { connection->rollback(); });
  }
  if (!connection->ok()) {
    logger("db")->warn("database connection lost; the next task reopens it");
    connection.reset();
  }
}

void Pool::report_probe_failure(const std::string& reason) {
  const bool repeated = probe_failing_.exchange(true);
  logger("db")->log(repeated ? spdlog::level::debug : spdlog::level::warn,
                    "database probe failed: {}", reason);
}

bool Pool::probe() {
  const auto deadline = Clock::now() + kProbeTimeout;
  std::unique_lock lock(probe_mutex_, std::defer_lock);
  if (!lock.try_lock_until(deadline)) return false;

  // A connection kept from an earlier probe may have broken since, so it
  // gets one reopen within the same deadline.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!probe_connection_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      try {
        probe_connection_ = Connection::open(conninfo_, statement_timeout_ms_, left);
      } catch (const DbError& error) {
        report_probe_failure(error.what());
        return false;
      }
    }
    if (probe_connection_->ping(deadline)) {
      if (probe_failing_.exchange(false)) logger("db")->info("database probe succeeds again");
      return true;
    }
    probe_connection_.reset();
  }
  report_probe_failure(fmt::format("no answer to SELECT 1 within {} ms", kProbeTimeout.count()));
  return false;
}

}  // namespace parley::db
