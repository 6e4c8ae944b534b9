#include "protocol/binary/frames.hpp"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "common/logging.hpp"
#include "protocol/binary/codec.hpp"
#include "protocol/json_values.hpp"

namespace parley::protocol::binary {
namespace json = boost::json;
using detail::CidWords;
using detail::OperationCodec;

namespace {

const std::vector<const OperationCodec*>& all_codecs() {
  static const std::vector<const OperationCodec*> codecs = [] {
    std::vector<const OperationCodec*> list;
    for (auto group : {detail::account_codecs(), detail::room_codecs(), detail::message_codecs(),
                       detail::token_codecs()}) {
      for (const OperationCodec& codec : group) list.push_back(&codec);
    }
    return list;
  }();
  return codecs;
}

const OperationCodec* find_by_request_template(std::uint16_t template_id) {
  for (const OperationCodec* codec : all_codecs()) {
    if (codec->request_template_id == template_id) return codec;
  }
  return nullptr;
}

const OperationCodec* find_by_reply_template(std::uint16_t template_id) {
  for (const OperationCodec* codec : all_codecs()) {
    if (codec->reply_template_id == template_id) return codec;
  }
  return nullptr;
}

// Finds the codec of a full qualifier such as v1/syemessenger/login.
const OperationCodec* find_by_qualifier(std::string_view qualifier) {
  if (!qualifier.starts_with(kQualifierPrefix)) return nullptr;
  const std::string_view operation = qualifier.substr(kQualifierPrefix.size());
  for (const OperationCodec* codec : all_codecs()) {
    if (codec->operation == operation) return codec;
  }
  return nullptr;
}

std::uint64_t read_little_endian_u64(std::span<const std::uint8_t> bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  return value;
}

// Reads the cid from the first 16 bytes of the block, where every client
// frame but MessagePush has it, without decoding the rest of the frame.
std::optional<std::string> peek_cid(std::span<const std::uint8_t> frame,
                                    const sbe::MessageHeader& header) {
  constexpr std::size_t kCidBytes = 16;
  if (header.template_id == sbe::MessagePushEncoder::kTemplateId ||
      header.block_length < kCidBytes || frame.size() < sbe::kMessageHeaderLength + kCidBytes) {
    return std::nullopt;
  }
  const auto block = frame.subspan(sbe::kMessageHeaderLength);
  return detail::cid_text(
      {read_little_endian_u64(block), read_little_endian_u64(block.subspan(8))});
}

EnvelopeParse invalid_request(std::optional<std::string> cid) {
  EnvelopeParse result;
  result.error = detail::invalid_frame();
  result.cid_if_readable = std::move(cid);
  return result;
}

json::object envelope_object(const std::optional<std::string>& cid, std::string_view qualifier,
                             json::value data) {
  json::object envelope;
  if (cid) envelope["cid"] = *cid;
  envelope["qualifier"] = qualifier;
  envelope["data"] = std::move(data);
  return envelope;
}

Result<json::object> decode_error_reply(std::span<const std::uint8_t> frame) {
  auto decoder = sbe::ErrorReplyDecoder::decode(frame);
  if (!decoder) return Error{0, "invalid SBE error reply: " + decoder.error().message};
  json::object data;
  data["errorCode"] = std::to_string(decoder->error_code());
  data["errorMessage"] = decoder->error_message();
  return envelope_object(detail::read_cid(*decoder), kErrorQualifier, std::move(data));
}

Result<json::object> decode_push(std::span<const std::uint8_t> frame) {
  auto decoder = sbe::MessagePushDecoder::decode(frame);
  if (!decoder) return Error{0, "invalid SBE message push: " + decoder.error().message};
  json::object data;
  data["id"] = detail::number_text(decoder->id());
  data["senderId"] = detail::number_text(decoder->sender_id());
  data["roomId"] = detail::number_text(decoder->room_id());
  data["message"] = decoder->message();
  if (Status s = detail::put_time(data, "timestamp", decoder->timestamp()); !s) {
    return Error{0, "invalid SBE message push: timestamp out of range"};
  }
  return envelope_object(std::nullopt, kMessagesQualifier, std::move(data));
}

}  // namespace

std::span<const std::uint8_t> frame_bytes(std::string_view frame) {
  return {reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()};
}

EnvelopeParse parse_request(std::span<const std::uint8_t> frame) {
  auto header = sbe::read_header(frame);
  if (!header) return invalid_request(std::nullopt);
  const OperationCodec* codec = find_by_request_template(header->template_id);
  if (codec == nullptr) {
    EnvelopeParse result;
    result.envelope = Envelope{peek_cid(frame, *header),
                               fmt::format("SBE template {}", header->template_id), nullptr};
    return result;
  }
  auto decoded = codec->decode_request(frame);
  if (!decoded) return invalid_request(peek_cid(frame, *header));

  std::string qualifier(kQualifierPrefix);
  qualifier += codec->operation;
  EnvelopeParse result;
  result.envelope =
      Envelope{std::move(decoded->cid), std::move(qualifier), std::move(decoded->data)};
  return result;
}

std::string serialize_reply(const Envelope& request, const json::value& data) {
  const std::string_view qualifier = request.qualifier ? *request.qualifier : std::string_view{};
  const OperationCodec* codec = find_by_qualifier(qualifier);
  if (codec == nullptr) {
    logger("protocol")->error("no SBE reply message for qualifier '{}'", qualifier);
    return serialize_error(request.cid, Error{500, "Internal service error"});
  }
  Result<std::string> frame = codec->encode_reply(detail::cid_words(request.cid), data);
  if (!frame) {
    logger("protocol")
        ->error("reply of {} has no SBE form: {}", codec->operation, frame.error().message);
    return serialize_error(request.cid, Error{500, "Internal service error"});
  }
  return std::move(frame).value();
}

std::string serialize_error(const std::optional<std::string>& cid, const Error& error) {
  const CidWords words = detail::cid_words(cid);
  Result<std::string> frame =
      detail::encode_frame<sbe::ErrorReplyEncoder>([&](sbe::ErrorReplyEncoder& encoder) -> Status {
        encoder.cid_high(words.high).cid_low(words.low).error_code(error.code);
        encoder.error_message(error.message);
        return Done{};
      });
  // Error messages are short texts, far below kMaxEncodedBytes, so this
  // branch only reports a bug.
  if (!frame) {
    logger("protocol")
        ->error("error reply {} with a {}-byte message has no SBE form", error.code,
                error.message.size());
    return std::string{};
  }
  return std::move(frame).value();
}

std::string serialize_push(const MessageInfo& message) {
  Result<std::string> frame = detail::encode_frame<sbe::MessagePushEncoder>(
      [&](sbe::MessagePushEncoder& encoder) -> Status {
        encoder.id(message.id)
            .sender_id(message.sender_id)
            .room_id(message.room_id)
            .timestamp(message.timestamp.time_since_epoch().count());
        encoder.message(message.message);
        return Done{};
      });
  // A message text is at most 500 UTF-16 code units, far below
  // kMaxEncodedBytes, so this branch only reports a bug.
  if (!frame) {
    logger("protocol")
        ->error("push of message {} with {} bytes of text has no SBE form", message.id,
                message.message.size());
    return std::string{};
  }
  return std::move(frame).value();
}

Result<std::string> push_from_json(std::string_view json_frame) {
  boost::system::error_code error;
  json::value push = json::parse(json_frame, error);
  if (error || !push.is_object()) return Error{500, "push frame is not a JSON object"};
  const json::value* data = push.get_object().if_contains("data");
  if (data == nullptr) return Error{500, "push frame has no data"};
  detail::ReplyReader reader(*data);
  auto object = reader.object();
  if (!object) return object.error();
  auto id = reader.number(**object, "id");
  auto sender_id = reader.number(**object, "senderId");
  auto room_id = reader.number(**object, "roomId");
  auto timestamp = reader.time(**object, "timestamp");
  auto text = reader.string(**object, "message");
  if (!id) return id.error();
  if (!sender_id) return sender_id.error();
  if (!room_id) return room_id.error();
  if (!timestamp) return timestamp.error();
  if (!text) return text.error();
  return binary::serialize_push(MessageInfo{*id, *sender_id, *room_id, std::string(*text),
                                            Timestamp{std::chrono::milliseconds{*timestamp}}});
}

Result<std::string> serialize_request(const Envelope& request) {
  const std::string_view qualifier = request.qualifier ? *request.qualifier : std::string_view{};
  const OperationCodec* codec = find_by_qualifier(qualifier);
  if (codec == nullptr) {
    return Error{0, fmt::format("'{}' has no SBE request message", qualifier)};
  }
  Result<std::string> frame = codec->encode_request(detail::cid_words(request.cid), request.data);
  if (!frame) {
    return Error{0, fmt::format("cannot encode {} as an SBE frame: invalid {}", codec->operation,
                                frame.error().message)};
  }
  return frame;
}

Result<json::object> parse_server_frame(std::span<const std::uint8_t> frame) {
  auto header = sbe::read_header(frame);
  if (!header) return Error{0, "invalid SBE frame: " + header.error().message};
  if (header->template_id == sbe::ErrorReplyEncoder::kTemplateId) return decode_error_reply(frame);
  if (header->template_id == sbe::MessagePushEncoder::kTemplateId) return decode_push(frame);

  const OperationCodec* codec = find_by_reply_template(header->template_id);
  if (codec == nullptr) {
    return Error{0, fmt::format("unknown SBE reply template {}", header->template_id)};
  }
  auto decoded = codec->decode_reply(frame);
  if (!decoded) {
    return Error{
        0, fmt::format("invalid SBE reply of {}: {}", codec->operation, decoded.error().message)};
  }
  std::string qualifier(kQualifierPrefix);
  qualifier += codec->operation;
  return envelope_object(decoded->cid, qualifier, std::move(decoded->data));
}

}  // namespace parley::protocol::binary
