#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/config.hpp"
#include "kafka/producer.hpp"

namespace parley::kafka {

// Publishes the rows of the PostgreSQL outbox (room events written in the
// same transaction as a membership change) to the messages topic, in id
// order, keyed by room id.
//
// Every node runs a relay, but only the one holding the session advisory
// lock kOutboxRelayLockKey on its own connection publishes; the others try
// to take the lock every second. PostgreSQL releases the lock when the
// holder's session ends, so when the relaying node dies another one takes
// over within about a second, with no configuration. The holder sleeps on
// LISTEN parley_outbox, so an event is relayed as soon as its transaction
// commits, without polling.
//
// Delivery is at least once: the position is saved after Kafka acknowledged
// a row, so a relay that dies between the two publishes that row again.
// Applying a room event twice changes nothing.
class OutboxRelay {
 public:
  OutboxRelay(const Config& config, Producer& producer);
  ~OutboxRelay();  // calls stop()

  void start();
  void stop();

  // True while this node holds the relay lock.
  bool is_leader() const { return leader_.load(); }
  std::int64_t published_count() const { return published_.load(); }

 private:
  void run();
  // Publishes every pending row; returns false when Kafka failed.
  bool publish_pending(class RelaySession& session);
  bool sleep_for(std::chrono::milliseconds delay);

  const Config& config_;
  Producer& producer_;
  std::atomic<bool> leader_{false};
  std::atomic<std::int64_t> published_{0};
  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace parley::kafka
