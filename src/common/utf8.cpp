#include "common/utf8.hpp"

namespace parley {
namespace {

bool in_range(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

}  // namespace

DecodedCodePoint decode_utf8(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) {
    return {lead, 1};
  }

  std::size_t length = 0;
  char32_t code_point = 0;
  // Allowed range of the second byte. Later bytes are always 80..BF.
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (in_range(lead, 0xC2, 0xDF)) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (in_range(lead, 0xE0, 0xEF)) {
    length = 3;
    code_point = lead & 0x0F;
    second_low = lead == 0xE0 ? 0xA0 : 0x80;
    second_high = lead == 0xED ? 0x9F : 0xBF;
  } else if (in_range(lead, 0xF0, 0xF4)) {
    length = 4;
    code_point = lead & 0x07;
    second_low = lead == 0xF0 ? 0x90 : 0x80;
    second_high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return {std::nullopt, 1};
  }

  for (std::size_t i = 1; i < length; ++i) {
    if (i >= text.size()) {
      return {std::nullopt, i};
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    const unsigned char low = i == 1 ? second_low : 0x80;
    const unsigned char high = i == 1 ? second_high : 0xBF;
    if (!in_range(byte, low, high)) {
      return {std::nullopt, i};
    }
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  return {code_point, length};
}

bool is_valid_utf8(std::string_view text) {
  // ASCII, most of what a client sends, needs no decoding.
  while (!text.empty()) {
    if (static_cast<unsigned char>(text.front()) < 0x80) {
      text.remove_prefix(1);
      continue;
    }
    const DecodedCodePoint decoded = decode_utf8(text);
    if (!decoded.code_point) return false;
    text.remove_prefix(decoded.length);
  }
  return true;
}

}  // namespace parley
