#include "websocket/frames.hpp"

namespace parley::websocket {
namespace {

constexpr std::uint8_t kFinBit = 0x80;
constexpr std::uint8_t kReservedBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLengthBits = 0x7F;
constexpr std::uint8_t kLength16 = 126;
constexpr std::uint8_t kLength64 = 127;

bool is_known(std::uint8_t opcode) {
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kContinuation:
    case Opcode::kText:
    case Opcode::kBinary:
    case Opcode::kClose:
    case Opcode::kPing:
    case Opcode::kPong:
      return true;
  }
  return false;
}

HeaderResult invalid_header(const char* error) {
  HeaderResult result;
  result.status = ParseStatus::kInvalid;
  result.error = error;
  return result;
}

// Appends the first two header bytes and the extended length, with the
// mask bit set when `masked`.
void append_header(std::string& out, Opcode opcode, std::size_t size, bool masked) {
  const std::uint8_t mask_bit = masked ? kMaskBit : 0;
  out.push_back(static_cast<char>(kFinBit | static_cast<std::uint8_t>(opcode)));
  if (size < kLength16) {
    out.push_back(static_cast<char>(mask_bit | size));
    return;
  }
  const int length_bytes = size <= 0xFFFF ? 2 : 8;
  out.push_back(static_cast<char>(mask_bit | (length_bytes == 2 ? kLength16 : kLength64)));
  for (int shift = (length_bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xFF));
  }
}

char mask_byte(std::uint32_t mask_key, std::uint64_t position) {
  return static_cast<char>((mask_key >> (24 - 8 * (position % 4))) & 0xFF);
}

}  // namespace

HeaderResult parse_header(std::string_view input, Sender sender) {
  if (input.size() < 2) return {};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(input.data());
  const std::uint8_t opcode = bytes[0] & kOpcodeBits;
  const bool fin = (bytes[0] & kFinBit) != 0;
  const bool masked = (bytes[1] & kMaskBit) != 0;
  if ((bytes[0] & kReservedBits) != 0) return invalid_header("reserved bits set");
  if (!is_known(opcode)) return invalid_header("unknown opcode");
  if (sender == Sender::kClient && !masked) return invalid_header("unmasked client frame");
  if (sender == Sender::kServer && masked) return invalid_header("masked server frame");

  HeaderResult result;
  FrameHeader& header = result.header;
  header.fin = fin;
  header.opcode = static_cast<Opcode>(opcode);
  header.header_size = 2;
  header.payload_size = bytes[1] & kLengthBits;
  if (is_control(header.opcode)) {
    if (!fin) return invalid_header("fragmented control frame");
    if (header.payload_size > kMaxControlPayload) {
      return invalid_header("control frame over 125 bytes");
    }
  }
  if (header.payload_size == kLength16 || header.payload_size == kLength64) {
    const std::size_t length_bytes = header.payload_size == kLength16 ? 2 : 8;
    if (input.size() < header.header_size + length_bytes) return {};
    header.payload_size = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) {
      header.payload_size = (header.payload_size << 8) | bytes[header.header_size + i];
    }
    header.header_size += length_bytes;
    // Section 5.2: the most significant bit of a 64-bit length is 0, and
    // a length takes the fewest bytes that can carry it.
    if (header.payload_size >> 63 != 0) return invalid_header("payload length over 2^63");
    const std::uint64_t shortest = length_bytes == 2 ? kLength16 : 0x10000;
    if (header.payload_size < shortest)
      return invalid_header("payload length not in its shortest form");
  }
  if (masked) {
    if (input.size() < header.header_size + 4) return {};
    std::uint32_t key = 0;
    for (std::size_t i = 0; i < 4; ++i) key = (key << 8) | bytes[header.header_size + i];
    header.mask_key = key;
    header.header_size += 4;
  }
  result.status = ParseStatus::kFrame;
  return result;
}

FrameResult parse_frame(std::string_view input, Sender sender, std::size_t max_payload) {
  const HeaderResult parsed = parse_header(input, sender);
  FrameResult result;
  result.status = parsed.status;
  result.error = parsed.error;
  if (parsed.status != ParseStatus::kFrame) return result;
  const FrameHeader& header = parsed.header;
  if (header.payload_size > max_payload) {
    result.status = ParseStatus::kInvalid;
    result.error = "frame larger than the read limit";
    return result;
  }
  if (input.size() - header.header_size < header.payload_size) {
    result.status = ParseStatus::kIncomplete;
    return result;
  }
  const auto size = static_cast<std::size_t>(header.payload_size);
  result.frame.header = header;
  result.frame.payload = input.substr(header.header_size, size);
  result.consumed = header.header_size + size;
  return result;
}

void unmask_append(std::string& out, std::string_view masked, std::uint32_t mask_key,
                   std::uint64_t offset) {
  const std::size_t start = out.size();
  out.append(masked);
  char mask[4];
  for (std::uint64_t i = 0; i < 4; ++i) mask[i] = mask_byte(mask_key, offset + i);
  for (std::size_t i = 0; i < masked.size(); ++i) out[start + i] ^= mask[i % 4];
}

void append_server_header(std::string& out, Opcode opcode, std::size_t payload_size) {
  append_header(out, opcode, payload_size, false);
}

void append_server_frame(std::string& out, Opcode opcode, std::string_view payload) {
  append_header(out, opcode, payload.size(), false);
  out.append(payload);
}

void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::uint32_t mask_key) {
  append_header(out, opcode, payload.size(), true);
  for (std::uint64_t i = 0; i < 4; ++i) out.push_back(mask_byte(mask_key, i));
  unmask_append(out, payload, mask_key);
}

}  // namespace parley::websocket
