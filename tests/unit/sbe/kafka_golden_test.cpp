// Golden encodings of the Kafka records, written by hand from the SBE 1.0
// layout rules: the 8-byte message header (blockLength, templateId,
// schemaId 100 = 0x64, version), the root block, then groups (blockLength,
// numInGroup, entries) and var data (uint32 length, bytes), little-endian.

#include <gtest/gtest.h>

#include "sbe/parley_sbe.hpp"
#include "unit/sbe/bytes.hpp"

namespace parley::sbe {
namespace {

using testing::Bytes;
using testing::from_hex;

// 2025-01-01T00:00:00Z in Unix milliseconds.
constexpr std::int64_t kNewYear2025 = 1735689600000;

const Bytes kRoomMessageV1 = from_hex(
    "20 00 04 00 64 00 01 00"  // header: blockLength 32, template 4, version 1
    "02 01 00 00 00 00 00 00"  // roomId 0x0102
    "07 00 00 00 00 00 00 00"  // senderId 7
    "00 7c 29 1f 94 01 00 00"  // timestamp 1735689600000
    "88 77 66 55 44 33 22 11"  // messageId 0x1122334455667788
    "02 00 00 00 68 69"        // message "hi"
    "02 00 00 00 63 31");      // clientMessageId "c1"

// The reference server's layout: no messageId, no clientMessageId.
const Bytes kRoomMessageV0 = from_hex(
    "18 00 04 00 64 00 00 00"  // header: blockLength 24, template 4, version 0
    "02 01 00 00 00 00 00 00"  // roomId 0x0102
    "07 00 00 00 00 00 00 00"  // senderId 7
    "00 7c 29 1f 94 01 00 00"  // timestamp 1735689600000
    "02 00 00 00 68 69");      // message "hi"

const Bytes kLeaveRoomEventV1 = from_hex(
    "11 00 01 00 64 00 01 00"  // header: blockLength 17, template 1, version 1
    "05 00 00 00 00 00 00 00"  // roomId 5
    "fb ff ff ff ff ff ff ff"  // accountId -5
    "01");                     // isOwner T

const Bytes kLeaveRoomEventV0 = from_hex(
    "11 00 01 00 64 00 00 00"  // header: version 0
    "05 00 00 00 00 00 00 00"
    "fb ff ff ff ff ff ff ff"
    "00");  // isOwner F

const Bytes kRemoveMembersEventV1 = from_hex(
    "08 00 02 00 64 00 01 00"    // header: blockLength 8, template 2, version 1
    "09 00 00 00 00 00 00 00"    // roomId 9
    "08 00 02 00"                // group: entry blockLength 8, numInGroup 2
    "0a 00 00 00 00 00 00 00"    // memberId 10
    "0b 00 00 00 00 00 00 00");  // memberId 11

const Bytes kBlockMembersEventV0 = from_hex(
    "08 00 03 00 64 00 00 00"    // header: blockLength 8, template 3, version 0
    "09 00 00 00 00 00 00 00"    // roomId 9
    "08 00 01 00"                // group: entry blockLength 8, numInGroup 1
    "0c 00 00 00 00 00 00 00");  // memberId 12

template <typename Encoder, typename Write>
Bytes encode_with(std::size_t capacity, Write write) {
  Bytes buffer(capacity, 0xee);
  Encoder encoder(buffer);
  write(encoder);
  EXPECT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  return buffer;
}

template <typename Decoder>
Decoder decode_ok(const Bytes& bytes) {
  Result<Decoder> decoded = Decoder::decode(bytes);
  if (!decoded.ok()) {
    ADD_FAILURE() << decoded.error().message;
    std::abort();
  }
  return decoded.value();
}

TEST(KafkaGolden, RoomMessageEncodes) {
  Bytes bytes = encode_with<RoomMessageEncoder>(256, [](RoomMessageEncoder& encoder) {
    encoder.room_id(0x0102)
        .sender_id(7)
        .timestamp(kNewYear2025)
        .message_id(0x1122334455667788)
        .message("hi")
        .client_message_id("c1");
  });
  EXPECT_EQ(bytes, kRoomMessageV1);
}

TEST(KafkaGolden, RoomMessageDecodes) {
  auto decoder = decode_ok<RoomMessageDecoder>(kRoomMessageV1);
  EXPECT_EQ(decoder.acting_version(), 1);
  EXPECT_EQ(decoder.size(), kRoomMessageV1.size());
  EXPECT_EQ(decoder.room_id(), 0x0102);
  EXPECT_EQ(decoder.sender_id(), 7);
  EXPECT_EQ(decoder.timestamp(), kNewYear2025);
  EXPECT_EQ(decoder.message_id(), 0x1122334455667788);
  EXPECT_EQ(decoder.message(), "hi");
  EXPECT_EQ(decoder.client_message_id(), "c1");
}

TEST(KafkaGolden, RoomMessageVersion0Decodes) {
  auto decoder = decode_ok<RoomMessageDecoder>(kRoomMessageV0);
  EXPECT_EQ(decoder.acting_version(), 0);
  EXPECT_EQ(decoder.size(), kRoomMessageV0.size());
  EXPECT_EQ(decoder.room_id(), 0x0102);
  EXPECT_EQ(decoder.sender_id(), 7);
  EXPECT_EQ(decoder.timestamp(), kNewYear2025);
  EXPECT_EQ(decoder.message_id(), std::nullopt);
  EXPECT_EQ(decoder.message(), "hi");
  EXPECT_EQ(decoder.client_message_id(), std::nullopt);
}

TEST(KafkaGolden, RoomMessageSkippedVarDataIsEmpty) {
  // clientMessageId is never set, so size() writes it with length 0.
  Bytes bytes = encode_with<RoomMessageEncoder>(256, [](RoomMessageEncoder& encoder) {
    encoder.room_id(0x0102).sender_id(7).timestamp(kNewYear2025).message_id(0x1122334455667788);
    encoder.message("hi");
  });
  Bytes expected = testing::concat(testing::prefix(kRoomMessageV1, kRoomMessageV1.size() - 6),
                                   from_hex("00 00 00 00"));
  EXPECT_EQ(bytes, expected);
}

TEST(KafkaGolden, LeaveRoomEventEncodes) {
  Bytes bytes = encode_with<LeaveRoomEventEncoder>(64, [](LeaveRoomEventEncoder& encoder) {
    encoder.room_id(5).account_id(-5).is_owner(BooleanType::T);
  });
  EXPECT_EQ(bytes, kLeaveRoomEventV1);
  EXPECT_EQ(bytes.size(), 25u);
}

TEST(KafkaGolden, LeaveRoomEventDecodesBothVersions) {
  auto current = decode_ok<LeaveRoomEventDecoder>(kLeaveRoomEventV1);
  EXPECT_EQ(current.room_id(), 5);
  EXPECT_EQ(current.account_id(), -5);
  EXPECT_EQ(current.is_owner(), BooleanType::T);
  auto reference = decode_ok<LeaveRoomEventDecoder>(kLeaveRoomEventV0);
  EXPECT_EQ(reference.acting_version(), 0);
  EXPECT_EQ(reference.is_owner(), BooleanType::F);
}

TEST(KafkaGolden, ReferencePaddingIsIgnored) {
  // The reference server publishes events as 512-byte buffers: the
  // encoding followed by zeros.
  Bytes padded = kLeaveRoomEventV0;
  padded.resize(512, 0);
  auto decoder = decode_ok<LeaveRoomEventDecoder>(padded);
  EXPECT_EQ(decoder.size(), 25u);
  EXPECT_EQ(decoder.account_id(), -5);
}

TEST(KafkaGolden, RemoveMembersEventEncodes) {
  Bytes bytes = encode_with<RemoveMembersEventEncoder>(64, [](RemoveMembersEventEncoder& encoder) {
    encoder.room_id(9);
    auto ids = encoder.member_ids(2);
    ids.next().member_id(10);
    ids.next().member_id(11);
  });
  EXPECT_EQ(bytes, kRemoveMembersEventV1);
}

TEST(KafkaGolden, RemoveMembersEventDecodes) {
  auto decoder = decode_ok<RemoveMembersEventDecoder>(kRemoveMembersEventV1);
  EXPECT_EQ(decoder.room_id(), 9);
  auto ids = decoder.member_ids();
  ASSERT_EQ(ids.count(), 2u);
  ASSERT_TRUE(ids.next());
  EXPECT_EQ(ids.member_id(), 10);
  ASSERT_TRUE(ids.next());
  EXPECT_EQ(ids.member_id(), 11);
  EXPECT_FALSE(ids.next());
}

TEST(KafkaGolden, BlockMembersEventVersion0Decodes) {
  auto decoder = decode_ok<BlockMembersEventDecoder>(kBlockMembersEventV0);
  EXPECT_EQ(decoder.acting_version(), 0);
  EXPECT_EQ(decoder.room_id(), 9);
  auto ids = decoder.member_ids();
  ASSERT_EQ(ids.count(), 1u);
  ASSERT_TRUE(ids.next());
  EXPECT_EQ(ids.member_id(), 12);
  EXPECT_FALSE(ids.next());
}

TEST(KafkaGolden, EmptyMembersGroup) {
  Bytes bytes = encode_with<BlockMembersEventEncoder>(
      64, [](BlockMembersEventEncoder& encoder) { encoder.room_id(9).member_ids(0); });
  EXPECT_EQ(bytes, from_hex("08 00 03 00 64 00 01 00 09 00 00 00 00 00 00 00 08 00 00 00"));
  auto decoder = decode_ok<BlockMembersEventDecoder>(bytes);
  EXPECT_EQ(decoder.member_ids().count(), 0u);
}

TEST(KafkaGolden, TemplateIdsAndBlockLengths) {
  EXPECT_EQ(kSchemaId, 100);
  EXPECT_EQ(LeaveRoomEventEncoder::kTemplateId, 1);
  EXPECT_EQ(RemoveMembersEventEncoder::kTemplateId, 2);
  EXPECT_EQ(BlockMembersEventEncoder::kTemplateId, 3);
  EXPECT_EQ(RoomMessageEncoder::kTemplateId, 4);
  EXPECT_EQ(LeaveRoomEventEncoder::kBlockLength, 17);
  EXPECT_EQ(RemoveMembersEventDecoder::kBlockLength, 8);
  EXPECT_EQ(RoomMessageDecoder::kBlockLength, 32);
}

TEST(KafkaGolden, ReadHeader) {
  Result<MessageHeader> header = read_header(kRoomMessageV1);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(*header, (MessageHeader{32, 4, 100, 1}));
}

}  // namespace
}  // namespace parley::sbe
