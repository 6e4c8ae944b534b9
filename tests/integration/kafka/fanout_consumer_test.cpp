#include "kafka/fanout_consumer.hpp"

#include <map>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "integration/kafka/kafka_fixture.hpp"

namespace parley::kafka::testing {
namespace {

using namespace std::chrono_literals;

struct Received {
  Record record;
  std::int32_t partition;
  std::int64_t offset;
};

// Collects what a FanoutConsumer hands over, for the test thread to read.
class Collector {
 public:
  FanoutConsumer::Handler handler() {
    return [this](const Record& record, std::int32_t partition, std::int64_t offset) {
      std::lock_guard lock(mutex_);
      received_.push_back({record, partition, offset});
    };
  }

  // Records the number of records handed over since the previous batch end.
  FanoutConsumer::BatchEndHandler batch_end_handler() {
    return [this] {
      std::lock_guard lock(mutex_);
      batch_sizes_.push_back(received_.size() - batched_);
      batched_ = received_.size();
    };
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return received_.size();
  }

  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::set<MessageId> message_ids() {
    std::set<MessageId> ids;
    for (const Received& item : received()) {
      if (auto* message = std::get_if<RoomMessageRecord>(&item.record)) {
        ids.insert(message->message_id);
      }
    }
    return ids;
  }

 private:
  std::mutex mutex_;
  std::vector<Received> received_;
  std::vector<std::size_t> batch_sizes_;
  std::size_t batched_ = 0;
};

class FanoutConsumerTest : public KafkaTest {
 protected:
  std::unique_ptr<FanoutConsumer> start_consumer(Collector& collector) {
    auto consumer = std::make_unique<FanoutConsumer>(config_, collector.handler());
    consumer->set_batch_end_handler(collector.batch_end_handler());
    Status started = consumer->start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    return consumer;
  }
};

TEST_F(FanoutConsumerTest, AssignsEveryPartition) {
  Collector collector;
  auto consumer = start_consumer(collector);
  EXPECT_EQ(consumer->partition_count(), kPartitions);
}

TEST_F(FanoutConsumerTest, ReceivesInOrderPerPartition) {
  Collector collector;
  auto consumer = start_consumer(collector);
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);

  constexpr int kRooms = 12;
  constexpr int kPerRoom = 25;
  std::vector<Record> records;
  std::map<RoomId, std::vector<MessageId>> sent_per_room;
  for (int i = 0; i < kPerRoom; ++i) {
    for (RoomId room = 1; room <= kRooms; ++room) {
      RoomMessageRecord message = make_message(room, 7, "m" + std::to_string(i));
      sent_per_room[room].push_back(message.message_id);
      records.push_back(message);
    }
  }
  produce_all(*producer, records);
  ASSERT_TRUE(wait_until([&] { return collector.size() == records.size(); }))
      << "received " << collector.size() << " of " << records.size();

  std::map<RoomId, std::vector<MessageId>> received_per_room;
  std::map<RoomId, std::set<std::int32_t>> partitions_per_room;
  std::map<std::int32_t, std::int64_t> last_offset;
  for (const Received& item : collector.received()) {
    const auto& message = std::get<RoomMessageRecord>(item.record);
    received_per_room[message.room_id].push_back(message.message_id);
    partitions_per_room[message.room_id].insert(item.partition);
    auto previous = last_offset.find(item.partition);
    if (previous != last_offset.end()) {
      EXPECT_GT(item.offset, previous->second) << "partition " << item.partition;
    }
    last_offset[item.partition] = item.offset;
  }
  EXPECT_EQ(received_per_room, sent_per_room);
  for (const auto& [room, partitions] : partitions_per_room) {
    EXPECT_EQ(partitions.size(), 1u) << "room " << room;
  }
  EXPECT_GT(last_offset.size(), 1u) << "all rooms landed in one partition";
}

TEST_F(FanoutConsumerTest, EndsEveryBatchAfterItsRecords) {
  Collector collector;
  auto consumer = start_consumer(collector);
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);

  // Produced together, so the consumer fetches many of them at once.
  std::vector<Record> records;
  for (int i = 0; i < 400; ++i) records.push_back(make_message(i % 3, 5, "batched"));
  produce_all(*producer, records);
  ASSERT_TRUE(wait_until([&] {
    std::vector<std::size_t> sizes = collector.batch_sizes();
    return std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}) == records.size();
  })) << "received "
      << collector.size() << " of " << records.size()
      << " records, not all followed by a batch end";

  std::vector<std::size_t> sizes = collector.batch_sizes();
  for (std::size_t size : sizes) {
    EXPECT_GE(size, 1u);
    EXPECT_LE(size, FanoutConsumer::kMaxBatchRecords);
  }
  EXPECT_LT(sizes.size(), records.size()) << "every record came in a batch of its own";
}

TEST_F(FanoutConsumerTest, TwoConsumersBothReceiveEverything) {
  Collector first;
  Collector second;
  auto first_consumer = start_consumer(first);
  auto second_consumer = start_consumer(second);
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);

  std::vector<Record> records;
  std::set<MessageId> sent;
  for (int i = 0; i < 60; ++i) {
    RoomMessageRecord message = make_message(i % 9, 3, "both");
    sent.insert(message.message_id);
    records.push_back(message);
  }
  records.push_back(LeaveRoomEvent{4, 3, false});
  produce_all(*producer, records);

  ASSERT_TRUE(wait_until([&] { return first.size() == records.size(); }));
  ASSERT_TRUE(wait_until([&] { return second.size() == records.size(); }));
  EXPECT_EQ(first.message_ids(), sent);
  EXPECT_EQ(second.message_ids(), sent);
}

TEST_F(FanoutConsumerTest, StartsAtEndOfEachPartition) {
  constexpr RoomId kRooms = 12;
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  std::vector<Record> before;
  for (RoomId room = 0; room < kRooms; ++room) {
    before.push_back(make_message(room, 1, "before start"));
  }
  produce_all(*producer, before);

  Collector collector;
  auto consumer = start_consumer(collector);
  // One record per room lands in every partition that an older record went
  // to. Partition order means an older record would arrive before it, so
  // once these arrived nothing older can still come.
  std::vector<Record> after;
  std::set<MessageId> after_ids;
  for (RoomId room = 0; room < kRooms; ++room) {
    RoomMessageRecord message = make_message(room, 1, "after start");
    after_ids.insert(message.message_id);
    after.push_back(message);
  }
  produce_all(*producer, after);
  ASSERT_TRUE(wait_until([&] { return collector.size() >= after.size(); }));
  EXPECT_EQ(collector.message_ids(), after_ids);
  EXPECT_EQ(collector.size(), after.size());
}

TEST_F(FanoutConsumerTest, SkipsUndecodableRecords) {
  Collector collector;
  auto consumer = start_consumer(collector);
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);

  DeliveryLog log;
  producer->produce(config_.kafka_messages_topic, 8, "not an SBE record", log.callback());
  std::string wrong_schema = encode(make_message(8, 1, "schema 101"));
  wrong_schema[4] = 101;
  producer->produce(config_.kafka_messages_topic, 8, wrong_schema, log.callback());
  ASSERT_TRUE(wait_until([&] { return log.size() == 2; }));
  RoomMessageRecord valid = make_message(8, 1, "valid");
  produce_all(*producer, {valid});

  ASSERT_TRUE(wait_until([&] { return collector.size() >= 1; }));
  std::vector<Received> received = collector.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(std::get<RoomMessageRecord>(received[0].record), valid);
  // The valid record follows the two bad ones in the same partition.
  EXPECT_GE(received[0].offset, 2);
}

TEST_F(FanoutConsumerTest, StopJoinsAndIsIdempotent) {
  Collector collector;
  auto consumer = start_consumer(collector);
  consumer->stop();
  consumer->stop();
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  produce_all(*producer, {make_message(1, 1, "after stop")});
  EXPECT_EQ(collector.size(), 0u);
}

TEST(FanoutConsumerStart, UnreachableClusterIsAnError) {
  Config config;
  config.kafka_bootstrap_servers =
      "127.0.0.1:" + std::to_string(parley::testing::free_loopback_port());
  config.kafka_produce_timeout_ms = 500;
  FanoutConsumer consumer(config, [](const Record&, std::int32_t, std::int64_t) {});
  Status started = consumer.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, 503);
}

}  // namespace
}  // namespace parley::kafka::testing
