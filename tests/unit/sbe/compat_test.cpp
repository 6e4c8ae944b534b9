// Schema evolution both ways, with two versions of one test schema run
// through sbe_gen: versioned_v2.xml adds a root field, a group entry field
// and a var data field to versioned_v1.xml.

#include <gtest/gtest.h>

#include "sbe_test/versioned_v1.hpp"
#include "sbe_test/versioned_v2.hpp"
#include "unit/sbe/bytes.hpp"

namespace parley::sbe {
namespace {

using testing::Bytes;
using testing::from_hex;

Bytes encode_v2() {
  Bytes buffer(256);
  versioned_v2::OrderEncoder encoder(buffer);
  encoder.order_id(42).quantity(3).discount(-7);
  auto legs = encoder.legs(2);
  legs.next().price(100).venue(1);
  legs.next().price(200).venue(2);
  encoder.note("first").tag("urgent");
  EXPECT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  return buffer;
}

Bytes encode_v1() {
  Bytes buffer(256);
  versioned_v1::OrderEncoder encoder(buffer);
  encoder.order_id(42).quantity(3);
  auto legs = encoder.legs(1);
  legs.next().price(100);
  encoder.note("first");
  EXPECT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  return buffer;
}

TEST(SchemaVersions, BlockLengthsGrow) {
  EXPECT_EQ(versioned_v1::OrderEncoder::kBlockLength, 12);
  EXPECT_EQ(versioned_v2::OrderEncoder::kBlockLength, 16);
  EXPECT_EQ(versioned_v1::OrderEncoder::LegsEncoder::kBlockLength, 8);
  EXPECT_EQ(versioned_v2::OrderEncoder::LegsEncoder::kBlockLength, 10);
}

TEST(SchemaVersions, Version2BytesMatchLayout) {
  Bytes expected = from_hex(
      "10 00 01 00 84 03 02 00"          // blockLength 16, template 1, schema 900, version 2
      "2a 00 00 00 00 00 00 00"          // orderId 42
      "03 00 00 00"                      // quantity 3
      "f9 ff ff ff"                      // discount -7
      "0a 00 02 00"                      // legs: blockLength 10, 2 entries
      "64 00 00 00 00 00 00 00 01 00"    // price 100, venue 1
      "c8 00 00 00 00 00 00 00 02 00"    // price 200, venue 2
      "05 00 00 00 66 69 72 73 74"       // note "first"
      "06 00 00 00 75 72 67 65 6e 74");  // tag "urgent"
  EXPECT_EQ(encode_v2(), expected);
}

TEST(SchemaVersions, OlderDecoderReadsNewerRecord) {
  Bytes bytes = encode_v2();
  Result<versioned_v1::OrderDecoder> decoded = versioned_v1::OrderDecoder::decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->acting_version(), 2);
  EXPECT_EQ(decoded->order_id(), 42);
  EXPECT_EQ(decoded->quantity(), 3);
  auto legs = decoded->legs();
  ASSERT_EQ(legs.count(), 2u);
  ASSERT_TRUE(legs.next());
  EXPECT_EQ(legs.price(), 100);
  ASSERT_TRUE(legs.next());
  EXPECT_EQ(legs.price(), 200);
  EXPECT_FALSE(legs.next());
  EXPECT_EQ(decoded->note(), "first");
  // The version 1 decoder ends after note; tag is bytes after the message.
  EXPECT_EQ(decoded->size(), bytes.size() - 10);
}

TEST(SchemaVersions, NewerDecoderReadsOlderRecord) {
  Bytes bytes = encode_v1();
  Result<versioned_v2::OrderDecoder> decoded = versioned_v2::OrderDecoder::decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->acting_version(), 1);
  EXPECT_EQ(decoded->order_id(), 42);
  EXPECT_EQ(decoded->quantity(), 3);
  EXPECT_EQ(decoded->discount(), std::nullopt);
  auto legs = decoded->legs();
  ASSERT_TRUE(legs.next());
  EXPECT_EQ(legs.price(), 100);
  EXPECT_EQ(legs.venue(), std::nullopt);
  EXPECT_EQ(decoded->note(), "first");
  EXPECT_EQ(decoded->tag(), std::nullopt);
  EXPECT_EQ(decoded->size(), bytes.size());
}

TEST(SchemaVersions, CurrentDecoderReadsVersion0) {
  // Version 0 has no quantity: an 8-byte root block.
  Bytes bytes = from_hex(
      "08 00 01 00 84 03 00 00"
      "2a 00 00 00 00 00 00 00"
      "08 00 01 00 64 00 00 00 00 00 00 00"
      "02 00 00 00 6f 6b");
  Result<versioned_v2::OrderDecoder> decoded = versioned_v2::OrderDecoder::decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->acting_version(), 0);
  EXPECT_EQ(decoded->order_id(), 42);
  EXPECT_EQ(decoded->quantity(), std::nullopt);
  EXPECT_EQ(decoded->discount(), std::nullopt);
  EXPECT_EQ(decoded->note(), "ok");
  Result<versioned_v1::OrderDecoder> older = versioned_v1::OrderDecoder::decode(bytes);
  ASSERT_TRUE(older.ok()) << older.error().message;
  EXPECT_EQ(older->quantity(), std::nullopt);
  EXPECT_EQ(older->note(), "ok");
}

TEST(SchemaVersions, BlockTooShortForVersion) {
  // A version 2 header with the version 1 root block of 12 bytes.
  Bytes bytes = encode_v1();
  bytes[6] = 2;
  Result<versioned_v2::OrderDecoder> decoded = versioned_v2::OrderDecoder::decode(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "Order: blockLength 12 at offset 0 is shorter than the 16 bytes of version 2");
  // The version 1 decoder needs only 12 bytes whatever the record's version.
  EXPECT_TRUE(versioned_v1::OrderDecoder::decode(bytes).ok());
}

TEST(SchemaVersions, GroupEntryTooShortForVersion) {
  Bytes bytes = encode_v2();
  bytes[24] = 8;  // legs blockLength 8 in a version 2 record
  Result<versioned_v2::OrderDecoder> decoded = versioned_v2::OrderDecoder::decode(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "Order: group legs blockLength 8 at offset 24 is shorter than the 10 bytes of "
            "version 2");
}

}  // namespace
}  // namespace parley::sbe
