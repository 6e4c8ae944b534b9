#include <chrono>
#include <string>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "integration/metrics/prometheus_text.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

constexpr auto kRequestTimeout = std::chrono::seconds(5);

class MetricsTest : public ProtocolTest {
 protected:
  // Fetches and parses GET /metrics of node `node`, failing the test when
  // either step fails.
  PrometheusText scrape(std::size_t node) {
    auto response = http_get(cluster().node(node).port(), "/metrics", kRequestTimeout);
    if (!response.ok()) {
      ADD_FAILURE() << "GET /metrics of node " << node << ": " << response.error().message;
      return {};
    }
    EXPECT_EQ(response->status, 200) << response->body;
    auto parsed = parse_prometheus_text(response->body);
    if (!parsed.ok()) {
      ADD_FAILURE() << "node " << node << ": " << parsed.error().message << "\n" << response->body;
      return {};
    }
    return parsed.value();
  }
};

TEST(PrometheusText, RejectsMalformedLines) {
  EXPECT_FALSE(parse_prometheus_text("parley_x 1\n").ok());
  EXPECT_FALSE(parse_prometheus_text("# TYPE parley_x counter\nparley_x one\n").ok());
  EXPECT_FALSE(parse_prometheus_text("# TYPE parley_x counter\nparley_x{le=1} 1\n").ok());
  EXPECT_FALSE(parse_prometheus_text("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                                     "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")
                   .ok());
  EXPECT_FALSE(parse_prometheus_text("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
                                     "h_sum 1\nh_count 1\n")
                   .ok());
  EXPECT_TRUE(parse_prometheus_text("# HELP h Some help.\n# TYPE h histogram\n"
                                    "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                                    "h_sum 1.5\nh_count 2\n")
                  .ok());
}

TEST_F(MetricsTest, EveryNodeServesPrometheusText) {
  for (std::size_t node = 0; node < cluster().size(); ++node) {
    PrometheusText metrics = scrape(node);
    EXPECT_EQ(metrics.types["parley_connections_open"], "gauge") << "node " << node;
    EXPECT_EQ(metrics.types["parley_push_deliveries_total"], "counter") << "node " << node;
    EXPECT_EQ(metrics.types["parley_socket_writes_total"], "counter") << "node " << node;
    EXPECT_EQ(metrics.types["parley_request_duration_seconds"], "histogram") << "node " << node;
    EXPECT_EQ(metrics.types["parley_kafka_produce_duration_seconds"], "histogram")
        << "node " << node;
    EXPECT_EQ(metrics.types["parley_history_lag_milliseconds"], "gauge") << "node " << node;
    EXPECT_EQ(metrics.types["parley_history_partitions"], "gauge") << "node " << node;
    EXPECT_EQ(metrics.types["parley_db_pool_queue_length"], "gauge") << "node " << node;
    EXPECT_EQ(metrics.types["parley_send_check_batches_total"], "counter") << "node " << node;
    EXPECT_EQ(metrics.types["parley_send_checks_total"], "counter") << "node " << node;
  }
}

TEST_F(MetricsTest, HistoryPartitionsCoverTheTopic) {
  // The shared cluster runs the default shape: six partitions, three nodes.
  const int partitions = ClusterOptions{}.partitions;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  double assigned = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    assigned = 0;
    for (std::size_t node = 0; node < cluster().size(); ++node) {
      assigned += scrape(node).value("parley_history_partitions");
    }
    if (assigned == partitions) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(assigned, partitions);
}

TEST_F(MetricsTest, CountersMoveWhenMessagesFlow) {
  TestAccount owner = create_account(0);
  TestAccount member = create_account(1);
  auto [room_id, room_name] = create_room(owner, 0);
  join_room(member, room_name, 1);
  auto sender = logged_in(owner, 0);
  auto receiver = logged_in(member, 1);
  ASSERT_PROTOCOL_OK(sender->call("subscribe", json::value(std::to_string(room_id))));
  ASSERT_PROTOCOL_OK(receiver->call("subscribe", json::value(std::to_string(room_id))));

  PrometheusText sender_before = scrape(0);
  PrometheusText receiver_before = scrape(1);
  ASSERT_GE(sender_before.value("parley_connections_open"), 1);
  ASSERT_GE(receiver_before.value("parley_connections_open"), 1);

  constexpr int kMessages = 3;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_PROTOCOL_OK(sender->call("send", json::value("metrics " + std::to_string(i))));
  }
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(receiver->next_push(kPushTimeout).has_value()) << "push " << i;
    ASSERT_TRUE(sender->next_push(kPushTimeout).has_value()) << "push " << i;
  }
  // The counters are read after the pushes arrived, because a frame is
  // counted when the coalescing stream took its bytes and a socket write
  // when it starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  PrometheusText sender_after = scrape(0);
  PrometheusText receiver_after = scrape(1);

  EXPECT_GE(
      sender_after.value("parley_frames_in_total") - sender_before.value("parley_frames_in_total"),
      kMessages);
  EXPECT_GE(sender_after.value("parley_request_duration_seconds_count") -
                sender_before.value("parley_request_duration_seconds_count"),
            kMessages);
  EXPECT_GE(sender_after.value("parley_kafka_produce_duration_seconds_count") -
                sender_before.value("parley_kafka_produce_duration_seconds_count"),
            kMessages);
  EXPECT_GE(sender_after.value("parley_send_checks_total") -
                sender_before.value("parley_send_checks_total"),
            kMessages);
  EXPECT_GE(sender_after.value("parley_send_check_batches_total") -
                sender_before.value("parley_send_check_batches_total"),
            1);
  EXPECT_EQ(sender_after.value("parley_kafka_produce_errors_total"),
            sender_before.value("parley_kafka_produce_errors_total"));
  EXPECT_GE(receiver_after.value("parley_push_deliveries_total") -
                receiver_before.value("parley_push_deliveries_total"),
            kMessages);
  EXPECT_GE(receiver_after.value("parley_fanout_messages_total") -
                receiver_before.value("parley_fanout_messages_total"),
            kMessages);
  EXPECT_GE(receiver_after.value("parley_frames_out_total") -
                receiver_before.value("parley_frames_out_total"),
            kMessages);
  EXPECT_GT(receiver_after.value("parley_bytes_out_total"),
            receiver_before.value("parley_bytes_out_total"));
  // One socket write carries one or more frames.
  const double socket_writes = receiver_after.value("parley_socket_writes_total") -
                               receiver_before.value("parley_socket_writes_total");
  EXPECT_GE(socket_writes, 1);
  EXPECT_LE(socket_writes, receiver_after.value("parley_frames_out_total") -
                               receiver_before.value("parley_frames_out_total"));
  EXPECT_GE(receiver_after.value("parley_fanout_delay_seconds_count") -
                receiver_before.value("parley_fanout_delay_seconds_count"),
            kMessages);
}

TEST_F(MetricsTest, ConnectionGaugeFollowsOpenAndClose) {
  // Lets the connections of earlier tests finish closing.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double before = scrape(2).value("parley_connections_open");
  const double total_before = scrape(2).value("parley_connections_total");
  auto connection = connect(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(scrape(2).value("parley_connections_open"), before + 1);
  EXPECT_GE(scrape(2).value("parley_connections_total"), total_before + 1);
  connection->close();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (scrape(2).value("parley_connections_open") > before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(scrape(2).value("parley_connections_open"), before);
}

TEST_F(MetricsTest, HistoryRowsCountStoredMessages) {
  TestAccount owner = create_account(0);
  auto [room_id, room_name] = create_room(owner, 0);
  auto sender = logged_in(owner, 0);
  ASSERT_PROTOCOL_OK(sender->call("subscribe", json::value(std::to_string(room_id))));
  auto total_rows = [this] {
    double rows = 0;
    for (std::size_t node = 0; node < cluster().size(); ++node) {
      rows += scrape(node).value("parley_history_rows_written_total");
    }
    return rows;
  };
  const double before = total_rows();
  ASSERT_PROTOCOL_OK(sender->call("send", json::value("stored once")));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (total_rows() < before + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Messages of earlier tests may still be stored meanwhile, so this
  // checks a lower bound.
  EXPECT_GE(total_rows(), before + 1);
}

}  // namespace
}  // namespace parley::testing
