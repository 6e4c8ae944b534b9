#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include "options.hpp"
#include "process_stats.hpp"
#include "report.hpp"
#include "workers.hpp"
#include "workloads.hpp"

namespace {

namespace bench = parley::bench;
namespace json = boost::json;

// Descriptors the tool needs besides its connections.
constexpr long kSpareDescriptors = 64;

std::string first_line_with(const std::string& path, const std::string& prefix) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with(prefix)) return line;
  }
  return "";
}

json::object describe_machine() {
  std::string model = first_line_with("/proc/cpuinfo", "model name");
  if (auto colon = model.find(':'); colon != std::string::npos) model = model.substr(colon + 2);
  std::string memory = first_line_with("/proc/meminfo", "MemTotal:");
  return json::object{
      {"nproc", std::thread::hardware_concurrency()},
      {"cpu", model},
      {"memory", memory},
      {"date", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)))}};
}

long connections_needed(const bench::Options& options) {
  if (options.workload == "fanout") return options.subscribers + options.senders;
  if (options.workload == "idle") return options.connections;
  if (options.workload == "reconnect") return options.clients + 1L;
  return static_cast<long>(options.rooms) * options.members;
}

parley::Result<json::object> run(const bench::Options& options, bench::Workers& workers) {
  if (options.workload == "fanout") return bench::run_fanout(options, workers);
  if (options.workload == "rooms") return bench::run_rooms(options, workers);
  if (options.workload == "history") return bench::run_history(options, workers);
  if (options.workload == "idle") return bench::run_idle(options, workers);
  return bench::run_reconnect(options, workers);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = bench::parse_options(argc, argv);
  if (!parsed) {
    std::cerr << "parley-bench: " << parsed.error().message << "\n";
    return 2;
  }
  const bench::Options& options = parsed.value();
  if (options.workload.empty()) return 0;
  // Progress lines reach a pipe such as tee at once.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // A peer that closes mid-write must not end the run.
  std::signal(SIGPIPE, SIG_IGN);

  const long file_limit = bench::raise_file_limit();
  const long needed = connections_needed(options) + kSpareDescriptors;
  fmt::print("parley-bench: RLIMIT_NOFILE raised to its hard limit {}\n", file_limit);
  if (file_limit < needed) {
    std::cerr << fmt::format(
        "parley-bench: {} needs {} file descriptors but RLIMIT_NOFILE allows {}; raise the hard "
        "limit (ulimit -Hn, or LimitNOFILE in systemd) or use fewer connections\n",
        options.workload, needed, file_limit);
    return 2;
  }

  bench::Workers workers(options.threads);
  auto result = run(options, workers);
  json::object output{{"workload", options.workload},
                      {"machine", describe_machine()},
                      {"nodes", options.nodes.size()},
                      {"encoding", options.encoding}};
  std::string error = result ? "" : result.error().message;
  if (result) {
    output["result"] = result.value();
    if (const auto* failed = result.value().if_contains("error")) {
      error = std::string(failed->as_string());
    }
  }
  output["ok"] = error.empty();
  if (!error.empty()) {
    output["error"] = error;
    std::cerr << "parley-bench: " << error << "\n";
  }
  if (!options.json_path.empty() && !bench::write_json(options.json_path, output)) return 1;
  workers.stop();
  return error.empty() ? 0 : 1;
}
