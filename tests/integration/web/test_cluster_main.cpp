// parley-test-cluster: starts a throwaway cluster (PostgreSQL, the
// development broker and N nodes on free loopback ports), writes a JSON
// description of it to a file, and keeps it running until SIGTERM or
// SIGINT. The browser tests read the file to find the nodes, and kill a node
// with SIGKILL by the PID it lists.

#include <csignal>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <signal.h>

#include "support/cluster.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: parley-test-cluster --info FILE [--nodes N] [--keep-logs]\n"
    "Starts PostgreSQL, parley-devbroker and N parley-server nodes (default 3) on\n"
    "127.0.0.1, writes {\"nodes\": [{\"port\", \"pid\", \"url\", \"httpUrl\"}], \"logDir\"}\n"
    "to FILE, and stops everything on SIGTERM or SIGINT. --keep-logs keeps the\n"
    "node logs in logDir after the stop.\n";

struct Options {
  std::filesystem::path info_file;
  int nodes = 3;
  bool keep_logs = false;
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--info" && i + 1 < argc) {
      options.info_file = argv[++i];
    } else if (argument == "--nodes" && i + 1 < argc) {
      options.nodes = std::atoi(argv[++i]);
    } else if (argument == "--keep-logs") {
      options.keep_logs = true;
    } else {
      return false;
    }
  }
  return !options.info_file.empty() && options.nodes >= 1;
}

boost::json::value describe(parley::testing::Cluster& cluster) {
  boost::json::array nodes;
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    auto& node = cluster.node(i);
    const std::string port = std::to_string(node.port());
    nodes.push_back({{"port", node.port()},
                     {"pid", node.pid()},
                     {"url", cluster.url(i)},
                     {"httpUrl", "http://127.0.0.1:" + port + "/"}});
  }
  return {{"nodes", nodes}, {"logDir", cluster.log_dir().string()}};
}

// Writes the file under a temporary name first, so that a reader polling
// for it never reads a partial file.
void write_info(const std::filesystem::path& file, const boost::json::value& info) {
  const auto partial = std::filesystem::path(file.string() + ".partial");
  {
    std::ofstream out(partial);
    out << boost::json::serialize(info) << '\n';
    if (!out) throw std::runtime_error("failed to write " + partial.string());
  }
  std::filesystem::rename(partial, file);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::cerr << kUsage;
    return 2;
  }

  // Blocked before any thread starts, so that only sigwait() below receives
  // them and the cluster is always stopped through its destructor.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<parley::testing::Cluster> cluster;
  try {
    parley::testing::ClusterOptions cluster_options;
    cluster_options.nodes = options.nodes;
    cluster = parley::testing::Cluster::start(cluster_options);
    write_info(options.info_file, describe(*cluster));
  } catch (const std::exception& error) {
    std::cerr << "parley-test-cluster: error: " << error.what() << '\n';
    return 1;
  }
  std::cout << "parley-test-cluster: " << cluster->size() << " node(s) ready; logs in "
            << cluster->log_dir().string() << std::endl;

  int received = 0;
  sigwait(&stop_signals, &received);
  std::cout << "parley-test-cluster: received signal " << received << ", stopping" << std::endl;
  if (options.keep_logs) cluster->keep_logs();
  cluster.reset();
  std::filesystem::remove(options.info_file);
  return 0;
}
