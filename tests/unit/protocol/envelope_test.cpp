#include "protocol/envelope.hpp"

#include <gtest/gtest.h>

#include "request_test_support.hpp"

namespace parley::protocol {
namespace {

using testing::json;

constexpr const char* kCid = "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10";

void expect_invalid_envelope(const EnvelopeParse& parse) {
  EXPECT_FALSE(parse.envelope.has_value());
  EXPECT_EQ(parse.error.code, 400);
  EXPECT_EQ(parse.error.message, "Wrong message: invalid envelope");
}

TEST(ParseEnvelope, ReadsAllFields) {
  const EnvelopeParse parse = parse_envelope(
      R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","qualifier":"v1/syemessenger/getRoom","data":"5"})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_EQ(parse.envelope->cid, kCid);
  EXPECT_EQ(parse.envelope->qualifier, "v1/syemessenger/getRoom");
  EXPECT_EQ(parse.envelope->data, json(R"("5")"));
}

TEST(ParseEnvelope, RejectsTextThatIsNotAnObject) {
  for (const char* text : {"", "   ", "{not json", "{\"cid\":", "[]", R"([{"qualifier":"q"}])",
                           "null", "\"text\"", "42", "true", "}{"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    expect_invalid_envelope(parse);
    EXPECT_FALSE(parse.cid_if_readable.has_value());
  }
}

TEST(ParseEnvelope, RejectsCidThatIsNotUuid) {
  for (const char* text : {R"({"cid":"abc","qualifier":"q"})",
                           R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a1","qualifier":"q"})",
                           R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a100","qualifier":"q"})",
                           R"({"cid":"0b7c0c1e3f574c529a3e6d2f0f5e9a10","qualifier":"q"})",
                           R"({"cid":"0b7c0c1e_3f57_4c52_9a3e_6d2f0f5e9a10","qualifier":"q"})",
                           R"({"cid":"0b7c0c1g-3f57-4c52-9a3e-6d2f0f5e9a10","qualifier":"q"})",
                           R"({"cid":"C3wMHj9XTFKaPm0vD16aEA=!","qualifier":"q"})",
                           R"({"cid":"C3wMHj9XTFKaPm0vD16aEAAA","qualifier":"q"})",
                           R"({"cid":"C3wMHj9XTFKaPm0vD16a*A==","qualifier":"q"})",
                           R"({"cid":123,"qualifier":"q"})", R"({"cid":true,"qualifier":"q"})",
                           R"({"cid":{},"qualifier":"q"})", R"({"cid":[],"qualifier":"q"})"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    expect_invalid_envelope(parse);
    EXPECT_FALSE(parse.cid_if_readable.has_value());
  }
}

TEST(ParseEnvelope, LowersUpperCaseCid) {
  const EnvelopeParse parse =
      parse_envelope(R"({"cid":"0B7C0C1E-3F57-4C52-9A3E-6D2F0F5E9A10","qualifier":"q"})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_EQ(parse.envelope->cid, kCid);
}

TEST(ParseEnvelope, DecodesBase64Cid) {
  const EnvelopeParse parse =
      parse_envelope(R"({"cid":"C3wMHj9XTFKaPm0vD16aEA==","qualifier":"q"})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_EQ(parse.envelope->cid, kCid);
}

TEST(ParseEnvelope, TrimsCid) {
  const EnvelopeParse parse =
      parse_envelope(R"({"cid":" 0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10 ","qualifier":"q"})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_EQ(parse.envelope->cid, kCid);
}

TEST(ParseEnvelope, TreatsEmptyCidAsAbsent) {
  for (const char* text : {R"({"cid":"","qualifier":"q"})", R"({"cid":"  ","qualifier":"q"})",
                           R"({"cid":null,"qualifier":"q"})", R"({"qualifier":"q"})"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    ASSERT_TRUE(parse.envelope.has_value());
    EXPECT_FALSE(parse.envelope->cid.has_value());
  }
}

TEST(ParseEnvelope, AcceptsMissingQualifier) {
  for (const char* text :
       {R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","data":"3"})",
        R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","qualifier":null})", "{}"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    ASSERT_TRUE(parse.envelope.has_value());
    EXPECT_FALSE(parse.envelope->qualifier.has_value());
  }
}

TEST(ParseEnvelope, ConvertsScalarQualifierToText) {
  const EnvelopeParse number = parse_envelope(R"({"qualifier":5})");
  ASSERT_TRUE(number.envelope.has_value());
  EXPECT_EQ(number.envelope->qualifier, "5");
  const EnvelopeParse boolean = parse_envelope(R"({"qualifier":true})");
  ASSERT_TRUE(boolean.envelope.has_value());
  EXPECT_EQ(boolean.envelope->qualifier, "true");
}

TEST(ParseEnvelope, RejectsStructuredQualifierKeepingCid) {
  for (const char* text : {R"({"cid":"0B7C0C1E-3F57-4C52-9A3E-6D2F0F5E9A10","qualifier":{}})",
                           R"({"cid":"0B7C0C1E-3F57-4C52-9A3E-6D2F0F5E9A10","qualifier":["q"]})"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    expect_invalid_envelope(parse);
    EXPECT_EQ(parse.cid_if_readable, kCid);
  }
}

TEST(ParseEnvelope, IgnoresTextAfterObject) {
  for (const char* text : {R"({"qualifier":"q"} trailing)", R"({"qualifier":"q"}{"qualifier":"r"})",
                           R"({"qualifier":"q"}])", "{\"qualifier\":\"q\"}\n"}) {
    SCOPED_TRACE(text);
    const EnvelopeParse parse = parse_envelope(text);
    ASSERT_TRUE(parse.envelope.has_value());
    EXPECT_EQ(parse.envelope->qualifier, "q");
  }
}

TEST(ParseEnvelope, KeepsLastDuplicateKey) {
  const EnvelopeParse parse =
      parse_envelope(R"({"qualifier":"first","data":1,"qualifier":"second","data":2})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_EQ(parse.envelope->qualifier, "second");
  EXPECT_EQ(parse.envelope->data, json("2"));
}

TEST(ParseEnvelope, MatchesFieldNamesCaseSensitively) {
  const EnvelopeParse parse = parse_envelope(
      R"({"CID":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","Qualifier":"q","DATA":1,"extra":true})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_FALSE(parse.envelope->cid.has_value());
  EXPECT_FALSE(parse.envelope->qualifier.has_value());
  EXPECT_TRUE(parse.envelope->data.is_null());
}

TEST(ParseEnvelope, LeavesMissingDataNull) {
  const EnvelopeParse parse = parse_envelope(R"({"qualifier":"v1/syemessenger/unsubscribe"})");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_TRUE(parse.envelope->data.is_null());
}

TEST(ParseEnvelope, AcceptsDeeplyNestedData) {
  const std::string nested = testing::repeat("[", 200) + testing::repeat("]", 200);
  const EnvelopeParse parse = parse_envelope(R"({"qualifier":"q","data":)" + nested + "}");
  ASSERT_TRUE(parse.envelope.has_value());
  EXPECT_TRUE(parse.envelope->data.is_array());
}

TEST(ParseEnvelope, RejectsInvalidUtf8) {
  expect_invalid_envelope(parse_envelope("{\"qualifier\":\"\xFF\"}"));
}

TEST(SerializeReply, EchoesCidAndQualifier) {
  Envelope request{std::string(kCid), "v1/syemessenger/getRoom", json("\"5\"")};
  EXPECT_EQ(
      serialize_reply(request, json(R"({"id":"5"})")),
      R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","qualifier":"v1/syemessenger/getRoom","data":{"id":"5"}})");
}

TEST(SerializeReply, OmitsAbsentCid) {
  Envelope request{std::nullopt, "v1/syemessenger/login", nullptr};
  EXPECT_EQ(serialize_reply(request, boost::json::string("12")),
            R"({"qualifier":"v1/syemessenger/login","data":"12"})");
}

TEST(SerializeError, WritesCodeAsString) {
  EXPECT_EQ(
      serialize_error(std::string(kCid), Error{400, "Missing or invalid: limit"}),
      R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","qualifier":"v1/syemessenger/error","data":{"errorCode":"400","errorMessage":"Missing or invalid: limit"}})");
  EXPECT_EQ(
      serialize_error(std::nullopt, Error{404, "Wrong message: request handler is missing"}),
      R"({"qualifier":"v1/syemessenger/error","data":{"errorCode":"404","errorMessage":"Wrong message: request handler is missing"}})");
}

TEST(SerializeError, EscapesMessageText) {
  EXPECT_EQ(
      serialize_error(std::nullopt, Error{400, "Missing or invalid: 'from' later than 'to'"}),
      R"({"qualifier":"v1/syemessenger/error","data":{"errorCode":"400","errorMessage":"Missing or invalid: 'from' later than 'to'"}})");
  EXPECT_EQ(
      serialize_error(std::nullopt, Error{500, "a \"quoted\" word"}),
      R"({"qualifier":"v1/syemessenger/error","data":{"errorCode":"500","errorMessage":"a \"quoted\" word"}})");
}

}  // namespace
}  // namespace parley::protocol
