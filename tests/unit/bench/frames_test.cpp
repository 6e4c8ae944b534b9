#include "frames.hpp"

#include <string>

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

constexpr std::size_t kNoLimit = 1 << 30;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

// Unmasks a client frame made by append_client_frame, as a server does.
std::string unmask(std::string_view frame, std::size_t header, std::size_t size) {
  std::string payload(frame.substr(header + 4, size));
  for (std::size_t i = 0; i < size; ++i) payload[i] ^= frame[header + i % 4];
  return payload;
}

TEST(ParseServerFrame, ReadsShortTextFrame) {
  const std::string input = bytes({0x81, 0x03}) + "abc" + "rest";
  const ParseResult result = parse_server_frame(input, kNoLimit);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.opcode, Opcode::kText);
  EXPECT_EQ(result.frame.payload, "abc");
  EXPECT_EQ(result.consumed, 5u);
}

TEST(ParseServerFrame, ReadsSixteenBitLength) {
  const std::string payload(300, 'p');
  const std::string input = bytes({0x82, 126, 0x01, 0x2C}) + payload;
  const ParseResult result = parse_server_frame(input, kNoLimit);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.opcode, Opcode::kBinary);
  EXPECT_EQ(result.frame.payload.size(), 300u);
  EXPECT_EQ(result.consumed, 304u);
}

TEST(ParseServerFrame, ReadsSixtyFourBitLength) {
  const std::string payload(70000, 'q');
  const std::string input = bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70}) + payload;
  const ParseResult result = parse_server_frame(input, kNoLimit);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.payload.size(), 70000u);
  EXPECT_EQ(result.consumed, 70010u);
}

TEST(ParseServerFrame, WaitsForWholeFrame) {
  const std::string frame = bytes({0x81, 126, 0x01, 0x00}) + std::string(256, 'x');
  for (std::size_t size = 0; size < frame.size(); ++size) {
    EXPECT_EQ(parse_server_frame(std::string_view(frame).substr(0, size), kNoLimit).status,
              ParseStatus::kIncomplete)
        << size << " bytes";
  }
  EXPECT_EQ(parse_server_frame(frame, kNoLimit).status, ParseStatus::kFrame);
}

TEST(ParseServerFrame, ReadsControlFrames) {
  const ParseResult ping = parse_server_frame(bytes({0x89, 0x01, 'z'}), kNoLimit);
  ASSERT_EQ(ping.status, ParseStatus::kFrame);
  EXPECT_EQ(ping.frame.opcode, Opcode::kPing);
  EXPECT_EQ(ping.frame.payload, "z");
  const ParseResult close = parse_server_frame(bytes({0x88, 0x02, 0x03, 0xF4}), kNoLimit);
  ASSERT_EQ(close.status, ParseStatus::kFrame);
  EXPECT_EQ(close.frame.opcode, Opcode::kClose);
}

TEST(ParseServerFrame, RejectsInvalidFrames) {
  struct Case {
    const char* name;
    std::string input;
  };
  const Case cases[] = {
      {"masked", bytes({0x81, 0x81, 1, 2, 3, 4, 'a'})}, {"not final", bytes({0x01, 0x01, 'a'})},
      {"continuation", bytes({0x80, 0x01, 'a'})},       {"reserved bit", bytes({0xC1, 0x01, 'a'})},
      {"unknown opcode", bytes({0x83, 0x01, 'a'})},
  };
  for (const Case& item : cases) {
    EXPECT_EQ(parse_server_frame(item.input, kNoLimit).status, ParseStatus::kInvalid) << item.name;
  }
}

TEST(ParseServerFrame, RejectsFrameOverLimit) {
  const std::string input = bytes({0x81, 0x05}) + "abcde";
  EXPECT_EQ(parse_server_frame(input, 4).status, ParseStatus::kInvalid);
  EXPECT_EQ(parse_server_frame(input, 5).status, ParseStatus::kFrame);
}

TEST(AppendClientFrame, MasksShortPayload) {
  std::string out = "x";
  append_client_frame(out, Opcode::kText, "hello", 0x01020304);
  const std::string_view frame = std::string_view(out).substr(1);
  ASSERT_EQ(frame.size(), 2u + 4u + 5u);
  EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(frame[1]), 0x80 | 5);
  EXPECT_EQ(frame.substr(2, 4), bytes({1, 2, 3, 4}));
  EXPECT_EQ(unmask(frame, 2, 5), "hello");
}

TEST(AppendClientFrame, WritesExtendedLengths) {
  const std::string medium(1000, 'm');
  std::string out;
  append_client_frame(out, Opcode::kBinary, medium, 0xA1B2C3D4);
  ASSERT_EQ(out.size(), 4u + 4u + medium.size());
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x82);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x80 | 126);
  EXPECT_EQ(static_cast<unsigned char>(out[2]), 0x03);
  EXPECT_EQ(static_cast<unsigned char>(out[3]), 0xE8);
  EXPECT_EQ(unmask(out, 4, medium.size()), medium);

  const std::string large(70000, 'L');
  out.clear();
  append_client_frame(out, Opcode::kText, large, 0x55AA55AA);
  ASSERT_EQ(out.size(), 10u + 4u + large.size());
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x80 | 127);
  EXPECT_EQ(out.substr(2, 8), bytes({0, 0, 0, 0, 0, 0x01, 0x11, 0x70}));
  EXPECT_EQ(unmask(out, 10, large.size()), large);
}

}  // namespace
}  // namespace parley::bench
