#include "db/tokens.hpp"

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class TokensTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    alice_ = make_account(db(), "alice_account");
  }

  AccountRow alice_;
  // A hash with a NUL byte and bytes above 0x7f, as a real digest has.
  const std::string hash_ = std::string("\x00\x01\xfe\xff token hash", 15);
};

TEST_F(TokensTest, FindValidReturnsAccountUntilExpiry) {
  ASSERT_TRUE(tokens::create(db(), hash_, alice_.id, test_time(60s)));
  EXPECT_EQ(tokens::find_valid(db(), hash_, test_time()), alice_.id);
  EXPECT_EQ(tokens::find_valid(db(), hash_, test_time(59s + 999ms)), alice_.id);
  EXPECT_EQ(tokens::find_valid(db(), hash_, test_time(60s)), std::nullopt);
  EXPECT_EQ(tokens::find_valid(db(), "other hash", test_time()), std::nullopt);
}

TEST_F(TokensTest, CreateRejectsDuplicateHashAndUnknownAccount) {
  EXPECT_TRUE(tokens::create(db(), hash_, alice_.id, test_time(60s)));
  EXPECT_FALSE(tokens::create(db(), hash_, alice_.id, test_time(120s)));
  EXPECT_FALSE(tokens::create(db(), "fresh hash", 424242, test_time(60s)));
}

TEST_F(TokensTest, RevokeEndsValidity) {
  tokens::create(db(), hash_, alice_.id, test_time(60s));
  EXPECT_TRUE(tokens::revoke(db(), hash_));
  EXPECT_EQ(tokens::find_valid(db(), hash_, test_time()), std::nullopt);
  EXPECT_TRUE(tokens::revoke(db(), hash_));
  EXPECT_FALSE(tokens::revoke(db(), "unknown hash"));
}

TEST_F(TokensTest, DeleteExpiredKeepsLiveTokens) {
  tokens::create(db(), "old", alice_.id, test_time(10s));
  tokens::create(db(), "live", alice_.id, test_time(100s));
  EXPECT_EQ(tokens::delete_expired(db(), test_time(50s)), 1u);
  EXPECT_EQ(tokens::find_valid(db(), "live", test_time()), alice_.id);
  EXPECT_EQ(tokens::delete_expired(db(), test_time(50s)), 0u);
}

TEST_F(TokensTest, ExpiryIsStoredAsUtc) {
  tokens::create(db(), hash_, alice_.id, test_time(90min));
  EXPECT_EQ(db().exec("SELECT expires_at = '2025-01-01 01:30:00+00'::timestamptz FROM tokens")
                .boolean(0, 0),
            true);
}

}  // namespace
}  // namespace parley::db::testing
