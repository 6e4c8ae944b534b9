#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/error.hpp"
#include "connection.hpp"
#include "encoding.hpp"

namespace parley::bench {

// Every flag of parley-bench. Sizes and rates are per workload; the help
// text gives the unit of each.
struct Options {
  std::string workload;
  std::vector<Endpoint> nodes;
  std::vector<pid_t> node_pids;
  pid_t broker_pid = 0;
  pid_t postgres_pid = 0;
  std::string encoding = "json";
  WireEncoding wire = WireEncoding::kJson;
  std::string json_path;
  int threads = 2;
  int setup_concurrency = 256;

  // Load steps: offered messages per second over all senders.
  std::vector<double> rates;
  double rate = 0;
  double step_factor = 1.5;
  int max_steps = 6;
  double step_seconds = 10;
  double drain_seconds = 5;
  double p99_bound_ms = 50;
  int max_in_flight = 64;
  std::size_t text_bytes = 100;

  // fanout
  int subscribers = 1000;
  int senders = 10;
  // rooms and history
  int rooms = 1000;
  int members = 10;
  // idle
  int connections = 50000;
  int accounts = 1000;
  double hold_seconds = 10;
  // reconnect
  int clients = 10000;
  pid_t kill_pid = 0;
  double resume_timeout_seconds = 30;
};

// Parses the command line; the Error message names the flag at fault. An
// empty workload with no error means --help was printed.
Result<Options> parse_options(int argc, char** argv);

}  // namespace parley::bench
