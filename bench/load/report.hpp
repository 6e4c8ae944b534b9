#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "workers.hpp"

namespace parley::bench {

// CPU time and memory of one watched process over one step.
struct ProcessUsage {
  std::string name;
  double cpu_seconds = 0;
  long rss_kib = 0;
  long peak_rss_kib = 0;
};

// The measurements of one load step.
struct StepResult {
  double offered_rate = 0;      // messages/s
  double seconds = 0;           // time spent sending
  double delivery_seconds = 0;  // from the step start to the last delivery
  StepCounters counters;
  std::vector<ProcessUsage> processes;

  double sent_per_second() const;
  double delivered_per_second() const;
  std::uint64_t lost() const;
  // CPU time of the processes whose name starts with `prefix`, in
  // microseconds per delivery.
  double cpu_us_per_delivery(const std::string& prefix) const;
  boost::json::object to_json() const;
};

// Prints the steps as a table to standard output.
void print_steps(const std::string& workload, const std::vector<StepResult>& steps);

// Writes `results` to `path`; returns false and prints why when it fails.
bool write_json(const std::string& path, const boost::json::object& results);

}  // namespace parley::bench
