#include "workers.hpp"

#include <condition_variable>
#include <mutex>

#include <fmt/format.h>

namespace parley::bench {

void StepCounters::merge(const StepCounters& other) {
  requested += other.requested;
  sent += other.sent;
  send_errors += other.send_errors;
  skipped += other.skipped;
  expected += other.expected;
  delivered += other.delivered;
  duplicates += other.duplicates;
  gaps += other.gaps;
  unreadable += other.unreadable;
  last_delivery_ns = std::max(last_delivery_ns, other.last_delivery_ns);
  latency_us.merge(other.latency_us);
}

Workers::Workers(int count) : counters_(static_cast<std::size_t>(count)) {
  for (int i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
  for (auto& context : contexts_) {
    threads_.emplace_back([context = context.get()] { context->run(); });
  }
}

Workers::~Workers() { stop(); }

void Workers::stop() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

StepCounters Workers::take_counters() {
  StepCounters total;
  for (std::size_t i = 0; i < size(); ++i) {
    total.merge(run_on(i, [this, i] {
      StepCounters taken = std::move(counters_[i]);
      counters_[i] = StepCounters{};
      return taken;
    }));
  }
  return total;
}

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

struct ParallelState {
  std::mutex mutex;
  std::condition_variable finished_signal;
  std::size_t next = 0;
  std::size_t finished = 0;
  ParallelOutcome outcome;
};

void start_next(const std::shared_ptr<ParallelState>& state, std::size_t count,
                const std::shared_ptr<ParallelTask>& task) {
  std::size_t index;
  {
    std::lock_guard lock(state->mutex);
    if (state->next >= count) return;
    index = state->next++;
  }
  (*task)(index, [state, count, task](std::string error) {
    {
      std::lock_guard lock(state->mutex);
      ++state->finished;
      if (!error.empty()) {
        if (state->outcome.failed++ == 0) state->outcome.first_error = std::move(error);
      }
    }
    state->finished_signal.notify_all();
    start_next(state, count, task);
  });
}

}  // namespace

ParallelOutcome run_parallel(std::size_t count, std::size_t limit, ParallelTask task,
                             std::chrono::seconds timeout) {
  auto state = std::make_shared<ParallelState>();
  auto shared_task = std::make_shared<ParallelTask>(std::move(task));
  for (std::size_t i = 0; i < std::min(count, std::max<std::size_t>(limit, 1)); ++i) {
    start_next(state, count, shared_task);
  }
  std::unique_lock lock(state->mutex);
  if (!state->finished_signal.wait_for(lock, timeout, [&] { return state->finished >= count; })) {
    ParallelOutcome outcome = state->outcome;
    outcome.failed += count - state->finished;
    outcome.first_error = fmt::format("timed out after {} s with {} of {} done; first error: {}",
                                      timeout.count(), state->finished, count,
                                      outcome.first_error.empty() ? "none" : outcome.first_error);
    // Stop starting further tasks; the running ones finish on their own.
    state->next = count;
    return outcome;
  }
  return state->outcome;
}

}  // namespace parley::bench
