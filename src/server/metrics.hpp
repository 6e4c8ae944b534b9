#pragma once

#include <string>

#include "db/pool.hpp"
#include "kafka/history_writer.hpp"
#include "net/io_metrics.hpp"
#include "net/io_pool.hpp"
#include "service/send_checks.hpp"

namespace parley::server {

// Counters of a node that no I/O thread owns. Each field has one writing
// thread, named next to it.
struct NodeMetrics {
  // Kafka producer poll thread.
  net::LatencyBuckets produce_latency;
  net::LocalCounter produce_errors;
  // Fan-out consumer thread: room messages consumed, and the time from the
  // message's accept timestamp (wall clock of the accepting node) until this
  // node's consumer handed it to the I/O threads.
  net::LocalCounter fanout_messages;
  net::LatencyBuckets fanout_delay;
};

// Sources of the values that GET /metrics reports.
struct MetricsSources {
  net::IoPool& io_pool;
  NodeMetrics& node;
  const db::Pool& database;
  const kafka::HistoryWriter& history;
  const service::SendChecks& send_checks;
};

// Renders every metric of the node in the Prometheus text exposition format
// 0.0.4. Safe to call from any thread while the node runs.
std::string render_metrics(MetricsSources sources);

// Content-Type of the Prometheus text exposition format 0.0.4.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace parley::server
