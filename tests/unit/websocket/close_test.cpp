#include "websocket/close.hpp"

#include <string>

#include <gtest/gtest.h>

namespace parley::websocket {
namespace {

std::string payload_with_code(int code, std::string_view reason = {}) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return payload;
}

TEST(ClosePayload, PutsTheCodeFirst) {
  EXPECT_EQ(close_payload(CloseCode::kTooBig, "message too big"),
            payload_with_code(1009, "message too big"));
}

TEST(ClosePayload, CutsALongReasonAtACharacter) {
  // 61 two-byte characters: the cut at 123 bytes would split the last.
  std::string reason;
  for (int i = 0; i < 62; ++i) reason += "\xC3\xA9";
  const std::string payload = close_payload(CloseCode::kNormal, reason);
  EXPECT_EQ(payload.size(), 2u + 122u);
  const CloseParseResult parsed = parse_close_payload(payload);
  ASSERT_TRUE(parsed.close);
  EXPECT_EQ(parsed.close->reason, reason.substr(0, 122));
}

TEST(ParseClosePayload, AcceptsAnEmptyPayload) {
  const CloseParseResult parsed = parse_close_payload("");
  ASSERT_TRUE(parsed.close);
  EXPECT_FALSE(parsed.close->code);
}

TEST(ParseClosePayload, ReadsCodeAndReason) {
  const CloseParseResult parsed = parse_close_payload(payload_with_code(4001, "done"));
  ASSERT_TRUE(parsed.close);
  EXPECT_EQ(parsed.close->code, 4001);
  EXPECT_EQ(parsed.close->reason, "done");
}

TEST(ParseClosePayload, RejectsWhatTheProtocolForbids) {
  EXPECT_EQ(parse_close_payload(std::string(1, '\x03')).error_code, CloseCode::kProtocolError);
  for (const int code : {0, 999, 1004, 1005, 1006, 1015, 2999, 5000}) {
    const CloseParseResult parsed = parse_close_payload(payload_with_code(code));
    EXPECT_FALSE(parsed.close) << code;
    EXPECT_EQ(parsed.error_code, CloseCode::kProtocolError) << code;
  }
  for (const int code : {1000, 1001, 1003, 1007, 1011, 1012, 1014, 3000, 4999}) {
    EXPECT_TRUE(parse_close_payload(payload_with_code(code)).close) << code;
  }
}

TEST(ParseClosePayload, RejectsAReasonThatIsNotUtf8) {
  const CloseParseResult parsed = parse_close_payload(payload_with_code(1000, "bad \xFF"));
  EXPECT_FALSE(parsed.close);
  EXPECT_EQ(parsed.error_code, CloseCode::kInvalidPayload);
}

}  // namespace
}  // namespace parley::websocket
