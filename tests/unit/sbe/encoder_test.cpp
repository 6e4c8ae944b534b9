// Limits and misuse of the generated encoders: each turns ok() false and
// makes later calls do nothing, and none writes outside the buffer.

#include <gtest/gtest.h>

#include "sbe/parley_sbe.hpp"
#include "sbe_test/features.hpp"
#include "unit/sbe/bytes.hpp"

namespace parley::sbe {
namespace {

using features::CatalogDecoder;
using features::CatalogEncoder;
using testing::Bytes;

TEST(Encoder, BufferSmallerThanBlock) {
  for (std::size_t capacity = 0; capacity < 8 + 17; ++capacity) {
    Bytes buffer(capacity + 4, 0xee);
    LeaveRoomEventEncoder encoder(std::span<std::uint8_t>(buffer.data(), capacity));
    encoder.room_id(1).account_id(2).is_owner(BooleanType::T);
    EXPECT_FALSE(encoder.ok()) << "capacity " << capacity;
    for (std::size_t i = capacity; i < buffer.size(); ++i) {
      EXPECT_EQ(buffer[i], 0xee) << "wrote byte " << i << " with capacity " << capacity;
    }
  }
}

TEST(Encoder, BufferTooSmallForEveryLength) {
  // The full message is 8 + 32 + 4 + 5 + 4 + 2 = 55 bytes.
  for (std::size_t capacity = 0; capacity <= 55; ++capacity) {
    Bytes buffer(capacity + 8, 0xee);
    RoomMessageEncoder encoder(std::span<std::uint8_t>(buffer.data(), capacity));
    encoder.room_id(1).sender_id(2).timestamp(3).message_id(4).message("hello").client_message_id(
        "c1");
    EXPECT_EQ(encoder.ok(), capacity == 55) << "capacity " << capacity;
    for (std::size_t i = capacity; i < buffer.size(); ++i) {
      ASSERT_EQ(buffer[i], 0xee) << "wrote byte " << i << " with capacity " << capacity;
    }
  }
}

TEST(Encoder, VarDataWithoutRoomForEmptyTail) {
  // message fits, but the empty clientMessageId that size() adds does not.
  Bytes buffer(8 + 32 + 4 + 2);
  RoomMessageEncoder encoder(buffer);
  encoder.message("hi");
  EXPECT_FALSE(encoder.ok());
}

TEST(Encoder, GroupCountAboveLimit) {
  Bytes buffer(64);
  RemoveMembersEventEncoder encoder(buffer);
  encoder.member_ids(65536);
  EXPECT_FALSE(encoder.ok());

  Bytes small(256);
  CatalogEncoder catalog(small);
  catalog.sections(0);
  catalog.tags(4);  // numInGroup maxValue is 3
  EXPECT_FALSE(catalog.ok());
}

TEST(Encoder, VarDataAboveLimit) {
  Bytes buffer(256);
  CatalogEncoder catalog(buffer);
  catalog.title("t").blob(std::string_view("12345"));  // length maxValue is 4
  EXPECT_FALSE(catalog.ok());

  Bytes other(256);
  CatalogEncoder fits(other);
  fits.title("t").blob(std::string_view("1234"));
  EXPECT_TRUE(fits.ok());
}

TEST(Encoder, FewerEntriesThanCount) {
  Bytes buffer(64);
  RemoveMembersEventEncoder encoder(buffer);
  auto ids = encoder.member_ids(2);
  ids.next().member_id(1);
  EXPECT_FALSE(encoder.ok());
  ids.next().member_id(2);
  EXPECT_TRUE(encoder.ok());
}

TEST(Encoder, MoreEntriesThanCount) {
  Bytes buffer(64);
  RemoveMembersEventEncoder encoder(buffer);
  auto ids = encoder.member_ids(1);
  ids.next().member_id(1);
  ids.next().member_id(2);
  EXPECT_FALSE(encoder.ok());
}

TEST(Encoder, EntryFieldBeforeNext) {
  Bytes buffer(64);
  RemoveMembersEventEncoder encoder(buffer);
  auto ids = encoder.member_ids(1);
  ids.member_id(1);
  EXPECT_FALSE(encoder.ok());
}

TEST(Encoder, OutOfOrderVarData) {
  Bytes buffer(128);
  RoomMessageEncoder encoder(buffer);
  encoder.client_message_id("c1").message("hi");
  EXPECT_FALSE(encoder.ok());
}

TEST(Encoder, RepeatedVarData) {
  Bytes buffer(128);
  RoomMessageEncoder encoder(buffer);
  encoder.message("a").message("b");
  EXPECT_FALSE(encoder.ok());
}

TEST(Encoder, StaleGroupEncoder) {
  Bytes buffer(256);
  CatalogEncoder catalog(buffer);
  auto sections = catalog.sections(1);
  sections.next().number(1);
  catalog.tags(0);
  // sections was closed when tags started.
  sections.heading("late");
  EXPECT_FALSE(catalog.ok());
}

TEST(Encoder, SkippedElementsAreWrittenEmpty) {
  Bytes buffer(256);
  CatalogEncoder catalog(buffer);
  catalog.catalog_id(5).side(features::Side::Buy);
  auto sections = catalog.sections(2);
  sections.next().number(1);  // items and heading skipped
  sections.next().number(2);
  sections.heading("h");                // items skipped before heading
  catalog.blob(std::string_view("b"));  // tags and title skipped
  ASSERT_TRUE(catalog.ok());
  buffer.resize(catalog.size());

  Result<CatalogDecoder> decoded = CatalogDecoder::decode(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  auto decoded_sections = decoded->sections();
  ASSERT_TRUE(decoded_sections.next());
  EXPECT_EQ(decoded_sections.items().count(), 0u);
  EXPECT_EQ(decoded_sections.heading(), "");
  ASSERT_TRUE(decoded_sections.next());
  EXPECT_EQ(decoded_sections.number(), 2u);
  EXPECT_EQ(decoded_sections.heading(), "h");
  EXPECT_EQ(decoded->tags().count(), 0u);
  EXPECT_EQ(decoded->title(), "");
  EXPECT_EQ(decoded->blob(), "b");
}

TEST(Encoder, NestedGroupTailFilledBySize) {
  Bytes buffer(256);
  CatalogEncoder catalog(buffer);
  catalog.side(features::Side::Sell);
  auto sections = catalog.sections(1);
  sections.next().number(9);
  auto items = sections.items(1);
  items.next().sku(3);  // label, heading, tags, title and blob follow empty
  ASSERT_TRUE(catalog.ok());
  buffer.resize(catalog.size());
  Result<CatalogDecoder> decoded = CatalogDecoder::decode(buffer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->size(), buffer.size());
  auto decoded_sections = decoded->sections();
  ASSERT_TRUE(decoded_sections.next());
  auto decoded_items = decoded_sections.items();
  ASSERT_TRUE(decoded_items.next());
  EXPECT_EQ(decoded_items.sku(), 3);
  EXPECT_EQ(decoded_items.label(), "");
}

TEST(Encoder, FailureStopsLaterWrites) {
  Bytes buffer(8 + 32 + 4 + 1, 0);
  RoomMessageEncoder encoder(buffer);
  encoder.message("too long");
  ASSERT_FALSE(encoder.ok());
  encoder.room_id(0x7f7f7f7f7f7f7f7f);
  for (std::size_t i = 8; i < 8 + 8; ++i) {
    EXPECT_EQ(buffer[i], 0) << "byte " << i;
  }
}

}  // namespace
}  // namespace parley::sbe
