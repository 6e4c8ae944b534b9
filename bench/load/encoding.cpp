#include "encoding.hpp"

#include <atomic>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "client/binary_codec.hpp"

namespace parley::bench {
namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "v1/syemessenger/";

template <typename Integer>
std::optional<Integer> parse_integer(std::string_view& input) {
  Integer value{};
  auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), value);
  if (error != std::errc{}) return std::nullopt;
  input.remove_prefix(static_cast<std::size_t>(end - input.data()));
  return value;
}

// Returns the characters of the JSON string that follows `key` in `frame`,
// without unescaping, because benchmark texts contain no escapes.
std::optional<std::string_view> string_field(std::string_view frame, std::string_view key) {
  auto start = frame.find(key);
  if (start == std::string_view::npos) return std::nullopt;
  start += key.size();
  const auto end = frame.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  return frame.substr(start, end - start);
}

}  // namespace

std::string JsonEncoding::request(std::string_view operation, const json::value& data) {
  json::object envelope;
  envelope["qualifier"] = std::string(kPrefix) + std::string(operation);
  envelope["data"] = data;
  return json::serialize(envelope);
}

std::string JsonEncoding::send_to_subscribed(std::string_view text) {
  return fmt::format(R"({{"qualifier":"v1/syemessenger/send","data":"{}"}})", text);
}

std::string JsonEncoding::send_to_room(std::int64_t room_id, std::string_view text) {
  return fmt::format(
      R"({{"qualifier":"v1/syemessenger/send","data":{{"roomId":"{}","message":"{}"}}}})", room_id,
      text);
}

std::optional<PushView> JsonEncoding::read_push(std::string_view frame) {
  auto text = string_field(frame, R"("message":")");
  auto id = string_field(frame, R"("id":")");
  if (!text || !id) return std::nullopt;
  auto id_value = parse_integer<std::int64_t>(*id);
  if (!id_value) return std::nullopt;
  return PushView{*text, *id_value};
}

json::value JsonEncoding::reply_data(std::string_view frame) {
  json::error_code error;
  json::value envelope = json::parse(frame, error);
  if (error || !envelope.is_object()) return json::string("reply is not a JSON object");
  const auto* data = envelope.as_object().if_contains("data");
  return data != nullptr ? *data : json::value(nullptr);
}

Result<WireFrame> encode_request(WireEncoding encoding, std::string_view operation,
                                 const json::value& data) {
  if (encoding == WireEncoding::kJson)
    return WireFrame{JsonEncoding::request(operation, data), false};
  // Any version-4 UUID layout will do; the server only echoes it.
  static std::atomic<std::uint64_t> next_cid{0};
  const std::string cid = fmt::format("00000000-0000-4000-8000-{:012x}", ++next_cid);
  auto bytes = client::encode_binary_request(cid, operation, data);
  if (!bytes) return bytes.error();
  return WireFrame{std::move(bytes.value()), true};
}

std::optional<std::string> binary_frame_as_json(std::string_view payload) {
  auto envelope = client::decode_binary_frame(payload);
  if (!envelope) return std::nullopt;
  return json::serialize(*envelope);
}

std::int64_t id_from(const json::value& value) {
  if (value.is_int64()) return value.as_int64();
  if (value.is_string()) {
    std::string_view text = value.as_string();
    return parse_integer<std::int64_t>(text).value_or(0);
  }
  if (value.is_object()) {
    if (const auto* id = value.as_object().if_contains("id")) return id_from(*id);
  }
  return 0;
}

std::string make_message_text(std::int64_t send_time_ns, std::uint32_t sender,
                              std::uint64_t sequence, std::size_t size) {
  std::string text = fmt::format("t{} s{} q{} ", send_time_ns, sender, sequence);
  if (text.size() < size) text.append(size - text.size(), 'x');
  return text;
}

std::optional<MessageStamp> read_message_text(std::string_view text) {
  MessageStamp stamp;
  if (!text.starts_with('t')) return std::nullopt;
  text.remove_prefix(1);
  auto time = parse_integer<std::int64_t>(text);
  if (!time || !text.starts_with(" s")) return std::nullopt;
  text.remove_prefix(2);
  auto sender = parse_integer<std::uint32_t>(text);
  if (!sender || !text.starts_with(" q")) return std::nullopt;
  text.remove_prefix(2);
  auto sequence = parse_integer<std::uint64_t>(text);
  if (!sequence) return std::nullopt;
  return MessageStamp{*time, *sender, *sequence};
}

}  // namespace parley::bench
