#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace parley {

struct DecodedCodePoint {
  std::optional<char32_t> code_point;  // nullopt for an ill-formed subsequence
  std::size_t length;                  // bytes consumed, at least 1
};

// Decodes the code point at the start of `text`, which must not be empty,
// by the well-formed byte sequences of Unicode 15, table 3-7. On an
// ill-formed sequence it consumes its maximal subpart, the unit that Java's
// UTF-8 decoder replaces with one U+FFFD.
DecodedCodePoint decode_utf8(std::string_view text);

// True when the whole of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace parley
