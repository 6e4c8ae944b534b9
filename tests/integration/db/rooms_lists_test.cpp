#include <stdexcept>

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "db/rooms.hpp"
#include "sort_check.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

PageQuery sorted_by(const std::string& field, bool descending, std::int32_t limit = 50,
                    std::int32_t offset = 0) {
  PageQuery page;
  page.order_field = field;
  page.descending = descending;
  page.limit = limit;
  page.offset = offset;
  return page;
}

class RoomListsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    zed_ = make_account(db(), "zed_owner");
    amy_ = make_account(db(), "amy_owner");
    member_ = make_account(db(), "member_account");

    // Byte order differs from a linguistic collation here:
    // "Zebra" < "_under" < "apple" < "\xc3\x84pfel". Ties in owner,
    // description and both timestamps exercise the id tie-breaker, and two
    // descriptions are NULL.
    struct Spec {
      const char* name;
      AccountId owner;
      std::optional<std::string> description;
      std::chrono::milliseconds created;
      std::chrono::milliseconds updated;
    };
    const Spec specs[] = {
        {"apple room", zed_.id, "fruit room", 2s, 5s},
        {"Zebra room", amy_.id, std::nullopt, 1s, 5s},
        {"\xc3\x84pfel room", zed_.id, "Fruit room", 2s, 1s},
        {"_under room", amy_.id, "fruit room", 3s, 2s},
        {"banana room", zed_.id, std::nullopt, 1s, 2s},
        {"100% real room", amy_.id, "a_b\\c", 3s, 3s},
    };
    for (const Spec& spec : specs) {
      RoomRow room =
          make_room(db(), spec.name, spec.owner, spec.description, test_time(spec.created));
      if (spec.updated != spec.created) {
        room = *rooms::update_description(db(), room.id, room.description.value_or("set later"),
                                          test_time(spec.updated));
        if (!spec.description) {
          // Keep the NULL description: update_description always sets one.
          db().exec("UPDATE rooms SET description = NULL WHERE id = $1::bigint",
                    {std::to_string(room.id)});
          room.description = std::nullopt;
        }
      }
      rooms_.push_back(room);
    }
    for (std::size_t i = 0; i < rooms_.size(); i += 2) {
      rooms::add_member(db(), rooms_[i].id, member_.id);
      member_rooms_.push_back(rooms_[i]);
    }
  }

  AccountRow zed_;
  AccountRow amy_;
  AccountRow member_;
  std::vector<RoomRow> rooms_;
  std::vector<RoomRow> member_rooms_;
};

// The expected order of every room sort field.
const std::vector<std::pair<std::string, ExpectedOrder<RoomRow>>> kRoomOrders = {
    {"id", order_by_key<RoomRow>([](const RoomRow& r) { return r.id; })},
    {"name", order_by_key<RoomRow>([](const RoomRow& r) { return r.name; })},
    {"owner", order_by_key<RoomRow>([](const RoomRow& r) { return r.owner_id; })},
    {"description",
     order_by_key<RoomRow>([](const RoomRow& r) { return nulls_largest(r.description); })},
    {"createdAt", order_by_key<RoomRow>([](const RoomRow& r) { return r.created_at; })},
    {"updatedAt", order_by_key<RoomRow>([](const RoomRow& r) { return r.updated_at; })},
};

TEST_F(RoomListsTest, ListSortsByEveryField) {
  for (const auto& [field, expected] : kRoomOrders) {
    for (bool descending : {false, true}) {
      const Page<RoomRow> page = rooms::list(db(), std::nullopt, sorted_by(field, descending));
      EXPECT_EQ(ids_of(page.items), expected(rooms_, descending))
          << field << (descending ? " DESC" : " ASC");
      EXPECT_EQ(page.total_count, static_cast<std::int64_t>(rooms_.size()));
    }
  }
}

TEST_F(RoomListsTest, RoomsOfMemberSortsByEveryField) {
  for (const auto& [field, expected] : kRoomOrders) {
    for (bool descending : {false, true}) {
      const Page<RoomRow> page =
          rooms::rooms_of_member(db(), member_.id, sorted_by(field, descending));
      EXPECT_EQ(ids_of(page.items), expected(member_rooms_, descending))
          << field << (descending ? " DESC" : " ASC");
      EXPECT_EQ(page.total_count, static_cast<std::int64_t>(member_rooms_.size()));
    }
  }
}

TEST_F(RoomListsTest, KeywordListSortsByEveryField) {
  std::vector<RoomRow> matching;
  for (const RoomRow& room : rooms_) {
    if (room.name.find("room") != std::string::npos) matching.push_back(room);
  }
  for (const auto& [field, expected] : kRoomOrders) {
    const Page<RoomRow> page = rooms::list(db(), "room", sorted_by(field, true));
    EXPECT_EQ(ids_of(page.items), expected(matching, true)) << field;
  }
}

TEST_F(RoomListsTest, ListRejectsUnknownSortField) {
  EXPECT_THROW(rooms::list(db(), std::nullopt, sorted_by("created_at", false)),
               std::invalid_argument);
  EXPECT_THROW(rooms::rooms_of_member(db(), member_.id, sorted_by("ownerId", false)),
               std::invalid_argument);
}

TEST_F(RoomListsTest, PagingKeepsTotalCount) {
  const Page<RoomRow> first = rooms::list(db(), std::nullopt, sorted_by("id", false, 4, 0));
  const Page<RoomRow> second = rooms::list(db(), std::nullopt, sorted_by("id", false, 4, 4));
  const Page<RoomRow> beyond = rooms::list(db(), std::nullopt, sorted_by("id", false, 4, 50));
  EXPECT_EQ(first.items.size(), 4u);
  EXPECT_EQ(second.items.size(), 2u);
  EXPECT_TRUE(beyond.items.empty());
  for (const auto* page : {&first, &second, &beyond}) EXPECT_EQ(page->total_count, 6);
  EXPECT_EQ(first.items[0].id, rooms_[0].id);
  EXPECT_EQ(second.items[0].id, rooms_[4].id);
}

TEST_F(RoomListsTest, KeywordIsCaseSensitive) {
  auto names = [&](const std::optional<std::string>& keyword) {
    std::vector<std::string> result;
    for (const RoomRow& room : rooms::list(db(), keyword, sorted_by("id", false)).items) {
      result.push_back(room.name);
    }
    return result;
  };
  EXPECT_EQ(names("Zebra"), std::vector<std::string>{"Zebra room"});
  EXPECT_TRUE(names("zebra").empty());
  EXPECT_EQ(names("Fruit"), std::vector<std::string>{"\xc3\x84pfel room"});
  EXPECT_EQ(names("fruit"), (std::vector<std::string>{"apple room", "_under room"}));
  EXPECT_EQ(names("").size(), rooms_.size());
  EXPECT_EQ(names(std::nullopt).size(), rooms_.size());
  EXPECT_EQ(rooms::list(db(), "fruit", sorted_by("id", false, 1)).total_count, 2);
}

TEST_F(RoomListsTest, KeywordMatchesWildcardsLiterally) {
  auto count = [&](const std::string& keyword) {
    return rooms::list(db(), keyword, sorted_by("id", false)).total_count;
  };
  EXPECT_EQ(count("100%"), 1);
  EXPECT_EQ(count("%"), 1);
  EXPECT_EQ(count("_"), 2);  // "_under room" and the description "a_b\c"
  EXPECT_EQ(count("a_b"), 1);
  EXPECT_EQ(count("a b"), 0);
  EXPECT_EQ(count("\\"), 1);
  EXPECT_EQ(count("b\\c"), 1);
  EXPECT_EQ(count("bc"), 0);
}

class MemberListsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    owner_ = make_account(db(), "room_owner", test_time(2s));
    room_ = make_room(db(), "general_room", owner_.id);
    members_.push_back(owner_);
    const std::pair<const char*, std::chrono::milliseconds> specs[] = {
        {"bob_member", 1s}, {"Bob_member", 2s}, {"alice_member", 1s}, {"_member", 3s}};
    for (const auto& [name, created] : specs) {
      AccountRow account = make_account(db(), name, test_time(created));
      rooms::add_member(db(), room_.id, account.id);
      members_.push_back(account);
    }
    for (const char* name : {"carol_blocked", "Carol_blocked", "dave_blocked"}) {
      blocked_.push_back(make_account(db(), name, test_time(1s)));
    }
    rooms::block_members(db(), room_.id, {blocked_[0].id, blocked_[1].id, blocked_[2].id},
                         "block-event");
    make_account(db(), "outsider_account");
  }

  AccountRow owner_;
  RoomRow room_;
  std::vector<AccountRow> members_;
  std::vector<AccountRow> blocked_;
};

// The expected order of every account sort field.
const std::vector<std::pair<std::string, ExpectedOrder<AccountRow>>> kAccountOrders = {
    {"id", order_by_key<AccountRow>([](const AccountRow& r) { return r.id; })},
    {"username", order_by_key<AccountRow>([](const AccountRow& r) { return r.username; })},
    {"email", order_by_key<AccountRow>([](const AccountRow& r) { return r.email; })},
    {"createdAt", order_by_key<AccountRow>([](const AccountRow& r) { return r.created_at; })},
    {"updatedAt", order_by_key<AccountRow>([](const AccountRow& r) { return r.updated_at; })},
};

TEST_F(MemberListsTest, MembersSortByEveryField) {
  for (const auto& [field, expected] : kAccountOrders) {
    for (bool descending : {false, true}) {
      const Page<AccountRow> page = rooms::members(db(), room_.id, sorted_by(field, descending));
      EXPECT_EQ(ids_of(page.items), expected(members_, descending))
          << field << (descending ? " DESC" : " ASC");
      EXPECT_EQ(page.total_count, static_cast<std::int64_t>(members_.size()));
    }
  }
}

TEST_F(MemberListsTest, BlockedSortByEveryField) {
  for (const auto& [field, expected] : kAccountOrders) {
    for (bool descending : {false, true}) {
      const Page<AccountRow> page = rooms::blocked(db(), room_.id, sorted_by(field, descending));
      EXPECT_EQ(ids_of(page.items), expected(blocked_, descending))
          << field << (descending ? " DESC" : " ASC");
      EXPECT_EQ(page.total_count, static_cast<std::int64_t>(blocked_.size()));
    }
  }
}

TEST_F(MemberListsTest, MembersPageAndRejectUnknownField) {
  const Page<AccountRow> page = rooms::members(db(), room_.id, sorted_by("id", true, 2, 1));
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, members_[3].id);
  EXPECT_EQ(page.total_count, 5);
  EXPECT_THROW(rooms::members(db(), room_.id, sorted_by("password_hash", false)),
               std::invalid_argument);
  EXPECT_EQ(rooms::members(db(), 424242, sorted_by("id", false)).total_count, 0);
}

}  // namespace
}  // namespace parley::db::testing
