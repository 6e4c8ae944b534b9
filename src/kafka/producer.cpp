#include "kafka/producer.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/logging.hpp"
#include "common/thread_name.hpp"
#include "kafka/client.hpp"
#include "kafka/records.hpp"

namespace parley::kafka {
namespace {

using DeliveryCallback = std::function<void(Status)>;

constexpr std::chrono::milliseconds kPollInterval{100};
// Bound on serving the delivery reports of purged records in the destructor.
constexpr std::chrono::milliseconds kPurgeTimeout{1000};

void run_callback(DeliveryCallback& callback, Status status) {
  try {
    callback(std::move(status));
  } catch (const std::exception& error) {
    logger("kafka")->error("delivery callback threw: {}", error.what());
  }
}

}  // namespace

struct Producer::Impl {
  detail::HandlePtr handle;
  rd_kafka_queue_t* main_queue = nullptr;
  std::chrono::milliseconds flush_timeout{0};
  std::atomic<bool> stopping{false};
  std::thread poll_thread;
  detail::LogRateLimiter failure_log_limiter;
  DeliveryObserver delivery_observer;

  // Callbacks of records that librdkafka rejected at once, run by the poll
  // thread so that every callback runs there.
  std::mutex rejected_mutex;
  std::vector<DeliveryCallback> rejected;

  void poll_loop();
  void serve_event(rd_kafka_event_t* event);
  void run_rejected();
  void log_failure(const std::string& topic, std::int32_t partition, rd_kafka_resp_err_t error);
};

void Producer::Impl::poll_loop() {
  while (!stopping.load()) {
    rd_kafka_event_t* event =
        rd_kafka_queue_poll(main_queue, static_cast<int>(kPollInterval.count()));
    if (event != nullptr) {
      serve_event(event);
      rd_kafka_event_destroy(event);
    }
    run_rejected();
  }
}

void Producer::Impl::serve_event(rd_kafka_event_t* event) {
  switch (rd_kafka_event_type(event)) {
    case RD_KAFKA_EVENT_DR:
      while (const rd_kafka_message_t* message = rd_kafka_event_message_next(event)) {
        auto* callback = static_cast<DeliveryCallback*>(message->_private);
        if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          log_failure(rd_kafka_topic_name(message->rkt), message->partition, message->err);
        }
        if (callback != nullptr) {
          run_callback(*callback, message->err == RD_KAFKA_RESP_ERR_NO_ERROR
                                      ? Status(Done{})
                                      : Status(kMessagingUnavailable));
          delete callback;
        }
      }
      break;
    case RD_KAFKA_EVENT_ERROR:
      detail::log_client_error(handle.get(), rd_kafka_event_error(event),
                               rd_kafka_event_error_string(event));
      break;
    default:
      break;
  }
}

void Producer::Impl::run_rejected() {
  std::vector<DeliveryCallback> callbacks;
  {
    std::lock_guard lock(rejected_mutex);
    callbacks.swap(rejected);
  }
  for (auto& callback : callbacks) {
    run_callback(callback, kMessagingUnavailable);
  }
}

void Producer::Impl::log_failure(const std::string& topic, std::int32_t partition,
                                 rd_kafka_resp_err_t error) {
  std::uint64_t suppressed = 0;
  if (failure_log_limiter.allow(suppressed)) {
    logger("kafka")->warn("producing to {} [{}] failed: {} ({} similar failures not logged)", topic,
                          partition, rd_kafka_err2str(error), suppressed);
  }
}

Result<std::unique_ptr<Producer>> Producer::create(const Config& config) {
  detail::ClientConfig client_config(config, "parley-producer");
  client_config.set("enable.idempotence", "true");
  client_config.set("acks", "all");
  client_config.set("linger.ms", std::to_string(config.kafka_linger_ms));
  client_config.set("message.timeout.ms", std::to_string(config.kafka_produce_timeout_ms));
  // Delivery reports arrive as events on the main queue, which only the poll
  // thread serves. In this mode rd_kafka_flush() waits instead of serving
  // them.
  rd_kafka_conf_set_events(client_config.native(), RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR);
  Result<rd_kafka_t*> handle = client_config.create_handle(RD_KAFKA_PRODUCER);
  if (!handle) {
    return handle.error();
  }

  auto impl = std::make_unique<Impl>();
  impl->handle.reset(*handle);
  impl->main_queue = rd_kafka_queue_get_main(impl->handle.get());
  impl->flush_timeout = std::chrono::milliseconds(config.kafka_produce_timeout_ms);
  impl->poll_thread = std::thread([raw = impl.get()] {
    set_thread_name("parley-produce");
    raw->poll_loop();
  });
  logger("kafka")->info("producer started: bootstrap.servers={} message.timeout.ms={} linger.ms={}",
                        config.kafka_bootstrap_servers, config.kafka_produce_timeout_ms,
                        config.kafka_linger_ms);
  return std::make_unique<Producer>(std::move(impl));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  auto log = logger("kafka");
  if (!flush(impl_->flush_timeout)) {
    log->warn("producer stopping with {} records not acknowledged after {} ms; they fail",
              rd_kafka_outq_len(impl_->handle.get()), impl_->flush_timeout.count());
  }
  impl_->stopping.store(true);
  rd_kafka_queue_yield(impl_->main_queue);
  impl_->poll_thread.join();

  // Fail what is left, on this thread because the poll thread is gone.
  // The purged records get delivery reports with RD_KAFKA_RESP_ERR__PURGE_*,
  // and a record stops counting in rd_kafka_outq_len() once its report is
  // destroyed.
  rd_kafka_purge(impl_->handle.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  const auto deadline = std::chrono::steady_clock::now() + kPurgeTimeout;
  while (rd_kafka_outq_len(impl_->handle.get()) > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    if (rd_kafka_event_t* event = rd_kafka_queue_poll(impl_->main_queue, 50)) {
      impl_->serve_event(event);
      rd_kafka_event_destroy(event);
    }
  }
  impl_->run_rejected();
  rd_kafka_queue_destroy(impl_->main_queue);
  impl_->handle.reset();
  log->info("producer stopped");
}

void Producer::produce(const std::string& topic, RoomId key, std::string value,
                       std::function<void(Status)> on_delivery) {
  std::string key_bytes = encode_key(key);
  if (impl_->delivery_observer) {
    on_delivery = [observer = &impl_->delivery_observer, start = std::chrono::steady_clock::now(),
                   inner = std::move(on_delivery)](Status status) {
      (*observer)(std::chrono::steady_clock::now() - start, status.ok());
      inner(std::move(status));
    };
  }
  auto* callback = new DeliveryCallback(std::move(on_delivery));
  // Without RD_KAFKA_MSG_F_BLOCK a full queue fails at once instead of
  // blocking the caller.
  rd_kafka_resp_err_t error = rd_kafka_producev(
      impl_->handle.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_KEY(key_bytes.data(), key_bytes.size()),
      RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_OPAQUE(callback), RD_KAFKA_V_END);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    return;
  }
  impl_->log_failure(topic, RD_KAFKA_PARTITION_UA, error);
  {
    std::lock_guard lock(impl_->rejected_mutex);
    impl_->rejected.push_back(std::move(*callback));
  }
  delete callback;
  rd_kafka_queue_yield(impl_->main_queue);
}

void Producer::set_delivery_observer(DeliveryObserver observer) {
  impl_->delivery_observer = std::move(observer);
}

bool Producer::flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(impl_->handle.get(), static_cast<int>(timeout.count())) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool Producer::probe(std::chrono::milliseconds timeout) {
  // TODO: after a fatal error (for example an unrecoverable sequence gap of
  // the idempotent producer) the handle is unusable and every record fails
  // with 503 until the node restarts. Recreating the handle would recover.
  if (rd_kafka_fatal_error(impl_->handle.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t error = rd_kafka_metadata(impl_->handle.get(), 0, nullptr, &metadata,
                                                static_cast<int>(timeout.count()));
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  bool has_brokers = metadata->broker_cnt > 0;
  rd_kafka_metadata_destroy(metadata);
  return has_brokers;
}

}  // namespace parley::kafka
