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
class FanoutConsumer {
 public:
  using Handler =
      std::function<void(const Record& record, std::int32_t partition, std::int64_t offset)>;

  static constexpr std::chrono::milliseconds kDefaultMetadataRefreshInterval{5000};

  // `handler` runs on the consumer thread. Records whose value fails to
  // decode are logged (rate-limited) with topic, partition and offset, and
  // skipped. Partitions added to the topic later are found by a metadata
  // refresh every `metadata_refresh_interval` and read from their beginning.
  FanoutConsumer(
      const Config& config, Handler handler,
      std::chrono::milliseconds metadata_refresh_interval = kDefaultMetadataRefreshInterval);
  ~FanoutConsumer();  // calls stop()

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
