#include "db/outbox.hpp"

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "db/rooms.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class OutboxTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    owner_ = make_account(db(), "room_owner");
    room_ = make_room(db(), "general_room", owner_.id);
  }

  std::int64_t append_committed(Connection& connection, const std::string& data) {
    Transaction transaction(connection);
    outbox::append(connection, room_.id, data);
    const std::int64_t id =
        connection.exec("SELECT currval('outbox_room_events_id_seq')").int64(0, 0);
    transaction.commit();
    return id;
  }

  AccountRow owner_;
  RoomRow room_;
};

TEST_F(OutboxTest, AfterPositionReadsInIdOrder) {
  EXPECT_EQ(outbox::position(db()), 0);
  EXPECT_TRUE(outbox::after_position(db(), 10).empty());
  for (const char* data : {"one", "two", "three"}) append_committed(db(), data);

  auto rows = outbox::after_position(db(), 10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].data, "one");
  EXPECT_EQ(rows[1].data, "two");
  EXPECT_EQ(rows[2].data, "three");
  EXPECT_LT(rows[0].id, rows[1].id);
  EXPECT_LT(rows[1].id, rows[2].id);
  EXPECT_EQ(rows[0].room_id, room_.id);

  EXPECT_EQ(outbox::after_position(db(), 2).size(), 2u);
  outbox::save_position(db(), rows[1].id);
  EXPECT_EQ(outbox::position(db()), rows[1].id);
  rows = outbox::after_position(db(), 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].data, "three");
}

TEST_F(OutboxTest, SavePositionNeverMovesBack) {
  outbox::save_position(db(), 7);
  outbox::save_position(db(), 3);
  EXPECT_EQ(outbox::position(db()), 7);
}

TEST_F(OutboxTest, SavePositionRecreatesMissingRow) {
  db().exec("DELETE FROM outbox_position");
  EXPECT_EQ(outbox::position(db()), 0);
  append_committed(db(), "event");
  EXPECT_EQ(outbox::after_position(db(), 10).size(), 1u);
  outbox::save_position(db(), 5);
  EXPECT_EQ(outbox::position(db()), 5);
}

TEST_F(OutboxTest, DataKeepsBinaryBytes) {
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(255 - i));
  append_committed(db(), data);
  EXPECT_EQ(outbox::after_position(db(), 1).at(0).data, data);
}

TEST_F(OutboxTest, InsertNotifiesOnCommit) {
  auto listener = Connection::open(shared_conninfo());
  listener->listen(kOutboxChannel);
  {
    Transaction transaction(db());
    outbox::append(db(), room_.id, "event");
    EXPECT_EQ(listener->wait_for_notification(100ms), std::nullopt);
    transaction.commit();
  }
  const auto notification = listener->wait_for_notification(5s);
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->channel, kOutboxChannel);
  EXPECT_EQ(notification->payload, std::to_string(outbox::after_position(db(), 1).at(0).id));
}

TEST_F(OutboxTest, AppendWaitsForEarlierAppendToCommit) {
  Transaction first(db());
  outbox::append(db(), room_.id, "first");
  const std::int64_t first_id =
      db().exec("SELECT currval('outbox_room_events_id_seq')").int64(0, 0);

  auto second_connection = Connection::open(shared_conninfo());
  const int second_pid = second_connection->exec("SELECT pg_backend_pid()").int32(0, 0);
  auto second = std::async(std::launch::async,
                           [&] { return append_committed(*second_connection, "second"); });

  // The second append must wait on the advisory lock until the first
  // transaction ends. A third session reads pg_stat_activity, because each
  // session reads one snapshot of that view per transaction.
  auto observer = Connection::open(shared_conninfo());
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = observer
                  ->exec(
                      "SELECT wait_event_type = 'Lock' AND wait_event = 'advisory' "
                      "FROM pg_stat_activity WHERE pid = $1::int",
                      {std::to_string(second_pid)})
                  .boolean(0, 0);
    if (!waiting) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(waiting);
  EXPECT_EQ(second.wait_for(0ms), std::future_status::timeout);

  first.commit();
  ASSERT_EQ(second.wait_for(10s), std::future_status::ready);
  EXPECT_GT(second.get(), first_id);
}

TEST_F(OutboxTest, RolledBackAppendLeavesSkippedGap) {
  const std::int64_t first = append_committed(db(), "kept");
  {
    Transaction transaction(db());
    outbox::append(db(), room_.id, "rolled back");
  }
  const std::int64_t third = append_committed(db(), "kept too");
  const auto rows = outbox::after_position(db(), 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, first);
  EXPECT_EQ(rows[1].id, third);
  EXPECT_GT(third, first + 1);
}

}  // namespace
}  // namespace parley::db::testing
