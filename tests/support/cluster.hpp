#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/devbroker_process.hpp"
#include "support/node_process.hpp"
#include "support/postgres_server.hpp"

namespace parley::testing {

// Shape of a test cluster.
struct ClusterOptions {
  int nodes = 3;
  // Flags appended to every node's command line, e.g. {"--log-level", "debug"}.
  std::vector<std::string> extra_node_flags;
  // Mock Kafka brokers and partitions of each topic, passed to parley-devbroker.
  int brokers = 3;
  int partitions = 6;
};

// A throwaway PostgreSQL, parley-devbroker and N parley-server nodes, all
// children of the test process. Node logs go to log_dir(), a new directory
// in the system temporary directory, which the destructor deletes unless
// keep_logs() was called.
class Cluster {
 public:
  static constexpr std::chrono::seconds kStopTimeout{10};

  // Starts PostgreSQL with a database "parley", then the broker, then all
  // nodes at once, and waits until every node returns 200 on GET /readyz.
  // Throws std::runtime_error naming the part that failed. When a node fails,
  // the message contains the end of its log, and the log directory is kept.
  static std::unique_ptr<Cluster> start(const ClusterOptions& options = {});

  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  // Stops the nodes (SIGTERM, then SIGKILL after kStopTimeout), then the
  // broker, then PostgreSQL.
  ~Cluster();

  std::size_t size() const { return nodes_.size(); }
  // Throws std::out_of_range when i >= size().
  NodeProcess& node(std::size_t i);
  std::string url(std::size_t i) const;  // ws://127.0.0.1:<port>/ of node i

  // Kills node i with SIGKILL and reaps it.
  void kill_node(std::size_t i);
  // Starts node i again on its port and waits until it is ready. Kills it
  // first if it still runs. Throws like start().
  void restart_node(std::size_t i);

  // libpq connection string of the "parley" database that the nodes use.
  std::string database_url() const;
  DevBrokerProcess& broker() { return *broker_; }
  PostgresServer& postgres() { return *postgres_; }

  // Path of the parley-server built with this tree, for NodeProcess::start().
  static std::string server_binary();

  const std::filesystem::path& log_dir() const { return log_dir_; }
  // Keeps log_dir() after the destructor ran, for a failed test to inspect.
  void keep_logs() { keep_logs_ = true; }

 private:
  Cluster() = default;
  void start_nodes(const ClusterOptions& options);
  void stop_nodes();

  // Declared in start-up order, so that the members are destroyed nodes
  // first, then the broker, then PostgreSQL.
  std::unique_ptr<PostgresServer> postgres_;
  std::unique_ptr<DevBrokerProcess> broker_;
  std::filesystem::path log_dir_;
  bool keep_logs_ = false;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
};

// The cluster shared by all tests of one test binary, with default
// ClusterOptions. Every binary that links this library registers one
// SharedCluster environment. The cluster starts at the first get() call, so
// a binary that never calls get() starts nothing, and stops in TearDown()
// after the last test.
class SharedCluster : public ::testing::Environment {
 public:
  // Returns the shared cluster, starting it on the first call. Throws
  // std::runtime_error when it cannot start. Later calls throw the same
  // error again without another attempt.
  static Cluster& get();

  // Stops the cluster. When a test failed, keeps the logs and prints where
  // they are.
  void TearDown() override;
};

}  // namespace parley::testing
