#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "histogram.hpp"

namespace parley::bench {

// Counts of one I/O thread during one step.
struct StepCounters {
  std::uint64_t requested = 0;    // sends written
  std::uint64_t sent = 0;         // sends the server acknowledged
  std::uint64_t send_errors = 0;  // sends that got an error reply or lost their connection
  std::uint64_t skipped = 0;      // sends not offered: too many in flight
  std::uint64_t expected = 0;     // deliveries the acknowledged sends owe
  std::uint64_t delivered = 0;
  std::uint64_t duplicates = 0;  // a sequence number at or below one seen
  std::uint64_t gaps = 0;        // sequence numbers skipped over
  std::uint64_t unreadable = 0;  // pushes that carry no benchmark text
  std::int64_t last_delivery_ns = 0;
  Histogram latency_us;

  void merge(const StepCounters& other);
};

// The tool's I/O threads: one io_context per thread, each running many
// connections.
class Workers {
 public:
  explicit Workers(int count);
  ~Workers();

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t index) { return *contexts_[index]; }
  // Counters of thread `index`; touch them only on that thread.
  StepCounters& counters(std::size_t index) { return counters_[index]; }

  // Runs `work` on thread `index` and waits for its result.
  template <typename Work>
  auto run_on(std::size_t index, Work work) -> decltype(work()) {
    std::packaged_task<decltype(work())()> task(std::move(work));
    auto result = task.get_future();
    boost::asio::post(*contexts_[index], [&task] { task(); });
    return result.get();
  }

  // Takes the counters of every thread, resetting them, and merges them.
  StepCounters take_counters();

  void stop();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<StepCounters> counters_;
  std::vector<std::thread> threads_;
};

// Steady-clock time in nanoseconds, the clock of the send times in the
// message texts. Senders and receivers are threads of this process, so
// their clocks agree.
std::int64_t steady_now_ns();

// Runs task(index, done) for every index below `count`, at most `limit` at
// a time. Each task calls done("") on success or done(error) exactly once,
// from any thread. Waits until all finished or `timeout` passed, and
// returns the first error, or "timed out ..." on timeout.
struct ParallelOutcome {
  std::size_t failed = 0;
  std::string first_error;
};
using ParallelTask = std::function<void(std::size_t index, std::function<void(std::string)> done)>;
ParallelOutcome run_parallel(std::size_t count, std::size_t limit, ParallelTask task,
                             std::chrono::seconds timeout);

}  // namespace parley::bench
