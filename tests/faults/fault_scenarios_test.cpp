// Single faults while resilient clients send numbered messages: no
// acknowledged message may be lost, duplicated or reordered, for any
// subscriber, or in the history.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "faults/fault_checks.hpp"
#include "faults/fault_scene.hpp"
#include "support/cluster.hpp"

namespace parley::faults {
namespace {

using std::chrono::seconds;

constexpr seconds kFaultStartTimeout{60};
// Long enough for Kafka produce timeouts (5 s by default) and database
// errors to reach the clients, short enough to keep the suite quick.
constexpr seconds kOutage{4};

// Starts a cluster and a scene, and waits until a third of the messages
// were acknowledged, so that the fault lands while sends are in flight.
struct RunningScene {
  std::unique_ptr<testing::Cluster> cluster;
  std::unique_ptr<FaultScene> scene;
};

RunningScene start_sending(const std::string& name) {
  RunningScene setup;
  setup.cluster = testing::Cluster::start();
  setup.scene = std::make_unique<FaultScene>(*setup.cluster, SceneOptions{.name = name});
  setup.scene->set_up();
  setup.scene->start_sending();
  EXPECT_TRUE(setup.scene->wait_acknowledged(setup.scene->total_messages() / 3, kFaultStartTimeout))
      << "the senders did not reach a third of their messages before the fault";
  return setup;
}

TEST(Faults, NodeKilledWhileSending) {
  RunningScene setup = start_sending("kill");
  setup.cluster->kill_node(2);
  expect_no_loss(*setup.scene, *setup.cluster);
}

TEST(Faults, NodeRestartedWhileSending) {
  RunningScene setup = start_sending("restart");
  setup.cluster->kill_node(1);
  std::this_thread::sleep_for(kOutage);
  setup.cluster->restart_node(1);
  expect_no_loss(*setup.scene, *setup.cluster);
}

TEST(Faults, OneBrokerDownAndUp) {
  RunningScene setup = start_sending("broker");
  setup.cluster->broker().broker_down(1);
  std::this_thread::sleep_for(kOutage);
  setup.cluster->broker().broker_up(1);
  expect_no_loss(*setup.scene, *setup.cluster);
}

// With every broker down, the leader of each room's partition is down too.
TEST(Faults, AllBrokersDownAndUp) {
  RunningScene setup = start_sending("brokers");
  setup.cluster->broker().broker_down(-1);
  std::this_thread::sleep_for(kOutage);
  setup.cluster->broker().broker_up(-1);
  expect_no_loss(*setup.scene, *setup.cluster);
}

TEST(Faults, PostgresStoppedAndRestarted) {
  RunningScene setup = start_sending("postgres");
  setup.cluster->postgres().stop();
  std::this_thread::sleep_for(kOutage);
  setup.cluster->postgres().restart();
  expect_no_loss(*setup.scene, *setup.cluster);
}

}  // namespace
}  // namespace parley::faults
