#include "report.hpp"

#include <fstream>
#include <iostream>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace parley::bench {
namespace json = boost::json;

namespace {

double milliseconds(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

}  // namespace

double StepResult::sent_per_second() const {
  return seconds > 0 ? static_cast<double>(counters.sent) / seconds : 0;
}

double StepResult::delivered_per_second() const {
  return delivery_seconds > 0 ? static_cast<double>(counters.delivered) / delivery_seconds : 0;
}

std::uint64_t StepResult::lost() const {
  const std::uint64_t arrived = counters.delivered - counters.duplicates;
  return counters.expected > arrived ? counters.expected - arrived : 0;
}

double StepResult::cpu_us_per_delivery(const std::string& prefix) const {
  if (counters.delivered == 0) return 0;
  double cpu = 0;
  for (const auto& process : processes) {
    if (process.name.starts_with(prefix)) cpu += process.cpu_seconds;
  }
  return cpu * 1e6 / static_cast<double>(counters.delivered);
}

json::object StepResult::to_json() const {
  const auto& latency = counters.latency_us;
  json::object processes_json;
  for (const auto& process : processes) {
    processes_json[process.name] =
        json::object{{"cpuSeconds", process.cpu_seconds},
                     {"cpuMicrosPerDelivery", cpu_us_per_delivery(process.name)},
                     {"rssKiB", process.rss_kib},
                     {"peakRssKiB", process.peak_rss_kib}};
  }
  return json::object{
      {"offeredMessagesPerSecond", offered_rate},
      {"seconds", seconds},
      {"sent", counters.sent},
      {"sentPerSecond", sent_per_second()},
      {"sendErrors", counters.send_errors},
      {"skippedSends", counters.skipped},
      {"expectedDeliveries", counters.expected},
      {"delivered", counters.delivered},
      {"deliveredPerSecond", delivered_per_second()},
      {"lost", lost()},
      {"duplicates", counters.duplicates},
      {"unreadablePushes", counters.unreadable},
      {"latencyMs", json::object{{"p50", milliseconds(latency.value_at_percentile(50))},
                                 {"p99", milliseconds(latency.value_at_percentile(99))},
                                 {"p999", milliseconds(latency.value_at_percentile(99.9))},
                                 {"max", milliseconds(latency.max())}}},
      {"nodeCpuMicrosPerDelivery", cpu_us_per_delivery("node")},
      {"processes", processes_json}};
}

void print_steps(const std::string& workload, const std::vector<StepResult>& steps) {
  fmt::print("\n{}: {} step(s)\n", workload, steps.size());
  fmt::print("{:>10} {:>10} {:>12} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}\n", "offered/s", "sent/s",
             "delivered/s", "lost", "p50 ms", "p99 ms", "p99.9 ms", "errors", "node us/d");
  for (const auto& step : steps) {
    const auto& latency = step.counters.latency_us;
    fmt::print("{:>10.0f} {:>10.0f} {:>12.0f} {:>8} {:>8.2f} {:>8.2f} {:>8.2f} {:>9} {:>9.3f}\n",
               step.offered_rate, step.sent_per_second(), step.delivered_per_second(), step.lost(),
               milliseconds(latency.value_at_percentile(50)),
               milliseconds(latency.value_at_percentile(99)),
               milliseconds(latency.value_at_percentile(99.9)),
               step.counters.send_errors + step.counters.unreadable,
               step.cpu_us_per_delivery("node"));
  }
  if (steps.empty()) return;
  fmt::print("\nper process, last step: CPU s, CPU us per delivery, peak RSS MiB\n");
  for (const auto& process : steps.back().processes) {
    fmt::print("  {:<14} {:>8.2f} {:>10.3f} {:>10.1f}\n", process.name, process.cpu_seconds,
               steps.back().cpu_us_per_delivery(process.name),
               static_cast<double>(process.peak_rss_kib) / 1024.0);
  }
}

bool write_json(const std::string& path, const json::object& results) {
  std::ofstream file(path);
  file << json::serialize(results) << "\n";
  if (!file) {
    std::cerr << "parley-bench: writing " << path << " failed\n";
    return false;
  }
  return true;
}

}  // namespace parley::bench
