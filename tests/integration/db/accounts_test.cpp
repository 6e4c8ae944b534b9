#include "db/accounts.hpp"

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class AccountsTest : public DatabaseTest {};

TEST_F(AccountsTest, CreateReturnsStoredRow) {
  const Timestamp now = test_time(1234ms);
  auto row = accounts::create(db(), "alice_account", "alice@example.com", "argon2-hash", now);
  ASSERT_TRUE(row);
  EXPECT_GT(row->id, 0);
  EXPECT_EQ(row->username, "alice_account");
  EXPECT_EQ(row->email, "alice@example.com");
  EXPECT_EQ(row->password_hash, "argon2-hash");
  EXPECT_EQ(row->created_at, now);
  EXPECT_EQ(row->updated_at, now);

  auto found = accounts::find_by_id(db(), row->id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->username, row->username);
  EXPECT_EQ(found->created_at, now);
}

TEST_F(AccountsTest, CreateRejectsTakenUsernameOrEmail) {
  make_account(db(), "alice_account");
  EXPECT_FALSE(accounts::create(db(), "alice_account", "other@example.com", "h", test_time()));
  EXPECT_FALSE(
      accounts::create(db(), "other_account", "alice_account@example.com", "h", test_time()));
  EXPECT_EQ(db().exec("SELECT count(*) FROM accounts").int64(0, 0), 1);
}

TEST_F(AccountsTest, CreateWorksInsideTransaction) {
  make_account(db(), "alice_account");
  Transaction transaction(db());
  EXPECT_FALSE(accounts::create(db(), "alice_account", "x@example.com", "h", test_time()));
  EXPECT_TRUE(accounts::create(db(), "bob_account", "bob@example.com", "h", test_time()));
  transaction.commit();
  EXPECT_TRUE(accounts::find_by_username(db(), "bob_account"));
}

TEST_F(AccountsTest, NamesAreCaseSensitive) {
  const AccountRow lower = make_account(db(), "alice123");
  const AccountRow upper = make_account(db(), "Alice123");
  EXPECT_NE(lower.id, upper.id);
  EXPECT_EQ(accounts::find_by_username(db(), "Alice123")->id, upper.id);
  EXPECT_FALSE(accounts::find_by_username(db(), "ALICE123"));
  EXPECT_EQ(accounts::find_by_email(db(), "alice123@example.com")->id, lower.id);
  EXPECT_FALSE(accounts::find_by_email(db(), "ALICE123@example.com"));
}

TEST_F(AccountsTest, FindReturnsNothingForUnknown) {
  EXPECT_FALSE(accounts::find_by_id(db(), 424242));
  EXPECT_FALSE(accounts::find_by_username(db(), "nobody_here"));
  EXPECT_FALSE(accounts::find_by_email(db(), "nobody@example.com"));
}

TEST_F(AccountsTest, TimestampsKeepMilliseconds) {
  const AccountRow row = make_account(db(), "precise_user", test_time(999ms));
  EXPECT_EQ(accounts::find_by_id(db(), row.id)->created_at, test_time(999ms));
}

TEST_F(AccountsTest, UpdateChangesGivenFieldsOnly) {
  const AccountRow row = make_account(db(), "alice_account");
  accounts::AccountUpdate update{"alice_renamed", std::nullopt, "new-hash", test_time(5s)};
  const accounts::UpdateResult result = accounts::update(db(), row.id, update);
  ASSERT_EQ(result.outcome, accounts::UpdateOutcome::kUpdated);
  ASSERT_TRUE(result.row);
  EXPECT_EQ(result.row->username, "alice_renamed");
  EXPECT_EQ(result.row->email, row.email);
  EXPECT_EQ(result.row->password_hash, "new-hash");
  EXPECT_EQ(result.row->created_at, row.created_at);
  EXPECT_EQ(result.row->updated_at, test_time(5s));
  EXPECT_EQ(accounts::find_by_id(db(), row.id)->username, "alice_renamed");
}

TEST_F(AccountsTest, EmptyUpdateOnlyBumpsUpdatedAt) {
  const AccountRow row = make_account(db(), "alice_account");
  const auto result =
      accounts::update(db(), row.id, {std::nullopt, std::nullopt, std::nullopt, test_time(7s)});
  ASSERT_EQ(result.outcome, accounts::UpdateOutcome::kUpdated);
  EXPECT_EQ(result.row->username, row.username);
  EXPECT_EQ(result.row->email, row.email);
  EXPECT_EQ(result.row->password_hash, row.password_hash);
  EXPECT_EQ(result.row->updated_at, test_time(7s));
}

TEST_F(AccountsTest, UpdateToOwnValuesIsNoConflict) {
  const AccountRow row = make_account(db(), "alice_account");
  const auto result =
      accounts::update(db(), row.id, {row.username, row.email, std::nullopt, test_time(1s)});
  EXPECT_EQ(result.outcome, accounts::UpdateOutcome::kUpdated);
}

TEST_F(AccountsTest, UpdateDetectsTakenNames) {
  const AccountRow alice = make_account(db(), "alice_account");
  const AccountRow bob = make_account(db(), "bob_account");
  auto result =
      accounts::update(db(), alice.id, {bob.username, std::nullopt, std::nullopt, test_time(1s)});
  EXPECT_EQ(result.outcome, accounts::UpdateOutcome::kAlreadyExists);
  EXPECT_FALSE(result.row);
  result = accounts::update(db(), alice.id, {std::nullopt, bob.email, std::nullopt, test_time(1s)});
  EXPECT_EQ(result.outcome, accounts::UpdateOutcome::kAlreadyExists);

  const auto unchanged = accounts::find_by_id(db(), alice.id);
  EXPECT_EQ(unchanged->username, alice.username);
  EXPECT_EQ(unchanged->updated_at, alice.updated_at);
}

TEST_F(AccountsTest, UpdateReportsMissingAccount) {
  const auto result =
      accounts::update(db(), 424242, {"someone_new", std::nullopt, std::nullopt, test_time()});
  EXPECT_EQ(result.outcome, accounts::UpdateOutcome::kNotFound);
  EXPECT_FALSE(result.row);
}

TEST_F(AccountsTest, MissingIdsKeepsFirstOccurrenceOrder) {
  const AccountRow alice = make_account(db(), "alice_account");
  const AccountRow bob = make_account(db(), "bob_account");
  EXPECT_EQ(accounts::missing_ids(db(), {}), std::vector<AccountId>{});
  EXPECT_EQ(accounts::missing_ids(db(), {alice.id, bob.id}), std::vector<AccountId>{});
  EXPECT_EQ(accounts::missing_ids(db(), {900, alice.id, 7, 900, bob.id, -1}),
            (std::vector<AccountId>{900, 7, -1}));
}

}  // namespace
}  // namespace parley::db::testing
