#pragma once

#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sbe::testing {

using Bytes = std::vector<std::uint8_t>;

// Converts "20 00 04 00" to bytes. Whitespace separates bytes for readability.
inline Bytes from_hex(std::string_view hex) {
  Bytes bytes;
  std::string pair;
  for (char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      continue;
    }
    pair += c;
    if (pair.size() == 2) {
      bytes.push_back(static_cast<std::uint8_t>(std::stoi(pair, nullptr, 16)));
      pair.clear();
    }
  }
  return bytes;
}

inline Bytes concat(Bytes head, const Bytes& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

inline Bytes prefix(const Bytes& bytes, std::size_t length) {
  return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
}

inline std::span<const std::uint8_t> as_span(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace parley::sbe::testing
