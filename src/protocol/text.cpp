#include "protocol/text.hpp"

#include <cstdint>
#include <optional>

#include "common/utf8.hpp"
#include "protocol/json_values.hpp"

namespace parley::protocol {
namespace {

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
