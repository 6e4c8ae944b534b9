#include "kafka/producer.hpp"

#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "integration/kafka/kafka_fixture.hpp"

namespace parley::kafka::testing {
namespace {

using namespace std::chrono_literals;

class ProducerTest : public KafkaTest {};

TEST_F(ProducerTest, DeliversAndReportsOnce) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  constexpr int kRecords = 20;

  std::mutex mutex;
  std::map<int, int> reports_per_record;
  std::map<int, bool> ok_per_record;
  std::set<std::thread::id> callback_threads;
  for (int i = 0; i < kRecords; ++i) {
    producer->produce(config_.kafka_messages_topic, i % 3, encode(make_message(i % 3, 1, "hello")),
                      [&, i](Status status) {
                        std::lock_guard lock(mutex);
                        ++reports_per_record[i];
                        ok_per_record[i] = status.ok();
                        callback_threads.insert(std::this_thread::get_id());
                      });
  }
  ASSERT_TRUE(producer->flush(10s));

  std::lock_guard lock(mutex);
  ASSERT_EQ(reports_per_record.size(), static_cast<std::size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ(reports_per_record[i], 1) << "record " << i;
    EXPECT_TRUE(ok_per_record[i]) << "record " << i;
  }
  ASSERT_EQ(callback_threads.size(), 1u);
  EXPECT_NE(*callback_threads.begin(), std::this_thread::get_id());
}

TEST_F(ProducerTest, ProbeSucceedsWhileClusterUp) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  EXPECT_TRUE(producer->probe(5s));
}

TEST_F(ProducerTest, Reports503WhenAllBrokersDown) {
  // Long enough for the first record on a fresh mock cluster.
  config_.kafka_produce_timeout_ms = 4000;
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  produce_all(*producer, {make_message(1, 1, "before")});

  broker_->broker_down(-1);
  DeliveryLog down_log;
  producer->produce(config_.kafka_messages_topic, 1, encode(make_message(1, 1, "while down")),
                    down_log.callback());
  ASSERT_TRUE(wait_until([&] { return down_log.size() == 1; }, 15s));
  ASSERT_FALSE(down_log.statuses()[0].ok());
  EXPECT_EQ(down_log.statuses()[0].error(), (Error{503, "Service unavailable: messaging"}));
  EXPECT_FALSE(producer->probe(500ms));

  broker_->broker_up(-1);
  DeliveryLog up_log;
  producer->produce(config_.kafka_messages_topic, 1, encode(make_message(1, 1, "after")),
                    up_log.callback());
  ASSERT_TRUE(wait_until([&] { return up_log.size() == 1; }, 10s));
  EXPECT_TRUE(up_log.statuses()[0].ok()) << up_log.statuses()[0].error().message;
  EXPECT_EQ(down_log.size(), 1u);
}

TEST_F(ProducerTest, DestructorFailsUnacknowledgedRecords) {
  // Long enough for the first record on a fresh mock cluster, which waits
  // for metadata and the idempotent producer id; 1000 ms once timed out.
  config_.kafka_produce_timeout_ms = 4000;
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  produce_all(*producer, {make_message(2, 1, "before")});

  broker_->broker_down(-1);
  DeliveryLog log;
  for (int i = 0; i < 5; ++i) {
    producer->produce(config_.kafka_messages_topic, 2, encode(make_message(2, 1, "lost")),
                      log.callback());
  }
  producer.reset();

  std::vector<Status> statuses = log.statuses();
  ASSERT_EQ(statuses.size(), 5u);
  for (const Status& status : statuses) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, 503);
  }
}

TEST_F(ProducerTest, RejectedRecordReportsOnPollThread) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  // librdkafka rejects a value over message.max.bytes (1000000 by default)
  // inside rd_kafka_producev(), before it is queued.
  std::mutex mutex;
  std::vector<Status> statuses;
  std::thread::id callback_thread;
  producer->produce(config_.kafka_messages_topic, 1, std::string(2'000'000, 'x'),
                    [&](Status status) {
                      std::lock_guard lock(mutex);
                      statuses.push_back(std::move(status));
                      callback_thread = std::this_thread::get_id();
                    });
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mutex);
    return !statuses.empty();
  }));
  std::lock_guard lock(mutex);
  ASSERT_EQ(statuses.size(), 1u);
  ASSERT_FALSE(statuses[0].ok());
  EXPECT_EQ(statuses[0].error(), kMessagingUnavailable);
  EXPECT_NE(callback_thread, std::this_thread::get_id());
}

TEST(ProducerCreate, InvalidSettingIsAnError) {
  Config config;
  config.kafka_bootstrap_servers = "127.0.0.1:1";
  config.kafka_linger_ms = -1;
  Result<std::unique_ptr<Producer>> producer = Producer::create(config);
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.error().code, 500);
  EXPECT_NE(producer.error().message.find("linger.ms=-1"), std::string::npos)
      << producer.error().message;
}

}  // namespace
}  // namespace parley::kafka::testing
