#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/config.hpp"
#include "common/error.hpp"
#include "kafka/records.hpp"

namespace parley::kafka {

// Consumes every partition of config.kafka_messages_topic, so that each node
// can push every message to its own subscribers. It assigns the partitions
// manually instead of joining a consumer group, so nodes never split
// partitions between them, and it commits no offsets. Records are handed
// over in partition order.
//
// Each poll round takes every record that librdkafka already holds, up to
// kMaxBatchRecords, and runs the batch-end handler after the last of them.
// A node hands a whole batch to its I/O threads at once, so a connection
// gets all of the batch's pushes in one socket write.
class FanoutConsumer {
 public:
  using Handler =
      std::function<void(const Record& record, std::int32_t partition, std::int64_t offset)>;
  using BatchEndHandler = std::function<void()>;

  // Records of one poll round at most. Bounds the delay that a batch adds
  // to its first record.
  static constexpr std::size_t kMaxBatchRecords = 512;

  static constexpr std::chrono::milliseconds kDefaultMetadataRefreshInterval{5000};

  // `handler` runs on the consumer thread. Records whose value fails to
  // decode are logged (rate-limited) with topic, partition and offset, and
  // skipped. Partitions added to the topic later are found by a metadata
  // refresh every `metadata_refresh_interval` and read from their beginning.
  FanoutConsumer(
      const Config& config, Handler handler,
      std::chrono::milliseconds metadata_refresh_interval = kDefaultMetadataRefreshInterval);
  ~FanoutConsumer();  // calls stop()

  // Sets the handler that runs on the consumer thread after the handler
  // ran for the records of one poll round, even when some of them failed
  // to decode. Call it before start().
  void set_batch_end_handler(BatchEndHandler handler);

  FanoutConsumer(const FanoutConsumer&) = delete;
  FanoutConsumer& operator=(const FanoutConsumer&) = delete;

  // Looks up the partitions and their current end offsets, assigns every
  // partition from that offset and starts the consumer thread. Every record
  // produced after start() returned is handed to the handler. Fails with
  // Error{503, ...} when the topic metadata or the offsets cannot be read
  // within config.kafka_produce_timeout_ms, and with Error{500, ...} when
  // librdkafka rejects the configuration.
  Status start();

  // Stops the consumer thread and joins it. Safe to call more than once.
  void stop();

  // Number of partitions currently assigned.
  std::int32_t partition_count() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::kafka
