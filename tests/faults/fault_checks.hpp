#pragma once

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "faults/fault_scene.hpp"
#include "support/cluster.hpp"

namespace parley::faults {

// Bounds of the waits after the faults. They are generous because the CI
// machine runs the whole suite on two shared cores.
inline constexpr std::chrono::seconds kSendTimeout{180};
inline constexpr std::chrono::seconds kDeliveryTimeout{60};
inline constexpr std::chrono::seconds kStorageTimeout{60};

// Waits for the senders, then for delivery and storage, and checks the
// scene. Records a test failure, and keeps the cluster's logs, for every
// lost, duplicated or reordered message.
inline void expect_no_loss(FaultScene& scene, testing::Cluster& cluster) {
  ASSERT_TRUE(scene.wait_sent(kSendTimeout)) << "senders still running after the time limit";
  bool delivered = scene.wait_delivered(kDeliveryTimeout);
  bool stored = scene.wait_stored(kStorageTimeout);
  CheckReport report = scene.check();
  client::SessionStats stats = scene.total_stats();
  std::cout << "acknowledged " << scene.ledger().acknowledged_count() << ", unacknowledged "
            << scene.ledger().unacknowledged_count() << ", reconnects " << stats.reconnects
            << ", send retries " << stats.send_retries << ", duplicates dropped by clients "
            << stats.duplicates_dropped << "\n"
            << report.summary() << "\n";
  EXPECT_TRUE(delivered) << "not every subscriber received every acknowledged message";
  EXPECT_TRUE(stored) << "PostgreSQL does not store every acknowledged message";
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicated, 0u);
  EXPECT_EQ(report.unexpected, 0u);
  EXPECT_EQ(report.out_of_order, 0u);
  if (::testing::Test::HasFailure()) {
    cluster.keep_logs();
    std::cout << "cluster logs kept in " << cluster.log_dir() << "\n";
  }
}

}  // namespace parley::faults
