#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace parley::net {

// A counter with one writing thread and any number of reading threads. The
// writer does a relaxed load and store instead of a read-modify-write, so an
// increment costs no locked instruction and no cache line is shared between
// I/O threads. Readers see a value that is at most a few increments old.
class LocalCounter {
 public:
  void add(std::uint64_t amount = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A gauge with one writing thread, like LocalCounter.
class LocalGauge {
 public:
  void add(std::int64_t amount) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }
  void set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
  // Raises the gauge to `value` when it is lower.
  void raise_to(std::int64_t value) {
    if (value > value_.load(std::memory_order_relaxed)) set(value);
  }
  // Returns the value and resets the gauge to zero. Called by the reader, so
  // a writer's raise_to() racing with it may be lost; the result is then
  // the peak of a slightly shorter interval.
  std::int64_t take() { return value_.exchange(0, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// A latency histogram with fixed bucket bounds from 100 us to 10 s (1, 2.5
// and 5 per decade), the bounds a Prometheus histogram exports. One thread
// writes, any thread reads.
class LatencyBuckets {
 public:
  static constexpr std::array<std::uint64_t, 16> kUpperBoundsMicros = {
      100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
      50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

  void observe(std::chrono::microseconds latency) {
    auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    auto bound = std::lower_bound(kUpperBoundsMicros.begin(), kUpperBoundsMicros.end(), micros);
    counts_[static_cast<std::size_t>(bound - kUpperBoundsMicros.begin())].add();
    sum_micros_.add(micros);
  }

  // Observations in bucket `index`; index kUpperBoundsMicros.size() counts
  // those above the last bound.
  std::uint64_t count_at(std::size_t index) const { return counts_[index].value(); }
  std::uint64_t sum_micros() const { return sum_micros_.value(); }

 private:
  std::array<LocalCounter, kUpperBoundsMicros.size() + 1> counts_{};
  LocalCounter sum_micros_;
};

// Counters of one I/O thread, written only by that thread and summed over
// the threads when GET /metrics is served.
struct IoMetrics {
  LocalCounter connections_opened;
  LocalCounter connections_closed;
  LocalCounter frames_in;
  LocalCounter bytes_in;
  LocalCounter frames_out;
  LocalCounter bytes_out;
  // Socket write operations; frames_out / socket_writes is the number of
  // frames one system call carries.
  LocalCounter socket_writes;
  // Room message pushes queued to this thread's subscribers.
  LocalCounter push_deliveries;
  LocalCounter slow_consumers_closed;
  // Bytes in the send queues of this thread's connections.
  LocalGauge send_queue_bytes;
  // Largest send queue of one connection since the last scrape, in bytes.
  LocalGauge send_queue_peak_bytes;
  // From reading a request until its reply is queued.
  LatencyBuckets request_latency;
};

}  // namespace parley::net
