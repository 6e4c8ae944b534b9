#include "db/pool.hpp"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "database_environment.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The outcome of one submitted task.
enum class Ran { kTask, kUnavailable };

// Submits `work` and waits up to 10 s for it or its on_unavailable to run.
// Returns std::nullopt when submit() rejected it or nothing ran in time.
std::optional<Ran> run_and_wait(Pool& pool, std::function<void(Connection&)> work) {
  auto done = std::make_shared<std::promise<Ran>>();
  auto result = done->get_future();
  const bool queued = pool.submit(
      [done, work](Connection& connection) {
        work(connection);
        done->set_value(Ran::kTask);
      },
      [done] { done->set_value(Ran::kUnavailable); });
  if (!queued || result.wait_for(10s) != std::future_status::ready) return std::nullopt;
  return result.get();
}

int backend_pid(Connection& connection) {
  return connection.exec("SELECT pg_backend_pid()").int32(0, 0);
}

TEST(Pool, RunsTaskOnWorkerThread) {
  Pool pool(shared_conninfo(), 2, 10, 0);
  std::thread::id worker;
  int answer = 0;
  EXPECT_EQ(run_and_wait(pool,
                         [&](Connection& connection) {
                           worker = std::this_thread::get_id();
                           answer = connection.exec("SELECT 41 + 1").int32(0, 0);
                         }),
            Ran::kTask);
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_EQ(answer, 42);
}

TEST(Pool, AppliesStatementTimeout) {
  Pool pool(shared_conninfo(), 1, 10, 150);
  std::string sqlstate;
  EXPECT_EQ(run_and_wait(pool,
                         [&](Connection& connection) {
                           try {
                             connection.exec("SELECT pg_sleep(5)");
                           } catch (const DbError& error) {
                             sqlstate = error.sqlstate();
                           }
                         }),
            Ran::kTask);
  EXPECT_EQ(sqlstate, kQueryCanceled);
}

TEST(Pool, RejectsTasksBeyondQueueLimit) {
  Pool pool(shared_conninfo(), 1, 2, 0);
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.submit(
      [&](Connection&) {
        started.set_value();
        released.wait();
        ++ran;
      },
      nullptr));
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);

  // The worker is busy, so these wait in the queue.
  EXPECT_TRUE(pool.submit([&](Connection&) { ++ran; }, nullptr));
  EXPECT_TRUE(pool.submit([&](Connection&) { ++ran; }, nullptr));
  EXPECT_EQ(pool.queued(), 2u);
  bool rejected_ran = false;
  EXPECT_FALSE(
      pool.submit([&](Connection&) { rejected_ran = true; }, [&] { rejected_ran = true; }));

  release.set_value();
  pool.stop();
  EXPECT_EQ(ran, 3);
  EXPECT_FALSE(rejected_ran);
}

TEST(Pool, StopRunsQueuedTasksThenRejects) {
  std::atomic<int> ran{0};
  {
    Pool pool(shared_conninfo(), 1, 100, 0);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(
          pool.submit([&](Connection& c) { ran += c.exec("SELECT 1").int32(0, 0); }, nullptr));
    }
    pool.stop();
    EXPECT_EQ(ran, 20);
    EXPECT_FALSE(pool.submit([&](Connection&) { ++ran; }, nullptr));
    pool.stop();
  }
  EXPECT_EQ(ran, 20);
}

TEST(Pool, RejectsInvalidSizes) {
  EXPECT_THROW(Pool(shared_conninfo(), 0, 10, 0), std::invalid_argument);
  EXPECT_THROW(Pool(shared_conninfo(), 1, -1, 0), std::invalid_argument);
}

TEST(Pool, RunsUnavailableHandlerWhenServerUnreachable) {
  Pool pool(unreachable_conninfo(), 1, 10, 0);
  bool task_ran = false;
  EXPECT_EQ(run_and_wait(pool, [&](Connection&) { task_ran = true; }), Ran::kUnavailable);
  // Within kReopenDelay the worker does not try again.
  const auto started = Clock::now();
  EXPECT_EQ(run_and_wait(pool, [&](Connection&) { task_ran = true; }), Ran::kUnavailable);
  EXPECT_LT(Clock::now() - started, Pool::kReopenDelay);
  EXPECT_FALSE(task_ran);
}

TEST(Pool, WorkerSurvivesThrowingTasks) {
  Pool pool(shared_conninfo(), 1, 10, 0);
  ASSERT_TRUE(pool.submit([](Connection&) { throw std::runtime_error("task failure"); }, nullptr));
  ASSERT_TRUE(pool.submit([](Connection&) { throw 7; }, nullptr));
  ASSERT_TRUE(pool.submit([](Connection& c) { c.exec("SELECT broken"); }, nullptr));
  EXPECT_EQ(run_and_wait(pool, [](Connection& c) { c.exec("SELECT 1"); }), Ran::kTask);
}

TEST(Pool, RollsBackTransactionLeftOpen) {
  auto setup = Connection::open(shared_conninfo());
  setup->exec("CREATE TABLE IF NOT EXISTS pool_scratch (n int)");
  setup->exec("TRUNCATE pool_scratch");

  Pool pool(shared_conninfo(), 1, 10, 0);
  EXPECT_EQ(run_and_wait(pool,
                         [](Connection& c) {
                           c.begin();
                           c.exec("INSERT INTO pool_scratch VALUES (1)");
                         }),
            Ran::kTask);
  bool in_transaction = true;
  EXPECT_EQ(run_and_wait(pool, [&](Connection& c) { in_transaction = c.in_transaction(); }),
            Ran::kTask);
  EXPECT_FALSE(in_transaction);
  EXPECT_EQ(setup->exec("SELECT count(*) FROM pool_scratch").int64(0, 0), 0);
}

TEST(Pool, ReplacesConnectionLostInTask) {
  Pool pool(shared_conninfo(), 1, 10, 0);
  int first_pid = 0;
  bool lost = false;
  EXPECT_EQ(run_and_wait(pool,
                         [&](Connection& c) {
                           first_pid = backend_pid(c);
                           try {
                             c.exec("SELECT pg_terminate_backend(pg_backend_pid())");
                           } catch (const DbError& error) {
                             lost = error.connection_lost();
                           }
                         }),
            Ran::kTask);
  EXPECT_TRUE(lost);
  int second_pid = 0;
  EXPECT_EQ(run_and_wait(pool, [&](Connection& c) { second_pid = backend_pid(c); }), Ran::kTask);
  EXPECT_NE(second_pid, 0);
  EXPECT_NE(second_pid, first_pid);
}

TEST(Pool, ProbeAnswersForReachableServer) {
  Pool pool(shared_conninfo(), 1, 10, 0);
  EXPECT_TRUE(pool.probe());
  EXPECT_TRUE(pool.probe());
}

TEST(Pool, ProbeFailsFastForUnreachableServer) {
  Pool pool(unreachable_conninfo(), 1, 10, 0);
  const auto started = Clock::now();
  EXPECT_FALSE(pool.probe());
  EXPECT_LT(Clock::now() - started, Pool::kProbeTimeout + 500ms);
}

TEST(Pool, ProbeDoesNotWaitForBusyWorkers) {
  Pool pool(shared_conninfo(), 1, 10, 0);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool.submit([&](Connection&) { released.wait(); }, nullptr));
  const auto started = Clock::now();
  EXPECT_TRUE(pool.probe());
  EXPECT_LT(Clock::now() - started, Pool::kProbeTimeout);
  release.set_value();
}

TEST(Pool, ReconnectsAfterServerRestart) {
  auto server = parley::testing::PostgresServer::start();
  Pool pool(server->conninfo(), 2, 10, 0);
  int pid_before = 0;
  ASSERT_EQ(run_and_wait(pool, [&](Connection& c) { pid_before = backend_pid(c); }), Ran::kTask);

  server->stop();
  EXPECT_FALSE(pool.probe());
  // A worker whose connection broke while idle reopens, fails, and runs
  // on_unavailable.
  EXPECT_EQ(run_and_wait(pool, [](Connection& c) { c.exec("SELECT 1"); }), Ran::kUnavailable);

  server->restart();
  // Tasks succeed again once kReopenDelay passed after the last failure.
  std::optional<Ran> outcome;
  int pid_after = 0;
  const auto deadline = Clock::now() + 15s;
  while (outcome != Ran::kTask && Clock::now() < deadline) {
    outcome = run_and_wait(pool, [&](Connection& c) { pid_after = backend_pid(c); });
    if (outcome != Ran::kTask) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(outcome, Ran::kTask);
  EXPECT_NE(pid_after, 0);
  EXPECT_NE(pid_after, pid_before);
  EXPECT_TRUE(pool.probe());
}

}  // namespace
}  // namespace parley::db::testing
