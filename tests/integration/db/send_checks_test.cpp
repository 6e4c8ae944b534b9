#include "service/send_checks.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "service/database_call.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using kafka::RoomMessageRecord;
using service::SendChecks;
using namespace std::chrono_literals;

// A client connection whose completions run on `context`; SendChecks uses
// only its executor and its id.
class FakeConnection : public service::ClientConnection {
 public:
  explicit FakeConnection(boost::asio::io_context& context) : context_(context) {}

  std::uint64_t connection_id() const override { return 7; }
  const std::string& remote_address() const override { return address_; }
  boost::asio::any_io_executor executor() override {
    if (executor_faults > 0) {
      --executor_faults;
      throw std::runtime_error("executor unavailable");
    }
    return context_.get_executor();
  }
  std::optional<AccountId> account() const override { return std::nullopt; }
  void set_account(std::optional<AccountId>) override {}
  const std::optional<std::string>& login_token_hash() const override { return token_hash_; }
  void set_login_token_hash(std::optional<std::string>) override {}
  std::optional<RoomId> subscribed_room() const override { return std::nullopt; }
  void subscribe(RoomId) override {}
  void unsubscribe() override {}
  void subscribe_after(RoomId, MessageId, const std::vector<service::StoredPush>&, bool) override {}
  void push(std::string) override {}
  void complete(std::string) override {}

  // Calls of executor() that throw before it works again.
  std::atomic<int> executor_faults{0};

 private:
  boost::asio::io_context& context_;
  std::string address_ = "127.0.0.1";
  std::optional<std::string> token_hash_;
};

class SendChecksTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    owner_ = make_account(db(), "room_owner");
    alice_ = make_account(db(), "alice_account");
    bob_ = make_account(db(), "bob_account");
    room_ = make_room(db(), "general_room", owner_.id);
    other_room_ = make_room(db(), "other_room", owner_.id);
    rooms::add_member(db(), room_.id, alice_.id);
    rooms::add_member(db(), other_room_.id, alice_.id);
  }

  void TearDown() override {
    // The pool's workers may still use the checks after the last result,
    // so they stop first.
    if (pool_) pool_->stop();
    checks_.reset();
    pool_.reset();
    DatabaseTest::TearDown();
  }

  // Starts checks over a pool of one connection to `conninfo`.
  SendChecks& start_checks(const std::string& conninfo) {
    pool_ = std::make_unique<Pool>(conninfo, 1, 10, 0);
    checks_ = std::make_unique<SendChecks>(*pool_, memberships_, client_message_ids_);
    return *checks_;
  }

  RoomMessageRecord record(RoomId room, AccountId sender,
                           std::optional<std::string> client_message_id = std::nullopt) {
    ++next_message_id_;
    return {room, sender, test_time(), next_message_id_, "hello", std::move(client_message_id)};
  }

  // Starts a check whose result lands in results_[index].
  void check(SendChecks& checks, RoomMessageRecord sent, std::size_t index) {
    results_.resize(std::max(results_.size(), index + 1));
    checks.check(connection_, std::move(sent), memberships_.snapshot(sent.room_id),
                 [this, index](Result<RoomMessageRecord> result) {
                   results_[index] = std::move(result);
                   ++answered_;
                 });
  }

  // Runs the completions until `count` checks completed or 10 s passed.
  bool wait_for_answers(std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (answered_ < count && std::chrono::steady_clock::now() < deadline) {
      context_.run_for(10ms);
    }
    return answered_ == count;
  }

  Result<RoomMessageRecord> check_one(SendChecks& checks, RoomMessageRecord sent) {
    const std::size_t index = results_.size();
    check(checks, std::move(sent), index);
    EXPECT_TRUE(wait_for_answers(answered_ + 1));
    return results_.at(index).value_or(Error{0, "no answer"});
  }

  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      context_.get_executor()};
  std::shared_ptr<FakeConnection> connection_ = std::make_shared<FakeConnection>(context_);
  service::MembershipCache memberships_{1000};
  service::ClientMessageIdCache client_message_ids_{1000};
  std::vector<std::optional<Result<RoomMessageRecord>>> results_;
  std::size_t answered_ = 0;
  MessageId next_message_id_ = 1000;
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<SendChecks> checks_;

  AccountRow owner_;
  AccountRow alice_;
  AccountRow bob_;
  RoomRow room_;
  RoomRow other_room_;
};

const Error kNotMember{403, "Cannot send message: not a member"};

TEST_F(SendChecksTest, AcceptsMembersAndRejectsOthers) {
  SendChecks& checks = start_checks(shared_conninfo());

  const RoomMessageRecord sent = record(room_.id, alice_.id);
  Result<RoomMessageRecord> accepted = check_one(checks, sent);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted.value(), sent);
  EXPECT_TRUE(memberships_.contains(room_.id, alice_.id));

  EXPECT_EQ(check_one(checks, record(room_.id, bob_.id)).error(), kNotMember);
  EXPECT_EQ(check_one(checks, record(424242, alice_.id)).error(), kNotMember);
  EXPECT_FALSE(memberships_.contains(room_.id, bob_.id));
}

TEST_F(SendChecksTest, QueuedSendsShareOneQuery) {
  SendChecks& checks = start_checks(shared_conninfo());
  // Holds the only worker, so the checks below queue behind it.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool_->submit([released](Connection&) { released.wait(); }, nullptr));

  constexpr std::size_t kSends = 20;
  for (std::size_t i = 0; i < kSends; ++i) {
    check(checks, record(room_.id, i % 2 == 0 ? alice_.id : bob_.id), i);
  }
  release.set_value();
  ASSERT_TRUE(wait_for_answers(kSends));

  for (std::size_t i = 0; i < kSends; ++i) {
    ASSERT_TRUE(results_[i].has_value()) << "send " << i;
    EXPECT_EQ(results_[i]->ok(), i % 2 == 0) << "send " << i;
    if (i % 2 == 1) {
      EXPECT_EQ(results_[i]->error(), kNotMember) << "send " << i;
    }
  }
  // The first two sends each started a batch; the third batch took the
  // eighteen that arrived while those two waited.
  EXPECT_EQ(checks.batches(), 3u);
  EXPECT_EQ(checks.checked_sends(), kSends);
}

TEST_F(SendChecksTest, OtherDatabaseWorkRunsBetweenBatches) {
  SendChecks& checks = start_checks(shared_conninfo());
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool_->submit([released](Connection&) { released.wait(); }, nullptr));
  // Two batches of one send each are queued, and three sends wait for the
  // next batch.
  for (std::size_t i = 0; i < 5; ++i) check(checks, record(room_.id, alice_.id), i);
  // Queued after the two batches but before the third, which starts only
  // when the first batch ends.
  std::promise<std::uint64_t> batches_before;
  ASSERT_TRUE(
      pool_->submit([&](Connection&) { batches_before.set_value(checks.batches()); }, nullptr));
  release.set_value();

  ASSERT_TRUE(wait_for_answers(5));
  EXPECT_EQ(batches_before.get_future().get(), 2u);
  EXPECT_EQ(checks.batches(), 3u);
}

TEST_F(SendChecksTest, FaultInBatchStillAnswersEverySend) {
  SendChecks& checks = start_checks(shared_conninfo());
  // Handing the first result to the connection throws once.
  connection_->executor_faults = 1;
  EXPECT_EQ(check_one(checks, record(room_.id, alice_.id)).error(), service::kInternalError);

  Result<RoomMessageRecord> accepted = check_one(checks, record(room_.id, alice_.id));
  EXPECT_TRUE(accepted.ok()) << accepted.error().message;
}

TEST_F(SendChecksTest, RetryGetsFirstMessageId) {
  SendChecks& checks = start_checks(shared_conninfo());

  const RoomMessageRecord first = record(room_.id, alice_.id, "retry-1");
  ASSERT_TRUE(check_one(checks, first).ok());
  Result<RoomMessageRecord> retry = check_one(checks, record(room_.id, alice_.id, "retry-1"));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry.value().message_id, first.message_id);
  EXPECT_EQ(retry.value().timestamp, first.timestamp);

  // The same clientMessageId for another room is a client error.
  EXPECT_EQ(check_one(checks, record(other_room_.id, alice_.id, "retry-1")).error(),
            (Error{400, "Missing or invalid: clientMessageId"}));
}

TEST_F(SendChecksTest, UnreachableDatabaseFallsBackToCache) {
  SendChecks& checks = start_checks(unreachable_conninfo());

  const RoomMessageRecord sent = record(room_.id, alice_.id, "offline-1");
  EXPECT_EQ(check_one(checks, sent).error(), service::kDatabaseUnavailable);
  EXPECT_EQ(checks.accept_from_cache(sent).error(), service::kDatabaseUnavailable);

  ASSERT_TRUE(memberships_.store(room_.id, alice_.id, memberships_.snapshot(room_.id)));
  Result<RoomMessageRecord> accepted = checks.accept_from_cache(sent);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted.value(), sent);
  // A retry while PostgreSQL is still away gets the first attempt's id.
  RoomMessageRecord retry = record(room_.id, alice_.id, "offline-1");
  EXPECT_EQ(checks.accept_from_cache(retry).value().message_id, sent.message_id);
}

}  // namespace
}  // namespace parley::db::testing
