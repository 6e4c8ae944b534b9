#include "support/cluster.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include <stdlib.h>

namespace parley::testing {
namespace {

// Paths of the binaries built with this tree, set by CMake.
constexpr const char* kServerBinary = PARLEY_SERVER_BINARY;
constexpr const char* kDevBrokerBinary = PARLEY_DEVBROKER_BINARY;

std::filesystem::path make_log_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "parley-cluster-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("failed to create the cluster log directory " + pattern + ": " +
                             std::strerror(errno));
  }
  return pattern;
}

void check_index(std::size_t i, std::size_t size) {
  if (i >= size) {
    throw std::out_of_range("cluster node " + std::to_string(i) +
                            " does not exist: the cluster has " + std::to_string(size) + " nodes");
  }
}

}  // namespace

std::unique_ptr<Cluster> Cluster::start(const ClusterOptions& options) {
  if (options.nodes < 1) {
    throw std::invalid_argument("ClusterOptions::nodes must be at least 1, got " +
                                std::to_string(options.nodes));
  }
  std::unique_ptr<Cluster> cluster(new Cluster());
  cluster->postgres_ = PostgresServer::start();
  cluster->postgres_->create_database("parley");
  cluster->broker_ = DevBrokerProcess::start(kDevBrokerBinary, options.brokers, options.partitions);
  cluster->log_dir_ = make_log_dir();
  try {
    cluster->start_nodes(options);
  } catch (...) {
    cluster->keep_logs();
    throw;
  }
  return cluster;
}

// Launches every node before waiting for any, so that they start in
// parallel and run their database migrations concurrently, like nodes of a
// real deployment that start together.
void Cluster::start_nodes(const ClusterOptions& options) {
  std::vector<std::string> flags = {"--database-url", database_url(), "--kafka-bootstrap-servers",
                                    broker_->bootstrap_servers()};
  flags.insert(flags.end(), options.extra_node_flags.begin(), options.extra_node_flags.end());
  std::set<std::uint16_t> ports;
  for (int i = 0; i < options.nodes; ++i) {
    // The kernel may hand out a port again once its probe socket is closed.
    std::uint16_t port = free_loopback_port();
    while (!ports.insert(port).second) port = free_loopback_port();

    auto log_file = log_dir_ / ("node-" + std::to_string(i) + ".log");
    nodes_.push_back(NodeProcess::launch(kServerBinary, port, flags, log_file));
  }
  for (auto& node : nodes_) node->wait_until_ready();
}

Cluster::~Cluster() {
  stop_nodes();
  broker_.reset();
  postgres_.reset();
  if (!keep_logs_ && !log_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir_, ignored);
  }
}

// Sends SIGTERM to every running node first, so that they shut down in
// parallel. A node that exits with a non-zero status, or must be killed, is
// reported and its log kept.
void Cluster::stop_nodes() {
  std::vector<NodeProcess*> stopping;
  for (auto& node : nodes_) {
    if (node->running()) {
      node->signal(SIGTERM);
      stopping.push_back(node.get());
    }
  }
  // One deadline for all nodes, because they received SIGTERM together.
  auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  for (NodeProcess* node : stopping) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto status = node->wait(std::max(left, std::chrono::milliseconds(0)));
    if (!status) {
      std::cerr << "parley-server on port " << node->port() << " did not stop within "
                << kStopTimeout.count()
                << " s after SIGTERM; killing it. Log: " << node->log_file().string() << "\n";
      node->kill();
      keep_logs_ = true;
    } else if (*status != 0) {
      std::cerr << "parley-server on port " << node->port() << " exited with status " << *status
                << " after SIGTERM. Log: " << node->log_file().string() << "\n";
      keep_logs_ = true;
    }
  }
  nodes_.clear();
}

NodeProcess& Cluster::node(std::size_t i) {
  check_index(i, nodes_.size());
  return *nodes_[i];
}

std::string Cluster::url(std::size_t i) const {
  check_index(i, nodes_.size());
  return nodes_[i]->url();
}

void Cluster::kill_node(std::size_t i) { node(i).kill(); }

void Cluster::restart_node(std::size_t i) {
  try {
    node(i).restart();
  } catch (...) {
    keep_logs();
    throw;
  }
}

std::string Cluster::server_binary() { return kServerBinary; }

std::string Cluster::database_url() const { return postgres_->conninfo("parley"); }

namespace {

// State of the shared cluster. A failed start is remembered, so that the
// tests after the first fail at once with the same message.
struct SharedState {
  std::mutex mutex;
  std::unique_ptr<Cluster> cluster;
  std::optional<std::string> start_error;
};

SharedState& shared_state() {
  static SharedState state;
  return state;
}

// GoogleTest owns and deletes registered environments.
[[maybe_unused]] ::testing::Environment* const kSharedClusterEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedCluster);

}  // namespace

Cluster& SharedCluster::get() {
  auto& state = shared_state();
  std::lock_guard lock(state.mutex);
  if (state.cluster) return *state.cluster;
  if (state.start_error) {
    throw std::runtime_error("the shared cluster failed to start earlier: " + *state.start_error);
  }
  try {
    state.cluster = Cluster::start();
  } catch (const std::exception& error) {
    state.start_error = error.what();
    throw;
  }
  std::cerr << "shared cluster: " << state.cluster->size() << " nodes ready, logs in "
            << state.cluster->log_dir().string() << "\n";
  return *state.cluster;
}

void SharedCluster::TearDown() {
  auto& state = shared_state();
  std::lock_guard lock(state.mutex);
  if (state.cluster && ::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
    state.cluster->keep_logs();
    std::cerr << "shared cluster: a test failed; node logs kept in "
              << state.cluster->log_dir().string() << "\n";
  }
  state.cluster.reset();
  state.start_error.reset();
}

}  // namespace parley::testing
