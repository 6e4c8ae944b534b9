#include "protocol/text.hpp"

#include <cstdint>
#include <optional>

#include "protocol/json_values.hpp"

namespace parley::protocol {
namespace {

struct DecodedCodePoint {
  std::optional<char32_t> code_point;  // nullopt for an ill-formed subsequence
  std::size_t length;                  // bytes consumed, at least 1
};

bool in_range(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

// Decodes the code point at the start of `text` by the well-formed byte
// sequences of Unicode 15, table 3-7. On an ill-formed sequence it consumes
// its maximal subpart, the unit that Java's UTF-8 decoder replaces with one
// U+FFFD.
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

// Character.isWhitespace of Java 17: the Unicode space separators except the
// no-break spaces U+00A0, U+2007 and U+202F, plus U+0009..U+000D and
// U+001C..U+001F.
bool is_java_whitespace(char32_t c) {
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) {
    return true;
  }
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A)) {
    return true;
  }
  return c == 0x2028 || c == 0x2029 || c == 0x205F || c == 0x3000;
}

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool is_email_local_char(char c) {
  static constexpr std::string_view kSymbols = "_!#$%&'*+/=?`{|}~^.-";
  return is_ascii_letter(c) || is_ascii_digit(c) || kSymbols.find(c) != std::string_view::npos;
}

bool is_email_domain_char(char c) {
  return is_ascii_letter(c) || is_ascii_digit(c) || c == '.' || c == '-';
}

}  // namespace

std::string_view trim_java(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) {
    text.remove_prefix(1);
  }
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  while (!utf8.empty()) {
    const DecodedCodePoint decoded = decode_utf8(utf8);
    const bool astral = decoded.code_point && *decoded.code_point >= 0x10000;
    units += astral ? 2 : 1;
    utf8.remove_prefix(decoded.length);
  }
  return units;
}

bool is_blank(std::string_view utf8) {
  while (!utf8.empty()) {
    const DecodedCodePoint decoded = decode_utf8(utf8);
    if (!decoded.code_point || !is_java_whitespace(*decoded.code_point)) {
      return false;
    }
    utf8.remove_prefix(decoded.length);
  }
  return true;
}

bool is_valid_email(std::string_view text) {
  // Neither character class contains '@', so a match has exactly one.
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0) {
    return false;
  }
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  for (char c : local) {
    if (!is_email_local_char(c)) {
      return false;
    }
  }
  for (char c : domain) {
    if (!is_email_domain_char(c)) {
      return false;
    }
  }

  // The domain must end in "." and two or more letters, after at least one
  // character. Only the dot right before the maximal run of trailing letters
  // can start that suffix, because any later position is preceded by a letter.
  std::size_t letters = 0;
  while (letters < domain.size() && is_ascii_letter(domain[domain.size() - 1 - letters])) {
    ++letters;
  }
  if (letters < 2 || domain.size() < letters + 2) {
    return false;
  }
  return domain[domain.size() - 1 - letters] == '.';
}

}  // namespace parley::protocol
