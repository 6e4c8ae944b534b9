#include "db/client_messages.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class ClientMessagesTest : public DatabaseTest {};

TEST_F(ClientMessagesTest, RememberReturnsFirstMessageOnRetry) {
  const client_messages::RememberedMessage first{101, 7, test_time(5ms)};
  EXPECT_EQ(client_messages::remember(db(), 1, "client-a", first), std::nullopt);

  const auto retry = client_messages::remember(db(), 1, "client-a", {202, 8, test_time(9s)});
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->message_id, 101);
  EXPECT_EQ(retry->room_id, 7);
  EXPECT_EQ(retry->timestamp, test_time(5ms));
}

TEST_F(ClientMessagesTest, PairsAreKeyedByAccountAndExactId) {
  EXPECT_EQ(client_messages::remember(db(), 1, "client-a", {101, 7, test_time()}), std::nullopt);
  EXPECT_EQ(client_messages::remember(db(), 2, "client-a", {102, 7, test_time()}), std::nullopt);
  EXPECT_EQ(client_messages::remember(db(), 1, "Client-a", {103, 7, test_time()}), std::nullopt);
  EXPECT_EQ(db().exec("SELECT count(*) FROM client_message_ids").int64(0, 0), 3);
}

TEST_F(ClientMessagesTest, ConcurrentRetriesRecordOnce) {
  constexpr int kSenders = 6;
  std::vector<std::optional<client_messages::RememberedMessage>> results(kSenders);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&, i] {
      auto connection = Connection::open(shared_conninfo());
      results[static_cast<std::size_t>(i)] =
          client_messages::remember(*connection, 1, "same-client-id", {1000 + i, 7, test_time()});
    });
  }
  for (std::thread& thread : threads) thread.join();

  int recorded = 0;
  std::optional<MessageId> winner;
  for (int i = 0; i < kSenders; ++i) {
    if (!results[static_cast<std::size_t>(i)]) {
      ++recorded;
      winner = 1000 + i;
    }
  }
  ASSERT_EQ(recorded, 1);
  for (const auto& result : results) {
    if (result) {
      EXPECT_EQ(result->message_id, *winner);
    }
  }
}

TEST_F(ClientMessagesTest, ForgetOlderThanDeletesOldPairs) {
  client_messages::remember(db(), 1, "old-id", {101, 7, test_time()});
  client_messages::remember(db(), 1, "new-id", {102, 7, test_time()});
  db().exec(
      "UPDATE client_message_ids SET created_at = now() - interval '25 hours' "
      "WHERE client_message_id = 'old-id'");
  EXPECT_EQ(client_messages::forget_older_than(db(), 24h), 1u);
  EXPECT_EQ(client_messages::remember(db(), 1, "old-id", {103, 7, test_time()}), std::nullopt);
  EXPECT_TRUE(client_messages::remember(db(), 1, "new-id", {104, 7, test_time()}));
}

}  // namespace
}  // namespace parley::db::testing
