// Random faults for a few minutes while resilient clients send: node
// kills and restarts and PostgreSQL restarts (broker outages on request), one at a
// time at random moments. Fails unless no acknowledged message was lost or
// duplicated.
//
// PARLEY_SOAK_SECONDS sets the length of the fault phase (default 180).
// PARLEY_SOAK_SEED fixes the seed of the fault schedule; without it the
// seed is random. PARLEY_SOAK_BROKER_FAULTS=1 adds broker outages. Either way the seed is printed,
// so a failing schedule can be repeated.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "faults/fault_checks.hpp"
#include "faults/fault_scene.hpp"
#include "support/cluster.hpp"

namespace parley::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int kDefaultSeconds = 180;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    return fallback;
  }
  return std::stoull(text);
}

// Injects one random fault and repairs it after a random outage of 2 to 5
// seconds. Returns a description for the log.
//
// NOTE: broker outages are left out unless PARLEY_SOAK_BROKER_FAULTS=1. In
// soak runs the devbroker aborted after a few broker outages mixed with node
// restarts: librdkafka 2.0.2's mock cluster failed the assertion
// `!member->resp` in rd_kafka_mock_cgrp_member_add while the history
// writer's group rejoined. The fault suite takes one broker, and every
// broker, down once each (OneBrokerDownAndUp, AllBrokersDownAndUp).
std::string inject_fault(testing::Cluster& cluster, std::mt19937_64& random) {
  const bool broker_faults = env_number("PARLEY_SOAK_BROKER_FAULTS", 0) != 0;
  std::uniform_int_distribution<int> kind(0, broker_faults ? 2 : 1);
  std::uniform_int_distribution<int> outage_ms(2000, 5000);
  milliseconds outage(outage_ms(random));
  switch (kind(random)) {
    case 0: {
      std::size_t node = std::uniform_int_distribution<std::size_t>(0, cluster.size() - 1)(random);
      cluster.kill_node(node);
      std::this_thread::sleep_for(outage);
      cluster.restart_node(node);
      return "killed node " + std::to_string(node) + " for " + std::to_string(outage.count()) +
             " ms";
    }
    case 1:
      cluster.postgres().stop();
      std::this_thread::sleep_for(outage);
      cluster.postgres().restart();
      return "stopped PostgreSQL for " + std::to_string(outage.count()) + " ms";
    default: {
      // -1 takes every broker down, so the partition leaders too.
      int broker = std::uniform_int_distribution<int>(0, 3)(random);
      broker = broker == 0 ? -1 : broker;
      cluster.broker().broker_down(broker);
      std::this_thread::sleep_for(outage);
      cluster.broker().broker_up(broker);
      return "took broker " + std::to_string(broker) + " down for " +
             std::to_string(outage.count()) + " ms";
    }
  }
}

TEST(FaultSoak, RandomFaultsLoseNothing) {
  const seconds length(env_number("PARLEY_SOAK_SECONDS", kDefaultSeconds));
  const std::uint64_t seed = env_number("PARLEY_SOAK_SEED", std::random_device{}());
  std::cout << "soak: " << length.count() << " s, seed " << seed
            << " (set PARLEY_SOAK_SEED to repeat)\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 random(seed);

  auto cluster = testing::Cluster::start();
  // Senders keep sending until the fault phase ends.
  FaultScene scene(*cluster, SceneOptions{.name = "soak",
                                          .rooms = 2,
                                          .members_per_room = 3,
                                          .messages_per_member = 1000000,
                                          .pause = milliseconds(250)});
  scene.set_up();
  scene.start_sending();

  const auto end = Clock::now() + length;
  std::uniform_int_distribution<int> gap_ms(2000, 8000);
  int faults = 0;
  while (Clock::now() < end) {
    std::this_thread::sleep_for(milliseconds(gap_ms(random)));
    if (Clock::now() >= end) {
      break;
    }
    std::string fault = inject_fault(*cluster, random);
    ++faults;
    std::cout << "soak: fault " << faults << ": " << fault << ", acknowledged so far "
              << scene.ledger().acknowledged_count() << "\n";
  }
  scene.stop_sending();

  expect_no_loss(scene, *cluster);
  CheckReport report = scene.check();
  std::cout << "soak: " << faults << " faults, lost " << report.lost << ", duplicated "
            << report.duplicated << ", seed " << seed << "\n";
  EXPECT_GT(faults, 0);
}

}  // namespace
}  // namespace parley::faults
