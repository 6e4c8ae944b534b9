#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/types.hpp"

namespace parley::kafka {

// Error reported for every record that was not acknowledged.
inline const Error kMessagingUnavailable{503, "Service unavailable: messaging"};

// An idempotent Kafka producer (enable.idempotence=true, acks=all) with
// linger.ms = config.kafka_linger_ms and message.timeout.ms =
// config.kafka_produce_timeout_ms. A thread of its own polls for delivery
// reports. Thread-safe: produce(), flush() and probe() may be called from
// any thread.
class Producer {
 public:
  // Creates the producer handle and starts the poll thread. Fails with
  // Error{500, ...} when librdkafka rejects the configuration.
  static Result<std::unique_ptr<Producer>> create(const Config& config);

  // Flushes for up to config.kafka_produce_timeout_ms, stops the poll thread,
  // then fails the records still queued with kMessagingUnavailable.
  ~Producer();

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Produces one record with the key encode_key(key). Never blocks: when the
  // local queue is full the record fails at once. on_delivery runs exactly
  // once, on the poll thread: with an ok Status once the broker acknowledged
  // the record, else with kMessagingUnavailable (timeout, broker down, queue
  // full). The one exception is the destructor, which fails records still
  // queued on its own thread after the poll thread stopped.
  void produce(const std::string& topic, RoomId key, std::string value,
               std::function<void(Status)> on_delivery);

  // Waits until every produced record got its delivery report. Returns false
  // when `timeout` expired first.
  bool flush(std::chrono::milliseconds timeout);

  // Returns true when the cluster responded to a metadata request within
  // `timeout` and the producer has no fatal error. Used by the readiness
  // check.
  bool probe(std::chrono::milliseconds timeout);

  // Called on the poll thread for every produced record with the time from
  // produce() to its delivery report and whether the broker acknowledged it.
  using DeliveryObserver =
      std::function<void(std::chrono::steady_clock::duration latency, bool acknowledged)>;
  // Sets the observer. Not thread-safe: call it before the first produce().
  void set_delivery_observer(DeliveryObserver observer);

  struct Impl;
  // Used by create().
  explicit Producer(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::kafka
