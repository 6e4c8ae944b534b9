#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "protocol/binary/frames.hpp"
#include "protocol/envelope.hpp"

namespace parley::protocol::binary::testing {

inline constexpr std::string_view kCid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

inline boost::json::value json(std::string_view text) { return boost::json::parse(text); }

inline std::string qualifier_of(std::string_view operation) {
  return std::string(kQualifierPrefix) + std::string(operation);
}

// Encodes a request the way the client library does, failing the test when
// the value has no SBE form.
inline std::string encode_request(std::string_view operation, const boost::json::value& data,
                                  std::optional<std::string> cid = std::string(kCid)) {
  Result<std::string> frame =
      serialize_request(Envelope{std::move(cid), qualifier_of(operation), data});
  EXPECT_TRUE(frame.ok()) << frame.error().message;
  return frame ? frame.value() : std::string{};
}

inline EnvelopeParse decode_request(std::string_view frame) {
  return parse_request(frame_bytes(frame));
}

inline std::uint16_t read_u16(std::string_view frame, std::size_t offset) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(frame[offset]) |
                                    (static_cast<std::uint8_t>(frame[offset + 1]) << 8));
}

inline void write_u16(std::string& frame, std::size_t offset, std::uint16_t value) {
  frame[offset] = static_cast<char>(value & 0xFF);
  frame[offset + 1] = static_cast<char>(value >> 8);
}

// Offsets of the standard message header.
inline constexpr std::size_t kBlockLengthOffset = 0;
inline constexpr std::size_t kTemplateIdOffset = 2;
inline constexpr std::size_t kSchemaIdOffset = 4;
inline constexpr std::size_t kHeaderLength = 8;

}  // namespace parley::protocol::binary::testing
