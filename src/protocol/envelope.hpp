#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/error.hpp"

namespace parley::protocol {

inline constexpr std::string_view kQualifierPrefix = "v1/syemessenger/";
inline constexpr std::string_view kErrorQualifier = "v1/syemessenger/error";
inline constexpr std::string_view kMessagesQualifier = "v1/syemessenger/messages";

// Message of the error reply to a frame that is not an envelope.
inline constexpr std::string_view kInvalidEnvelopeMessage = "Wrong message: invalid envelope";

// One request frame: {"cid"?: uuid, "qualifier"?: string, "data"?: any}.
struct Envelope {
  std::optional<std::string> cid;        // canonical lower-case 36-char UUID
  std::optional<std::string> qualifier;  // as sent (non-string scalars as text)
  boost::json::value data;               // null when absent
};

struct EnvelopeParse {
  std::optional<Envelope> envelope;
  Error error;  // meaningful when !envelope
  std::optional<std::string> cid_if_readable;
};

// Parses a text frame. A frame that is not a JSON object, whose cid is not a
// UUID or whose qualifier is an object or array yields
// Error{400, "Wrong message: invalid envelope"}, and `cid_if_readable`
// carries the cid when it could be read. The cid may be the canonical form
// in any hex case or the 24-character Base64 form of its 16 bytes, and ""
// and null mean absent. Text after the closing brace is ignored, the last of
// duplicate keys wins, unknown fields are ignored and field names are
// case-sensitive. A missing qualifier is not an envelope error.
EnvelopeParse parse_envelope(std::string_view text);

// Serializes a success reply {"cid"?, "qualifier": <request qualifier>,
// "data": data}.
std::string serialize_reply(const Envelope& request, const boost::json::value& data);

// Serializes an error reply {"cid"?, "qualifier": "v1/syemessenger/error",
// "data": {"errorCode": "<code>", "errorMessage": "<message>"}}.
std::string serialize_error(const std::optional<std::string>& cid, const Error& error);

}  // namespace parley::protocol
