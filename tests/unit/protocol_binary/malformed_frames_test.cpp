// Binary request frames that are not valid requests of the schema give the
// invalid envelope error, and unknown templates the unknown handler path.

#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "binary_test_support.hpp"
#include "protocol/requests.hpp"
#include "sbe/parley_sbe.hpp"

namespace parley::protocol::binary {
namespace {

using testing::decode_request;
using testing::encode_request;
using testing::json;
using testing::kBlockLengthOffset;
using testing::kCid;
using testing::kHeaderLength;
using testing::kSchemaIdOffset;
using testing::kTemplateIdOffset;
using testing::read_u16;
using testing::write_u16;

void expect_invalid(const EnvelopeParse& parsed) {
  ASSERT_FALSE(parsed.envelope.has_value());
  EXPECT_EQ(parsed.error.code, 400);
  EXPECT_EQ(parsed.error.message, "Wrong message: invalid envelope");
}

// A send request with two var data fields, so that lengths can be broken.
std::string send_frame() {
  return encode_request("send", json(R"({"roomId":5,"message":"hello","clientMessageId":"c-1"})"));
}

TEST(MalformedBinaryFrame, RejectsEmptyAndShortFrames) {
  expect_invalid(decode_request(""));
  expect_invalid(decode_request(std::string(7, '\0')));
}

TEST(MalformedBinaryFrame, RejectsEveryTruncation) {
  const std::string frame = send_frame();
  for (std::size_t size = 0; size < frame.size(); ++size) {
    SCOPED_TRACE(size);
    expect_invalid(decode_request(frame.substr(0, size)));
  }
}

TEST(MalformedBinaryFrame, EchoesCidWhenBlockIsReadable) {
  const std::string frame = send_frame();
  const EnvelopeParse parsed = decode_request(frame.substr(0, frame.size() - 1));
  expect_invalid(parsed);
  EXPECT_EQ(parsed.cid_if_readable, std::string(kCid));
}

TEST(MalformedBinaryFrame, RejectsWrongSchemaId) {
  std::string frame = send_frame();
  write_u16(frame, kSchemaIdOffset, 101);
  const EnvelopeParse parsed = decode_request(frame);
  expect_invalid(parsed);
  EXPECT_FALSE(parsed.cid_if_readable.has_value());
}

TEST(MalformedBinaryFrame, RejectsBlockLongerThanFrame) {
  std::string frame = send_frame();
  write_u16(frame, kBlockLengthOffset, static_cast<std::uint16_t>(frame.size()));
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsBlockShorterThanFields) {
  std::string frame = send_frame();
  write_u16(frame, kBlockLengthOffset, 4);
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsOverrunningDataLength) {
  std::string frame = send_frame();
  const std::size_t length_offset = kHeaderLength + read_u16(frame, kBlockLengthOffset);
  frame[length_offset] = '\x7f';
  frame[length_offset + 3] = '\x7f';
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsOverrunningGroupCount) {
  std::string frame =
      encode_request("removeRoomMembers", json(R"({"roomId":5,"memberIds":[1,2]})"));
  // The group header (blockLength, numInGroup) follows the root block.
  const std::size_t group_offset = kHeaderLength + read_u16(frame, kBlockLengthOffset);
  write_u16(frame, group_offset + 2, 60000);
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsPresenceFlagOtherThanZeroOrOne) {
  std::string frame = encode_request("joinRoom", json(R"("general-chat")"));
  // JoinRoomRequest: cidHigh, cidLow, then the namePresent byte.
  frame[kHeaderLength + 16] = 2;
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsInvalidUtf8) {
  std::string frame = encode_request("joinRoom", json(R"("general-chat")"));
  frame[frame.size() - 1] = '\xff';
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, RejectsTwoOrderByEntries) {
  std::string frame = encode_request("getRooms", json(R"({"orderBy":{"field":"name"}})"));
  const std::size_t group_offset = kHeaderLength + read_u16(frame, kBlockLengthOffset);
  // Appends a copy of the one entry and counts two.
  const std::string entry = frame.substr(group_offset + 4);
  frame += entry;
  write_u16(frame, group_offset + 2, 2);
  expect_invalid(decode_request(frame));
}

TEST(MalformedBinaryFrame, MapsUnknownTemplateToUnknownQualifier) {
  std::string frame = send_frame();
  write_u16(frame, kTemplateIdOffset, 999);
  const EnvelopeParse parsed = decode_request(frame);
  ASSERT_TRUE(parsed.envelope.has_value());
  EXPECT_EQ(parsed.envelope->cid, std::string(kCid));
  ASSERT_TRUE(parsed.envelope->qualifier.has_value());
  EXPECT_FALSE(parsed.envelope->qualifier->starts_with(kQualifierPrefix));
}

TEST(MalformedBinaryFrame, MapsServerTemplatesToUnknownQualifier) {
  const std::string frames[] = {binary::serialize_error(std::string(kCid), {400, "x"}),
                                binary::serialize_push({1, 2, 3, "hi", Timestamp{}})};
  for (const std::string& frame : frames) {
    const EnvelopeParse parsed = decode_request(frame);
    ASSERT_TRUE(parsed.envelope.has_value());
    ASSERT_TRUE(parsed.envelope->qualifier.has_value());
    EXPECT_FALSE(parsed.envelope->qualifier->starts_with(kQualifierPrefix));
  }
}

TEST(MalformedBinaryFrame, ReadsOutOfRangeTimeAsInvalid) {
  std::string frame(256, '\0');
  sbe::ListMessagesRequestEncoder encoder(
      std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(frame.data()), frame.size()));
  encoder.room_id(5).offset(std::nullopt).limit(std::nullopt);
  encoder.from(std::numeric_limits<std::int64_t>::min() + 1).to(std::nullopt);
  ASSERT_TRUE(encoder.ok());
  frame.resize(encoder.size());

  const EnvelopeParse parsed = decode_request(frame);
  ASSERT_TRUE(parsed.envelope.has_value());
  const Result<ListMessagesRequest> request = parse_list_messages(parsed.envelope->data);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, 400);
  EXPECT_EQ(request.error().message, "Missing or invalid: from");
}

TEST(MalformedBinaryFrame, RejectsPushTimeOutOfRange) {
  std::string frame(256, '\0');
  sbe::MessagePushEncoder encoder(
      std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(frame.data()), frame.size()));
  encoder.id(1).sender_id(2).room_id(3).timestamp(std::numeric_limits<std::int64_t>::max());
  encoder.message("hi");
  ASSERT_TRUE(encoder.ok());
  frame.resize(encoder.size());

  const Result<boost::json::object> decoded = parse_server_frame(frame_bytes(frame));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, 0);
}

TEST(MalformedBinaryFrame, SurvivesRandomBytes) {
  std::mt19937 random(20261204);
  const std::string valid = send_frame();
  for (int round = 0; round < 20000; ++round) {
    std::string frame = valid;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      frame[random() % frame.size()] = static_cast<char>(random());
    }
    if (round % 2 == 0) frame.resize(random() % (frame.size() + 1));
    const EnvelopeParse parsed = decode_request(frame);
    if (!parsed.envelope) {
      EXPECT_EQ(parsed.error.code, 400);
    }
  }
}

}  // namespace
}  // namespace parley::protocol::binary
