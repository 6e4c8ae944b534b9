#include <chrono>
#include <csignal>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "support/cluster.hpp"

namespace parley::testing {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(5);

TEST(HttpGet, ClosedPortFails) {
  std::uint16_t port = free_loopback_port();
  auto response = http_get(port, "/healthz", kRequestTimeout);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().message.find(std::to_string(port)), std::string::npos)
      << response.error().message;
}

TEST(ClusterSmoke, EveryNodeIsHealthy) {
  Cluster& cluster = SharedCluster::get();
  ASSERT_EQ(cluster.size(), 3u);
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    auto response = http_get(cluster.node(i).port(), "/healthz", kRequestTimeout);
    ASSERT_TRUE(response.ok()) << "node " << i << ": " << response.error().message;
    EXPECT_EQ(response->status, 200) << "node " << i << ": " << response->body;
  }
}

TEST(ClusterSmoke, EveryNodeIsReady) {
  Cluster& cluster = SharedCluster::get();
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    auto response = http_get(cluster.node(i).port(), "/readyz", kRequestTimeout);
    ASSERT_TRUE(response.ok()) << "node " << i << ": " << response.error().message;
    EXPECT_EQ(response->status, 200) << "node " << i << ": " << response->body;
  }
}

TEST(ClusterSmoke, UrlsNameDistinctPorts) {
  Cluster& cluster = SharedCluster::get();
  std::set<std::uint16_t> ports;
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    std::uint16_t port = cluster.node(i).port();
    ports.insert(port);
    EXPECT_EQ(cluster.url(i), "ws://127.0.0.1:" + std::to_string(port) + "/");
  }
  EXPECT_EQ(ports.size(), cluster.size());
}

TEST(ClusterSmoke, NodeIndexOutOfRangeThrows) {
  Cluster& cluster = SharedCluster::get();
  EXPECT_THROW(cluster.node(cluster.size()), std::out_of_range);
  EXPECT_THROW(cluster.url(cluster.size()), std::out_of_range);
}

TEST(ClusterSmoke, DatabaseUrlAcceptsConnections) {
  Cluster& cluster = SharedCluster::get();
  EXPECT_EQ(PQping(cluster.database_url().c_str()), PQPING_OK) << cluster.database_url();
}

TEST(ClusterSmoke, KilledNodeRestartsOnSamePort) {
  Cluster& cluster = SharedCluster::get();
  std::size_t last = cluster.size() - 1;
  std::uint16_t port = cluster.node(last).port();

  cluster.kill_node(last);
  EXPECT_FALSE(cluster.node(last).running());
  EXPECT_EQ(cluster.node(last).exit_status(), 128 + SIGKILL);
  EXPECT_FALSE(http_get(port, "/healthz", kRequestTimeout).ok());

  cluster.restart_node(last);
  EXPECT_TRUE(cluster.node(last).running());
  EXPECT_EQ(cluster.node(last).port(), port);
  auto response = http_get(port, "/readyz", kRequestTimeout);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(ClusterSmoke, NodeExitsCleanlyOnSigterm) {
  Cluster& cluster = SharedCluster::get();
  NodeProcess& node = cluster.node(0);

  ASSERT_TRUE(node.terminate(NodeProcess::kStopTimeout)) << node.log_tail();
  EXPECT_EQ(node.exit_status(), 0) << node.log_tail();

  cluster.restart_node(0);
  auto response = http_get(node.port(), "/readyz", kRequestTimeout);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(NodeProcess, StandaloneNodeDeletesItsLog) {
  Cluster& cluster = SharedCluster::get();
  std::filesystem::path log_file;
  {
    auto node =
        NodeProcess::start(Cluster::server_binary(),
                           {"--database-url", cluster.database_url(), "--kafka-bootstrap-servers",
                            cluster.broker().bootstrap_servers()});
    log_file = node->log_file();
    EXPECT_TRUE(std::filesystem::exists(log_file));

    auto response = http_get(node->port(), "/readyz", kRequestTimeout);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200) << response->body;

    EXPECT_TRUE(node->terminate()) << node->log_tail();
    EXPECT_EQ(node->exit_status(), 0) << node->log_tail();
  }
  EXPECT_FALSE(std::filesystem::exists(log_file)) << log_file;
}

}  // namespace
}  // namespace parley::testing
