#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "clients.hpp"
#include "driver.hpp"
#include "metrics_scrape.hpp"
#include "workloads.hpp"

namespace parley::bench {
namespace json = boost::json;

namespace {

// A step must deliver this much more per second than the one before, else
// the cluster counts as saturated.
constexpr double kMinimumGrowth = 1.05;

std::vector<double> step_rates(const Options& options, double default_rate) {
  if (!options.rates.empty()) return options.rates;
  std::vector<double> rates;
  double rate = options.rate > 0 ? options.rate : default_rate;
  for (int i = 0; i < options.max_steps; ++i) {
    rates.push_back(rate);
    rate *= options.step_factor;
  }
  return rates;
}

// Runs the steps until the delivered rate stops growing, p99 exceeds the
// bound or a step loses messages.
Result<json::object> run_steps(const std::string& workload, const Options& options,
                               Workers& workers, Population& population, double default_rate) {
  LoadDriver driver(options, workers, population);
  std::vector<StepResult> steps;
  json::array steps_json;
  std::string stop_reason = "all steps ran";
  std::uint64_t lost = 0;
  for (double rate : step_rates(options, default_rate)) {
    fmt::print("{}: offering {:.0f} messages/s for {} s\n", workload, rate, options.step_seconds);
    std::fflush(stdout);
    steps.push_back(driver.run_step(rate, options.step_seconds));
    const StepResult& step = steps.back();
    steps_json.push_back(step.to_json());
    lost += step.lost();
    const double p99_ms =
        static_cast<double>(step.counters.latency_us.value_at_percentile(99)) / 1000.0;
    if (step.lost() > 0) {
      stop_reason = fmt::format("{} deliveries lost", step.lost());
      break;
    }
    if (p99_ms > options.p99_bound_ms) {
      stop_reason =
          fmt::format("p99 {:.1f} ms above --p99-bound-ms {}", p99_ms, options.p99_bound_ms);
      break;
    }
    if (steps.size() > 1 && step.delivered_per_second() <
                                steps[steps.size() - 2].delivered_per_second() * kMinimumGrowth) {
      stop_reason = "delivered/s stopped growing";
      break;
    }
  }
  print_steps(workload, steps);
  fmt::print("stopped: {}\n", stop_reason);
  json::object result{{"steps", steps_json}, {"stopReason", stop_reason}};
  if (lost > 0) result["error"] = fmt::format("{} lost {} deliveries", workload, lost);
  return result;
}

}  // namespace

Result<json::object> run_fanout(const Options& options, Workers& workers) {
  Population population(options, workers);
  const std::size_t room = population.add_room();
  const std::size_t nodes = options.nodes.size();
  for (int s = 0; s < options.senders; ++s) {
    const std::size_t index = population.add_client(static_cast<std::size_t>(s) % nodes, room);
    Client& sender = population.clients()[index];
    sender.sender_slot = s;
    sender.sends_to_room = true;
    if (s == 0) {
      sender.owns_room = true;
      population.rooms()[room].owner = index;
    }
  }
  for (int i = 0; i < options.subscribers; ++i) {
    const std::size_t index = population.add_client(static_cast<std::size_t>(i) % nodes, room);
    population.clients()[index].subscribes = true;
  }
  fmt::print("fanout: setting up {} subscribers and {} senders over {} nodes\n",
             options.subscribers, options.senders, nodes);
  if (auto done = population.connect_and_log_in(); !done) return done.error();
  if (auto done = population.join_rooms(); !done) return done.error();
  for (std::size_t i = 0; i < population.clients().size(); ++i) population.count_pushes(i);
  // Default first step: 200 messages/s, 200,000 deliveries/s with 1,000
  // subscribers.
  return run_steps("fanout", options, workers, population, 200);
}

namespace {

// R rooms of M members, spread over the nodes, every member a sender.
Status set_up_rooms(const Options& options, Population& population, bool subscribe) {
  const std::size_t nodes = options.nodes.size();
  for (int r = 0; r < options.rooms; ++r) {
    const std::size_t room = population.add_room();
    for (int m = 0; m < options.members; ++m) {
      const std::size_t index = population.add_client(population.clients().size() % nodes, room);
      Client& member = population.clients()[index];
      member.sender_slot = m;
      member.subscribes = subscribe;
      member.sends_to_room = !subscribe;
      if (m == 0) {
        member.owns_room = true;
        population.rooms()[room].owner = index;
      }
    }
  }
  fmt::print("setting up {} rooms of {} members over {} nodes\n", options.rooms, options.members,
             nodes);
  if (auto done = population.connect_and_log_in(); !done) return done;
  return population.join_rooms();
}

struct HistorySample {
  double rows = 0;
  double max_lag_ms = 0;
  bool complete = true;
};

HistorySample scrape_history(const Options& options) {
  HistorySample sample;
  for (const Endpoint& node : options.nodes) {
    auto metrics = scrape_metrics(node);
    if (!metrics) {
      sample.complete = false;
      continue;
    }
    sample.rows += (*metrics)["parley_history_rows_written_total"];
    sample.max_lag_ms = std::max(sample.max_lag_ms, (*metrics)["parley_history_lag_milliseconds"]);
  }
  return sample;
}

// Waits until the history writer of every node has partitions, for at most
// kHistorySettleTimeout, and returns the seconds waited. Until then the
// consumer group is still rebalancing: three nodes that start together
// take several seconds, and a step that ran meanwhile would measure the
// rebalance instead of the writers.
double wait_for_history_partitions(const Options& options) {
  constexpr std::chrono::seconds kHistorySettleTimeout{60};
  const auto started = std::chrono::steady_clock::now();
  const auto waited = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  while (std::chrono::steady_clock::now() - started < kHistorySettleTimeout) {
    bool every_node = true;
    for (const Endpoint& node : options.nodes) {
      auto metrics = scrape_metrics(node);
      every_node = every_node && metrics && (*metrics)["parley_history_partitions"] > 0;
    }
    if (every_node) {
      fmt::print("history: every node's history writer had partitions after {:.1f} s\n", waited());
      return waited();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  fmt::print(
      "history: some node's history writer still has no partitions after {} s (fewer partitions "
      "than nodes, or a rebalance that does not end); measuring anyway\n",
      kHistorySettleTimeout.count());
  return waited();
}

}  // namespace

Result<json::object> run_rooms(const Options& options, Workers& workers) {
  Population population(options, workers);
  if (auto done = set_up_rooms(options, population, true); !done) return done.error();
  for (std::size_t i = 0; i < population.clients().size(); ++i) population.count_pushes(i);
  // Default first step: one message per member per second.
  return run_steps("rooms", options, workers, population,
                   static_cast<double>(options.rooms) * options.members);
}

Result<json::object> run_history(const Options& options, Workers& workers) {
  Population population(options, workers);
  if (auto done = set_up_rooms(options, population, false); !done) return done.error();
  LoadDriver driver(options, workers, population);
  json::array steps_json;
  bool incomplete = false;
  const double settle_seconds = wait_for_history_partitions(options);
  fmt::print("\nhistory: {:>10} {:>10} {:>12} {:>12} {:>12}\n", "offered/s", "sent/s",
             "persisted/s", "max lag ms", "catch-up s");
  for (double rate : step_rates(options, static_cast<double>(options.rooms) * options.members)) {
    workers.take_counters();
    const HistorySample before = scrape_history(options);
    const auto started = std::chrono::steady_clock::now();
    driver.start_sending(rate);
    double max_lag_ms = 0;
    HistorySample at_end = before;
    while (std::chrono::steady_clock::now() - started <
           std::chrono::duration<double>(options.step_seconds)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      at_end = scrape_history(options);
      max_lag_ms = std::max(max_lag_ms, at_end.max_lag_ms);
    }
    driver.stop_sending();
    const auto stopped = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(stopped - started).count();
    // Replies of the last sends arrive within the drain time.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    StepCounters counters = workers.take_counters();
    HistorySample last = at_end;
    const auto deadline = stopped + std::chrono::duration<double>(options.drain_seconds);
    while (last.rows - before.rows < static_cast<double>(counters.sent) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      last = scrape_history(options);
      max_lag_ms = std::max(max_lag_ms, last.max_lag_ms);
    }
    const double catch_up =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped).count();
    const double persisted = last.rows - before.rows;
    const double persisted_per_second = (at_end.rows - before.rows) / seconds;
    const bool all_stored = persisted >= static_cast<double>(counters.sent);
    incomplete = incomplete || !all_stored || !last.complete;
    fmt::print("history: {:>10.0f} {:>10.0f} {:>12.0f} {:>12.0f} {:>12.2f}{}\n", rate,
               static_cast<double>(counters.sent) / seconds, persisted_per_second, max_lag_ms,
               catch_up, all_stored ? "" : "  (not all stored)");
    steps_json.push_back(
        json::object{{"offeredMessagesPerSecond", rate},
                     {"sent", counters.sent},
                     {"sendErrors", counters.send_errors},
                     {"sentPerSecond", static_cast<double>(counters.sent) / seconds},
                     {"persisted", persisted},
                     {"persistedPerSecondWhileSending", persisted_per_second},
                     {"maxHistoryLagMs", max_lag_ms},
                     {"catchUpSeconds", catch_up},
                     {"allStored", all_stored}});
  }
  json::object result{{"steps", steps_json}, {"historySettleSeconds", settle_seconds}};
  if (incomplete) {
    result["error"] =
        "history: not every acknowledged message was stored within --drain-seconds, or a "
        "node's GET /metrics failed";
  }
  return result;
}

}  // namespace parley::bench
