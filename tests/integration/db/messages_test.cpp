#include "db/messages.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "sort_check.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class MessagesTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    alice_ = make_account(db(), "alice_account");
    bob_ = make_account(db(), "bob_account");
    room_ = make_room(db(), "general_room", alice_.id);
    other_room_ = make_room(db(), "other_room", alice_.id);
  }

  MessageRow message(MessageId id, const std::string& text, Timestamp at = test_time(),
                     AccountId sender = 0, RoomId room = 0) {
    return {id,          room != 0 ? room : room_.id, sender != 0 ? sender : alice_.id, text, at,
            std::nullopt};
  }

  std::int64_t stored() { return db().exec("SELECT count(*) FROM messages").int64(0, 0); }

  messages::MessageQuery query(std::optional<std::string> keyword = std::nullopt) {
    messages::MessageQuery result;
    result.room_id = room_.id;
    result.keyword = std::move(keyword);
    return result;
  }

  AccountRow alice_;
  AccountRow bob_;
  RoomRow room_;
  RoomRow other_room_;
};

TEST_F(MessagesTest, InsertBatchStoresRowsExactly) {
  const std::vector<MessageRow> rows = {
      {11, room_.id, alice_.id, "plain text", test_time(1ms), "client-1"},
      {12, room_.id, bob_.id, "quotes \" and \\ and {braces, commas}", test_time(2ms),
       std::nullopt},
      {13, room_.id, alice_.id, "NULL", test_time(3ms), "NULL"},
      {14, room_.id, alice_.id, "", test_time(4ms), std::nullopt},
      {15, room_.id, alice_.id, "line\nbreak \xc3\xa4\xf0\x9f\x98\x80", test_time(5ms), "x"},
  };
  EXPECT_EQ(messages::insert_batch(db(), rows), rows.size());

  const auto page = messages::list(db(), query());
  ASSERT_EQ(page.items.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(page.items[i].id, rows[i].id);
    EXPECT_EQ(page.items[i].room_id, rows[i].room_id);
    EXPECT_EQ(page.items[i].sender_id, rows[i].sender_id);
    EXPECT_EQ(page.items[i].message, rows[i].message);
    EXPECT_EQ(page.items[i].timestamp, rows[i].timestamp);
    EXPECT_EQ(page.items[i].client_message_id, rows[i].client_message_id);
  }
}

TEST_F(MessagesTest, InsertBatchIsIdempotentById) {
  EXPECT_EQ(messages::insert_batch(db(), {message(1, "first"), message(2, "second")}), 2u);
  EXPECT_EQ(messages::insert_batch(db(), {message(1, "changed"), message(2, "second")}), 0u);
  EXPECT_EQ(messages::insert_batch(
                db(), {message(2, "second"), message(3, "third"), message(3, "third again")}),
            1u);
  EXPECT_EQ(stored(), 3);
  EXPECT_EQ(messages::list(db(), query()).items[0].message, "first");
  EXPECT_EQ(messages::insert_batch(db(), {}), 0u);
}

TEST_F(MessagesTest, InsertBatchSkipsDeletedRoomAndSender) {
  const RoomRow doomed = make_room(db(), "doomed_room", bob_.id);
  rooms::delete_room(db(), doomed.id, "event");
  EXPECT_EQ(
      messages::insert_batch(
          db(), {message(1, "kept"), message(2, "gone room", test_time(), alice_.id, doomed.id),
                 message(3, "no sender", test_time(), 424242), message(4, "kept too")}),
      2u);
  EXPECT_EQ(stored(), 2);
}

TEST_F(MessagesTest, InsertBatchSkipsUnstorableText) {
  EXPECT_EQ(messages::insert_batch(db(), {message(1, std::string("nul\0byte", 8)),
                                          message(2, "bad \xff utf8"), message(3, "fine")}),
            1u);
  MessageRow bad_client_id = message(4, "fine text");
  bad_client_id.client_message_id = "\xc0\x80";
  EXPECT_EQ(messages::insert_batch(db(), {bad_client_id}), 0u);
  EXPECT_EQ(stored(), 1);
}

TEST_F(MessagesTest, InsertBatchStoresLargeBatch) {
  std::vector<MessageRow> rows;
  for (int i = 1; i <= 5000; ++i) rows.push_back(message(i, "message " + std::to_string(i)));
  EXPECT_EQ(messages::insert_batch(db(), rows), rows.size());
  EXPECT_EQ(stored(), 5000);
}

TEST_F(MessagesTest, InsertBatchWorksInsideTransaction) {
  Transaction transaction(db());
  EXPECT_EQ(messages::insert_batch(db(), {message(1, "inside")}), 1u);
  EXPECT_EQ(messages::insert_batch(db(), {message(1, "inside"), message(2, "also")}), 1u);
  transaction.commit();
  EXPECT_EQ(stored(), 2);
}

TEST_F(MessagesTest, ListFiltersByRoom) {
  messages::insert_batch(
      db(), {message(1, "here"), message(2, "there", test_time(), alice_.id, other_room_.id),
             message(3, "here too")});
  const auto page = messages::list(db(), query());
  EXPECT_EQ(ids_of(page.items), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(page.total_count, 2);
}

TEST_F(MessagesTest, ListKeywordIgnoresCase) {
  messages::insert_batch(db(), {message(1, "Hello World"), message(2, "say HELLO"),
                                message(3, "\xc3\x84PFEL und Birnen"),  // "ÄPFEL"
                                message(4, "goodbye")});
  EXPECT_EQ(ids_of(messages::list(db(), query("hello")).items), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids_of(messages::list(db(), query("HeLLo wOrLd")).items),
            (std::vector<std::int64_t>{1}));
  // Non-ASCII letters fold too: "äpfel" matches "ÄPFEL".
  EXPECT_EQ(ids_of(messages::list(db(), query("\xc3\xa4pfel")).items),
            (std::vector<std::int64_t>{3}));
  EXPECT_EQ(messages::list(db(), query("bye")).total_count, 1);
}

TEST_F(MessagesTest, ListKeywordMatchesWildcardsLiterally) {
  messages::insert_batch(
      db(), {message(1, "100% sure"), message(2, "snake_case"), message(3, "back\\slash"),
             message(4, "1000 sure"), message(5, "snakeXcase")});
  auto ids = [&](const std::string& keyword) {
    return ids_of(messages::list(db(), query(keyword)).items);
  };
  EXPECT_EQ(ids("0% s"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(ids("e_c"), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(ids("k\\s"), (std::vector<std::int64_t>{3}));
  EXPECT_TRUE(ids("%%%").empty());
  EXPECT_TRUE(ids("___").empty());
}

TEST_F(MessagesTest, ListTimeBoundsAreInclusive) {
  messages::insert_batch(db(), {message(1, "a", test_time(1s)), message(2, "b", test_time(2s)),
                                message(3, "c", test_time(3s)), message(4, "d", test_time(4s))});
  auto window = query();
  window.from = test_time(2s);
  window.to = test_time(3s);
  EXPECT_EQ(ids_of(messages::list(db(), window).items), (std::vector<std::int64_t>{2, 3}));
  window.to.reset();
  EXPECT_EQ(messages::list(db(), window).total_count, 3);
  window.from.reset();
  window.to = test_time(1s);
  EXPECT_EQ(ids_of(messages::list(db(), window).items), (std::vector<std::int64_t>{1}));
  window.from = test_time(3s + 1ms);
  window.to = test_time(3s + 999ms);
  EXPECT_TRUE(messages::list(db(), window).items.empty());
}

TEST_F(MessagesTest, ListCombinesFiltersAndPages) {
  std::vector<MessageRow> rows;
  for (int i = 1; i <= 30; ++i) {
    rows.push_back(message(i, i % 2 == 0 ? "even message" : "odd message", test_time(i * 1s)));
  }
  messages::insert_batch(db(), rows);
  auto filtered = query("EVEN");
  filtered.from = test_time(5s);
  filtered.page.limit = 4;
  filtered.page.offset = 2;
  const auto page = messages::list(db(), filtered);
  EXPECT_EQ(ids_of(page.items), (std::vector<std::int64_t>{10, 12, 14, 16}));
  EXPECT_EQ(page.total_count, 13);  // 6, 8, ..., 30
  filtered.page.offset = 13;
  EXPECT_TRUE(messages::list(db(), filtered).items.empty());
  EXPECT_EQ(messages::list(db(), filtered).total_count, 13);
}

TEST_F(MessagesTest, ListSortsByEveryField) {
  const std::vector<MessageRow> rows = {
      {5, room_.id, bob_.id, "banana", test_time(2s), std::nullopt},
      {3, room_.id, alice_.id, "Banana", test_time(1s), std::nullopt},
      {9, room_.id, bob_.id, "apple", test_time(2s), std::nullopt},
      {1, room_.id, alice_.id, "banana", test_time(3s), std::nullopt},
      {7, room_.id, alice_.id, "_apple", test_time(1s), std::nullopt},
  };
  messages::insert_batch(db(), rows);
  const std::vector<std::pair<std::string, ExpectedOrder<MessageRow>>> orders = {
      {"id", order_by_key<MessageRow>([](const MessageRow& r) { return r.id; })},
      {"senderId", order_by_key<MessageRow>([](const MessageRow& r) { return r.sender_id; })},
      {"roomId", order_by_key<MessageRow>([](const MessageRow& r) { return r.room_id; })},
      {"message", order_by_key<MessageRow>([](const MessageRow& r) { return r.message; })},
      {"timestamp", order_by_key<MessageRow>([](const MessageRow& r) { return r.timestamp; })},
  };
  for (const auto& [field, expected] : orders) {
    for (bool descending : {false, true}) {
      auto sorted = query();
      sorted.page.order_field = field;
      sorted.page.descending = descending;
      EXPECT_EQ(ids_of(messages::list(db(), sorted).items), expected(rows, descending))
          << field << (descending ? " DESC" : " ASC");
    }
  }
  auto unknown = query();
  unknown.page.order_field = "sender_id";
  EXPECT_THROW(messages::list(db(), unknown), std::invalid_argument);
}

TEST_F(MessagesTest, AfterReturnsOldestFirst) {
  messages::insert_batch(db(),
                         {message(30, "c"), message(10, "a"), message(20, "b"), message(40, "d"),
                          message(25, "elsewhere", test_time(), alice_.id, other_room_.id)});
  const auto following = messages::after(db(), room_.id, 10, 100);
  EXPECT_EQ(following.order, messages::AfterOrder::id);
  EXPECT_EQ(ids_of(following.rows), (std::vector<std::int64_t>{20, 30, 40}));
  EXPECT_EQ(ids_of(messages::after(db(), room_.id, 0, 2).rows),
            (std::vector<std::int64_t>{10, 20}));
  EXPECT_TRUE(messages::after(db(), room_.id, 40, 100).rows.empty());
}

TEST_F(MessagesTest, InsertBatchStoresKafkaPositions) {
  const std::vector<MessageRow> rows = {message(30, "c"), message(10, "a")};
  EXPECT_EQ(messages::insert_batch(db(), rows, {{2, 7}, {2, 8}}), 2u);
  messages::insert_batch(db(), {message(20, "b")});

  Rows stored = db().exec(
      "SELECT id, kafka_partition, kafka_offset FROM messages ORDER BY kafka_offset NULLS LAST");
  ASSERT_EQ(stored.size(), 3);
  EXPECT_EQ(stored.int64(0, 0), 30);
  EXPECT_EQ(stored.int32(0, 1), 2);
  EXPECT_EQ(stored.int64(0, 2), 7);
  EXPECT_EQ(stored.int64(1, 0), 10);
  EXPECT_EQ(stored.int32(1, 1), 2);
  EXPECT_EQ(stored.int64(1, 2), 8);
  EXPECT_EQ(stored.int64(2, 0), 20);
  EXPECT_TRUE(stored.is_null(2, 1));
  EXPECT_TRUE(stored.is_null(2, 2));
}

TEST_F(MessagesTest, InsertBatchKeepsFirstPosition) {
  messages::insert_batch(db(), {message(30, "c")}, {{0, 4}});
  // A retried send is a second record with the same id, later in Kafka.
  EXPECT_EQ(messages::insert_batch(db(), {message(30, "c")}, {{0, 9}}), 0u);
  EXPECT_EQ(db().exec("SELECT kafka_offset FROM messages WHERE id = 30").int64(0, 0), 4);
}

TEST_F(MessagesTest, InsertBatchAlignsPositionsOfSkippedRows) {
  const std::vector<MessageRow> rows = {message(1, "a"), message(2, std::string("b\0c", 3)),
                                        message(3, "d")};
  EXPECT_EQ(messages::insert_batch(db(), rows, {{0, 10}, {0, 11}, {0, 12}}), 2u);
  EXPECT_EQ(db().exec("SELECT kafka_offset FROM messages WHERE id = 3").int64(0, 0), 12);
}

TEST_F(MessagesTest, InsertBatchRejectsPositionCountMismatch) {
  EXPECT_THROW(messages::insert_batch(db(), {message(1, "a"), message(2, "b")}, {{0, 1}}),
               std::invalid_argument);
  EXPECT_EQ(stored(), 0);
}

// Ids come from the sending node's clock, so a room's Kafka order can
// differ from its id order.
TEST_F(MessagesTest, AfterFollowsKafkaOrder) {
  messages::insert_batch(db(),
                         {message(30, "c"), message(10, "a"), message(40, "d"), message(20, "b"),
                          message(25, "elsewhere", test_time(), alice_.id, other_room_.id)},
                         {{1, 100}, {1, 101}, {1, 102}, {1, 103}, {1, 104}});

  const auto after_a = messages::after(db(), room_.id, 10, 100);
  EXPECT_EQ(after_a.order, messages::AfterOrder::kafka_position);
  EXPECT_EQ(ids_of(after_a.rows), (std::vector<std::int64_t>{40, 20}));
  EXPECT_EQ(ids_of(messages::after(db(), room_.id, 30, 100).rows),
            (std::vector<std::int64_t>{10, 40, 20}));
  EXPECT_EQ(ids_of(messages::after(db(), room_.id, 30, 2).rows),
            (std::vector<std::int64_t>{10, 40}));
  EXPECT_TRUE(messages::after(db(), room_.id, 20, 100).rows.empty());
}

TEST_F(MessagesTest, AfterSkipsRowsWithoutPosition) {
  messages::insert_batch(db(), {message(50, "old, no position"), message(5, "older")});
  messages::insert_batch(db(), {message(60, "e"), message(55, "f")}, {{0, 1}, {0, 2}});

  const auto after_positioned = messages::after(db(), room_.id, 60, 100);
  EXPECT_EQ(after_positioned.order, messages::AfterOrder::kafka_position);
  EXPECT_EQ(ids_of(after_positioned.rows), (std::vector<std::int64_t>{55}));

  const auto after_unpositioned = messages::after(db(), room_.id, 5, 100);
  EXPECT_EQ(after_unpositioned.order, messages::AfterOrder::id);
  EXPECT_EQ(ids_of(after_unpositioned.rows), (std::vector<std::int64_t>{50, 55, 60}));
}

TEST_F(MessagesTest, AfterUnknownIdUsesIdOrder) {
  messages::insert_batch(db(), {message(30, "c"), message(10, "a"), message(40, "d")},
                         {{0, 1}, {0, 2}, {0, 3}});
  messages::insert_batch(db(), {message(35, "elsewhere", test_time(), alice_.id, other_room_.id)},
                         {{0, 4}});

  const auto not_stored = messages::after(db(), room_.id, 20, 100);
  EXPECT_EQ(not_stored.order, messages::AfterOrder::id);
  EXPECT_EQ(ids_of(not_stored.rows), (std::vector<std::int64_t>{30, 40}));

  // 35 is stored, but in another room.
  const auto other_room = messages::after(db(), room_.id, 35, 100);
  EXPECT_EQ(other_room.order, messages::AfterOrder::id);
  EXPECT_EQ(ids_of(other_room.rows), (std::vector<std::int64_t>{40}));
}

}  // namespace
}  // namespace parley::db::testing
