#include "websocket/frames.hpp"

#include <string>

#include <gtest/gtest.h>

namespace parley::websocket {
namespace {

constexpr std::size_t kNoLimit = 1 << 30;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

FrameResult parse_server(std::string_view input, std::size_t limit = kNoLimit) {
  return parse_frame(input, Sender::kServer, limit);
}

// The payload of a parsed client frame, unmasked as a server reads it.
std::string unmasked_payload(const FrameResult& result) {
  std::string payload;
  unmask_append(payload, result.frame.payload, *result.frame.header.mask_key);
  return payload;
}

TEST(ParseFrame, ReadsShortServerFrame) {
  const std::string input = bytes({0x81, 0x03}) + "abc" + "rest";
  const FrameResult result = parse_server(input);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.header.opcode, Opcode::kText);
  EXPECT_TRUE(result.frame.header.fin);
  EXPECT_FALSE(result.frame.header.mask_key);
  EXPECT_EQ(result.frame.payload, "abc");
  EXPECT_EQ(result.consumed, 5u);
}

TEST(ParseFrame, ReadsSixteenBitLength) {
  const std::string payload(300, 'p');
  const std::string input = bytes({0x82, 126, 0x01, 0x2C}) + payload;
  const FrameResult result = parse_server(input);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.header.opcode, Opcode::kBinary);
  EXPECT_EQ(result.frame.payload.size(), 300u);
  EXPECT_EQ(result.consumed, 304u);
}

TEST(ParseFrame, ReadsSixtyFourBitLength) {
  const std::string payload(70000, 'q');
  const std::string input = bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70}) + payload;
  const FrameResult result = parse_server(input);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.frame.payload.size(), 70000u);
  EXPECT_EQ(result.consumed, 70010u);
}

TEST(ParseFrame, WaitsForWholeFrame) {
  const std::string frame = bytes({0x81, 126, 0x01, 0x00}) + std::string(256, 'x');
  for (std::size_t size = 0; size < frame.size(); ++size) {
    EXPECT_EQ(parse_server(std::string_view(frame).substr(0, size)).status,
              ParseStatus::kIncomplete)
        << size << " bytes";
  }
  EXPECT_EQ(parse_server(frame).status, ParseStatus::kFrame);
}

TEST(ParseFrame, ReadsControlFrames) {
  const FrameResult ping = parse_server(bytes({0x89, 0x01, 'z'}));
  ASSERT_EQ(ping.status, ParseStatus::kFrame);
  EXPECT_EQ(ping.frame.header.opcode, Opcode::kPing);
  EXPECT_EQ(ping.frame.payload, "z");
  const FrameResult close = parse_server(bytes({0x88, 0x02, 0x03, 0xF4}));
  ASSERT_EQ(close.status, ParseStatus::kFrame);
  EXPECT_EQ(close.frame.header.opcode, Opcode::kClose);
}

TEST(ParseFrame, ReadsFragments) {
  const FrameResult first = parse_server(bytes({0x01, 0x01, 'a'}));
  ASSERT_EQ(first.status, ParseStatus::kFrame);
  EXPECT_FALSE(first.frame.header.fin);
  EXPECT_EQ(first.frame.header.opcode, Opcode::kText);
  const FrameResult last = parse_server(bytes({0x80, 0x01, 'b'}));
  ASSERT_EQ(last.status, ParseStatus::kFrame);
  EXPECT_TRUE(last.frame.header.fin);
  EXPECT_EQ(last.frame.header.opcode, Opcode::kContinuation);
}

TEST(ParseFrame, RejectsInvalidFrames) {
  struct Case {
    const char* name;
    Sender sender;
    std::string input;
  };
  const Case cases[] = {
      {"masked server frame", Sender::kServer, bytes({0x81, 0x81, 1, 2, 3, 4, 'a'})},
      {"unmasked client frame", Sender::kClient, bytes({0x81, 0x01, 'a'})},
      {"reserved bit", Sender::kServer, bytes({0xC1, 0x01, 'a'})},
      {"unknown opcode", Sender::kServer, bytes({0x83, 0x01, 'a'})},
      {"fragmented ping", Sender::kServer, bytes({0x09, 0x01, 'a'})},
      {"long ping", Sender::kServer, bytes({0x89, 126, 0x00, 0x7E}) + std::string(126, 'p')},
      {"length over 2^63", Sender::kServer, bytes({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1})},
      {"16-bit length under 126", Sender::kServer, bytes({0x82, 126, 0x00, 0x7D})},
      {"64-bit length under 65536", Sender::kServer,
       bytes({0x82, 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF})},
  };
  for (const Case& item : cases) {
    const FrameResult result = parse_frame(item.input, item.sender, kNoLimit);
    EXPECT_EQ(result.status, ParseStatus::kInvalid) << item.name;
    EXPECT_STRNE(result.error, "") << item.name;
  }
}

TEST(ParseFrame, RejectsFrameOverLimit) {
  const std::string input = bytes({0x81, 0x05}) + "abcde";
  EXPECT_EQ(parse_server(input, 4).status, ParseStatus::kInvalid);
  EXPECT_EQ(parse_server(input, 5).status, ParseStatus::kFrame);
}

TEST(ParseHeader, GivesTheSizeBeforeThePayloadArrives) {
  const HeaderResult result =
      parse_header(bytes({0x82, 0xFE, 0x10, 0x00, 9, 8, 7, 6}), Sender::kClient);
  ASSERT_EQ(result.status, ParseStatus::kFrame);
  EXPECT_EQ(result.header.header_size, 8u);
  EXPECT_EQ(result.header.payload_size, 4096u);
  EXPECT_EQ(result.header.mask_key, 0x09080706u);
}

TEST(ParseHeader, WaitsForTheMaskingKey) {
  const std::string header = bytes({0x81, 0x85, 1, 2, 3, 4});
  for (std::size_t size = 0; size < header.size(); ++size) {
    EXPECT_EQ(parse_header(std::string_view(header).substr(0, size), Sender::kClient).status,
              ParseStatus::kIncomplete)
        << size << " bytes";
  }
  EXPECT_EQ(parse_header(header, Sender::kClient).status, ParseStatus::kFrame);
}

TEST(ClientFrame, RoundTripsEachLengthForm) {
  for (const std::size_t size : {std::size_t{5}, std::size_t{1000}, std::size_t{70000}}) {
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out = "x";
    append_client_frame(out, Opcode::kBinary, payload, 0xA1B2C3D4);
    const FrameResult result =
        parse_frame(std::string_view(out).substr(1), Sender::kClient, kNoLimit);
    ASSERT_EQ(result.status, ParseStatus::kFrame) << size;
    EXPECT_EQ(result.consumed, out.size() - 1) << size;
    EXPECT_EQ(result.frame.header.mask_key, 0xA1B2C3D4u);
    EXPECT_NE(result.frame.payload, payload) << size;
    EXPECT_EQ(unmasked_payload(result), payload) << size;
  }
}

TEST(ClientFrame, MasksWithTheKeyInWireOrder) {
  std::string out;
  append_client_frame(out, Opcode::kText, "hello", 0x01020304);
  ASSERT_EQ(out.size(), 2u + 4u + 5u);
  EXPECT_EQ(out.substr(0, 6), bytes({0x81, 0x80 | 5, 1, 2, 3, 4}));
  EXPECT_EQ(out.substr(6), bytes({'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1}));
}

TEST(UnmaskAppend, ContinuesFromAnOffset) {
  std::string masked;
  append_client_frame(masked, Opcode::kText, "abcdefg", 0x11223344);
  const std::string_view payload = std::string_view(masked).substr(6);
  std::string out;
  unmask_append(out, payload.substr(0, 3), 0x11223344);
  unmask_append(out, payload.substr(3), 0x11223344, 3);
  EXPECT_EQ(out, "abcdefg");
}

TEST(ServerFrame, WritesEachLengthForm) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{125}, std::size_t{126},
                                 std::size_t{65535}, std::size_t{65536}}) {
    const std::string payload(size, 'z');
    std::string out;
    append_server_frame(out, Opcode::kText, payload);
    EXPECT_EQ(out.size(), server_header_size(size) + size) << size;
    const FrameResult result = parse_server(out);
    ASSERT_EQ(result.status, ParseStatus::kFrame) << size;
    EXPECT_EQ(result.frame.payload, payload) << size;
  }
}

}  // namespace
}  // namespace parley::websocket
