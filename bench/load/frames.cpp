#include "frames.hpp"

namespace parley::bench {
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

ParseResult invalid(const char* error) {
  ParseResult result;
  result.status = ParseStatus::kInvalid;
  result.error = error;
  return result;
}

}  // namespace

ParseResult parse_server_frame(std::string_view input, std::size_t max_payload) {
  if (input.size() < 2) return {};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(input.data());
  const std::uint8_t opcode = bytes[0] & kOpcodeBits;
  if ((bytes[0] & kReservedBits) != 0) return invalid("reserved bits set");
  if (!is_known(opcode)) return invalid("unknown opcode");
  if ((bytes[0] & kFinBit) == 0 || opcode == 0) return invalid("fragmented message");
  if ((bytes[1] & kMaskBit) != 0) return invalid("masked server frame");

  std::size_t header = 2;
  std::uint64_t length = bytes[1] & kLengthBits;
  if (length == kLength16 || length == kLength64) {
    const std::size_t length_bytes = length == kLength16 ? 2 : 8;
    if (input.size() < header + length_bytes) return {};
    length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) length = (length << 8) | bytes[header + i];
    header += length_bytes;
  }
  if (length > max_payload) return invalid("frame larger than the read limit");
  if (input.size() - header < length) return {};

  ParseResult result;
  result.status = ParseStatus::kFrame;
  result.frame.opcode = static_cast<Opcode>(opcode);
  result.frame.payload = input.substr(header, static_cast<std::size_t>(length));
  result.consumed = header + static_cast<std::size_t>(length);
  return result;
}

void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::uint32_t mask_key) {
  out.push_back(static_cast<char>(kFinBit | static_cast<std::uint8_t>(opcode)));
  const std::size_t size = payload.size();
  if (size < kLength16) {
    out.push_back(static_cast<char>(kMaskBit | size));
  } else {
    const int length_bytes = size <= 0xFFFF ? 2 : 8;
    out.push_back(static_cast<char>(kMaskBit | (length_bytes == 2 ? kLength16 : kLength64)));
    for (int shift = (length_bytes - 1) * 8; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xFF));
    }
  }
  char mask[4];
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<char>((mask_key >> (24 - 8 * i)) & 0xFF);
  out.append(mask, 4);
  const std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < size; ++i) out[start + i] ^= mask[i % 4];
}

}  // namespace parley::bench
