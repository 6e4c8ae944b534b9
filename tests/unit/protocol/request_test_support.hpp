#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/error.hpp"

namespace parley::protocol::testing {

inline boost::json::value json(std::string_view text) { return boost::json::parse(text); }

// A payload that a parse function must reject, and the reply it must give.
struct RejectCase {
  std::string name;
  std::string payload;  // JSON text of the envelope's data
  int code;
  std::string message;
};

// Runs `parse` on each case and checks its code and message.
template <typename Parse>
void expect_rejections(Parse parse, const std::vector<RejectCase>& cases) {
  for (const RejectCase& c : cases) {
    SCOPED_TRACE(c.name + ": " + c.payload);
    auto result = parse(json(c.payload));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, c.code);
    EXPECT_EQ(result.error().message, c.message);
  }
}

// Runs `parse` on each payload and checks that it succeeds.
template <typename Parse>
void expect_accepted(Parse parse, const std::vector<std::string>& payloads) {
  for (const std::string& payload : payloads) {
    SCOPED_TRACE(payload);
    auto result = parse(json(payload));
    EXPECT_TRUE(result.ok()) << result.error().code << " " << result.error().message;
  }
}

// Returns text of `count` copies of `unit`.
inline std::string repeat(std::string_view unit, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    text += unit;
  }
  return text;
}

// Returns `text` as a JSON string literal.
inline std::string json_literal(std::string_view text) {
  return boost::json::serialize(boost::json::value(text));
}

}  // namespace parley::protocol::testing
