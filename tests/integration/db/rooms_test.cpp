#include "db/rooms.hpp"

#include <gtest/gtest.h>

#include "database_environment.hpp"
#include "db/messages.hpp"
#include "db/outbox.hpp"
#include "test_data.hpp"

namespace parley::db::testing {
namespace {

using namespace std::chrono_literals;

class RoomsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    owner_ = make_account(db(), "room_owner");
    alice_ = make_account(db(), "alice_account");
    bob_ = make_account(db(), "bob_account");
  }

  std::int64_t count(const std::string& sql) { return db().exec(sql).int64(0, 0); }

  std::vector<outbox::OutboxRow> outbox_rows() { return outbox::after_position(db(), 100); }

  AccountRow owner_;
  AccountRow alice_;
  AccountRow bob_;
};

TEST_F(RoomsTest, CreateAddsOwnerAsMember) {
  const auto room = rooms::create(db(), "general_room", "a room for all", owner_.id, test_time(3s));
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "general_room");
  EXPECT_EQ(room->owner_id, owner_.id);
  EXPECT_EQ(room->owner_username, "room_owner");
  EXPECT_EQ(room->description, "a room for all");
  EXPECT_EQ(room->created_at, test_time(3s));
  EXPECT_EQ(room->updated_at, test_time(3s));
  EXPECT_TRUE(rooms::is_member(db(), room->id, owner_.id));
  EXPECT_FALSE(rooms::is_member(db(), room->id, alice_.id));
}

TEST_F(RoomsTest, CreateWithoutDescriptionStoresNull) {
  const RoomRow room = make_room(db(), "silent_room", owner_.id);
  EXPECT_EQ(room.description, std::nullopt);
  EXPECT_EQ(rooms::find_by_id(db(), room.id)->description, std::nullopt);
}

TEST_F(RoomsTest, CreateRejectsTakenNameExactly) {
  make_room(db(), "general_room", owner_.id);
  EXPECT_FALSE(rooms::create(db(), "general_room", std::nullopt, alice_.id, test_time()));
  EXPECT_EQ(count("SELECT count(*) FROM room_members"), 1);
  EXPECT_TRUE(rooms::create(db(), "General_room", std::nullopt, alice_.id, test_time()));
}

TEST_F(RoomsTest, CreateFailsForMissingOwner) {
  try {
    rooms::create(db(), "orphan_room", std::nullopt, 424242, test_time());
    FAIL() << "a room without owner account was created";
  } catch (const DbError& error) {
    EXPECT_EQ(error.sqlstate(), kForeignKeyViolation);
  }
}

TEST_F(RoomsTest, FindReadsOwnerUsernameAtReadTime) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  accounts::update(db(), owner_.id, {"renamed_owner", std::nullopt, std::nullopt, test_time()});
  EXPECT_EQ(rooms::find_by_id(db(), room.id)->owner_username, "renamed_owner");
  EXPECT_EQ(rooms::find_by_name(db(), "general_room")->owner_username, "renamed_owner");
  EXPECT_FALSE(rooms::find_by_name(db(), "GENERAL_ROOM"));
  EXPECT_FALSE(rooms::find_by_id(db(), 424242));
}

TEST_F(RoomsTest, AddMemberReportsOutcome) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  EXPECT_EQ(rooms::add_member(db(), room.id, alice_.id), rooms::AddMemberOutcome::kAdded);
  EXPECT_EQ(rooms::add_member(db(), room.id, alice_.id), rooms::AddMemberOutcome::kAlreadyMember);
  EXPECT_EQ(rooms::add_member(db(), room.id, owner_.id), rooms::AddMemberOutcome::kAlreadyMember);
  EXPECT_EQ(rooms::add_member(db(), 424242, alice_.id), rooms::AddMemberOutcome::kRoomNotFound);
  EXPECT_TRUE(rooms::is_member(db(), room.id, alice_.id));
  EXPECT_EQ(count("SELECT count(*) FROM room_members"), 2);
}

TEST_F(RoomsTest, MembersAmongAnswersEachCandidateInOrder) {
  const RoomRow general = make_room(db(), "general_room", owner_.id);
  const RoomRow other = make_room(db(), "other_room", owner_.id);
  rooms::add_member(db(), general.id, alice_.id);
  rooms::add_member(db(), other.id, bob_.id);

  const std::vector<rooms::Membership> candidates{
      {general.id, bob_.id}, {general.id, alice_.id}, {other.id, alice_.id},   {other.id, bob_.id},
      {424242, owner_.id},   {general.id, alice_.id}, {general.id, owner_.id},
  };
  EXPECT_EQ(rooms::members_among(db(), candidates),
            (std::vector<bool>{false, true, false, true, false, true, true}));
  EXPECT_TRUE(rooms::members_among(db(), {}).empty());
  // One pair takes the single-pair statement.
  EXPECT_EQ(rooms::members_among(db(), std::vector<rooms::Membership>{{general.id, alice_.id}}),
            std::vector<bool>{true});
  EXPECT_EQ(rooms::members_among(db(), std::vector<rooms::Membership>{{general.id, bob_.id}}),
            std::vector<bool>{false});
}

TEST_F(RoomsTest, UpdateDescriptionSetsUpdatedAt) {
  const RoomRow room = make_room(db(), "general_room", owner_.id, "old description", test_time());
  const auto updated = rooms::update_description(db(), room.id, "new description", test_time(9s));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->description, "new description");
  EXPECT_EQ(updated->created_at, test_time());
  EXPECT_EQ(updated->updated_at, test_time(9s));
  EXPECT_EQ(updated->owner_username, "room_owner");
  EXPECT_FALSE(rooms::update_description(db(), 424242, "anything at all", test_time()));
}

TEST_F(RoomsTest, LeaveDeletesMembershipAndAppendsEvent) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  EXPECT_TRUE(rooms::leave(db(), room.id, alice_.id, "leave-event"));
  EXPECT_FALSE(rooms::is_member(db(), room.id, alice_.id));
  const auto events = outbox_rows();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].room_id, room.id);
  EXPECT_EQ(events[0].data, "leave-event");
}

TEST_F(RoomsTest, LeaveByNonMemberChangesNothing) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  EXPECT_FALSE(rooms::leave(db(), room.id, alice_.id, "leave-event"));
  EXPECT_TRUE(outbox_rows().empty());
  EXPECT_FALSE(db().in_transaction());
}

TEST_F(RoomsTest, DeleteRoomRemovesEverythingOfRoom) {
  const RoomRow room = make_room(db(), "doomed_room", owner_.id);
  const RoomRow other = make_room(db(), "other_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  rooms::add_member(db(), other.id, alice_.id);
  rooms::block_members(db(), room.id, {bob_.id}, "block-event");
  messages::insert_batch(db(), {{1, room.id, alice_.id, "hello", test_time(), std::nullopt},
                                {2, other.id, alice_.id, "kept", test_time(), std::nullopt}});

  EXPECT_TRUE(rooms::delete_room(db(), room.id, std::string("owner\0left", 10)));
  EXPECT_FALSE(rooms::find_by_id(db(), room.id));
  EXPECT_EQ(count("SELECT count(*) FROM room_members WHERE room_id = " + std::to_string(room.id)),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM blocked_members"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_TRUE(rooms::is_member(db(), other.id, alice_.id));

  const auto events = outbox_rows();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].room_id, room.id);
  EXPECT_EQ(events[1].data, std::string("owner\0left", 10));
  EXPECT_FALSE(rooms::delete_room(db(), room.id, "again"));
  EXPECT_EQ(outbox_rows().size(), 2u);
}

TEST_F(RoomsTest, RemoveMembersIgnoresNonMembers) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  EXPECT_EQ(rooms::remove_members(db(), room.id, {alice_.id, bob_.id, 424242, alice_.id}, "ev"),
            1u);
  EXPECT_FALSE(rooms::is_member(db(), room.id, alice_.id));
  EXPECT_TRUE(rooms::is_member(db(), room.id, owner_.id));
  EXPECT_EQ(rooms::remove_members(db(), room.id, {bob_.id}, "ev2"), 0u);
  EXPECT_EQ(outbox_rows().size(), 2u);
  // Removed, not blocked: the account may join again.
  EXPECT_EQ(rooms::add_member(db(), room.id, alice_.id), rooms::AddMemberOutcome::kAdded);
}

TEST_F(RoomsTest, BlockMembersDeletesMembershipAndBlocks) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  rooms::block_members(db(), room.id, {alice_.id, bob_.id, alice_.id}, "block-event");
  EXPECT_FALSE(rooms::is_member(db(), room.id, alice_.id));
  EXPECT_TRUE(rooms::is_blocked(db(), room.id, alice_.id));
  EXPECT_TRUE(rooms::is_blocked(db(), room.id, bob_.id));
  EXPECT_FALSE(rooms::is_blocked(db(), room.id, owner_.id));

  rooms::block_members(db(), room.id, {alice_.id}, "again");
  EXPECT_EQ(count("SELECT count(*) FROM blocked_members"), 2);
  EXPECT_EQ(outbox_rows().size(), 2u);
}

TEST_F(RoomsTest, BlockUnknownAccountChangesNothing) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  try {
    rooms::block_members(db(), room.id, {alice_.id, 424242}, "block-event");
    FAIL() << "blocking an unknown account succeeded";
  } catch (const DbError& error) {
    EXPECT_EQ(error.sqlstate(), kForeignKeyViolation);
  }
  EXPECT_FALSE(db().in_transaction());
  EXPECT_TRUE(rooms::is_member(db(), room.id, alice_.id));
  EXPECT_FALSE(rooms::is_blocked(db(), room.id, alice_.id));
  EXPECT_TRUE(outbox_rows().empty());
}

TEST_F(RoomsTest, UnblockKeepsMembershipGone) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  rooms::block_members(db(), room.id, {alice_.id}, "block-event");
  EXPECT_EQ(rooms::unblock_members(db(), room.id, {alice_.id, bob_.id}), 1u);
  EXPECT_FALSE(rooms::is_blocked(db(), room.id, alice_.id));
  EXPECT_FALSE(rooms::is_member(db(), room.id, alice_.id));
  EXPECT_EQ(rooms::unblock_members(db(), room.id, {alice_.id}), 0u);
}

TEST_F(RoomsTest, AccessReadsExistenceBlockAndMembership) {
  const RoomRow room = make_room(db(), "general_room", owner_.id);
  rooms::add_member(db(), room.id, alice_.id);
  rooms::block_members(db(), room.id, {bob_.id}, "block-event");

  const rooms::RoomAccess member = rooms::access(db(), room.id, alice_.id);
  EXPECT_TRUE(member.room_exists);
  EXPECT_FALSE(member.blocked);
  EXPECT_TRUE(member.member);

  const rooms::RoomAccess blocked = rooms::access(db(), room.id, bob_.id);
  EXPECT_TRUE(blocked.room_exists);
  EXPECT_TRUE(blocked.blocked);
  EXPECT_FALSE(blocked.member);

  const AccountRow carol = make_account(db(), "carol_account");
  const rooms::RoomAccess outsider = rooms::access(db(), room.id, carol.id);
  EXPECT_TRUE(outsider.room_exists);
  EXPECT_FALSE(outsider.blocked);
  EXPECT_FALSE(outsider.member);

  const rooms::RoomAccess missing = rooms::access(db(), room.id + 1000, alice_.id);
  EXPECT_FALSE(missing.room_exists);
  EXPECT_FALSE(missing.blocked);
  EXPECT_FALSE(missing.member);
}

}  // namespace
}  // namespace parley::db::testing
