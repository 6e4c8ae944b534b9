// Every class of malformed input, for every decoder: truncation at every
// length, a bad header, another template or schema id, group and var data
// lengths that overrun the buffer, and enum values outside the enum.

#include <random>

#include <gtest/gtest.h>

#include "sbe/parley_sbe.hpp"
#include "sbe_test/features.hpp"
#include "sbe_test/versioned_v2.hpp"
#include "unit/sbe/bytes.hpp"

namespace parley::sbe {
namespace {

using testing::Bytes;

template <typename Decoder>
void expect_rejected(const Bytes& bytes, std::string_view expected_part) {
  Result<Decoder> decoded = Decoder::decode(bytes);
  ASSERT_FALSE(decoded.ok()) << "accepted " << bytes.size() << " bytes";
  EXPECT_EQ(decoded.error().code, 0);
  EXPECT_NE(decoded.error().message.find(expected_part), std::string::npos)
      << "expected \"" << expected_part << "\" in: " << decoded.error().message;
}

template <typename Encoder, typename Write>
Bytes encode(Write write) {
  Bytes buffer(512);
  Encoder encoder(buffer);
  write(encoder);
  EXPECT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  return buffer;
}

Bytes room_message() {
  return encode<RoomMessageEncoder>([](RoomMessageEncoder& e) {
    e.room_id(1).sender_id(2).timestamp(3).message_id(4).message("hello").client_message_id("c1");
  });
}

Bytes leave_room() {
  return encode<LeaveRoomEventEncoder>(
      [](LeaveRoomEventEncoder& e) { e.room_id(1).account_id(2).is_owner(BooleanType::T); });
}

template <typename Encoder>
Bytes members() {
  return encode<Encoder>([](Encoder& e) {
    auto ids = e.room_id(1).member_ids(3);
    ids.next().member_id(1);
    ids.next().member_id(2);
    ids.next().member_id(3);
  });
}

Bytes catalog() {
  return encode<features::CatalogEncoder>([](features::CatalogEncoder& e) {
    e.catalog_id(1).side(features::Side::Buy).status(features::Status::Open);
    auto sections = e.sections(1);
    sections.next().number(1).side(features::Side::Sell);
    auto items = sections.items(2);
    items.next().sku(1).label("x");
    items.next().sku(2).label("yz");
    sections.heading("head");
    e.tags(1).next().code(5);
    e.title("title").blob(std::string_view("ab"));
  });
}

Bytes order() {
  return encode<versioned_v2::OrderEncoder>([](versioned_v2::OrderEncoder& e) {
    e.order_id(1).quantity(2).discount(3);
    e.legs(1).next().price(4).venue(5);
    e.note("n").tag("t");
  });
}

// Reads every accessor, nested groups included, so that AddressSanitizer
// reports any read out of bounds.
std::size_t touch(const features::CatalogDecoder& decoder) {
  std::size_t sum = decoder.catalog_id() + decoder.title().size() + decoder.blob().size();
  auto sections = decoder.sections();
  while (sections.next()) {
    sum += sections.number() + sections.heading().size();
    auto items = sections.items();
    while (items.next()) {
      sum += static_cast<std::size_t>(items.sku()) + items.label().size();
    }
  }
  auto tags = decoder.tags();
  while (tags.next()) {
    sum += tags.code();
  }
  return sum;
}

TEST(Malformed, EveryTruncationRejected) {
  struct Case {
    const char* name;
    Bytes bytes;
    bool (*decodes)(const Bytes&);
  };
  std::vector<Case> cases = {
      {"RoomMessage", room_message(),
       [](const Bytes& b) { return RoomMessageDecoder::decode(b).ok(); }},
      {"LeaveRoomEvent", leave_room(),
       [](const Bytes& b) { return LeaveRoomEventDecoder::decode(b).ok(); }},
      {"RemoveMembersEvent", members<RemoveMembersEventEncoder>(),
       [](const Bytes& b) { return RemoveMembersEventDecoder::decode(b).ok(); }},
      {"BlockMembersEvent", members<BlockMembersEventEncoder>(),
       [](const Bytes& b) { return BlockMembersEventDecoder::decode(b).ok(); }},
      {"Catalog", catalog(),
       [](const Bytes& b) { return features::CatalogDecoder::decode(b).ok(); }},
      {"Order", order(), [](const Bytes& b) { return versioned_v2::OrderDecoder::decode(b).ok(); }},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(c.decodes(c.bytes)) << c.name;
    for (std::size_t length = 0; length < c.bytes.size(); ++length) {
      EXPECT_FALSE(c.decodes(testing::prefix(c.bytes, length)))
          << c.name << " accepted a prefix of " << length << " bytes";
    }
  }
}

TEST(Malformed, TruncationMessages) {
  expect_rejected<RoomMessageDecoder>(testing::prefix(room_message(), 3),
                                      "SBE message header truncated: 3 of 8 bytes");
  expect_rejected<LeaveRoomEventDecoder>(testing::prefix(leave_room(), 20),
                                         "LeaveRoomEvent: root block truncated at offset 8: 12 of "
                                         "17 bytes");
  expect_rejected<RemoveMembersEventDecoder>(
      testing::prefix(members<RemoveMembersEventEncoder>(), 18),
      "RemoveMembersEvent: group memberIds header truncated at offset 16: 2 of 4 bytes");
  expect_rejected<RoomMessageDecoder>(testing::prefix(room_message(), 42),
                                      "RoomMessage: message length truncated at offset 40: 2 of 4 "
                                      "bytes");
}

TEST(Malformed, AnotherSchemaId) {
  Bytes bytes = room_message();
  bytes[4] = 0x65;
  expect_rejected<RoomMessageDecoder>(bytes, "SBE schema id 101 at offset 4 is not 100");
  Bytes features_bytes = catalog();
  features_bytes[4] = 100;
  features_bytes[5] = 0;
  expect_rejected<features::CatalogDecoder>(features_bytes,
                                            "SBE schema id 100 at offset 4 is not 901");
  Result<MessageHeader> header = read_header(features_bytes);
  EXPECT_TRUE(header.ok());
  EXPECT_FALSE(features::read_header(features_bytes).ok());
}

TEST(Malformed, AnotherTemplate) {
  expect_rejected<LeaveRoomEventDecoder>(room_message(),
                                         "LeaveRoomEvent: template id 4 at offset 2, expected 1");
  expect_rejected<RoomMessageDecoder>(leave_room(),
                                      "RoomMessage: template id 1 at offset 2, expected 4");
  expect_rejected<BlockMembersEventDecoder>(members<RemoveMembersEventEncoder>(),
                                            "template id 2 at offset 2, expected 3");
  Bytes unknown = catalog();
  unknown[2] = 99;
  expect_rejected<features::CatalogDecoder>(unknown, "Catalog: template id 99 at offset 2");
}

TEST(Malformed, BlockLengthShorterThanFields) {
  Bytes bytes = catalog();
  bytes[0] = 18;
  expect_rejected<features::CatalogDecoder>(
      bytes, "Catalog: blockLength 18 at offset 0 is shorter than the 19 bytes of version 0");
}

TEST(Malformed, HugeBlockLength) {
  Bytes bytes = leave_room();
  bytes[0] = 0xff;
  bytes[1] = 0xff;
  expect_rejected<LeaveRoomEventDecoder>(bytes, "root block truncated at offset 8: 17 of 65535");
}

TEST(Malformed, GroupCountOverruns) {
  Bytes bytes = members<BlockMembersEventEncoder>();
  bytes[18] = 0xff;
  bytes[19] = 0xff;
  expect_rejected<BlockMembersEventDecoder>(
      bytes,
      "group memberIds of 65535 entries of 8 bytes at offset 16 overruns the buffer (24 "
      "bytes left)");
}

TEST(Malformed, GroupBlockLengthOverruns) {
  Bytes bytes = members<RemoveMembersEventEncoder>();
  bytes[16] = 0x00;
  bytes[17] = 0x10;  // 4096-byte entries
  expect_rejected<RemoveMembersEventDecoder>(bytes, "group memberIds of 3 entries of 4096 bytes");
}

TEST(Malformed, NestedGroupOverruns) {
  // Header 8 + block 19, sections header at 27, its entry block at 31
  // (5 bytes), items header at 36.
  Bytes bytes = catalog();
  bytes[38] = 0x30;
  expect_rejected<features::CatalogDecoder>(
      bytes, "Catalog: group sections.items of 48 entries of 8 bytes at offset 36 overruns");
}

TEST(Malformed, NestedVarDataOverruns) {
  // The first item's label length is at 36 + 4 + 8 = 48.
  Bytes bytes = catalog();
  ASSERT_EQ(bytes[48], 1);
  bytes[48] = 0xf0;
  expect_rejected<features::CatalogDecoder>(
      bytes, "Catalog: sections.items.label length 240 at offset 48 overruns the buffer");
}

TEST(Malformed, VarDataOverruns) {
  Bytes bytes = room_message();
  bytes[40] = 0xff;
  bytes[41] = 0xff;
  bytes[42] = 0xff;
  bytes[43] = 0xff;
  expect_rejected<RoomMessageDecoder>(
      bytes,
      "RoomMessage: message length 4294967295 at offset 40 overruns the buffer (11 bytes "
      "left)");
  Bytes order_bytes = order();
  order_bytes[order_bytes.size() - 5] = 9;  // tag length 9 of 1 byte
  expect_rejected<versioned_v2::OrderDecoder>(order_bytes, "Order: tag length 9");
}

TEST(Malformed, LimitsFromSchema) {
  // The maxValue limits apply even when the buffer contains more: tags takes
  // at most 3 entries and blob at most 4 bytes.
  Bytes bytes = encode<features::CatalogEncoder>([](features::CatalogEncoder& e) {
    e.side(features::Side::Buy).sections(0);
    auto tags = e.tags(3);
    for (int i = 0; i < 3; ++i) {
      tags.next().code(1);
    }
    e.title("").blob(std::string_view("abcd"));
  });
  ASSERT_TRUE(features::CatalogDecoder::decode(bytes).ok());
  // The tags header follows the 19-byte block and the empty sections group.
  Bytes many_tags = bytes;
  ASSERT_EQ(many_tags[8 + 19 + 4 + 2], 3);
  many_tags[8 + 19 + 4 + 2] = 4;
  many_tags.insert(many_tags.begin() + 8 + 19 + 4 + 4, {0, 0});
  expect_rejected<features::CatalogDecoder>(
      many_tags, "Catalog: group tags numInGroup 4 at offset 33 exceeds its maximum of 3");

  Bytes long_blob = bytes;
  std::size_t blob_at = long_blob.size() - 6;
  ASSERT_EQ(long_blob[blob_at], 4);
  long_blob[blob_at] = 5;
  long_blob.push_back('e');
  expect_rejected<features::CatalogDecoder>(
      long_blob,
      "Catalog: blob length 5 at offset " + std::to_string(blob_at) + " exceeds its maximum of 4");
}

TEST(Malformed, EnumValues) {
  Bytes leave = leave_room();
  leave[24] = 2;
  expect_rejected<LeaveRoomEventDecoder>(
      leave, "LeaveRoomEvent: isOwner at offset 24 has the value 2, which is not a BooleanType");

  Bytes side = catalog();
  side[8 + 10] = 'X';
  expect_rejected<features::CatalogDecoder>(side, "Catalog: side at offset 18 has the value 88");

  Bytes status = catalog();
  status[8 + 11] = 1;
  expect_rejected<features::CatalogDecoder>(status, "Catalog: status at offset 19 has the value 1");

  // Entry enums are checked too: the first section's side is at 31 + 4.
  Bytes entry = catalog();
  ASSERT_EQ(entry[35], 'S');
  entry[35] = 'Q';
  expect_rejected<features::CatalogDecoder>(entry, "Catalog: sections.side at offset 35");

  // The null value of an optional enum is accepted.
  Bytes null_status = catalog();
  null_status[8 + 11] = 0xff;
  Result<features::CatalogDecoder> decoded = features::CatalogDecoder::decode(null_status);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->status(), std::nullopt);
}

TEST(Malformed, MutatedBytesNeverOverrun) {
  // Whatever a random mutation decodes to must be readable in full. Under
  // AddressSanitizer, a read out of bounds fails the test.
  std::mt19937 random(20261204);
  Bytes golden = catalog();
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes bytes = golden;
    int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
    }
    bytes.resize(random() % (bytes.size() + 1));
    Result<features::CatalogDecoder> decoded = features::CatalogDecoder::decode(bytes);
    if (decoded.ok()) {
      ++accepted;
      EXPECT_LE(decoded->size(), bytes.size());
      touch(*decoded);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace parley::sbe
