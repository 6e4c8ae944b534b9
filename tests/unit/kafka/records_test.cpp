#include "kafka/records.hpp"

#include <cctype>
#include <random>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace parley::kafka {
namespace {

// Converts "20 00 04 00" to bytes. Spaces separate bytes for readability.
std::string from_hex(std::string_view hex) {
  std::string bytes;
  std::string pair;
  for (char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      continue;
    }
    pair += c;
    if (pair.size() == 2) {
      bytes.push_back(static_cast<char>(std::stoi(pair, nullptr, 16)));
      pair.clear();
    }
  }
  return bytes;
}

// 2025-01-01T00:00:00Z, 0x0000'0194'1f29'7c00 in Unix milliseconds.
const Timestamp kNewYear2025{std::chrono::milliseconds(1735689600000)};

// Golden encodings, written by hand from the SBE layouts: message header
// (blockLength, templateId, schemaId 100 = 0x64, version), root block, then
// groups or var data, all little-endian.
const std::string kRoomMessageV1 = from_hex(
    "20 00 04 00 64 00 01 00"  // header: blockLength 32, template 4, version 1
    "02 01 00 00 00 00 00 00"  // roomId 0x0102
    "07 00 00 00 00 00 00 00"  // senderId 7
    "00 7c 29 1f 94 01 00 00"  // timestamp 1735689600000
    "88 77 66 55 44 33 22 11"  // messageId 0x1122334455667788
    "02 00 00 00 68 69"        // message "hi"
    "02 00 00 00 63 31");      // clientMessageId "c1"

const std::string kRoomMessageV0 = from_hex(
    "18 00 04 00 64 00 00 00"  // header: blockLength 24, template 4, version 0
    "02 01 00 00 00 00 00 00"  // roomId 0x0102
    "07 00 00 00 00 00 00 00"  // senderId 7
    "00 7c 29 1f 94 01 00 00"  // timestamp 1735689600000
    "02 00 00 00 68 69");      // message "hi"

const std::string kLeaveRoomEvent = from_hex(
    "11 00 01 00 64 00 01 00"  // header: blockLength 17, template 1
    "05 00 00 00 00 00 00 00"  // roomId 5
    "fb ff ff ff ff ff ff ff"  // accountId -5
    "01");                     // isOwner TRUE

const std::string kRemoveMembersEvent = from_hex(
    "08 00 02 00 64 00 01 00"    // header: blockLength 8, template 2
    "09 00 00 00 00 00 00 00"    // roomId 9
    "08 00 02 00"                // group: entry blockLength 8, numInGroup 2
    "0a 00 00 00 00 00 00 00"    // memberId 10
    "0b 00 00 00 00 00 00 00");  // memberId 11

const std::string kBlockMembersEvent = from_hex(
    "08 00 03 00 64 00 01 00"    // header: blockLength 8, template 3
    "09 00 00 00 00 00 00 00"    // roomId 9
    "08 00 01 00"                // group: entry blockLength 8, numInGroup 1
    "0c 00 00 00 00 00 00 00");  // memberId 12

RoomMessageRecord sample_message() {
  return RoomMessageRecord{0x0102, 7, kNewYear2025, 0x1122334455667788, "hi", "c1"};
}

template <typename T>
T decode_as(const std::string& bytes) {
  Result<Record> decoded = decode(bytes);
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
  if (!decoded.ok()) {
    return T{};
  }
  EXPECT_TRUE(std::holds_alternative<T>(*decoded));
  return std::holds_alternative<T>(*decoded) ? std::get<T>(*decoded) : T{};
}

void expect_invalid(const std::string& bytes, const std::string& reason_part) {
  Result<Record> decoded = decode(bytes);
  ASSERT_FALSE(decoded.ok()) << "decoded " << bytes.size() << " bytes that should be rejected";
  EXPECT_EQ(decoded.error().code, 400);
  EXPECT_NE(decoded.error().message.find("Invalid record: "), std::string::npos)
      << decoded.error().message;
  EXPECT_NE(decoded.error().message.find(reason_part), std::string::npos)
      << "expected \"" << reason_part << "\" in: " << decoded.error().message;
}

TEST(RecordsEncode, RoomMessageMatchesGoldenBytes) {
  EXPECT_EQ(encode(sample_message()), kRoomMessageV1);
}

TEST(RecordsEncode, RoomMessageWithoutClientId) {
  RoomMessageRecord message = sample_message();
  message.client_message_id.reset();
  std::string expected =
      kRoomMessageV1.substr(0, kRoomMessageV1.size() - 6) + from_hex("00 00 00 00");
  EXPECT_EQ(encode(message), expected);
}

TEST(RecordsEncode, LeaveRoomEventMatchesGoldenBytes) {
  EXPECT_EQ(encode(LeaveRoomEvent{5, -5, true}), kLeaveRoomEvent);
  EXPECT_EQ(encode(LeaveRoomEvent{5, -5, true}).size(), 25u);
}

TEST(RecordsEncode, MembersEventsMatchGoldenBytes) {
  EXPECT_EQ(encode(RemoveMembersEvent{9, {10, 11}}), kRemoveMembersEvent);
  EXPECT_EQ(encode(BlockMembersEvent{9, {12}}), kBlockMembersEvent);
  EXPECT_EQ(encode(BlockMembersEvent{9, {}}).size(), 20u);
}

TEST(RecordsEncode, TooManyMemberIdsThrows) {
  RemoveMembersEvent event{1, std::vector<AccountId>(kMaxMemberIds + 1, 3)};
  EXPECT_THROW(encode(event), std::length_error);
}

TEST(RecordsEncode, MaxMemberIdsFitsInGroup) {
  BlockMembersEvent event{1, std::vector<AccountId>(kMaxMemberIds, 3)};
  std::string bytes = encode(event);
  EXPECT_EQ(bytes.size(), 20u + 8u * kMaxMemberIds);
  EXPECT_EQ(decode_as<BlockMembersEvent>(bytes), event);
}

TEST(RecordsDecode, RoomMessageVersion1) {
  EXPECT_EQ(decode_as<RoomMessageRecord>(kRoomMessageV1), sample_message());
}

TEST(RecordsDecode, RoomMessageVersion0Defaults) {
  RoomMessageRecord decoded = decode_as<RoomMessageRecord>(kRoomMessageV0);
  EXPECT_EQ(decoded.room_id, 0x0102);
  EXPECT_EQ(decoded.sender_id, 7);
  EXPECT_EQ(decoded.timestamp, kNewYear2025);
  EXPECT_EQ(decoded.message_id, 0);
  EXPECT_EQ(decoded.text, "hi");
  EXPECT_FALSE(decoded.client_message_id.has_value());
}

TEST(RecordsDecode, EmptyClientIdIsAbsent) {
  RoomMessageRecord message = sample_message();
  message.client_message_id.reset();
  EXPECT_FALSE(decode_as<RoomMessageRecord>(encode(message)).client_message_id.has_value());
}

TEST(RecordsDecode, Events) {
  EXPECT_EQ(decode_as<LeaveRoomEvent>(kLeaveRoomEvent), (LeaveRoomEvent{5, -5, true}));
  EXPECT_EQ(decode_as<RemoveMembersEvent>(kRemoveMembersEvent), (RemoveMembersEvent{9, {10, 11}}));
  EXPECT_EQ(decode_as<BlockMembersEvent>(kBlockMembersEvent), (BlockMembersEvent{9, {12}}));
}

TEST(RecordsDecode, ReferenceVersion0EventWithPadding) {
  // The reference server stores events as 512-byte buffers: the encoding
  // (schema version 0) followed by zeros. Trailing bytes are ignored.
  std::string bytes = kLeaveRoomEvent;
  bytes[6] = 0;  // version 0
  bytes.resize(512, '\0');
  EXPECT_EQ(decode_as<LeaveRoomEvent>(bytes), (LeaveRoomEvent{5, -5, true}));
}

TEST(RecordsDecode, LongerRootBlockIsSkipped) {
  // A later schema version may append fields to the root block, so the var
  // data starts blockLength bytes after the message header.
  std::string bytes = kRoomMessageV1;
  bytes[0] = 0x24;  // blockLength 36
  bytes.insert(8 + 32, from_hex("de ad be ef"));
  EXPECT_EQ(decode_as<RoomMessageRecord>(bytes), sample_message());
}

TEST(RecordsDecode, LongerGroupEntryIsSkipped) {
  std::string bytes = from_hex(
      "08 00 02 00 64 00 01 00"
      "09 00 00 00 00 00 00 00"
      "0a 00 02 00"  // entry blockLength 10
      "0a 00 00 00 00 00 00 00 ff ff"
      "0b 00 00 00 00 00 00 00 ff ff");
  EXPECT_EQ(decode_as<RemoveMembersEvent>(bytes), (RemoveMembersEvent{9, {10, 11}}));
}

TEST(RecordsMalformed, Version1WithVersion0BlockLength) {
  // A version 1 record must carry messageId, so its root block needs 32
  // bytes even when the var data that follows is well formed.
  std::string bytes = kRoomMessageV0 + from_hex("00 00 00 00");
  bytes[6] = 1;
  expect_invalid(bytes, "RoomMessage: blockLength 24 at offset 0 is shorter than the 32 bytes");
}

TEST(RecordsRoundTrip, EveryRecordType) {
  std::vector<Record> records = {
      sample_message(),
      RoomMessageRecord{-1, -2, Timestamp{std::chrono::milliseconds(-3)}, -4, "", std::nullopt},
      RoomMessageRecord{1, 2, kNewYear2025, 3, std::string(10000, 'x'), std::string(64, 'k')},
      RoomMessageRecord{1, 2, kNewYear2025, 3, std::string("a\0b\xff", 4), std::nullopt},
      LeaveRoomEvent{1, 2, false},
      LeaveRoomEvent{INT64_MAX, INT64_MIN, true},
      RemoveMembersEvent{3, {}},
      RemoveMembersEvent{3, {1, -1, INT64_MAX}},
      BlockMembersEvent{4, {7}},
  };
  for (const Record& record : records) {
    Result<Record> decoded = decode(encode(record));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, record) << "record type index " << record.index();
  }
}

TEST(RecordsMalformed, TruncatedMessageHeader) {
  expect_invalid("", "SBE message header truncated: 0 of 8 bytes");
  expect_invalid(kRoomMessageV1.substr(0, 7), "SBE message header truncated: 7 of 8 bytes");
}

TEST(RecordsMalformed, WrongSchemaId) {
  std::string bytes = kLeaveRoomEvent;
  bytes[4] = 0x65;
  expect_invalid(bytes, "SBE schema id 101 at offset 4 is not 100");
}

TEST(RecordsMalformed, UnknownTemplateId) {
  std::string bytes = kLeaveRoomEvent;
  bytes[2] = 9;
  expect_invalid(bytes, "unknown template id 9");
  bytes[2] = 0;
  expect_invalid(bytes, "unknown template id 0");
}

TEST(RecordsMalformed, BlockLengthShorterThanFields) {
  std::string leave = kLeaveRoomEvent;
  leave[0] = 16;
  expect_invalid(leave, "LeaveRoomEvent: blockLength 16 at offset 0 is shorter than the 17 bytes");
  std::string message = kRoomMessageV0;
  message[0] = 23;
  expect_invalid(message, "RoomMessage: blockLength 23 at offset 0 is shorter than the 24 bytes");
  std::string members = kRemoveMembersEvent;
  members[0] = 0;
  expect_invalid(members, "RemoveMembersEvent: blockLength 0");
}

TEST(RecordsMalformed, TruncatedRootBlock) {
  for (std::size_t size = 8; size < 8 + 17; ++size) {
    expect_invalid(kLeaveRoomEvent.substr(0, size),
                   "LeaveRoomEvent: root block truncated at offset 8");
  }
  for (std::size_t size = 8; size < 8 + 32; ++size) {
    expect_invalid(kRoomMessageV1.substr(0, size), "RoomMessage: root block truncated at offset 8");
  }
  std::string huge_block = kRoomMessageV1;
  huge_block[0] = '\xff';
  huge_block[1] = '\xff';
  expect_invalid(huge_block, "RoomMessage: root block truncated at offset 8");
}

TEST(RecordsMalformed, TruncatedVarData) {
  // Header and root block of a v1 RoomMessage are 40 bytes, so the var data
  // "message" starts at offset 40.
  for (std::size_t size = 40; size < 44; ++size) {
    expect_invalid(kRoomMessageV1.substr(0, size),
                   "RoomMessage: message length truncated at offset 40");
  }
  expect_invalid(kRoomMessageV1.substr(0, 45),
                 "message length 2 at offset 40 overruns the buffer (1 bytes left)");
  for (std::size_t size = 46; size < 50; ++size) {
    expect_invalid(kRoomMessageV1.substr(0, size), "clientMessageId length truncated at offset 46");
  }
  expect_invalid(kRoomMessageV1.substr(0, 51), "clientMessageId length 2 at offset 46 overruns");
  expect_invalid(kRoomMessageV0.substr(0, kRoomMessageV0.size() - 1),
                 "message length 2 at offset 32 overruns");
}

TEST(RecordsMalformed, VarDataLengthOverrunsRecord) {
  std::string bytes = kRoomMessageV1;
  bytes[40] = '\xff';
  bytes[41] = '\xff';
  bytes[42] = '\xff';
  bytes[43] = '\xff';
  expect_invalid(bytes, "message length 4294967295 at offset 40 overruns the buffer");
}

TEST(RecordsMalformed, TruncatedGroup) {
  // Header and root block of a members event are 16 bytes.
  for (std::size_t size = 16; size < 20; ++size) {
    expect_invalid(kRemoveMembersEvent.substr(0, size),
                   "group memberIds header truncated at offset 16");
  }
  for (std::size_t size = 20; size < kRemoveMembersEvent.size(); ++size) {
    expect_invalid(kRemoveMembersEvent.substr(0, size),
                   "group memberIds of 2 entries of 8 bytes at offset 16 overruns");
  }
  std::string many = kBlockMembersEvent;
  many[18] = '\xff';
  many[19] = '\xff';
  expect_invalid(many, "group memberIds of 65535 entries");
}

TEST(RecordsMalformed, GroupEntryShorterThanMemberId) {
  std::string bytes = kRemoveMembersEvent;
  bytes[16] = 4;
  expect_invalid(bytes, "group memberIds blockLength 4 at offset 16 is shorter than the 8 bytes");
}

TEST(RecordsMalformed, IsOwnerOutsideBooleanType) {
  std::string bytes = kLeaveRoomEvent;
  bytes[24] = 2;
  expect_invalid(
      bytes, "LeaveRoomEvent: isOwner at offset 24 has the value 2, which is not a BooleanType");
}

TEST(RecordsMalformed, EveryPrefixOfEveryRecordIsRejected) {
  for (const std::string& bytes :
       {kRoomMessageV1, kRoomMessageV0, kLeaveRoomEvent, kRemoveMembersEvent, kBlockMembersEvent}) {
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      EXPECT_FALSE(decode(bytes.substr(0, size)).ok()) << "prefix of " << size << " bytes";
    }
  }
}

TEST(RecordsMalformed, MutatedBytesDecodeStably) {
  // Flips bytes of the golden records with a fixed seed. Whatever decodes
  // must survive a round trip; the rest must be rejected without a crash.
  std::mt19937 random(12345);
  int decoded_count = 0;
  for (const std::string& golden :
       {kRoomMessageV1, kRoomMessageV0, kLeaveRoomEvent, kRemoveMembersEvent, kBlockMembersEvent}) {
    for (int round = 0; round < 2000; ++round) {
      std::string bytes = golden;
      int flips = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < flips; ++i) {
        bytes[random() % bytes.size()] = static_cast<char>(random() % 256);
      }
      Result<Record> decoded = decode(bytes);
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.error().code, 400);
        continue;
      }
      ++decoded_count;
      Result<Record> again = decode(encode(*decoded));
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_EQ(*again, *decoded);
    }
  }
  EXPECT_GT(decoded_count, 0);
}

TEST(RecordsKey, BigEndianRoomId) {
  EXPECT_EQ(encode_key(0x0102030405060708), from_hex("01 02 03 04 05 06 07 08"));
  EXPECT_EQ(encode_key(-2), from_hex("ff ff ff ff ff ff ff fe"));
  EXPECT_EQ(decode_key(from_hex("01 02 03 04 05 06 07 08")), 0x0102030405060708);
  EXPECT_EQ(decode_key(encode_key(INT64_MIN)), INT64_MIN);
  EXPECT_EQ(decode_key("short"), std::nullopt);
}

}  // namespace
}  // namespace parley::kafka
