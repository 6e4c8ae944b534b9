#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// WebSocket framing (RFC 6455 section 5), shared by the node's server side
// and parley-bench's client side. Both read and write the socket
// themselves once the handshake is done: one read parses every frame it
// received, and one write carries every frame queued meanwhile.
namespace parley::websocket {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close, ping and pong (section 5.5).
constexpr bool is_control(Opcode opcode) { return (static_cast<std::uint8_t>(opcode) & 0x8) != 0; }

// The largest payload of a control frame (section 5.5).
inline constexpr std::size_t kMaxControlPayload = 125;

// The end that sent a frame. A client masks every frame and a server none
// (section 5.1), so a frame that breaks this is invalid.
enum class Sender { kClient, kServer };

struct FrameHeader {
  bool fin = true;
  Opcode opcode = Opcode::kText;
  // The masking key of a client frame, as its four bytes in wire order.
  std::optional<std::uint32_t> mask_key;
  // Bytes of the header, and of the payload that follows it.
  std::size_t header_size = 0;
  std::uint64_t payload_size = 0;
};

enum class ParseStatus {
  kFrame,       // the result's frame (or header) is set
  kIncomplete,  // more bytes are needed
  kInvalid,     // `error` names what is wrong
};

struct HeaderResult {
  ParseStatus status = ParseStatus::kIncomplete;
  FrameHeader header;
  const char* error = "";
};

// Parses the frame header at the start of `input`: checks the reserved
// bits, the opcode, the rules for control frames (final, at most 125
// bytes) and the mask that `sender` must or must not use. The payload need
// not have arrived yet.
HeaderResult parse_header(std::string_view input, Sender sender);

// One whole frame, pointing into the parser's input. A client frame's
// payload is still masked: unmask_append() reveals it.
struct Frame {
  FrameHeader header;
  std::string_view payload;
};

struct FrameResult {
  ParseStatus status = ParseStatus::kIncomplete;
  Frame frame;
  // Bytes of the input that the frame took, header included.
  std::size_t consumed = 0;
  const char* error = "";
};

// Parses the whole frame at the start of `input` as parse_header() does. A
// frame whose payload is longer than `max_payload` is invalid.
FrameResult parse_frame(std::string_view input, Sender sender, std::size_t max_payload);

// Appends `masked` to `out`, unmasked with `mask_key`. `offset` is the
// position of `masked` within its frame's payload.
void unmask_append(std::string& out, std::string_view masked, std::uint32_t mask_key,
                   std::uint64_t offset = 0);

// Appends the header of one final, unmasked frame of `payload_size` bytes,
// as a server sends it.
void append_server_header(std::string& out, Opcode opcode, std::size_t payload_size);

// Appends one final, unmasked frame carrying `payload`.
void append_server_frame(std::string& out, Opcode opcode, std::string_view payload);

// Appends one final client frame carrying `payload`, masked with
// `mask_key` (section 5.3).
void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::uint32_t mask_key);

// Bytes of a frame header for a payload of `payload_size` bytes, unmasked.
constexpr std::size_t server_header_size(std::size_t payload_size) {
  if (payload_size < 126) return 2;
  return payload_size <= 0xFFFF ? 4 : 10;
}

}  // namespace parley::websocket
