#include "kafka/history_writer.hpp"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "db/connection.hpp"
#include "db/migrate.hpp"
#include "integration/kafka/kafka_fixture.hpp"
#include "support/postgres_server.hpp"

namespace parley::kafka::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDatabase = "parley_kafka";

// One PostgreSQL server for the suite, because initdb takes seconds. Each
// test gets a fresh Kafka cluster, consumer group and room, so tests do not
// see each other's rows.
class HistoryWriterTest : public KafkaTest {
 protected:
  static void SetUpTestSuite() {
    postgres_ = parley::testing::PostgresServer::start().release();
    postgres_->create_database(kDatabase);
    auto connection = db::Connection::open(postgres_->conninfo(kDatabase));
    db::migrate(*connection);
  }

  static void TearDownTestSuite() {
    delete postgres_;
    postgres_ = nullptr;
  }

  void SetUp() override {
    KafkaTest::SetUp();
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    config_.database_url = postgres_->conninfo(kDatabase);
    config_.kafka_history_group = std::string("history-") + test->name();
    config_.history_batch_max = 50;
    config_.history_batch_wait_ms = 20;
    if (!postgres_->running()) {
      postgres_->restart();
    }
    connection_ = db::Connection::open(config_.database_url);
    create_room(test->name());
  }

  void create_room(const std::string& name) {
    db::Rows account = connection_->exec(
        "INSERT INTO accounts (username, email, password_hash, created_at, updated_at) "
        "VALUES ($1, $1 || '@example.com', 'x', now(), now()) RETURNING id",
        {name});
    sender_ = account.int64(0, 0);
    db::Rows room = connection_->exec(
        "INSERT INTO rooms (name, owner_id, created_at, updated_at) "
        "VALUES ($1, $2::bigint, now(), now()) RETURNING id",
        {name, std::to_string(sender_)});
    room_ = room.int64(0, 0);
  }

  // Runs `sql` with the room id as $1 over the test's own connection,
  // reconnecting once when a PostgreSQL restart closed it.
  db::Rows query_room(const std::string& sql) {
    try {
      return connection_->exec(sql, {std::to_string(room_)});
    } catch (const db::DbError& error) {
      if (!error.connection_lost()) {
        throw;
      }
      connection_ = db::Connection::open(config_.database_url);
      return connection_->exec(sql, {std::to_string(room_)});
    }
  }

  std::int64_t stored_rows() {
    return query_room("SELECT count(*) FROM messages WHERE room_id = $1::bigint").int64(0, 0);
  }

  std::set<MessageId> stored_ids() {
    db::Rows rows = query_room("SELECT id FROM messages WHERE room_id = $1::bigint");
    std::set<MessageId> ids;
    for (int i = 0; i < rows.size(); ++i) {
      ids.insert(rows.int64(i, 0));
    }
    return ids;
  }

  // Returns `count` new messages to room_. When `ids` is given, adds their
  // ids to it.
  std::vector<Record> messages(int count, std::set<MessageId>* ids = nullptr) {
    std::vector<Record> records;
    for (int i = 0; i < count; ++i) {
      RoomMessageRecord message = make_message(room_, sender_, "history " + std::to_string(i));
      if (ids != nullptr) {
        ids->insert(message.message_id);
      }
      records.push_back(message);
    }
    return records;
  }

  // Produces with key room_ + i so that one room's records still cover
  // several partitions, which the rebalance tests need.
  void produce_spread(Producer& producer, const std::vector<Record>& records) {
    DeliveryLog log;
    for (std::size_t i = 0; i < records.size(); ++i) {
      producer.produce(config_.kafka_messages_topic, room_ + static_cast<RoomId>(i),
                       encode(records[i]), log.callback());
    }
    ASSERT_TRUE(wait_until([&] { return log.size() == records.size(); }));
    for (const Status& status : log.statuses()) {
      ASSERT_TRUE(status.ok()) << status.error().message;
    }
  }

  // Sum of the offsets committed by the history group over all partitions:
  // the number of records it has finished with.
  std::int64_t committed_records() {
    char reason[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", config_.kafka_bootstrap_servers.c_str(), reason,
                      sizeof(reason));
    rd_kafka_conf_set(conf, "group.id", config_.kafka_history_group.c_str(), reason,
                      sizeof(reason));
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof(reason));
    EXPECT_NE(consumer, nullptr) << reason;
    if (consumer == nullptr) {
      return -1;
    }
    rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(kPartitions);
    for (int partition = 0; partition < kPartitions; ++partition) {
      rd_kafka_topic_partition_list_add(partitions, config_.kafka_messages_topic.c_str(),
                                        partition);
    }
    rd_kafka_resp_err_t error = rd_kafka_committed(consumer, partitions, 5000);
    EXPECT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
    std::int64_t total = 0;
    for (int i = 0; i < partitions->cnt; ++i) {
      total += std::max<std::int64_t>(partitions->elems[i].offset, 0);
    }
    rd_kafka_topic_partition_list_destroy(partitions);
    rd_kafka_destroy(consumer);
    return total;
  }

  std::unique_ptr<HistoryWriter> start_writer() {
    auto writer = std::make_unique<HistoryWriter>(config_);
    Status started = writer->start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    return writer;
  }

  static parley::testing::PostgresServer* postgres_;
  std::unique_ptr<db::Connection> connection_;
  AccountId sender_ = 0;
  RoomId room_ = 0;
};

parley::testing::PostgresServer* HistoryWriterTest::postgres_ = nullptr;

TEST_F(HistoryWriterTest, StoresMessagesAndCommitsOffsets) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  std::set<MessageId> sent;
  std::vector<Record> records = messages(120, &sent);
  // Events and an undecodable record are skipped, but their offsets count.
  records.push_back(LeaveRoomEvent{room_, sender_, false});
  records.push_back(RemoveMembersEvent{room_, {sender_}});
  produce_spread(*producer, records);
  DeliveryLog log;
  producer->produce(config_.kafka_messages_topic, room_, "garbage", log.callback());
  ASSERT_TRUE(wait_until([&] { return log.size() == 1; }));
  const std::int64_t total_records = static_cast<std::int64_t>(records.size()) + 1;

  auto writer = start_writer();
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 120; }, 30s)) << stored_rows();
  EXPECT_EQ(stored_ids(), sent);
  EXPECT_EQ(writer->stored_count(), 120);
  ASSERT_TRUE(wait_until([&] { return committed_records() == total_records; }))
      << committed_records() << " of " << total_records;
  writer->stop();
}

TEST_F(HistoryWriterTest, StoredRowMatchesRecord) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  RoomMessageRecord message{
      room_,   sender_,   Timestamp(std::chrono::milliseconds(1735689600123)), next_message_id(),
      "grüße", "client-1"};
  produce_all(*producer, {message});

  auto writer = start_writer();
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 1; }, 30s));
  db::Rows row = query_room(
      "SELECT id, room_id, sender_id, message, \"timestamp\", client_message_id FROM messages "
      "WHERE room_id = $1::bigint");
  EXPECT_EQ(row.int64(0, 0), message.message_id);
  EXPECT_EQ(row.int64(0, 1), room_);
  EXPECT_EQ(row.int64(0, 2), sender_);
  EXPECT_EQ(row.string(0, 3), "grüße");
  EXPECT_EQ(row.timestamp(0, 4), message.timestamp);
  EXPECT_EQ(row.optional_string(0, 5), std::optional<std::string>("client-1"));
}

// Ids from several nodes are not in Kafka order, so the rows carry the
// position of their record. The ids here decrease along the partition.
TEST_F(HistoryWriterTest, StoresKafkaPositions) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  std::vector<MessageId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(next_message_id());
  std::reverse(ids.begin(), ids.end());
  std::vector<Record> records;
  for (MessageId id : ids) {
    records.push_back(RoomMessageRecord{room_, sender_, now_utc(), id, "positioned", std::nullopt});
  }
  produce_all(*producer, records);

  auto writer = start_writer();
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 5; }, 30s)) << stored_rows();
  db::Rows rows = query_room(
      "SELECT id, kafka_partition, kafka_offset FROM messages WHERE room_id = $1::bigint "
      "ORDER BY kafka_offset");
  ASSERT_EQ(rows.size(), 5);
  for (int i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows.int64(i, 0), ids[static_cast<std::size_t>(i)]) << "row " << i;
    ASSERT_FALSE(rows.is_null(i, 1)) << "row " << i;
    ASSERT_FALSE(rows.is_null(i, 2)) << "row " << i;
    EXPECT_EQ(rows.int32(i, 1), rows.int32(0, 1)) << "row " << i;
  }
  writer->stop();
}

TEST_F(HistoryWriterTest, RedeliveryStoresNoDuplicate) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  std::vector<Record> records = messages(10);
  // The same message twice, as after a producer retry or an outbox replay.
  records.push_back(records.front());
  produce_spread(*producer, records);

  auto writer = start_writer();
  ASSERT_TRUE(wait_until([&] { return committed_records() == 11; }, 30s));
  EXPECT_EQ(stored_rows(), 10);
  EXPECT_EQ(writer->stored_count(), 10);
}

TEST_F(HistoryWriterTest, TwoWritersStoreEachMessageOnce) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  auto first = start_writer();
  auto second = start_writer();

  std::set<MessageId> sent;
  produce_spread(*producer, messages(150, &sent));
  ASSERT_TRUE(wait_until([&] { return stored_rows() >= 50; }, 30s));

  // Stopping one writer mid-stream hands its partitions to the other.
  first->stop();
  produce_spread(*producer, messages(150, &sent));
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 300; }, 60s)) << stored_rows();
  ASSERT_TRUE(wait_until([&] { return committed_records() == 300; }, 30s)) << committed_records();

  EXPECT_EQ(stored_ids(), sent);
  EXPECT_EQ(first->stored_count() + second->stored_count(), 300);
  EXPECT_GT(second->stored_count(), 0);
}

TEST_F(HistoryWriterTest, RetriesWhileDatabaseDown) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  auto writer = start_writer();
  std::set<MessageId> sent;
  produce_spread(*producer, messages(5, &sent));
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 5; }, 30s));
  ASSERT_TRUE(wait_until([&] { return committed_records() == 5; }));

  postgres_->stop();
  produce_spread(*producer, messages(20, &sent));
  // Nothing can be stored, so nothing past the first five may be committed.
  // The writer retries meanwhile and logs each attempt.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(committed_records(), 5);

  postgres_->restart();
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 25; }, 30s)) << stored_rows();
  ASSERT_TRUE(wait_until([&] { return committed_records() == 25; }));
  EXPECT_EQ(stored_ids(), sent);
  EXPECT_EQ(writer->stored_count(), 25);
}

TEST_F(HistoryWriterTest, NewGroupStartsAtEarliest) {
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  produce_spread(*producer, messages(30));
  auto writer = start_writer();
  ASSERT_TRUE(wait_until([&] { return stored_rows() == 30; }, 30s)) << stored_rows();
}

}  // namespace
}  // namespace parley::kafka::testing
