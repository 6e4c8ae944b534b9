#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The payload of a close frame (RFC 6455 sections 5.5.1 and 7.4): an
// optional two-byte status code, then a UTF-8 reason.
namespace parley::websocket {

enum class CloseCode : std::uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kInvalidPayload = 1007,
  kPolicyViolation = 1008,
  kTooBig = 1009,
  kInternalError = 1011,
  kServiceRestart = 1012,
};

// The payload for `code` and `reason`. A reason that would not fit in a
// control frame is cut at a character boundary.
std::string close_payload(CloseCode code, std::string_view reason);

struct ReceivedClose {
  // Empty when the peer sent no status code.
  std::optional<std::uint16_t> code;
  std::string_view reason;
};

struct CloseParseResult {
  // Set when the payload is valid.
  std::optional<ReceivedClose> close;
  // Otherwise the code to fail the connection with, and why.
  CloseCode error_code = CloseCode::kProtocolError;
  const char* error = "";
};

// Parses a received close payload: a one-byte payload, or a status code
// that section 7.4 does not allow on the wire, is a protocol error, and a
// reason that is not UTF-8 is invalid payload data.
CloseParseResult parse_close_payload(std::string_view payload);

}  // namespace parley::websocket
