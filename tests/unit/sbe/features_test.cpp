// Round trips through the codecs of features.xml, which uses every part of
// the supported subset. It has optional fields with default and explicit
// null values, char and uint8 enums, and nested groups with var data. It
// also has var data with uint8 and uint16 lengths and limits, an empty
// message and a padded block.

#include "sbe_test/features.hpp"

#include <gtest/gtest.h>

#include "unit/sbe/bytes.hpp"

namespace parley::sbe::features {
namespace {

using testing::Bytes;
using testing::from_hex;

Bytes encode_full_catalog() {
  Bytes buffer(512);
  CatalogEncoder encoder(buffer);
  encoder.catalog_id(0xfedcba9876543210ULL)
      .ratio(-3)
      .side(Side::Sell)
      .status(Status::Closed)
      .grade('A')
      .share(50)
      .small(-128)
      .wide(7);
  auto sections = encoder.sections(2);
  sections.next().number(1).side(Side::Buy);
  auto items = sections.items(2);
  items.next().sku(11).label("a");
  items.next().sku(12).label("bc");
  sections.heading("first");
  sections.next().number(2).side(std::nullopt);
  sections.items(0);
  sections.heading("");
  auto tags = encoder.tags(1);
  tags.next().code(0xbeef);
  encoder.title("catalog");
  const std::uint8_t blob[] = {0, 1, 2, 255};
  encoder.blob(std::span<const std::uint8_t>(blob));
  EXPECT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  return buffer;
}

TEST(Features, CatalogLayout) {
  Bytes expected = from_hex(
      "13 00 0a 00 85 03 00 00"           // blockLength 19, template 10, schema 901, version 0
      "10 32 54 76 98 ba dc fe"           // catalogId
      "fd ff"                             // ratio -3
      "53"                                // side 'S'
      "07"                                // status Closed
      "41"                                // grade 'A'
      "32"                                // share 50
      "80"                                // small -128
      "07 00 00 00"                       // wide 7
      "05 00 02 00"                       // sections: blockLength 5, 2 entries
      "01 00 00 00 42"                    //   number 1, side 'B'
      "08 00 02 00"                       //   items: blockLength 8, 2 entries
      "0b 00 00 00 00 00 00 00"           //     sku 11
      "01 61"                             //     label "a" (uint8 length)
      "0c 00 00 00 00 00 00 00"           //     sku 12
      "02 62 63"                          //     label "bc"
      "05 00 00 00 66 69 72 73 74"        // heading "first"
      "02 00 00 00 00"                    //   number 2, side null (0)
      "08 00 00 00"                       //   items: no entries
      "00 00 00 00"                       //   heading ""
      "02 00 01 00 ef be"                 // tags: blockLength 2, 1 entry, code 0xbeef
      "07 00 00 00 63 61 74 61 6c 6f 67"  // title "catalog"
      "04 00 00 01 02 ff");               // blob, uint16 length 4
  EXPECT_EQ(encode_full_catalog(), expected);
}

TEST(Features, CatalogRoundTrip) {
  Bytes bytes = encode_full_catalog();
  Result<CatalogDecoder> decoded = CatalogDecoder::decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const CatalogDecoder& catalog = *decoded;
  EXPECT_EQ(catalog.size(), bytes.size());
  EXPECT_EQ(catalog.catalog_id(), 0xfedcba9876543210ULL);
  EXPECT_EQ(catalog.ratio(), -3);
  EXPECT_EQ(catalog.side(), Side::Sell);
  EXPECT_EQ(catalog.status(), Status::Closed);
  EXPECT_EQ(catalog.grade(), 'A');
  EXPECT_EQ(catalog.share(), 50);
  EXPECT_EQ(catalog.small(), -128);
  EXPECT_EQ(catalog.wide(), 7u);

  auto sections = catalog.sections();
  ASSERT_EQ(sections.count(), 2u);
  ASSERT_TRUE(sections.next());
  EXPECT_EQ(sections.number(), 1u);
  EXPECT_EQ(sections.side(), Side::Buy);
  auto items = sections.items();
  ASSERT_EQ(items.count(), 2u);
  ASSERT_TRUE(items.next());
  EXPECT_EQ(items.sku(), 11);
  EXPECT_EQ(items.label(), "a");
  ASSERT_TRUE(items.next());
  EXPECT_EQ(items.sku(), 12);
  EXPECT_EQ(items.label(), "bc");
  EXPECT_FALSE(items.next());
  EXPECT_EQ(sections.heading(), "first");
  ASSERT_TRUE(sections.next());
  EXPECT_EQ(sections.number(), 2u);
  EXPECT_EQ(sections.side(), std::nullopt);
  EXPECT_EQ(sections.items().count(), 0u);
  EXPECT_EQ(sections.heading(), "");
  EXPECT_FALSE(sections.next());

  auto tags = catalog.tags();
  ASSERT_TRUE(tags.next());
  EXPECT_EQ(tags.code(), 0xbeef);
  EXPECT_EQ(catalog.title(), "catalog");
  EXPECT_EQ(catalog.blob(), std::string_view("\x00\x01\x02\xff", 4));
}

TEST(Features, OptionalFieldsDefaultToNull) {
  Bytes buffer(128);
  CatalogEncoder encoder(buffer);
  encoder.catalog_id(1)
      .ratio(std::nullopt)
      .status(std::nullopt)
      .share(std::nullopt)
      .wide(std::nullopt);
  encoder.side(Side::Buy);
  ASSERT_TRUE(encoder.ok());
  buffer.resize(encoder.size());
  // The SBE null values: int16 minimum, uint8 enum 255, the explicit 200,
  // uint32 maximum.
  EXPECT_EQ(Bytes(buffer.begin() + 16, buffer.begin() + 18), from_hex("00 80"));
  EXPECT_EQ(buffer[19], 0xff);
  EXPECT_EQ(buffer[21], 200);
  EXPECT_EQ(Bytes(buffer.begin() + 23, buffer.begin() + 27), from_hex("ff ff ff ff"));

  Result<CatalogDecoder> decoded = CatalogDecoder::decode(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->ratio(), std::nullopt);
  EXPECT_EQ(decoded->status(), std::nullopt);
  EXPECT_EQ(decoded->share(), std::nullopt);
  EXPECT_EQ(decoded->wide(), std::nullopt);
  EXPECT_EQ(decoded->sections().count(), 0u);
  EXPECT_EQ(decoded->tags().count(), 0u);
  EXPECT_EQ(decoded->title(), "");
  EXPECT_EQ(decoded->blob(), "");
}

TEST(Features, EmptyMessage) {
  Bytes buffer(8);
  EmptyEncoder encoder(buffer);
  ASSERT_TRUE(encoder.ok());
  EXPECT_EQ(encoder.size(), 8u);
  EXPECT_EQ(buffer, from_hex("00 00 0b 00 85 03 00 00"));
  Result<EmptyDecoder> decoded = EmptyDecoder::decode(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->size(), 8u);
}

TEST(Features, DeclaredBlockLengthPads) {
  EXPECT_EQ(PaddedEncoder::kBlockLength, 16);
  Bytes buffer(24, 0xee);
  PaddedEncoder encoder(buffer);
  encoder.value(-2);
  ASSERT_TRUE(encoder.ok());
  EXPECT_EQ(buffer, from_hex("10 00 0c 00 85 03 00 00 fe ff ff ff 00 00 00 00 00 00 00 00 00 00 "
                             "00 00"));
  Result<PaddedDecoder> decoded = PaddedDecoder::decode(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->value(), -2);
  // A record needs only the 4 bytes of its fields, not the declared padding.
  Bytes short_block = from_hex("04 00 0c 00 85 03 00 00 fe ff ff ff");
  EXPECT_TRUE(PaddedDecoder::decode(short_block).ok());
}

TEST(Features, EnumValidity) {
  EXPECT_TRUE(is_valid(Side::Buy));
  EXPECT_TRUE(is_valid(Status::Closed));
  EXPECT_FALSE(is_valid(static_cast<Side>('X')));
  EXPECT_FALSE(is_valid(static_cast<Status>(1)));
}

}  // namespace
}  // namespace parley::sbe::features
