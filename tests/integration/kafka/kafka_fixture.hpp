#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/config.hpp"
#include "kafka/producer.hpp"
#include "kafka/records.hpp"
#include "support/devbroker_process.hpp"

namespace parley::kafka::testing {

inline constexpr int kPartitions = 6;

// Polls `condition` every 10 ms until it is true or `timeout` expires.
// Returns whether it became true.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Returns a message id that no other record of this test binary uses.
inline MessageId next_message_id() {
  static std::atomic<MessageId> last{1000};
  return ++last;
}

inline RoomMessageRecord make_message(RoomId room, AccountId sender, const std::string& text) {
  return RoomMessageRecord{room, sender, now_utc(), next_message_id(), text, std::nullopt};
}

// Delivery results of produced records, filled on the producer's poll
// thread and read by the test.
class DeliveryLog {
 public:
  std::function<void(Status)> callback() {
    return [this](Status status) {
      std::lock_guard lock(mutex_);
      statuses_.push_back(std::move(status));
    };
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return statuses_.size();
  }

  std::vector<Status> statuses() {
    std::lock_guard lock(mutex_);
    return statuses_;
  }

 private:
  std::mutex mutex_;
  std::vector<Status> statuses_;
};

// Runs parley-devbroker (3 brokers, kPartitions partitions, topic
// `messages`) for each test and stops it afterwards, also when the test
// fails.
class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = parley::testing::DevBrokerProcess::start(
        parley::testing::DevBrokerProcess::default_binary(), 3, kPartitions);
    config_.kafka_bootstrap_servers = broker_->bootstrap_servers();
    config_.kafka_messages_topic = "messages";
    config_.kafka_produce_timeout_ms = 5000;
  }

  void TearDown() override { broker_.reset(); }

  std::unique_ptr<Producer> make_producer() {
    Result<std::unique_ptr<Producer>> producer = Producer::create(config_);
    EXPECT_TRUE(producer.ok()) << (producer.ok() ? "" : producer.error().message);
    return producer.ok() ? std::move(producer).value() : nullptr;
  }

  // Produces `records` and waits until each got its delivery report.
  // Fails the test unless every one was acknowledged.
  void produce_all(Producer& producer, const std::vector<Record>& records) {
    DeliveryLog log;
    for (const Record& record : records) {
      producer.produce(config_.kafka_messages_topic, room_of(record), encode(record),
                       log.callback());
    }
    ASSERT_TRUE(wait_until([&] { return log.size() == records.size(); }));
    for (const Status& status : log.statuses()) {
      ASSERT_TRUE(status.ok()) << status.error().message;
    }
  }

  static RoomId room_of(const Record& record) {
    return std::visit([](const auto& value) { return value.room_id; }, record);
  }

  std::unique_ptr<parley::testing::DevBrokerProcess> broker_;
  Config config_;
};

}  // namespace parley::kafka::testing
