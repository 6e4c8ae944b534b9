#include "options.hpp"

#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

namespace parley::bench {
namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: parley-bench WORKLOAD --nodes ws://127.0.0.1:8080/,... [options]\n"
    "\n"
    "Drives a running Parley cluster over WebSocket from a few I/O threads and\n"
    "reports sent/s, delivered/s, lost messages, send-to-receive latency and the\n"
    "CPU time of every watched process per delivery. Every workload stops by\n"
    "itself after its steps. Workloads:\n"
    "  fanout     one room, --subscribers subscribers, --senders senders; the\n"
    "             offered rate steps up until delivered/s stops growing or p99\n"
    "             exceeds --p99-bound-ms\n"
    "  rooms      --rooms rooms of --members members, every member subscribed\n"
    "             and sending\n"
    "  history    like rooms without subscriptions; reports the rows the nodes'\n"
    "             history writers stored per second and their lag (GET /metrics)\n"
    "  idle       --connections logged-in idle connections; reports node RSS and\n"
    "             kernel socket memory per connection\n"
    "  reconnect  --clients subscribers on the node with PID --kill-pid, which the\n"
    "             tool kills with SIGKILL; reports the time until all resumed on\n"
    "             the other nodes and the messages any of them missed\n"
    "\n";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text) {
    if (c == ',') {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  if (!item.empty()) items.push_back(item);
  return items;
}

Status read_lists(const po::variables_map& values, Options& options) {
  for (const std::string& url : split_list(values["nodes"].as<std::string>())) {
    auto endpoint = parse_endpoint(url);
    if (!endpoint) {
      return Error{2, fmt::format("invalid --nodes entry '{}'; expected ws://HOST:PORT/", url)};
    }
    if (!endpoint->host.starts_with("127.")) {
      return Error{2, fmt::format("--nodes entry '{}' is not a loopback address; the tool only "
                                  "drives local clusters on 127.0.0.0/8",
                                  url)};
    }
    options.nodes.push_back(*endpoint);
  }
  if (options.nodes.empty()) return Error{2, "--nodes is missing; give ws://HOST:PORT/ URLs"};
  if (values.count("node-pids")) {
    for (const std::string& pid : split_list(values["node-pids"].as<std::string>())) {
      options.node_pids.push_back(static_cast<pid_t>(std::stol(pid)));
    }
    if (options.node_pids.size() != options.nodes.size()) {
      return Error{2, fmt::format("--node-pids has {} entries but --nodes has {}; give one PID "
                                  "per node, in the same order",
                                  options.node_pids.size(), options.nodes.size())};
    }
  }
  if (values.count("rates")) {
    for (const std::string& rate : split_list(values["rates"].as<std::string>())) {
      options.rates.push_back(std::stod(rate));
    }
  }
  return Done{};
}

Status check(const Options& options) {
  if (options.encoding != "json" && options.encoding != "sbe") {
    return Error{2, fmt::format("invalid --encoding {}; expected json or sbe", options.encoding)};
  }
  const std::vector<std::string> workloads = {"fanout", "rooms", "history", "idle", "reconnect"};
  if (std::find(workloads.begin(), workloads.end(), options.workload) == workloads.end()) {
    return Error{2, fmt::format("unknown workload '{}'; see --help", options.workload)};
  }
  if (options.threads < 1 || options.subscribers < 1 || options.senders < 1 || options.rooms < 1 ||
      options.members < 1 || options.connections < 1 || options.clients < 1 ||
      options.accounts < 1 || options.max_steps < 1) {
    return Error{2, "sizes and counts must be positive integers"};
  }
  if (options.step_seconds <= 0 || options.step_factor <= 1.0) {
    return Error{2, "--step-seconds must be positive and --step-factor above 1"};
  }
  if (options.workload == "reconnect") {
    if (options.kill_pid == 0) return Error{2, "reconnect needs --kill-pid PID of one node"};
    if (std::find(options.node_pids.begin(), options.node_pids.end(), options.kill_pid) ==
        options.node_pids.end()) {
      return Error{2, fmt::format("--kill-pid {} is not in --node-pids; the tool only kills a "
                                  "node whose PID it was given",
                                  options.kill_pid)};
    }
    if (options.nodes.size() < 2) return Error{2, "reconnect needs at least two --nodes"};
  }
  return Done{};
}

}  // namespace

Result<Options> parse_options(int argc, char** argv) {
  Options options;
  po::options_description flags("Options");
  // clang-format off
  flags.add_options()
    ("help,h", "show this help")
    ("workload", po::value(&options.workload), "fanout, rooms, history, idle or reconnect")
    ("nodes", po::value<std::string>()->default_value("ws://127.0.0.1:8080/"),
     "comma-separated WebSocket URLs of the nodes, on 127.0.0.0/8")
    ("node-pids", po::value<std::string>(), "comma-separated PIDs of the nodes, in --nodes order")
    ("broker-pid", po::value(&options.broker_pid), "PID of parley-devbroker")
    ("postgres-pid", po::value(&options.postgres_pid), "PID of the postmaster of the test cluster")
    ("encoding", po::value(&options.encoding)->default_value("json"), "wire encoding: json (text frames) or sbe (binary frames)")
    ("json", po::value(&options.json_path), "write the results to this JSON file")
    ("threads", po::value(&options.threads)->default_value(2), "I/O threads of the tool")
    ("setup-concurrency", po::value(&options.setup_concurrency)->default_value(256),
     "connections set up in parallel")
    ("rates", po::value<std::string>(), "comma-separated offered rates, messages/s, one per step")
    ("rate", po::value(&options.rate)->default_value(0),
     "offered rate of the first step, messages/s (0: the workload's default)")
    ("step-factor", po::value(&options.step_factor)->default_value(1.5),
     "factor between the rates of two steps when --rates is absent")
    ("max-steps", po::value(&options.max_steps)->default_value(6), "maximum number of steps")
    ("step-seconds", po::value(&options.step_seconds)->default_value(10), "duration of a step, s")
    ("drain-seconds", po::value(&options.drain_seconds)->default_value(5),
     "longest wait after a step for outstanding deliveries, s")
    ("p99-bound-ms", po::value(&options.p99_bound_ms)->default_value(50),
     "fanout stops stepping up after a step with a higher p99 latency, ms")
    ("max-in-flight", po::value(&options.max_in_flight)->default_value(64),
     "unanswered sends per sender before it skips sends")
    ("text-bytes", po::value(&options.text_bytes)->default_value(100), "message text size, bytes")
    ("subscribers", po::value(&options.subscribers)->default_value(1000), "fanout subscribers")
    ("senders", po::value(&options.senders)->default_value(10), "fanout senders")
    ("rooms", po::value(&options.rooms)->default_value(1000), "rooms and history: rooms")
    ("members", po::value(&options.members)->default_value(10), "members per room")
    ("connections", po::value(&options.connections)->default_value(50000), "idle connections")
    ("accounts", po::value(&options.accounts)->default_value(1000),
     "idle: accounts the connections log in as")
    ("hold-seconds", po::value(&options.hold_seconds)->default_value(10),
     "idle: how long the connections stay open after the measurement, s")
    ("clients", po::value(&options.clients)->default_value(10000),
     "reconnect: subscribers on the killed node")
    ("kill-pid", po::value(&options.kill_pid), "reconnect: PID of the node to kill, from --node-pids")
    ("resume-timeout-seconds", po::value(&options.resume_timeout_seconds)->default_value(30),
     "reconnect: longest wait for all clients to resume, s");
  // clang-format on
  po::positional_options_description positional;
  positional.add("workload", 1);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).positional(positional).run(),
              values);
    po::notify(values);
    if (values.count("help")) {
      std::cout << kUsage << flags;
      return Options{};
    }
    if (auto lists = read_lists(values, options); !lists) return lists.error();
  } catch (const std::exception& error) {
    return Error{2, fmt::format("{}; see --help", error.what())};
  }
  if (auto checked = check(options); !checked) return checked.error();
  options.wire = options.encoding == "sbe" ? WireEncoding::kSbe : WireEncoding::kJson;
  return options;
}

}  // namespace parley::bench
