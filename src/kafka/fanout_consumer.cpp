#include "kafka/fanout_consumer.hpp"

#include <atomic>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "common/thread_name.hpp"
#include "kafka/client.hpp"

namespace parley::kafka {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

// librdkafka 2.0.2 rejects rd_kafka_assign() on a consumer without group.id
// ("Local: Unknown group"), although manual assignment never joins the
// group. A random id per consumer keeps nodes from sharing one, and no
// offset is ever committed under it.
std::string random_group_id() {
  std::random_device random;
  return fmt::format("parley-fanout-{:08x}{:08x}", random(), random());
}

}  // namespace

struct FanoutConsumer::Impl {
  Config config;
  Handler handler;
  BatchEndHandler batch_end;
  std::chrono::milliseconds metadata_refresh_interval;
  detail::HandlePtr handle;
  std::atomic<std::int32_t> assigned_partitions{0};
  std::atomic<bool> stopping{false};
  std::thread thread;
  detail::LogRateLimiter decode_log_limiter;
  detail::LogRateLimiter error_log_limiter;

  Status create_handle();
  Status assign_from_end(std::int32_t partitions);
  void run();
  // Hands over the records that librdkafka holds, waiting up to
  // kPollInterval for the first. Returns how many it took.
  std::size_t consume_batch();
  void consume(const rd_kafka_message_t& message);
  void refresh_partitions();
};

Status FanoutConsumer::Impl::create_handle() {
  detail::ClientConfig client_config(config, "parley-fanout");
  client_config.set("group.id", random_group_id());
  client_config.set("enable.auto.commit", "false");
  client_config.set("enable.auto.offset.store", "false");
  client_config.set("enable.partition.eof", "false");
  // Only used when an assigned offset no longer exists (deleted by
  // retention): continue with new records.
  client_config.set("auto.offset.reset", "latest");
  client_config.set("fetch.wait.max.ms", std::to_string(config.kafka_fetch_wait_max_ms));
  Result<rd_kafka_t*> created = client_config.create_handle(RD_KAFKA_CONSUMER);
  if (!created) {
    return created.error();
  }
  handle.reset(*created);
  rd_kafka_poll_set_consumer(handle.get());
  return Done{};
}

// Assigns partitions 0 to `partitions` - 1 from their current high
// watermarks. Explicit offsets, unlike RD_KAFKA_OFFSET_END, are fixed before
// start() returns, so no record produced afterwards can be skipped.
Status FanoutConsumer::Impl::assign_from_end(std::int32_t partitions) {
  const std::string& topic = config.kafka_messages_topic;
  const int timeout_ms = config.kafka_produce_timeout_ms;
  detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
  for (std::int32_t partition = 0; partition < partitions; ++partition) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    rd_kafka_resp_err_t error = rd_kafka_query_watermark_offsets(
        handle.get(), topic.c_str(), partition, &low, &high, timeout_ms);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Error{503, fmt::format("reading the end offset of {} [{}] failed: {}", topic,
                                    partition, rd_kafka_err2str(error))};
    }
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = high;
  }
  rd_kafka_resp_err_t error = rd_kafka_assign(handle.get(), list.get());
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error{503, fmt::format("assigning the {} partitions of {} failed: {}", partitions, topic,
                                  rd_kafka_err2str(error))};
  }
  assigned_partitions.store(partitions);
  return Done{};
}

void FanoutConsumer::Impl::run() {
  auto next_refresh = std::chrono::steady_clock::now() + metadata_refresh_interval;
  while (!stopping.load()) {
    if (consume_batch() > 0 && batch_end) {
      try {
        batch_end();
      } catch (const std::exception& error) {
        logger("kafka")->error("fan-out batch-end handler failed: {}", error.what());
      }
    }
    if (std::chrono::steady_clock::now() >= next_refresh) {
      refresh_partitions();
      next_refresh = std::chrono::steady_clock::now() + metadata_refresh_interval;
    }
  }
}

std::size_t FanoutConsumer::Impl::consume_batch() {
  int timeout_ms = static_cast<int>(kPollInterval.count());
  std::size_t records = 0;
  while (records < kMaxBatchRecords) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handle.get(), timeout_ms);
    if (message == nullptr) break;
    consume(*message);
    rd_kafka_message_destroy(message);
    ++records;
    // Later records of the round are only those already fetched.
    timeout_ms = 0;
  }
  return records;
}

void FanoutConsumer::Impl::consume(const rd_kafka_message_t& message) {
  auto log = logger("kafka");
  std::uint64_t suppressed = 0;
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (error_log_limiter.allow(suppressed)) {
      log->warn("fan-out consumer error on {} [{}]: {} ({} similar errors not logged)",
                config.kafka_messages_topic, message.partition, rd_kafka_message_errstr(&message),
                suppressed);
    }
    return;
  }
  std::string_view value(static_cast<const char*>(message.payload), message.len);
  Result<Record> record = decode(value);
  if (!record) {
    if (decode_log_limiter.allow(suppressed)) {
      log->warn("skipping record {} [{}] at offset {}: {} ({} similar records not logged)",
                config.kafka_messages_topic, message.partition, message.offset,
                record.error().message, suppressed);
    }
    return;
  }
  try {
    handler(*record, message.partition, message.offset);
  } catch (const std::exception& error) {
    log->error("fan-out handler failed on {} [{}] at offset {}: {}", config.kafka_messages_topic,
               message.partition, message.offset, error.what());
  }
}

// Partitions added to the topic are read from their beginning, because
// every record in them was produced after the previous refresh.
// NOTE: no test runs this path, because rdkafka_mock.h of librdkafka 2.0.2
// cannot add partitions to a topic.
void FanoutConsumer::Impl::refresh_partitions() {
  const std::string& topic = config.kafka_messages_topic;
  Result<std::int32_t> partitions =
      detail::partition_count(handle.get(), topic, std::chrono::milliseconds(1000));
  std::int32_t assigned = assigned_partitions.load();
  if (!partitions) {
    logger("kafka")->debug("fan-out metadata refresh failed: {}", partitions.error().message);
    return;
  }
  if (*partitions <= assigned) {
    return;
  }
  detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(*partitions - assigned));
  for (std::int32_t partition = assigned; partition < *partitions; ++partition) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_error_t* error = rd_kafka_incremental_assign(handle.get(), list.get())) {
    logger("kafka")->warn("assigning new partitions {} to {} of {} failed: {}", assigned,
                          *partitions - 1, topic, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return;
  }
  assigned_partitions.store(*partitions);
  logger("kafka")->info("fan-out consumer assigned new partitions {} to {} of {}", assigned,
                        *partitions - 1, topic);
}

FanoutConsumer::FanoutConsumer(const Config& config, Handler handler,
                               std::chrono::milliseconds metadata_refresh_interval)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->handler = std::move(handler);
  impl_->metadata_refresh_interval = metadata_refresh_interval;
}

FanoutConsumer::~FanoutConsumer() { stop(); }

void FanoutConsumer::set_batch_end_handler(BatchEndHandler handler) {
  impl_->batch_end = std::move(handler);
}

Status FanoutConsumer::start() {
  if (Status created = impl_->create_handle(); !created) {
    return created;
  }
  const std::string& topic = impl_->config.kafka_messages_topic;
  Result<std::int32_t> partitions =
      detail::partition_count(impl_->handle.get(), topic,
                              std::chrono::milliseconds(impl_->config.kafka_produce_timeout_ms));
  if (!partitions) {
    impl_->handle.reset();
    return partitions.error();
  }
  if (Status assigned = impl_->assign_from_end(*partitions); !assigned) {
    impl_->handle.reset();
    return assigned;
  }
  impl_->thread = std::thread([raw = impl_.get()] {
    set_thread_name("parley-fanout");
    raw->run();
  });
  logger("kafka")->info("fan-out consumer started on {} with {} partitions", topic, *partitions);
  return Done{};
}

void FanoutConsumer::stop() {
  if (!impl_->thread.joinable()) {
    return;
  }
  impl_->stopping.store(true);
  impl_->thread.join();
  rd_kafka_consumer_close(impl_->handle.get());
  impl_->handle.reset();
  logger("kafka")->info("fan-out consumer stopped");
}

std::int32_t FanoutConsumer::partition_count() const { return impl_->assigned_partitions.load(); }

}  // namespace parley::kafka
