#include "protocol/envelope.hpp"

#include <array>
#include <cstdint>

#include "protocol/json_values.hpp"
#include "protocol/text.hpp"

namespace parley::protocol {
namespace {

// Jackson 2.16 rejects documents nested deeper than 1000 levels
// (StreamReadConstraints), while Boost.JSON's default is 32.
constexpr std::size_t kMaxJsonDepth = 1000;

constexpr std::string_view kHexDigits = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string format_uuid(const std::array<std::uint8_t, 16>& bytes) {
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      text += '-';
    }
    text += kHexDigits[bytes[i] >> 4];
    text += kHexDigits[bytes[i] & 0x0F];
  }
  return text;
}

// 8-4-4-4-12 hex digits in any case.
std::optional<std::string> parse_canonical_uuid(std::string_view text) {
  std::string lower;
  lower.reserve(36);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (text[i] != '-') return std::nullopt;
      lower += '-';
      continue;
    }
    const int value = hex_value(text[i]);
    if (value < 0) return std::nullopt;
    lower += kHexDigits[value];
  }
  return lower;
}

// The 16 bytes in standard Base64: 22 characters and "==" padding, the
// only 24-character form Jackson decodes to 16 bytes.
std::optional<std::string> parse_base64_uuid(std::string_view text) {
  if (text.substr(22) != "==") {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> bytes{};
  std::uint32_t buffer = 0;
  int buffered_bits = 0;
  std::size_t count = 0;
  for (char c : text.substr(0, 22)) {
    const int value = base64_value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    buffered_bits += 6;
    if (buffered_bits >= 8) {
      buffered_bits -= 8;
      bytes[count++] = static_cast<std::uint8_t>(buffer >> buffered_bits);
    }
  }
  // 22 characters carry 132 bits: 16 bytes and 4 unused bits.
  return format_uuid(bytes);
}

enum class CidState { kAbsent, kValid, kInvalid };

struct CidRead {
  CidState state = CidState::kAbsent;
  std::string canonical;
};

// Reads the cid as Jackson's UUIDDeserializer does: the text of a string
// trimmed, "" meaning absent, then 36 or 24 characters.
CidRead read_cid(const boost::json::value* value) {
  if (value == nullptr || value->is_null()) {
    return {};
  }
  if (!value->is_string()) {
    return {CidState::kInvalid, {}};
  }
  const std::string_view text = trim_java(value->get_string());
  if (text.empty()) {
    return {};
  }
  std::optional<std::string> canonical;
  if (text.size() == 36) {
    canonical = parse_canonical_uuid(text);
  } else if (text.size() == 24) {
    canonical = parse_base64_uuid(text);
  }
  if (!canonical) {
    return {CidState::kInvalid, {}};
  }
  return {CidState::kValid, std::move(*canonical)};
}

std::optional<boost::json::value> parse_json_prefix(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::system::error_code error;
  // write_some stops after the first complete value and ignores the text
  // after it, as Jackson does. Incomplete text is an error.
  parser.write_some(text.data(), text.size(), error);
  if (error) {
    return std::nullopt;
  }
  return parser.release();
}

EnvelopeParse invalid_envelope(std::optional<std::string> cid) {
  EnvelopeParse result;
  result.error = Error{400, std::string(kInvalidEnvelopeMessage)};
  result.cid_if_readable = std::move(cid);
  return result;
}

boost::json::object reply_head(const std::optional<std::string>& cid, std::string_view qualifier) {
  boost::json::object reply;
  if (cid) {
    reply["cid"] = *cid;
  }
  reply["qualifier"] = qualifier;
  return reply;
}

}  // namespace

EnvelopeParse parse_envelope(std::string_view text) {
  std::optional<boost::json::value> root = parse_json_prefix(text);
  if (!root || !root->is_object()) {
    return invalid_envelope(std::nullopt);
  }
  boost::json::object& object = root->get_object();

  CidRead cid = read_cid(member(object, "cid"));
  if (cid.state == CidState::kInvalid) {
    return invalid_envelope(std::nullopt);
  }
  Envelope envelope;
  if (cid.state == CidState::kValid) {
    envelope.cid = std::move(cid.canonical);
  }

  Field<std::string> qualifier = read_string(member(object, "qualifier"));
  if (qualifier.invalid()) {
    return invalid_envelope(envelope.cid);
  }
  if (qualifier.present()) {
    envelope.qualifier = std::move(qualifier.value);
  }

  if (boost::json::value* data = object.if_contains("data")) {
    envelope.data = std::move(*data);
  }
  EnvelopeParse result;
  result.envelope = std::move(envelope);
  return result;
}

std::string serialize_reply(const Envelope& request, const boost::json::value& data) {
  boost::json::object reply = reply_head(request.cid, request.qualifier.value_or(""));
  reply["data"] = data;
  return boost::json::serialize(reply);
}

std::string serialize_error(const std::optional<std::string>& cid, const Error& error) {
  boost::json::object reply = reply_head(cid, kErrorQualifier);
  boost::json::object data;
  data["errorCode"] = std::to_string(error.code);
  data["errorMessage"] = error.message;
  reply["data"] = std::move(data);
  return boost::json::serialize(reply);
}

}  // namespace parley::protocol
