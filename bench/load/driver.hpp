#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "clients.hpp"
#include "process_stats.hpp"
#include "report.hpp"

namespace parley::bench {

// Offers load at a fixed rate from the population's senders, one step at a
// time, and measures each step.
class LoadDriver {
 public:
  LoadDriver(const Options& options, Workers& workers, Population& population);
  ~LoadDriver();

  // Runs one step: `rate` messages/s spread evenly over the senders for
  // `seconds`, then waits up to options.drain_seconds for the deliveries
  // still owed. Measures CPU and memory of the watched processes.
  StepResult run_step(double rate, double seconds);

  // Starts sending at `rate` without measuring; stop_sending() ends it.
  void start_sending(double rate);
  void stop_sending();

  const std::vector<WatchedProcess>& watched() const { return watched_; }

 private:
  struct Ticker;
  void tick(std::size_t worker);
  void send_from(Client& client, StepCounters& counters);

  const Options& options_;
  Workers& workers_;
  Population& population_;
  std::vector<WatchedProcess> watched_;
  std::vector<std::unique_ptr<Ticker>> tickers_;
  std::size_t sender_count_ = 0;
};

// The processes a run watches, from the PIDs in `options`, plus the tool.
std::vector<WatchedProcess> watched_processes(const Options& options);

}  // namespace parley::bench
