#include "websocket/close.hpp"

#include "common/utf8.hpp"
#include "websocket/frames.hpp"

namespace parley::websocket {
namespace {

// Status codes a peer may send (section 7.4.1 and the IANA registry):
// 1004, 1005, 1006 and 1015 are reserved for local use, and codes from
// 3000 to 4999 belong to libraries and applications.
bool may_send(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  if (code < 1000 || code > 1014) return false;
  return code != 1004 && code != 1005 && code != 1006;
}

}  // namespace

std::string close_payload(CloseCode code, std::string_view reason) {
  constexpr std::size_t kMaxReason = kMaxControlPayload - 2;
  if (reason.size() > kMaxReason) {
    std::size_t end = kMaxReason;
    // Continuation bytes are 10xxxxxx; cut before the character they belong to.
    while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
    reason = reason.substr(0, end);
  }
  const auto value = static_cast<std::uint16_t>(code);
  std::string payload;
  payload.push_back(static_cast<char>(value >> 8));
  payload.push_back(static_cast<char>(value & 0xFF));
  payload.append(reason);
  return payload;
}

CloseParseResult parse_close_payload(std::string_view payload) {
  CloseParseResult result;
  if (payload.empty()) {
    result.close.emplace();
    return result;
  }
  if (payload.size() == 1) {
    result.error = "close frame with a one-byte payload";
    return result;
  }
  const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                               static_cast<unsigned char>(payload[1]));
  if (!may_send(code)) {
    result.error = "close status code not allowed on the wire";
    return result;
  }
  const std::string_view reason = payload.substr(2);
  if (!is_valid_utf8(reason)) {
    result.error_code = CloseCode::kInvalidPayload;
    result.error = "close reason is not UTF-8";
    return result;
  }
  result.close = ReceivedClose{code, reason};
  return result;
}

}  // namespace parley::websocket
