// Encode plus decode of the messages on Parley's hot paths, SBE against
// JSON. Each iteration encodes the values, then decodes every field back,
// as the receiving side would. JSON is written the way the server writes it
// (protocol::serialize_push, protocol::message_page) and read back with
// boost::json, numbers and date-times included. Run with
//   build/bench/micro/parley-bench-codec --benchmark_repetitions=5
// and compare the medians.

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include "kafka/records.hpp"
#include "protocol/json_values.hpp"
#include "protocol/views.hpp"
#include "sbe/parley_sbe.hpp"

namespace {

using parley::Timestamp;
using parley::protocol::MessageInfo;

constexpr std::size_t kPageSize = 50;

// A chat message of a typical length: 60 ASCII characters.
MessageInfo sample_message(std::int64_t index) {
  return MessageInfo{7'251'000'000'000'000'000 + index, 1'234'567, 89'012,
                     "Meeting moved to 15:30, room B. Bring the quarterly numbers.",
                     Timestamp(std::chrono::milliseconds(1'735'689'600'123 + index))};
}

std::int64_t read_id(const boost::json::value& value) {
  const boost::json::string& text = value.as_string();
  std::int64_t id = 0;
  std::from_chars(text.data(), text.data() + text.size(), id);
  return id;
}

// Reads a MessageInfo object back: ids from their JSON strings, the
// date-time through the protocol's own parser.
void read_message_json(const boost::json::object& data) {
  benchmark::DoNotOptimize(read_id(data.at("id")));
  benchmark::DoNotOptimize(read_id(data.at("senderId")));
  benchmark::DoNotOptimize(read_id(data.at("roomId")));
  benchmark::DoNotOptimize(data.at("message").as_string().size());
  auto timestamp = parley::protocol::read_local_datetime(data.if_contains("timestamp"));
  benchmark::DoNotOptimize(timestamp);
}

void BM_PushJson(benchmark::State& state) {
  MessageInfo message = sample_message(0);
  for (auto _ : state) {
    std::string text = parley::protocol::serialize_push(message);
    boost::json::value parsed = boost::json::parse(text);
    read_message_json(parsed.at("data").as_object());
    state.counters["bytes"] = static_cast<double>(text.size());
  }
}
BENCHMARK(BM_PushJson);

void BM_PushSbe(benchmark::State& state) {
  MessageInfo message = sample_message(0);
  std::vector<std::uint8_t> buffer(256);
  for (auto _ : state) {
    parley::sbe::MessagePushEncoder encoder(buffer);
    encoder.id(message.id)
        .sender_id(message.sender_id)
        .room_id(message.room_id)
        .timestamp(message.timestamp.time_since_epoch().count())
        .message(message.message);
    std::span<const std::uint8_t> bytes(buffer.data(), encoder.size());
    auto decoded = parley::sbe::MessagePushDecoder::decode(bytes);
    benchmark::DoNotOptimize(decoded->id());
    benchmark::DoNotOptimize(decoded->sender_id());
    benchmark::DoNotOptimize(decoded->room_id());
    benchmark::DoNotOptimize(decoded->timestamp());
    benchmark::DoNotOptimize(decoded->message().size());
    state.counters["bytes"] = static_cast<double>(bytes.size());
  }
}
BENCHMARK(BM_PushSbe);

// The Kafka record of a sent message, through kafka::encode and
// kafka::decode, which copy into std::string values.
void BM_RoomMessageRecordSbe(benchmark::State& state) {
  MessageInfo message = sample_message(0);
  parley::kafka::RoomMessageRecord record{message.room_id, message.sender_id, message.timestamp,
                                          message.id,      message.message,   "client-17"};
  for (auto _ : state) {
    std::string bytes = parley::kafka::encode(record);
    auto decoded = parley::kafka::decode(bytes);
    benchmark::DoNotOptimize(decoded);
    state.counters["bytes"] = static_cast<double>(bytes.size());
  }
}
BENCHMARK(BM_RoomMessageRecordSbe);

void BM_ListMessagesJson50(benchmark::State& state) {
  std::vector<MessageInfo> messages;
  for (std::size_t i = 0; i < kPageSize; ++i) {
    messages.push_back(sample_message(static_cast<std::int64_t>(i)));
  }
  for (auto _ : state) {
    boost::json::object page = parley::protocol::message_page(messages, {0, 50}, 1000);
    std::string text = boost::json::serialize(page);
    boost::json::value parsed = boost::json::parse(text);
    for (const boost::json::value& item : parsed.at("messages").as_array()) {
      read_message_json(item.as_object());
    }
    benchmark::DoNotOptimize(read_id(parsed.at("totalCount")));
    state.counters["bytes"] = static_cast<double>(text.size());
  }
}
BENCHMARK(BM_ListMessagesJson50);

void BM_ListMessagesSbe50(benchmark::State& state) {
  std::vector<MessageInfo> messages;
  for (std::size_t i = 0; i < kPageSize; ++i) {
    messages.push_back(sample_message(static_cast<std::int64_t>(i)));
  }
  std::vector<std::uint8_t> buffer(16 * 1024);
  for (auto _ : state) {
    parley::sbe::ListMessagesReplyEncoder encoder(buffer);
    encoder.cid_high(0x0123456789abcdef).cid_low(0xfedcba9876543210).offset(0).limit(50);
    encoder.total_count(1000);
    auto entries = encoder.messages(messages.size());
    for (const MessageInfo& message : messages) {
      entries.next()
          .id(message.id)
          .sender_id(message.sender_id)
          .room_id(message.room_id)
          .timestamp(message.timestamp.time_since_epoch().count())
          .message(message.message);
    }
    std::span<const std::uint8_t> bytes(buffer.data(), encoder.size());
    auto decoded = parley::sbe::ListMessagesReplyDecoder::decode(bytes);
    auto items = decoded->messages();
    while (items.next()) {
      benchmark::DoNotOptimize(items.id());
      benchmark::DoNotOptimize(items.sender_id());
      benchmark::DoNotOptimize(items.room_id());
      benchmark::DoNotOptimize(items.timestamp());
      benchmark::DoNotOptimize(items.message().size());
    }
    benchmark::DoNotOptimize(decoded->total_count());
    state.counters["bytes"] = static_cast<double>(bytes.size());
  }
}
BENCHMARK(BM_ListMessagesSbe50);

}  // namespace

BENCHMARK_MAIN();
