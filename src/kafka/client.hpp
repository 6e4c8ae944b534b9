#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <librdkafka/rdkafka.h>

#include "common/config.hpp"
#include "common/error.hpp"

namespace parley::kafka::detail {

// Settings every Parley client handle shares. Short socket and reconnect
// timeouts let a client notice a dead broker and reconnect within about a
// second instead of librdkafka's default of a minute.
inline constexpr int kSocketTimeoutMs = 10000;
inline constexpr int kReconnectBackoffMs = 50;
inline constexpr int kReconnectBackoffMaxMs = 1000;

// An rd_kafka_conf_t under construction, with bootstrap.servers, client.id,
// the timeouts above and the log and error callbacks already set. The
// callbacks send librdkafka's output to parley::logger("kafka"), never to
// stdout.
class ClientConfig {
 public:
  ClientConfig(const Config& config, const std::string& client_id);
  ~ClientConfig();
  ClientConfig(const ClientConfig&) = delete;
  ClientConfig& operator=(const ClientConfig&) = delete;

  // Sets one librdkafka property. Returns Error{500, ...} naming the
  // property, the value and librdkafka's reason when it is rejected.
  Status set(const std::string& name, const std::string& value);

  rd_kafka_conf_t* native() { return conf_; }

  // Creates the handle, which takes ownership of the configuration. Returns
  // Error{500, ...} when a set() failed earlier or rd_kafka_new() fails.
  Result<rd_kafka_t*> create_handle(rd_kafka_type_t type);

 private:
  rd_kafka_conf_t* conf_;
  std::string client_id_;
  std::string first_error_;
};

// Deletes a librdkafka handle with rd_kafka_destroy().
struct HandleDeleter {
  void operator()(rd_kafka_t* handle) const;
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

// Deletes a partition list with rd_kafka_topic_partition_list_destroy().
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const;
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// Logs librdkafka's error events and error_cb reports: fatal errors at error
// level, "all brokers down" at warn level, and the rest at debug level,
// because librdkafka also logs those through the log callback.
void log_client_error(rd_kafka_t* handle, rd_kafka_resp_err_t error, const char* reason);

// Allows one log line per interval and counts the lines it suppressed, so
// that a stream of bad records or failed deliveries cannot flood the log.
// Thread-safe.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(std::chrono::milliseconds interval = std::chrono::seconds(10))
      : interval_(interval) {}

  // Returns true when a line may be logged now, and stores in `suppressed`
  // how many lines were suppressed since the previous allowed one.
  bool allow(std::uint64_t& suppressed);

 private:
  std::mutex mutex_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_allowed_{};
  std::uint64_t suppressed_ = 0;
};

// Returns the number of partitions of `topic`, or Error{503, ...} when the
// metadata request fails or the topic does not exist.
Result<std::int32_t> partition_count(rd_kafka_t* handle, const std::string& topic,
                                     std::chrono::milliseconds timeout);

// Returns the timeout of a poll that is to return by `deadline`, between 0
// and `longest`. It rounds up, because a wait of less than 1 ms rounded
// down to 0 would make the caller poll without waiting until the deadline.
std::chrono::milliseconds poll_timeout(std::chrono::steady_clock::time_point deadline,
                                       std::chrono::steady_clock::time_point now,
                                       std::chrono::milliseconds longest);

}  // namespace parley::kafka::detail
