#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(IsValidUtf8, RejectsIllFormedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("cut \xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("overlong \xC0\xAF"));
  EXPECT_FALSE(is_valid_utf8("surrogate \xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("past U+10FFFF \xF4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("lone continuation \x80"));
}

TEST(DecodeUtf8, ConsumesMaximalIllFormedSubpart) {
  const DecodedCodePoint decoded = decode_utf8("\xE2\x82x");
  EXPECT_FALSE(decoded.code_point);
  EXPECT_EQ(decoded.length, 2u);
}

}  // namespace
}  // namespace parley
