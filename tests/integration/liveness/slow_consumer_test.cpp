#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "integration/failover/failover_support.hpp"
#include "integration/liveness/log_wait.hpp"
#include "integration/liveness/raw_socket.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t kSendQueueBytes = 64 * 1024;
// Sends after which the test gives up waiting for the slow-consumer close.
constexpr int kMaxMessages = 30000;
// Messages sent after the close, which only the resume can deliver.
constexpr int kMessagesAfterClose = 50;
constexpr auto kPushTimeout = seconds(10);
constexpr const char* kCloseLogLine = "closing with 1008 'consumer too slow'";

// A text of 480 ASCII characters that starts with the message number.
std::string message_text(int i) {
  std::string text = "slow consumer message " + std::to_string(i) + " ";
  text.resize(480, 'x');
  return text;
}

std::string envelope(const std::string& cid_suffix, const std::string& operation,
                     const json::value& data) {
  json::object frame{{"cid", "6a0d4b1c-0000-4000-8000-" + cid_suffix},
                     {"qualifier", "v1/syemessenger/" + operation},
                     {"data", data}};
  return json::serialize(frame);
}

TEST(SlowConsumer, ClosedWith1008OthersKeepReceiving) {
  auto cluster = Cluster::start(
      {.nodes = 2,
       // The stalled client sends no pong, so pings must not end it first.
       .extra_node_flags = {"--max-send-queue-bytes", std::to_string(kSendQueueBytes),
                            "--ping-interval-s", "300"},
       .brokers = 1,
       .partitions = 1});
  auto sender = user(cluster->url(0), "slow_sender", true);
  auto near_watcher = user(cluster->url(0), "slow_near", true);
  auto far_watcher = user(cluster->url(1), "slow_far", true);
  ASSERT_NE(user(cluster->url(0), "slow_stalled", true), nullptr);
  auto room = sender->call("createRoom", json::object{{"name", "slow-room"}});
  ASSERT_TRUE(room.ok()) << room.error().message;
  json::value room_id = room->as_object().at("id");
  for (auto* member : {near_watcher.get(), far_watcher.get()}) {
    ASSERT_TRUE(member->call("joinRoom", json::value("slow-room")).ok());
    ASSERT_TRUE(member->call("subscribe", room_id).ok());
  }

  // The stalled subscriber: logged in and subscribed over a raw socket
  // with a small receive buffer, then it stops reading.
  RawSocket stalled(cluster->node(0).port(), 4096);
  ASSERT_EQ(stalled.upgrade(seconds(5)), "HTTP/1.1 101 Switching Protocols");
  stalled.send_text(
      envelope("000000000001", "login",
               json::object{{"username", "slow_stalled"}, {"password", "test12345"}}));
  stalled.send_text(envelope("000000000002", "joinRoom", json::value("slow-room")));
  stalled.send_text(envelope("000000000003", "subscribe", room_id));
  for (int i = 0; i < 3; ++i) {
    auto reply = stalled.read_frame(seconds(5));
    ASSERT_TRUE(reply.has_value()) << "reply " << i << " missing";
    ASSERT_EQ(reply->payload.find("\"errorCode\""), std::string::npos) << reply->payload;
  }

  std::vector<std::string> sent_ids;
  int sent_after_close = -1;
  for (int i = 0; i < kMaxMessages && sent_after_close < kMessagesAfterClose; ++i) {
    auto sent =
        sender->call("send", json::object{{"roomId", room_id}, {"message", message_text(i)}});
    ASSERT_TRUE(sent.ok()) << "send " << i << ": " << sent.error().message;
    sent_ids.emplace_back(sent->as_object().at("id").as_string());
    if (sent_after_close >= 0) {
      ++sent_after_close;
    } else if (i % 100 == 99 && log_contains(cluster->node(0).log_file(), kCloseLogLine)) {
      sent_after_close = 0;
    }
  }
  ASSERT_GE(sent_after_close, 0) << "no slow-consumer close after " << sent_ids.size()
                                 << " messages";

  // Every other subscriber received every message, in order.
  for (auto* watcher : {near_watcher.get(), far_watcher.get()}) {
    for (std::size_t i = 0; i < sent_ids.size(); ++i) {
      auto push = watcher->next_push(kPushTimeout);
      ASSERT_TRUE(push.has_value()) << "push " << i << " missing";
      ASSERT_EQ(push->at("id").as_string(), sent_ids[i]) << "push " << i;
    }
    EXPECT_TRUE(watcher->is_open());
  }

  // The stalled client reads again: a prefix of the messages, then 1008.
  std::size_t received = 0;
  std::optional<RawFrame> close;
  while (auto frame = stalled.read_frame(seconds(5))) {
    if (frame->opcode == 0x8) {
      close = std::move(frame);
      break;
    }
    if (frame->opcode != 0x1) continue;
    auto data = json::parse(frame->payload).as_object().at("data").as_object();
    ASSERT_LT(received, sent_ids.size());
    ASSERT_EQ(data.at("id").as_string(), sent_ids[received]) << "push " << received;
    ++received;
  }
  ASSERT_TRUE(close.has_value());
  ASSERT_GE(close->payload.size(), 2u);
  int code = (static_cast<unsigned char>(close->payload[0]) << 8) |
             static_cast<unsigned char>(close->payload[1]);
  EXPECT_EQ(code, 1008);
  EXPECT_EQ(close->payload.substr(2), "consumer too slow");
  ASSERT_GT(received, 0u);
  ASSERT_LT(received, sent_ids.size());
  std::cout << "stalled client closed after " << received << " of " << sent_ids.size()
            << " messages\n";

  // The history writer stores every message before the resume reads the
  // part that left the node's recent window from PostgreSQL.
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  std::string total;
  while (std::chrono::steady_clock::now() < deadline) {
    auto page = sender->call("listMessages", json::object{{"roomId", room_id}, {"limit", 1}});
    ASSERT_TRUE(page.ok()) << page.error().message;
    total = std::string(page->as_object().at("totalCount").as_string());
    if (total == std::to_string(sent_ids.size())) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(total, std::to_string(sent_ids.size()));

  auto resumed = user(cluster->url(0), "slow_stalled", false);
  ASSERT_NE(resumed, nullptr);
  auto subscribed = resumed->call(
      "subscribe", json::object{{"roomId", room_id}, {"afterMessageId", sent_ids[received - 1]}});
  ASSERT_TRUE(subscribed.ok()) << subscribed.error().message;
  for (std::size_t i = received; i < sent_ids.size(); ++i) {
    auto push = resumed->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value()) << "resumed push " << i << " missing";
    ASSERT_EQ(push->at("id").as_string(), sent_ids[i]) << "resumed push " << i;
  }
  EXPECT_FALSE(resumed->next_push(milliseconds(500)).has_value());
}

}  // namespace
}  // namespace parley::testing
