#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// WebSocket framing (RFC 6455 section 5) for the client side of
// parley-bench. After Beast completes the handshake, the tool reads and
// writes the socket itself. One read parses every frame it received, and
// one write carries every frame queued meanwhile. This keeps the tool's
// cost per delivery small next to the nodes it measures.
namespace parley::bench {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// One frame that a server sent, pointing into the parser's input.
struct ServerFrame {
  Opcode opcode = Opcode::kText;
  std::string_view payload;
};

enum class ParseStatus {
  kFrame,       // `frame` and `consumed` are set
  kIncomplete,  // more bytes are needed
  kInvalid,     // `error` names what is wrong
};

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  ServerFrame frame;
  // Bytes of the input that the frame took, header included.
  std::size_t consumed = 0;
  const char* error = "";
};

// Parses the frame at the start of `input`. A server frame must be
// unmasked (section 5.1). Fragmented messages are invalid here, because a
// Parley node sends every message in one frame. A frame whose payload is
// longer than `max_payload` is invalid.
ParseResult parse_server_frame(std::string_view input, std::size_t max_payload);

// Appends one final, masked client frame (section 5.3) carrying `payload`
// to `out`, masked with `mask_key`.
void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::uint32_t mask_key);

}  // namespace parley::bench
