#include <gtest/gtest.h>

#include "protocol/requests.hpp"
#include "request_test_support.hpp"

namespace parley::protocol {
namespace {

using testing::expect_accepted;
using testing::expect_rejections;
using testing::json;
using testing::json_literal;
using testing::repeat;

const std::string kUser = json_literal("alice_0001");
const std::string kEmail = json_literal("alice@example.org");
const std::string kPassword = json_literal("s3cretpass");

std::string account(const std::string& username, const std::string& email,
                    const std::string& password) {
  return R"({"username":)" + username + R"(,"email":)" + email + R"(,"password":)" + password + "}";
}

TEST(ParseCreateAccount, ReadsValidAccount) {
  const auto result = parse_create_account(json(account(kUser, kEmail, kPassword)));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->username, "alice_0001");
  EXPECT_EQ(result->email, "alice@example.org");
  EXPECT_EQ(result->password, "s3cretpass");
}

TEST(ParseCreateAccount, RejectsInOrder) {
  const std::string user = "Missing or invalid: username";
  const std::string email = "Missing or invalid: email";
  const std::string password = "Missing or invalid: password";
  expect_rejections(
      parse_create_account,
      {
          {"empty object", "{}", 400, user},
          {"null payload", "null", 400, user},
          {"string payload", R"("alice")", 400, user},
          {"array payload", "[]", 400, user},
          {"all empty", account(R"("")", R"("")", R"("")"), 400, user},
          {"username null", account("null", kEmail, kPassword), 400, user},
          {"username 7", account(json_literal(repeat("u", 7)), kEmail, kPassword), 400, user},
          {"username 65", account(json_literal(repeat("u", 65)), kEmail, kPassword), 400, user},
          {"username 80", account(json_literal(repeat("u", 80)), kEmail, kPassword), 400, user},
          {"username object", account("{}", kEmail, kPassword), 400, user},
          {"username array", account(R"(["alice_0001"])", kEmail, kPassword), 400, user},
          {"username before email", account(json_literal("short"), json_literal("bad"), kPassword),
           400, user},
          {"email missing", R"({"username":"alice_0001","password":"s3cretpass"})", 400, email},
          {"email 7", account(kUser, json_literal("a@b.com"), kPassword), 400, email},
          {"email 65", account(kUser, json_literal(repeat("a", 57) + "@mail.com"), kPassword), 400,
           email},
          {"email without at", account(kUser, json_literal("aliceexampleorg"), kPassword), 400,
           email},
          {"email one-letter tld", account(kUser, json_literal("alice@example.o"), kPassword), 400,
           email},
          {"email object", account(kUser, "{}", kPassword), 400, email},
          {"email before password", account(kUser, json_literal("bad"), json_literal("x")), 400,
           email},
          {"password missing", R"({"username":"alice_0001","email":"alice@example.org"})", 400,
           password},
          {"password 7", account(kUser, kEmail, json_literal(repeat("p", 7))), 400, password},
          {"password 65", account(kUser, kEmail, json_literal(repeat("p", 65))), 400, password},
          {"password 80", account(kUser, kEmail, json_literal(repeat("p", 80))), 400, password},
          {"password array", account(kUser, kEmail, "[]"), 400, password},
          // 40 copies of U+00E9 are 40 UTF-16 units but 80 UTF-8 bytes.
          {"password over 72 bytes", account(kUser, kEmail, json_literal(repeat("\xC3\xA9", 40))),
           400, password},
      });
}

TEST(ParseCreateAccount, MeasuresLengthsInUtf16Units) {
  // Four astral characters are 8 UTF-16 units (16 UTF-8 bytes).
  const std::string astral_username = json_literal(repeat("\xF0\x9F\x98\x80", 4));
  expect_accepted(
      parse_create_account,
      {
          account(json_literal(repeat("u", 8)), kEmail, kPassword),
          account(json_literal(repeat("u", 64)), kEmail, kPassword),
          account(astral_username, kEmail, kPassword),
          account(kUser, json_literal("a@bc.com"), kPassword),
          account(kUser, json_literal(repeat("a", 55) + "@mail.com"), kPassword),  // 64 units
          account(kUser, kEmail, json_literal(repeat("p", 8))),
          account(kUser, kEmail, json_literal(repeat("p", 64))),
          account(kUser, kEmail, json_literal(repeat("\xC3\xA9", 36))),  // 72 bytes
          account("12345678", kEmail, kPassword),                        // number read as text
      });
  // 32 astral characters are 64 UTF-16 units, 33 are 66.
  expect_rejections(parse_create_account,
                    {{"username 66 units",
                      account(json_literal(repeat("\xF0\x9F\x98\x80", 33)), kEmail, kPassword), 400,
                      "Missing or invalid: username"}});
  expect_accepted(parse_create_account,
                  {account(json_literal(repeat("\xF0\x9F\x98\x80", 32)), kEmail, kPassword)});
}

TEST(ParseLogin, ReadsUsernameLogin) {
  const auto result = parse_login(json(R"({"username":"alice_0001","password":"s3cretpass"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->username, "alice_0001");
  EXPECT_FALSE(result->email.has_value());
  EXPECT_EQ(result->password, "s3cretpass");
}

TEST(ParseLogin, ReadsEmailLogin) {
  const auto result = parse_login(json(R"({"email":"alice@example.org","password":""})"));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->username.has_value());
  EXPECT_EQ(result->email, "alice@example.org");
  EXPECT_EQ(result->password, "");
}

TEST(ParseLogin, RejectsEveryFailureAsLoginFailed) {
  const std::string failed = "Login failed";
  expect_rejections(
      parse_login,
      {
          {"both given", R"({"username":"a","email":"b","password":"p"})", 401, failed},
          {"neither given", R"({"password":"p"})", 401, failed},
          {"both null", R"({"username":null,"email":null,"password":"p"})", 401, failed},
          {"password missing", R"({"username":"alice_0001"})", 401, failed},
          {"password null", R"({"username":"alice_0001","password":null})", 401, failed},
          {"password object", R"({"username":"alice_0001","password":{}})", 401, failed},
          {"username object", R"({"username":{},"password":"p"})", 401, failed},
          {"email array", R"({"email":[],"password":"p"})", 401, failed},
          {"empty object", "{}", 401, failed},
          {"null payload", "null", 401, failed},
          {"string payload", R"("alice")", 401, failed},
      });
}

TEST(ParseUpdateAccount, AcceptsEmptyObject) {
  const auto result = parse_update_account(json("{}"));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->username.has_value());
  EXPECT_FALSE(result->email.has_value());
  EXPECT_FALSE(result->password.has_value());
}

TEST(ParseUpdateAccount, TreatsWrongPayloadAsEmptyObject) {
  for (const char* payload : {"null", R"("text")", "[]", "5"}) {
    SCOPED_TRACE(payload);
    EXPECT_TRUE(parse_update_account(json(payload)).ok());
  }
}

TEST(ParseUpdateAccount, ReadsGivenFields) {
  const auto result = parse_update_account(
      json(R"({"username":"new_name_1","email":"example@gmail.com","password":null})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->username, "new_name_1");
  EXPECT_EQ(result->email, "example@gmail.com");
  EXPECT_FALSE(result->password.has_value());
}

TEST(ParseUpdateAccount, RejectsInOrder) {
  const std::string user = "Invalid: username";
  const std::string email = "Invalid: email";
  const std::string password = "Invalid: password";
  expect_rejections(
      parse_update_account,
      {
          {"username 7", R"({"username":"1234567"})", 400, user},
          {"username 80", R"({"username":)" + json_literal(repeat("u", 80)) + "}", 400, user},
          {"username empty", R"({"username":""})", 400, user},
          {"username object", R"({"username":{}})", 400, user},
          {"username before email", R"({"username":"short","email":"bad"})", 400, user},
          {"email 7", R"({"email":"a@b.com"})", 400, email},
          {"email 80", R"({"email":)" + json_literal(repeat("a", 70) + "@mail.com") + "}", 400,
           email},
          {"email without at", R"({"email":"aliceexampleorg"})", 400, email},
          {"email array", R"({"email":[]})", 400, email},
          {"email before password", R"({"email":"bad","password":"x"})", 400, email},
          {"password 7", R"({"password":"1234567"})", 400, password},
          {"password 80", R"({"password":)" + json_literal(repeat("p", 80)) + "}", 400, password},
          {"password over 72 bytes", R"({"password":)" + json_literal(repeat("\xC3\xA9", 37)) + "}",
           400, password},
          {"password object", R"({"password":{}})", 400, password},
      });
}

TEST(ParseGetAccount, ReadsId) {
  for (const char* payload : {"12", R"("12")", R"(" 12 ")", "12.9"}) {
    SCOPED_TRACE(payload);
    const auto result = parse_get_account(json(payload));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(*result, 12);
  }
}

TEST(ParseGetAccount, RejectsMissingOrInvalidId) {
  const std::string message = "Missing or invalid: id";
  expect_rejections(parse_get_account, {
                                           {"null", "null", 400, message},
                                           {"empty string", R"("")", 400, message},
                                           {"word", R"("abc")", 400, message},
                                           {"fraction string", R"("1.5")", 400, message},
                                           {"object", R"({"id":12})", 400, message},
                                           {"array", "[12]", 400, message},
                                           {"boolean", "true", 400, message},
                                           {"out of range", "9223372036854775808", 400, message},
                                       });
}

TEST(ParseLoginWithToken, ReadsToken) {
  const auto result = parse_login_with_token(json(R"({"token":"abc.def"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->token, "abc.def");
}

TEST(ParseLoginWithToken, RejectsMissingToken) {
  const std::string failed = "Login failed";
  expect_rejections(parse_login_with_token, {
                                                {"empty object", "{}", 401, failed},
                                                {"null payload", "null", 401, failed},
                                                {"string payload", R"("abc")", 401, failed},
                                                {"null token", R"({"token":null})", 401, failed},
                                                {"empty token", R"({"token":""})", 401, failed},
                                                {"object token", R"({"token":{}})", 401, failed},
                                            });
}

}  // namespace
}  // namespace parley::protocol
