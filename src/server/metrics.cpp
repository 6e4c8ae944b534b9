#include "server/metrics.hpp"

#include <fmt/format.h>

namespace parley::server {
namespace {

using CounterField = net::LocalCounter net::IoMetrics::*;
using GaugeField = net::LocalGauge net::IoMetrics::*;

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void write_sample(std::string& out, std::string_view name, std::int64_t value) {
  fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

std::uint64_t sum_counter(net::IoPool& pool, CounterField field) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < pool.size(); ++i) total += (pool.at(i).metrics.*field).value();
  return total;
}

void write_counter(std::string& out, std::string_view name, std::string_view help,
                   std::uint64_t value) {
  write_header(out, name, help, "counter");
  write_sample(out, name, static_cast<std::int64_t>(value));
}

void write_gauge(std::string& out, std::string_view name, std::string_view help,
                 std::int64_t value) {
  write_header(out, name, help, "gauge");
  write_sample(out, name, value);
}

// Sums the bucket counts of `histograms` and writes them as one cumulative
// Prometheus histogram in seconds.
void write_histogram(std::string& out, std::string_view name, std::string_view help,
                     const std::vector<const net::LatencyBuckets*>& histograms) {
  constexpr auto& bounds = net::LatencyBuckets::kUpperBoundsMicros;
  write_header(out, name, help, "histogram");
  std::uint64_t cumulative = 0;
  std::uint64_t sum_micros = 0;
  for (const auto* histogram : histograms) sum_micros += histogram->sum_micros();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    for (const auto* histogram : histograms) cumulative += histogram->count_at(i);
    if (i < bounds.size()) {
      fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name,
                     static_cast<double>(bounds[i]) / 1e6, cumulative);
    } else {
      fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
    }
  }
  fmt::format_to(std::back_inserter(out), "{}_sum {}\n{}_count {}\n", name,
                 static_cast<double>(sum_micros) / 1e6, name, cumulative);
}

void write_connection_metrics(std::string& out, net::IoPool& pool) {
  const std::uint64_t opened = sum_counter(pool, &net::IoMetrics::connections_opened);
  const std::uint64_t closed = sum_counter(pool, &net::IoMetrics::connections_closed);
  // Read after `opened`, so a connection that opens and closes in between
  // cannot make the difference negative.
  write_gauge(out, "parley_connections_open", "WebSocket connections open.",
              static_cast<std::int64_t>(opened) - static_cast<std::int64_t>(closed));
  write_counter(out, "parley_connections_total", "WebSocket connections accepted.", opened);
  write_counter(out, "parley_slow_consumers_closed_total",
                "Connections closed because their send queue overflowed.",
                sum_counter(pool, &net::IoMetrics::slow_consumers_closed));
}

void write_traffic_metrics(std::string& out, net::IoPool& pool) {
  write_counter(out, "parley_frames_in_total", "WebSocket messages received from clients.",
                sum_counter(pool, &net::IoMetrics::frames_in));
  write_counter(out, "parley_bytes_in_total", "Payload bytes of the messages received.",
                sum_counter(pool, &net::IoMetrics::bytes_in));
  write_counter(out, "parley_frames_out_total", "WebSocket messages written to clients.",
                sum_counter(pool, &net::IoMetrics::frames_out));
  write_counter(out, "parley_bytes_out_total", "Payload bytes of the messages written.",
                sum_counter(pool, &net::IoMetrics::bytes_out));
  write_counter(out, "parley_socket_writes_total",
                "Socket write operations to WebSocket clients, each carrying one or more frames.",
                sum_counter(pool, &net::IoMetrics::socket_writes));
  write_counter(out, "parley_push_deliveries_total", "Room message pushes queued to subscribers.",
                sum_counter(pool, &net::IoMetrics::push_deliveries));
}

void write_queue_metrics(std::string& out, net::IoPool& pool) {
  std::int64_t queued = 0;
  std::int64_t peak = 0;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    queued += pool.at(i).metrics.send_queue_bytes.value();
    peak = std::max(peak, pool.at(i).metrics.send_queue_peak_bytes.take());
  }
  write_gauge(out, "parley_send_queue_bytes", "Bytes in the send queues of all connections.",
              queued);
  write_gauge(out, "parley_send_queue_max_bytes",
              "Largest send queue of one connection since the previous scrape, in bytes.", peak);
}

}  // namespace

std::string render_metrics(MetricsSources sources) {
  std::string out;
  out.reserve(8 * 1024);
  write_connection_metrics(out, sources.io_pool);
  write_traffic_metrics(out, sources.io_pool);
  write_queue_metrics(out, sources.io_pool);

  std::vector<const net::LatencyBuckets*> requests;
  for (std::size_t i = 0; i < sources.io_pool.size(); ++i) {
    requests.push_back(&sources.io_pool.at(i).metrics.request_latency);
  }
  write_histogram(out, "parley_request_duration_seconds",
                  "Time from reading a request until its reply is queued, all operations.",
                  requests);
  write_histogram(out, "parley_kafka_produce_duration_seconds",
                  "Time from producing a record until its delivery report.",
                  {&sources.node.produce_latency});
  write_counter(out, "parley_kafka_produce_errors_total", "Records the broker did not acknowledge.",
                sources.node.produce_errors.value());
  write_counter(out, "parley_fanout_messages_total", "Room messages read by the fan-out consumer.",
                sources.node.fanout_messages.value());
  write_histogram(out, "parley_fanout_delay_seconds",
                  "Time from a message's accept timestamp until the fan-out consumer of this "
                  "node read it (wall clocks of two nodes).",
                  {&sources.node.fanout_delay});
  write_counter(out, "parley_history_rows_written_total",
                "Messages this node's history writer inserted into PostgreSQL.",
                static_cast<std::uint64_t>(sources.history.stored_count()));
  write_gauge(out, "parley_history_lag_milliseconds",
              "Time from the accept time of the oldest message of the last stored history "
              "batch until its commit.",
              sources.history.lag_ms());
  write_counter(out, "parley_send_check_batches_total",
                "Membership queries that checked sends (one per batch).",
                sources.send_checks.batches());
  write_counter(out, "parley_send_checks_total", "Sends whose membership PostgreSQL checked.",
                sources.send_checks.checked_sends());
  write_gauge(out, "parley_history_partitions",
              "Partitions of the messages topic assigned to this node's history writer.",
              sources.history.assigned_partitions());
  write_gauge(out, "parley_db_pool_queue_length", "Database tasks waiting for a pool worker.",
              static_cast<std::int64_t>(sources.database.queued()));
  return out;
}

}  // namespace parley::server
