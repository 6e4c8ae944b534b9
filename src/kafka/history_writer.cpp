#include "kafka/history_writer.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "common/thread_name.hpp"
#include "db/connection.hpp"
#include "db/messages.hpp"
#include "kafka/client.hpp"
#include "kafka/records.hpp"

namespace parley::kafka {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};
constexpr std::chrono::milliseconds kInitialRetryDelay{100};
constexpr std::chrono::milliseconds kMaxRetryDelay{5000};
// A writer that dies without leaving the group keeps its partitions until
// the session timeout expires. librdkafka's default is 45 s. 6 s is the
// lowest value Apache Kafka brokers accept by default
// (group.min.session.timeout.ms).
constexpr int kSessionTimeoutMs = 6000;
constexpr int kHeartbeatIntervalMs = 1000;

std::chrono::milliseconds retry_delay(int attempt) {
  auto delay = kInitialRetryDelay * (1LL << std::min(attempt - 1, 16));
  return std::min<std::chrono::milliseconds>(delay, kMaxRetryDelay);
}

db::MessageRow to_row(RoomMessageRecord&& message) {
  db::MessageRow row;
  row.id = message.message_id;
  row.room_id = message.room_id;
  row.sender_id = message.sender_id;
  row.message = std::move(message.text);
  row.timestamp = message.timestamp;
  row.client_message_id = std::move(message.client_message_id);
  return row;
}

}  // namespace

struct HistoryWriter::Impl {
  Config config;
  detail::HandlePtr handle;
  std::unique_ptr<db::Connection> connection;
  std::atomic<std::int64_t> stored{0};
  std::atomic<std::int64_t> lag_ms{0};
  std::atomic<int> assigned_partitions{0};
  std::atomic<bool> stopping{false};
  std::thread thread;
  detail::LogRateLimiter skip_log_limiter;
  detail::LogRateLimiter error_log_limiter;

  // The batch: rows not yet stored, and per partition the offset after the
  // last record taken, which is what gets committed. All of it is only
  // touched on the writer thread, rebalance callbacks included.
  std::vector<db::MessageRow> rows;
  // The Kafka position of each row in `rows`, at the same index.
  std::vector<db::KafkaPosition> positions;
  std::map<std::int32_t, std::int64_t> next_offsets;
  std::chrono::steady_clock::time_point batch_deadline;
  bool paused = false;

  Status create_handle();
  void run();
  void poll_once(std::chrono::milliseconds timeout);
  void take(const rd_kafka_message_t& message);
  bool batch_full() const;
  void store_with_retry();
  bool store_and_commit();
  void store_rows();
  bool commit_offsets();
  void set_paused(bool pause);
  void drop_batch(const char* reason);
  void on_rebalance(rd_kafka_resp_err_t event, rd_kafka_topic_partition_list_t* partitions);
};

namespace {

void rebalance_callback(rd_kafka_t*, rd_kafka_resp_err_t event,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<HistoryWriter::Impl*>(opaque)->on_rebalance(event, partitions);
}

}  // namespace

Status HistoryWriter::Impl::create_handle() {
  detail::ClientConfig client_config(config, "parley-history");
  client_config.set("group.id", config.kafka_history_group);
  client_config.set("enable.auto.commit", "false");
  client_config.set("enable.auto.offset.store", "false");
  client_config.set("auto.offset.reset", "earliest");
  client_config.set("fetch.wait.max.ms", std::to_string(config.kafka_fetch_wait_max_ms));
  client_config.set("session.timeout.ms", std::to_string(kSessionTimeoutMs));
  client_config.set("heartbeat.interval.ms", std::to_string(kHeartbeatIntervalMs));
  rd_kafka_conf_set_opaque(client_config.native(), this);
  rd_kafka_conf_set_rebalance_cb(client_config.native(), rebalance_callback);
  Result<rd_kafka_t*> created = client_config.create_handle(RD_KAFKA_CONSUMER);
  if (!created) {
    return created.error();
  }
  handle.reset(*created);
  rd_kafka_poll_set_consumer(handle.get());

  detail::PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), config.kafka_messages_topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t error = rd_kafka_subscribe(handle.get(), topics.get());
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    handle.reset();
    return Error{500, fmt::format("subscribing to {} failed: {}", config.kafka_messages_topic,
                                  rd_kafka_err2str(error))};
  }
  return Done{};
}

void HistoryWriter::Impl::run() {
  while (!stopping.load()) {
    auto timeout = kPollInterval;
    if (!next_offsets.empty()) {
      timeout =
          detail::poll_timeout(batch_deadline, std::chrono::steady_clock::now(), kPollInterval);
    }
    poll_once(timeout);
    if (batch_full() ||
        (!next_offsets.empty() && std::chrono::steady_clock::now() >= batch_deadline)) {
      store_with_retry();
    }
  }
  // Stopping: one attempt to store what is in hand. When it fails, the
  // offsets stay uncommitted, so the next owner of the partition reads the
  // records again.
  if (!next_offsets.empty()) {
    store_and_commit();
  }
  rd_kafka_consumer_close(handle.get());
}

void HistoryWriter::Impl::poll_once(std::chrono::milliseconds timeout) {
  rd_kafka_message_t* message =
      rd_kafka_consumer_poll(handle.get(), static_cast<int>(timeout.count()));
  if (message == nullptr) {
    return;
  }
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::uint64_t suppressed = 0;
    if (error_log_limiter.allow(suppressed)) {
      logger("kafka")->warn("history consumer error on {} [{}]: {} ({} similar errors not logged)",
                            config.kafka_messages_topic, message->partition,
                            rd_kafka_message_errstr(message), suppressed);
    }
  } else {
    take(*message);
  }
  rd_kafka_message_destroy(message);
}

void HistoryWriter::Impl::take(const rd_kafka_message_t& message) {
  if (next_offsets.empty()) {
    batch_deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config.history_batch_wait_ms);
  }
  next_offsets[message.partition] = message.offset + 1;

  std::string_view value(static_cast<const char*>(message.payload), message.len);
  Result<Record> record = decode(value);
  if (!record) {
    std::uint64_t suppressed = 0;
    if (skip_log_limiter.allow(suppressed)) {
      logger("kafka")->warn(
          "history writer skipping record {} [{}] at offset {}: {} ({} similar "
          "records not logged)",
          config.kafka_messages_topic, message.partition, message.offset, record.error().message,
          suppressed);
    }
    return;
  }
  if (auto* room_message = std::get_if<RoomMessageRecord>(&*record)) {
    rows.push_back(to_row(std::move(*room_message)));
    positions.push_back({message.partition, message.offset});
  }
}

bool HistoryWriter::Impl::batch_full() const {
  return rows.size() >= static_cast<std::size_t>(std::max(config.history_batch_max, 1));
}

// Retries until the batch is stored and committed, the batch is dropped by
// a rebalance, or stop() is called. It keeps polling while it waits, so the
// consumer stays in its group and its rebalance callback still runs. The
// partitions are paused meanwhile, so the batch does not grow without bound.
void HistoryWriter::Impl::store_with_retry() {
  for (int attempt = 1; !store_and_commit(); ++attempt) {
    if (next_offsets.empty() || stopping.load()) {
      break;
    }
    auto delay = retry_delay(attempt);
    logger("kafka")->warn("history batch of {} messages not stored (attempt {}), retrying in {} ms",
                          rows.size(), attempt, delay.count());
    set_paused(true);
    const auto retry_at = std::chrono::steady_clock::now() + delay;
    while (!stopping.load() && !next_offsets.empty() &&
           std::chrono::steady_clock::now() < retry_at) {
      poll_once(detail::poll_timeout(retry_at, std::chrono::steady_clock::now(), kPollInterval));
    }
    if (next_offsets.empty() || stopping.load()) {
      break;
    }
  }
  set_paused(false);
}

// Stores the rows in one transaction, then commits the offsets. Returns
// false when either step failed. Rows already stored leave the batch, so a
// retry only commits.
bool HistoryWriter::Impl::store_and_commit() {
  try {
    store_rows();
  } catch (const db::DbError& error) {
    logger("kafka")->warn("storing {} messages failed: {} (SQLSTATE {}, connection lost: {})",
                          rows.size(), error.what(), error.sqlstate(), error.connection_lost());
    if (error.connection_lost() || (connection && !connection->ok())) {
      connection.reset();
    }
    return false;
  } catch (const std::exception& error) {
    // Not a database error, so a fault in Parley. The thread must not die,
    // because then nothing would be stored at all.
    logger("kafka")->error("storing {} messages failed: {}", rows.size(), error.what());
    connection.reset();
    return false;
  }
  return commit_offsets();
}

void HistoryWriter::Impl::store_rows() {
  if (rows.empty()) {
    return;
  }
  if (!connection || !connection->is_alive()) {
    connection.reset();
    connection = db::Connection::open(config.database_url, config.db_statement_timeout_ms);
    logger("kafka")->info("history writer connected to the database");
  }
  db::Transaction transaction(*connection);
  std::size_t inserted = db::messages::insert_batch(*connection, rows, positions);
  transaction.commit();
  stored.fetch_add(static_cast<std::int64_t>(inserted));
  auto oldest = std::min_element(rows.begin(), rows.end(), [](const auto& left, const auto& right) {
    return left.timestamp < right.timestamp;
  });
  lag_ms.store((now_utc() - oldest->timestamp).count());
  logger("kafka")->debug("history writer stored {} of {} messages", inserted, rows.size());
  rows.clear();
  positions.clear();
}

bool HistoryWriter::Impl::commit_offsets() {
  detail::PartitionListPtr offsets(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
  for (const auto& [partition, offset] : next_offsets) {
    rd_kafka_topic_partition_list_add(offsets.get(), config.kafka_messages_topic.c_str(), partition)
        ->offset = offset;
  }
  rd_kafka_resp_err_t error = rd_kafka_commit(handle.get(), offsets.get(), /*async=*/0);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    next_offsets.clear();
    return true;
  }
  logger("kafka")->warn("committing history offsets of {} partitions failed: {}",
                        next_offsets.size(), rd_kafka_err2str(error));
  if (error == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
      error == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
      error == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) {
    // The partitions are moving to another member, which reads the
    // uncommitted records again. The stored rows are inserted idempotently.
    drop_batch("the group is rebalancing");
  }
  return false;
}

void HistoryWriter::Impl::set_paused(bool pause) {
  if (pause == paused) {
    return;
  }
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return;
  }
  detail::PartitionListPtr owned(assignment);
  if (pause) {
    rd_kafka_pause_partitions(handle.get(), assignment);
  } else {
    rd_kafka_resume_partitions(handle.get(), assignment);
  }
  paused = pause;
}

void HistoryWriter::Impl::drop_batch(const char* reason) {
  if (!next_offsets.empty()) {
    logger("kafka")->info(
        "history writer {} dropping the uncommitted offsets of {} partitions and {} unstored "
        "messages because {}",
        rd_kafka_name(handle.get()), next_offsets.size(), rows.size(), reason);
  }
  rows.clear();
  positions.clear();
  next_offsets.clear();
}

void HistoryWriter::Impl::on_rebalance(rd_kafka_resp_err_t event,
                                       rd_kafka_topic_partition_list_t* partitions) {
  auto log = logger("kafka");
  if (event == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    log->info("history writer {} assigned {} partitions of {}", rd_kafka_name(handle.get()),
              partitions->cnt, config.kafka_messages_topic);
    rd_kafka_assign(handle.get(), partitions);
    assigned_partitions.store(partitions->cnt);
    return;
  }
  log->info("history writer {} revoked {} partitions of {}", rd_kafka_name(handle.get()),
            partitions->cnt, config.kafka_messages_topic);
  drop_batch("its partitions were revoked");
  if (paused) {
    rd_kafka_resume_partitions(handle.get(), partitions);
    paused = false;
  }
  rd_kafka_assign(handle.get(), nullptr);
  assigned_partitions.store(0);
}

HistoryWriter::HistoryWriter(const Config& config) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
}

HistoryWriter::~HistoryWriter() { stop(); }

Status HistoryWriter::start() {
  if (Status created = impl_->create_handle(); !created) {
    return created;
  }
  impl_->thread = std::thread([raw = impl_.get()] {
    set_thread_name("parley-history");
    raw->run();
  });
  logger("kafka")->info(
      "history writer {} started: group {}, topic {}, batches of up to {} "
      "messages or {} ms",
      rd_kafka_name(impl_->handle.get()), impl_->config.kafka_history_group,
      impl_->config.kafka_messages_topic, impl_->config.history_batch_max,
      impl_->config.history_batch_wait_ms);
  return Done{};
}

void HistoryWriter::stop() {
  if (!impl_->thread.joinable()) {
    return;
  }
  impl_->stopping.store(true);
  impl_->thread.join();
  std::string name = rd_kafka_name(impl_->handle.get());
  impl_->handle.reset();
  impl_->connection.reset();
  logger("kafka")->info("history writer {} stopped after storing {} messages", name,
                        stored_count());
}

std::int64_t HistoryWriter::stored_count() const { return impl_->stored.load(); }

std::int64_t HistoryWriter::lag_ms() const { return impl_->lag_ms.load(); }

int HistoryWriter::assigned_partitions() const { return impl_->assigned_partitions.load(); }

}  // namespace parley::kafka
