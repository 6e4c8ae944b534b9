#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "client/connection.hpp"
#include "integration/failover/failover_support.hpp"
#include "integration/liveness/log_wait.hpp"
#include "integration/liveness/raw_socket.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Soft RLIMIT_NOFILE of the node under test: room for its PostgreSQL and
// Kafka connections and a few dozen clients, far fewer than the flood.
constexpr rlim_t kNodeDescriptorLimit = 160;
constexpr int kFloodSize = 400;
constexpr auto kPushTimeout = seconds(10);

// Launches a node whose soft descriptor limit is `limit`. The limit of this
// process is lowered only around the spawn, which the child inherits.
std::unique_ptr<NodeProcess> launch_limited_node(Cluster& cluster, rlim_t limit) {
  rlimit original{};
  if (getrlimit(RLIMIT_NOFILE, &original) != 0) throw std::runtime_error("getrlimit failed");
  rlimit lowered = original;
  lowered.rlim_cur = std::min(limit, original.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &lowered) != 0) throw std::runtime_error("setrlimit failed");
  std::unique_ptr<NodeProcess> node;
  try {
    node =
        NodeProcess::launch(Cluster::server_binary(), free_loopback_port(),
                            {"--database-url", cluster.database_url(), "--kafka-bootstrap-servers",
                             cluster.broker().bootstrap_servers(), "--handshake-timeout-s", "2"},
                            cluster.log_dir() / "limited-node.log");
  } catch (...) {
    setrlimit(RLIMIT_NOFILE, &original);
    throw;
  }
  setrlimit(RLIMIT_NOFILE, &original);
  node->wait_until_ready();
  return node;
}

TEST(DescriptorLimit, ListenerSurvivesEmfile) {
  auto cluster = Cluster::start({.nodes = 1, .brokers = 1, .partitions = 1});
  auto node = launch_limited_node(*cluster, kNodeDescriptorLimit);

  auto owner = user(node->url(), "descriptor_owner", true);
  ASSERT_NE(owner, nullptr);
  auto room = owner->call("createRoom", json::object{{"name", "descriptor-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  ASSERT_TRUE(owner->call("subscribe", room->as_object().at("id")).ok());

  // More connections than the node has descriptors. The kernel completes
  // their TCP handshakes in the listen backlog whether or not the node
  // accepts them.
  std::vector<std::unique_ptr<RawSocket>> flood;
  for (int i = 0; i < kFloodSize; ++i) flood.push_back(std::make_unique<RawSocket>(node->port()));
  ASSERT_TRUE(wait_for_log(node->log_file(), "accept failed: Too many open files", seconds(10)))
      << "the node never ran out of descriptors";

  // The established client keeps chatting. Where a pooled PostgreSQL
  // connection cannot open at the limit, the node checks membership in its
  // cache.
  for (int i = 0; i < 10; ++i) {
    auto sent = owner->call("send", json::value("at the limit " + std::to_string(i)));
    ASSERT_TRUE(sent.ok()) << sent.error().message;
    auto push = owner->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value()) << "push " << i << " missing";
    EXPECT_EQ(push->at("message").as_string(), "at the limit " + std::to_string(i));
  }

  // The node reaps the flood batch by batch at the handshake deadline and
  // accepts the backlog as descriptors free up.
  int still_open = 0;
  auto deadline = std::chrono::steady_clock::now() + seconds(60);
  for (auto& socket : flood) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!socket->wait_closed(std::max(left, milliseconds(0)))) ++still_open;
  }
  EXPECT_EQ(still_open, 0);
  flood.clear();

  // New clients are accepted again.
  auto late = user(node->url(), "descriptor_late", true);
  ASSERT_NE(late, nullptr);
  ASSERT_TRUE(late->call("joinRoom", json::value("descriptor-room")).ok());
  ASSERT_TRUE(late->call("subscribe", room->as_object().at("id")).ok());
  ASSERT_TRUE(owner->call("send", json::value("after the flood")).ok());
  auto push = late->next_push(kPushTimeout);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string(), "after the flood");
  EXPECT_TRUE(owner->is_open());
}

}  // namespace
}  // namespace parley::testing
