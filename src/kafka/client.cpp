#include "kafka/client.hpp"

#include <fmt/format.h>

#include "common/logging.hpp"

namespace parley::kafka::detail {
namespace {

// Maps librdkafka's syslog levels (0 emergency to 7 debug). Levels 0 to 4
// report broker and network trouble that librdkafka retries by itself, so
// they are warnings, not faults of Parley.
void log_from_librdkafka(const rd_kafka_t* handle, int level, const char* facility,
                         const char* message) {
  auto log = logger("kafka");
  const char* name = rd_kafka_name(handle);
  if (level <= 4) {
    log->warn("{} {}: {}", name, facility, message);
  } else if (level <= 6) {
    log->info("{} {}: {}", name, facility, message);
  } else {
    log->debug("{} {}: {}", name, facility, message);
  }
}

void error_callback(rd_kafka_t* handle, int error, const char* reason, void*) {
  log_client_error(handle, static_cast<rd_kafka_resp_err_t>(error), reason);
}

}  // namespace

ClientConfig::ClientConfig(const Config& config, const std::string& client_id)
    : conf_(rd_kafka_conf_new()), client_id_(client_id) {
  set("bootstrap.servers", config.kafka_bootstrap_servers);
  set("client.id", client_id);
  set("socket.timeout.ms", std::to_string(kSocketTimeoutMs));
  set("reconnect.backoff.ms", std::to_string(kReconnectBackoffMs));
  set("reconnect.backoff.max.ms", std::to_string(kReconnectBackoffMaxMs));
  rd_kafka_conf_set_log_cb(conf_, log_from_librdkafka);
  rd_kafka_conf_set_error_cb(conf_, error_callback);
}

ClientConfig::~ClientConfig() {
  if (conf_ != nullptr) {
    rd_kafka_conf_destroy(conf_);
  }
}

Status ClientConfig::set(const std::string& name, const std::string& value) {
  char reason[512];
  if (rd_kafka_conf_set(conf_, name.c_str(), value.c_str(), reason, sizeof(reason)) !=
      RD_KAFKA_CONF_OK) {
    std::string message =
        fmt::format("Kafka client {}: invalid setting {}={}: {}", client_id_, name, value, reason);
    if (first_error_.empty()) {
      first_error_ = message;
    }
    return Error{500, message};
  }
  return Done{};
}

Result<rd_kafka_t*> ClientConfig::create_handle(rd_kafka_type_t type) {
  if (!first_error_.empty()) {
    return Error{500, first_error_};
  }
  char reason[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf_, reason, sizeof(reason));
  if (handle == nullptr) {
    return Error{500, fmt::format("creating Kafka client {} failed: {}", client_id_, reason)};
  }
  conf_ = nullptr;  // owned by the handle now
  return handle;
}

void HandleDeleter::operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }

void PartitionListDeleter::operator()(rd_kafka_topic_partition_list_t* list) const {
  rd_kafka_topic_partition_list_destroy(list);
}

void log_client_error(rd_kafka_t* handle, rd_kafka_resp_err_t error, const char* reason) {
  auto log = logger("kafka");
  const char* name = rd_kafka_name(handle);
  if (error == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal_reason[512];
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(handle, fatal_reason, sizeof(fatal_reason));
    log->error("{}: fatal error {}: {}", name, rd_kafka_err2name(fatal), fatal_reason);
  } else if (error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    log->warn("{}: all brokers are down: {}", name, reason);
  } else {
    log->debug("{}: {}: {}", name, rd_kafka_err2name(error), reason);
  }
}

bool LogRateLimiter::allow(std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (now < next_allowed_) {
    ++suppressed_;
    return false;
  }
  next_allowed_ = now + interval_;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

Result<std::int32_t> partition_count(rd_kafka_t* handle, const std::string& topic,
                                     std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* topic_handle = rd_kafka_topic_new(handle, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t error =
      rd_kafka_metadata(handle, 0, topic_handle, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(topic_handle);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error{503, fmt::format("reading the metadata of topic {} failed: {}", topic,
                                  rd_kafka_err2str(error))};
  }
  Result<std::int32_t> result = Error{503, "topic " + topic + " not found"};
  if (metadata->topic_cnt == 1) {
    const rd_kafka_metadata_topic_t& found = metadata->topics[0];
    if (found.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = Error{
          503, fmt::format("topic {} is not available: {}", topic, rd_kafka_err2str(found.err))};
    } else {
      result = found.partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return result;
}

std::chrono::milliseconds poll_timeout(std::chrono::steady_clock::time_point deadline,
                                       std::chrono::steady_clock::time_point now,
                                       std::chrono::milliseconds longest) {
  if (deadline <= now) return std::chrono::milliseconds(0);
  return std::min(std::chrono::ceil<std::chrono::milliseconds>(deadline - now), longest);
}

}  // namespace parley::kafka::detail
