#include <random>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "common/types.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

constexpr const char* kMissingRoom = "9223372036854775807";

json::value id_value(std::int64_t id) { return json::value(std::to_string(id)); }

// `count` random characters from U+1F300 to U+1F5FF, each 4 UTF-8 bytes and
// 2 UTF-16 code units.
std::string astral_text(std::size_t count) {
  static thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<unsigned> pick(0x1F300, 0x1F5FF);
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned code_point = pick(random);
    text += static_cast<char>(0xF0 | (code_point >> 18));
    text += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    text += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return text;
}

json::object members_request(RoomId room, const std::vector<AccountId>& ids) {
  json::array member_ids;
  for (AccountId id : ids) member_ids.push_back(id_value(id));
  return json::object{{"roomId", std::to_string(room)}, {"memberIds", std::move(member_ids)}};
}

class RoomsTest : public ProtocolTest {
 protected:
  // Reads every page of getRoomMembers or getBlockedMembers and returns the
  // account ids. Records a failure and returns what it has on an error reply.
  std::set<AccountId> account_ids(client::Connection& connection, const char* operation,
                                  RoomId room) {
    std::set<AccountId> ids;
    for (int offset = 0;; offset += 50) {
      auto page = connection.call(
          operation,
          json::object{{"roomId", std::to_string(room)}, {"offset", offset}, {"limit", 50}});
      if (!page.ok()) {
        ADD_FAILURE() << operation << ": " << page.error().code << " " << page.error().message;
        return ids;
      }
      const auto& items = page->as_object().at("accountInfos").as_array();
      for (const auto& item : items) ids.insert(as_id(item.at("id")));
      if (items.size() < 50) return ids;
    }
  }

  std::set<AccountId> member_ids(client::Connection& connection, RoomId room) {
    return account_ids(connection, "getRoomMembers", room);
  }

  std::set<AccountId> blocked_ids(client::Connection& connection, RoomId room) {
    return account_ids(connection, "getBlockedMembers", room);
  }

  // Returns the ids on the first getRooms page, the rooms that the account
  // of `connection` is a member of.
  std::set<RoomId> own_room_ids(client::Connection& connection) {
    std::set<RoomId> ids;
    auto rooms = connection.call("getRooms", json::object{});
    if (!rooms.ok()) {
      ADD_FAILURE() << "getRooms: " << rooms.error().message;
      return ids;
    }
    for (const auto& item : rooms->as_object().at("roomInfos").as_array()) {
      ids.insert(as_id(item.at("id")));
    }
    return ids;
  }
};

// createRoom

TEST_F(RoomsTest, CreateRoomChecks) {
  TestAccount owner = create_account();
  auto connection = logged_in(owner);
  const std::string valid_name = "room-" + unique_name(12);
  struct Case {
    const char* name;
    json::value data;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"empty object", json::object{}, "Missing or invalid: name"},
      {"no payload", nullptr, "Missing or invalid: name"},
      {"description only", json::object{{"description", "a valid description"}},
       "Missing or invalid: name"},
      {"name of 7 units", json::object{{"name", "abcdefg"}}, "Missing or invalid: name"},
      {"name of 65 units", json::object{{"name", std::string(65, 'n')}},
       "Missing or invalid: name"},
      {"name of wrong type", json::object{{"name", json::array{"abcdefghij"}}},
       "Missing or invalid: name"},
      {"33 astral characters", json::object{{"name", astral_text(33)}}, "Missing or invalid: name"},
      {"32 astral characters and one ASCII", json::object{{"name", astral_text(32) + "a"}},
       "Missing or invalid: name"},
      {"3 astral characters and one ASCII", json::object{{"name", astral_text(3) + "a"}},
       "Missing or invalid: name"},
      {"short name before short description",
       json::object{{"name", "short"}, {"description", "short"}}, "Missing or invalid: name"},
      {"description of 7 units", json::object{{"name", valid_name}, {"description", "1234567"}},
       "Missing or invalid: description"},
      {"empty description", json::object{{"name", valid_name}, {"description", ""}},
       "Missing or invalid: description"},
      {"description of 201 units",
       json::object{{"name", valid_name}, {"description", std::string(201, 'd')}},
       "Missing or invalid: description"},
      {"description of 101 astral characters",
       json::object{{"name", valid_name}, {"description", astral_text(101)}},
       "Missing or invalid: description"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(connection->call("createRoom", test.data), 400, test.message);
  }
  // None of the rejected requests created the room.
  EXPECT_PROTOCOL_ERROR(connection->call("joinRoom", json::value(valid_name)), 404,
                        "Room not found");
}

TEST_F(RoomsTest, CreateRoomLengthLimitsInUtf16Units) {
  TestAccount owner = create_account();
  auto connection = logged_in(owner, 1);
  struct Case {
    const char* name;
    std::string room_name;
    std::optional<std::string> description;
  };
  const std::vector<Case> cases = {
      {"name of 8 units", unique_name(8), std::nullopt},
      {"name of 64 units", unique_name(64), std::nullopt},
      {"4 astral characters", astral_text(4), std::nullopt},
      {"32 astral characters", astral_text(32), std::nullopt},
      {"description of 8 units", unique_name(20), std::string(8, 'd')},
      {"description of 200 units", unique_name(20), std::string(200, 'd')},
      {"description of 100 astral characters", unique_name(20), astral_text(100)},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    json::object request{{"name", test.room_name}};
    if (test.description) request["description"] = *test.description;
    auto created = connection->call("createRoom", request);
    ASSERT_PROTOCOL_OK(created);
    EXPECT_EQ(created->at("name").as_string(), test.room_name);
    if (test.description) {
      EXPECT_EQ(created->at("description").as_string(), *test.description);
    }
  }
}

TEST_F(RoomsTest, CreateRoomReturnsRoomInfo) {
  TestAccount owner = create_account();
  auto connection = logged_in(owner, 2);
  const std::string name = "room-" + unique_name(16);
  const std::string description = "description " + unique_name(8);
  auto created =
      connection->call("createRoom", json::object{{"name", name}, {"description", description}});
  ASSERT_PROTOCOL_OK(created);
  const auto& info = created->as_object();
  ASSERT_TRUE(info.at("id").is_string());
  EXPECT_GT(as_id(info.at("id")), 0);
  EXPECT_EQ(info.at("name").as_string(), name);
  EXPECT_EQ(info.at("owner").as_string(), owner.username);
  EXPECT_EQ(info.at("description").as_string(), description);
  EXPECT_TRUE(info.at("createdAt").is_string());
  EXPECT_EQ(info.at("createdAt"), info.at("updatedAt"));

  // The owner is a member of the new room.
  EXPECT_EQ(own_room_ids(*connection), std::set<RoomId>{as_id(info.at("id"))});
  EXPECT_EQ(member_ids(*connection, as_id(info.at("id"))), std::set<AccountId>{owner.id});
}

TEST_F(RoomsTest, DescriptionOmittedWhenAbsent) {
  TestAccount owner = create_account();
  auto connection = logged_in(owner);
  auto created = connection->call("createRoom", json::object{{"name", "room-" + unique_name(12)}});
  ASSERT_PROTOCOL_OK(created);
  EXPECT_FALSE(created->as_object().contains("description"));
  auto read = connection->call("getRoom", created->at("id"));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_FALSE(read->as_object().contains("description"));
}

TEST_F(RoomsTest, DuplicateRoomName) {
  TestAccount first = create_account();
  TestAccount second = create_account();
  auto [room, name] = create_room(first);
  auto connection = logged_in(second, 1);
  EXPECT_PROTOCOL_ERROR(connection->call("createRoom", json::object{{"name", name}}), 400,
                        "Cannot create room: already exists");
  EXPECT_PROTOCOL_ERROR(
      connection->call("createRoom", json::object{{"name", name}, {"description", "other room"}}),
      400, "Cannot create room: already exists");
  // Names are compared exactly, so a different letter case is another room.
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto other = connection->call("createRoom", json::object{{"name", upper}});
  ASSERT_PROTOCOL_OK(other);
  EXPECT_NE(as_id(other->at("id")), room);
}

// getRoom

TEST_F(RoomsTest, GetRoomChecks) {
  TestAccount account = create_account();
  auto connection = logged_in(account);
  EXPECT_PROTOCOL_ERROR(connection->call("getRoom", nullptr), 400, "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("getRoom", json::value("")), 400,
                        "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("getRoom", json::value(kMissingRoom)), 404,
                        "Room not found");
}

TEST_F(RoomsTest, AnyLoggedInUserReadsRoom) {
  TestAccount owner = create_account();
  TestAccount outsider = create_account();
  json::object created = create_room_with(owner, "room-" + unique_name(12), "room for readers", 0);
  ASSERT_FALSE(created.empty());
  auto connection = logged_in(outsider, 2);
  auto read = connection->call("getRoom", created.at("id"));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_EQ(read->as_object(), created);
}

// updateRoom

TEST_F(RoomsTest, UpdateRoomChecksInOrder) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);

  const std::string valid = "a new valid description";
  struct Case {
    const char* name;
    json::value data;
    int code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"empty object", json::object{}, 400, "Missing or invalid: description"},
      {"no payload", nullptr, 400, "Missing or invalid: description"},
      {"unknown room without description", json::object{{"roomId", kMissingRoom}}, 400,
       "Missing or invalid: description"},
      {"short description without room", json::object{{"description", "short"}}, 400,
       "Missing or invalid: description"},
      {"description of 201 units",
       json::object{{"roomId", std::to_string(room)}, {"description", std::string(201, 'd')}}, 400,
       "Missing or invalid: description"},
      {"no room id", json::object{{"description", valid}}, 400, "Missing or invalid: roomId"},
      {"unknown room", json::object{{"roomId", kMissingRoom}, {"description", valid}}, 404,
       "Room not found"},
  };

  auto owner_connection = logged_in(owner);
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(owner_connection->call("updateRoom", test.data), test.code, test.message);
  }

  auto member_connection = logged_in(member, 1);
  EXPECT_PROTOCOL_ERROR(
      member_connection->call(
          "updateRoom", json::object{{"roomId", std::to_string(room)}, {"description", valid}}),
      403, "Not room owner");

  // The rejected requests left the room without a description.
  auto read = owner_connection->call("getRoom", id_value(room));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_FALSE(read->as_object().contains("description"));
}

TEST_F(RoomsTest, UpdateRoomChangesUpdatedAt) {
  TestAccount owner = create_account();
  json::object created = create_room_with(owner, "room-" + unique_name(12), "first description", 0);
  ASSERT_FALSE(created.empty());
  // Timestamps have millisecond precision, so wait to make the update later.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto connection = logged_in(owner, 1);
  auto updated = connection->call(
      "updateRoom",
      json::object{{"roomId", created.at("id")}, {"description", "second description"}});
  ASSERT_PROTOCOL_OK(updated);
  const auto& info = updated->as_object();
  EXPECT_EQ(info.at("id"), created.at("id"));
  EXPECT_EQ(info.at("name"), created.at("name"));
  EXPECT_EQ(info.at("owner").as_string(), owner.username);
  EXPECT_EQ(info.at("description").as_string(), "second description");
  EXPECT_EQ(info.at("createdAt"), created.at("createdAt"));
  EXPECT_NE(info.at("updatedAt"), created.at("updatedAt"));
  // ISO-8601 strings of one format compare in time order.
  EXPECT_GT(info.at("updatedAt").as_string(), created.at("updatedAt").as_string());

  auto read = logged_in(owner, 2)->call("getRoom", created.at("id"));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_EQ(read->as_object(), info);
}

// joinRoom

TEST_F(RoomsTest, JoinRoomChecks) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  TestAccount blocked = create_account();
  auto [room, name] = create_room(owner);
  auto owner_connection = logged_in(owner);
  ASSERT_PROTOCOL_OK(
      owner_connection->call("blockRoomMembers", members_request(room, {blocked.id})));

  auto connection = logged_in(member, 1);
  struct Case {
    const char* name;
    json::value data;
    int code;
    const char* message;
  };
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<Case> cases = {
      {"no payload", nullptr, 400, "Missing or invalid: name"},
      {"empty name", json::value(""), 400, "Missing or invalid: name"},
      {"spaces", json::value("   "), 400, "Missing or invalid: name"},
      {"tab and newline", json::value("\t\n"), 400, "Missing or invalid: name"},
      {"unknown name", json::value("room-" + unique_name(20)), 404, "Room not found"},
      {"name in another letter case", json::value(upper), 404, "Room not found"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(connection->call("joinRoom", test.data), test.code, test.message);
  }

  EXPECT_PROTOCOL_ERROR(owner_connection->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: already joined");
  auto joined = connection->call("joinRoom", json::value(name));
  ASSERT_PROTOCOL_OK(joined);
  EXPECT_EQ(as_id(*joined), room);
  EXPECT_PROTOCOL_ERROR(connection->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: already joined");
  EXPECT_PROTOCOL_ERROR(logged_in(blocked, 2)->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: blocked");
}

TEST_F(RoomsTest, JoinedRoomInGetRooms) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  json::object created = create_room_with(owner, "room-" + unique_name(12), "joined room", 0);
  ASSERT_FALSE(created.empty());
  auto connection = logged_in(member, 1);
  ASSERT_PROTOCOL_OK(connection->call("joinRoom", created.at("name")));
  auto rooms = connection->call("getRooms", json::object{});
  ASSERT_PROTOCOL_OK(rooms);
  const auto& infos = rooms->at("roomInfos").as_array();
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].as_object(), created);
  EXPECT_EQ(rooms->at("totalCount"), json::value("1"));
  // Joining does not subscribe.
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
}

// leaveRoom

TEST_F(RoomsTest, LeaveRoomChecks) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  TestAccount outsider = create_account();
  TestAccount blocked = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  join_room(blocked, name);
  auto owner_connection = logged_in(owner);
  ASSERT_PROTOCOL_OK(
      owner_connection->call("blockRoomMembers", members_request(room, {blocked.id})));

  auto connection = logged_in(member, 1);
  EXPECT_PROTOCOL_ERROR(connection->call("leaveRoom", nullptr), 400, "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("leaveRoom", json::value("")), 400,
                        "Missing or invalid: id");
  EXPECT_PROTOCOL_ERROR(connection->call("leaveRoom", json::value(kMissingRoom)), 404,
                        "Room not found");
  EXPECT_PROTOCOL_ERROR(logged_in(outsider, 2)->call("leaveRoom", id_value(room)), 400,
                        "Not a room member");
  EXPECT_PROTOCOL_ERROR(logged_in(blocked, 2)->call("leaveRoom", id_value(room)), 400,
                        "Not a room member");

  auto left = connection->call("leaveRoom", id_value(room));
  ASSERT_PROTOCOL_OK(left);
  EXPECT_EQ(as_id(*left), room);
  EXPECT_PROTOCOL_ERROR(connection->call("leaveRoom", id_value(room)), 400, "Not a room member");
}

TEST_F(RoomsTest, MemberLeavesThenCannotSubscribe) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto connection = logged_in(member, 1);
  ASSERT_PROTOCOL_OK(connection->call("leaveRoom", id_value(room)));
  EXPECT_TRUE(own_room_ids(*connection).empty());
  EXPECT_PROTOCOL_ERROR(connection->call("subscribe", id_value(room)), 403,
                        "Cannot subscribe: not a member");
  EXPECT_PROTOCOL_ERROR(connection->call("listMessages", json::object{{"roomId", room}}), 403,
                        "Not a room member");
  // The room stays, with the owner as its only member.
  auto owner_connection = logged_in(owner);
  EXPECT_EQ(member_ids(*owner_connection, room), std::set<AccountId>{owner.id});
  // A member who left may join again.
  ASSERT_PROTOCOL_OK(connection->call("joinRoom", json::value(name)));
}

TEST_F(RoomsTest, OwnerLeavesRoomWithHistory) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto owner_connection = logged_in(owner);
  ASSERT_PROTOCOL_OK(owner_connection->call("subscribe", id_value(room)));
  ASSERT_PROTOCOL_OK(owner_connection->call("send", json::value("a message in history")));
  ASSERT_TRUE(owner_connection->next_push(kPushTimeout).has_value());

  // Wait until the message is stored, so that the room really has history.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::int64_t stored = 0;
  while (stored == 0 && std::chrono::steady_clock::now() < deadline) {
    auto history = owner_connection->call("listMessages", json::object{{"roomId", room}});
    ASSERT_PROTOCOL_OK(history);
    stored = as_id(history->at("totalCount"));
    if (stored == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(stored, 1);

  auto left = owner_connection->call("leaveRoom", id_value(room));
  ASSERT_PROTOCOL_OK(left);
  EXPECT_EQ(as_id(*left), room);

  auto member_connection = logged_in(member, 1);
  EXPECT_PROTOCOL_ERROR(member_connection->call("getRoom", id_value(room)), 404, "Room not found");
  EXPECT_PROTOCOL_ERROR(member_connection->call("joinRoom", json::value(name)), 404,
                        "Room not found");
  EXPECT_PROTOCOL_ERROR(member_connection->call("subscribe", id_value(room)), 404,
                        "Room not found");
  EXPECT_PROTOCOL_ERROR(member_connection->call("listMessages", json::object{{"roomId", room}}),
                        404, "Room not found");
  EXPECT_PROTOCOL_ERROR(member_connection->call("getRoomMembers", json::object{{"roomId", room}}),
                        403, "Not a room member");
  EXPECT_TRUE(own_room_ids(*member_connection).empty());
  EXPECT_TRUE(own_room_ids(*owner_connection).empty());
}

// removeRoomMembers, blockRoomMembers, unblockRoomMembers

TEST_F(RoomsTest, MemberListChecksInOrder) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  const std::string room_text = std::to_string(room);
  json::array too_many;
  for (int i = 0; i < 1001; ++i) too_many.push_back(id_value(member.id));

  struct Case {
    const char* name;
    json::value data;
    int code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"empty object", json::object{}, 400, "Missing or invalid: roomId"},
      {"no payload", nullptr, 400, "Missing or invalid: roomId"},
      {"no room id", json::object{{"memberIds", json::array{"10"}}}, 400,
       "Missing or invalid: roomId"},
      {"no room id and empty list", json::object{{"memberIds", json::array{}}}, 400,
       "Missing or invalid: roomId"},
      {"no member ids", json::object{{"roomId", kMissingRoom}}, 400,
       "Missing or invalid: memberIds"},
      {"empty member ids", json::object{{"roomId", kMissingRoom}, {"memberIds", json::array{}}},
       400, "Missing or invalid: memberIds"},
      {"member ids not an array", json::object{{"roomId", kMissingRoom}, {"memberIds", "10"}}, 400,
       "Missing or invalid: memberIds"},
      {"null element",
       json::object{{"roomId", kMissingRoom}, {"memberIds", json::array{"10", nullptr}}}, 400,
       "Missing or invalid: memberIds"},
      {"only a null element",
       json::object{{"roomId", room_text}, {"memberIds", json::array{nullptr}}}, 400,
       "Missing or invalid: memberIds"},
      {"1001 ids", json::object{{"roomId", room_text}, {"memberIds", too_many}}, 400,
       "Missing or invalid: memberIds"},
      {"1001 ids for an unknown room",
       json::object{{"roomId", kMissingRoom}, {"memberIds", too_many}}, 400,
       "Missing or invalid: memberIds"},
      {"unknown room",
       json::object{{"roomId", kMissingRoom}, {"memberIds", json::array{id_value(member.id)}}}, 404,
       "Room not found"},
  };
  auto owner_connection = logged_in(owner);
  auto member_connection = logged_in(member, 1);
  for (const char* operation : {"removeRoomMembers", "blockRoomMembers", "unblockRoomMembers"}) {
    SCOPED_TRACE(operation);
    for (const auto& test : cases) {
      SCOPED_TRACE(test.name);
      EXPECT_PROTOCOL_ERROR(owner_connection->call(operation, test.data), test.code, test.message);
    }
    EXPECT_PROTOCOL_ERROR(member_connection->call(operation, members_request(room, {owner.id})),
                          403, "Not room owner");
  }

  EXPECT_PROTOCOL_ERROR(
      owner_connection->call("removeRoomMembers", members_request(room, {member.id, owner.id})),
      400, "Cannot remove room owner");
  EXPECT_PROTOCOL_ERROR(
      owner_connection->call("blockRoomMembers", members_request(room, {member.id, owner.id})), 400,
      "Cannot block room owner");
  // unblockRoomMembers has no owner check, and the owner is never blocked, so
  // its id is ignored.
  auto unblocked = owner_connection->call("unblockRoomMembers", members_request(room, {owner.id}));
  ASSERT_PROTOCOL_OK(unblocked);
  EXPECT_EQ(as_id(*unblocked), room);

  // None of the rejected requests changed the membership.
  EXPECT_EQ(member_ids(*owner_connection, room), (std::set<AccountId>{owner.id, member.id}));
  EXPECT_TRUE(blocked_ids(*owner_connection, room).empty());
}

TEST_F(RoomsTest, BlockUnknownAccountChangesNothing) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto connection = logged_in(owner, 2);
  EXPECT_PROTOCOL_ERROR(connection->call("blockRoomMembers",
                                         members_request(room, {member.id, 9223372036854775807LL})),
                        404, "Account not found");
  EXPECT_EQ(member_ids(*connection, room), (std::set<AccountId>{owner.id, member.id}));
  EXPECT_TRUE(blocked_ids(*connection, room).empty());
  // The member can still subscribe, so the block was not applied in part.
  ASSERT_PROTOCOL_OK(logged_in(member, 1)->call("subscribe", id_value(room)));
}

TEST_F(RoomsTest, RemoveMembersLetsThemRejoin) {
  TestAccount owner = create_account();
  TestAccount first = create_account();
  TestAccount second = create_account();
  auto [room, name] = create_room(owner);
  join_room(first, name);
  join_room(second, name);
  auto connection = logged_in(owner, 1);
  // Ids of non-members and of accounts that do not exist are ignored.
  auto removed = connection->call(
      "removeRoomMembers",
      members_request(room, {first.id, second.id, first.id, 9223372036854775807LL}));
  ASSERT_PROTOCOL_OK(removed);
  EXPECT_EQ(as_id(*removed), room);
  EXPECT_EQ(member_ids(*connection, room), std::set<AccountId>{owner.id});
  EXPECT_TRUE(blocked_ids(*connection, room).empty());

  auto first_connection = logged_in(first, 2);
  EXPECT_TRUE(own_room_ids(*first_connection).empty());
  EXPECT_PROTOCOL_ERROR(first_connection->call("subscribe", id_value(room)), 403,
                        "Cannot subscribe: not a member");
  ASSERT_PROTOCOL_OK(first_connection->call("joinRoom", json::value(name)));
  EXPECT_EQ(member_ids(*connection, room), (std::set<AccountId>{owner.id, first.id}));
}

TEST_F(RoomsTest, LongMemberListsAccepted) {
  TestAccount owner = create_account();
  TestAccount first = create_account();
  TestAccount second = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner);

  // 62 ids is one more than the Java reference server (syemessenger) could
  // encode in its 512-byte Kafka event buffer. Repeated ids are harmless, so
  // two accounts fill the list.
  for (std::size_t count : {std::size_t{62}, std::size_t{1000}}) {
    SCOPED_TRACE(std::to_string(count) + " ids");
    join_room(first, name);
    join_room(second, name);

    std::vector<AccountId> remove_ids = {first.id, second.id};
    for (std::size_t i = remove_ids.size(); i < count; ++i) {
      remove_ids.push_back(9223372036854775807LL - static_cast<AccountId>(i));
    }
    ASSERT_PROTOCOL_OK(connection->call("removeRoomMembers", members_request(room, remove_ids)));
    EXPECT_EQ(member_ids(*connection, room), std::set<AccountId>{owner.id});

    std::vector<AccountId> block_ids;
    for (std::size_t i = 0; i < count; ++i) block_ids.push_back(i % 2 == 0 ? first.id : second.id);
    ASSERT_PROTOCOL_OK(connection->call("blockRoomMembers", members_request(room, block_ids)));
    EXPECT_EQ(blocked_ids(*connection, room), (std::set<AccountId>{first.id, second.id}));

    ASSERT_PROTOCOL_OK(connection->call("unblockRoomMembers", members_request(room, block_ids)));
    EXPECT_TRUE(blocked_ids(*connection, room).empty());
  }
}

TEST_F(RoomsTest, PreemptiveBlockOfNonMember) {
  TestAccount owner = create_account();
  TestAccount outsider = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner);
  auto blocked = connection->call("blockRoomMembers", members_request(room, {outsider.id}));
  ASSERT_PROTOCOL_OK(blocked);
  EXPECT_EQ(as_id(*blocked), room);
  // Blocking twice is a no-op.
  ASSERT_PROTOCOL_OK(connection->call("blockRoomMembers", members_request(room, {outsider.id})));

  auto list = connection->call("getBlockedMembers", json::object{{"roomId", room}});
  ASSERT_PROTOCOL_OK(list);
  EXPECT_EQ(list->at("totalCount"), json::value("1"));
  const auto& infos = list->at("accountInfos").as_array();
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(as_id(infos[0].at("id")), outsider.id);
  EXPECT_EQ(infos[0].at("username").as_string(), outsider.username);
  EXPECT_EQ(member_ids(*connection, room), std::set<AccountId>{owner.id});

  auto outsider_connection = logged_in(outsider, 1);
  EXPECT_PROTOCOL_ERROR(outsider_connection->call("joinRoom", json::value(name)), 400,
                        "Cannot join room: blocked");
  EXPECT_PROTOCOL_ERROR(outsider_connection->call("subscribe", id_value(room)), 403,
                        "Cannot subscribe: blocked");
}

TEST_F(RoomsTest, UnblockedUserMustJoinAgain) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto connection = logged_in(owner);
  ASSERT_PROTOCOL_OK(connection->call("blockRoomMembers", members_request(room, {member.id})));
  EXPECT_EQ(member_ids(*connection, room), std::set<AccountId>{owner.id});
  EXPECT_EQ(blocked_ids(*connection, room), std::set<AccountId>{member.id});

  auto member_connection = logged_in(member, 2);
  EXPECT_TRUE(own_room_ids(*member_connection).empty());
  EXPECT_PROTOCOL_ERROR(member_connection->call("subscribe", id_value(room)), 403,
                        "Cannot subscribe: blocked");

  // Ids that are not blocked are ignored.
  auto unblocked = connection->call("unblockRoomMembers",
                                    members_request(room, {member.id, 9223372036854775807LL}));
  ASSERT_PROTOCOL_OK(unblocked);
  EXPECT_EQ(as_id(*unblocked), room);
  EXPECT_TRUE(blocked_ids(*connection, room).empty());
  EXPECT_EQ(member_ids(*connection, room), std::set<AccountId>{owner.id});

  EXPECT_PROTOCOL_ERROR(member_connection->call("subscribe", id_value(room)), 403,
                        "Cannot subscribe: not a member");
  ASSERT_PROTOCOL_OK(member_connection->call("joinRoom", json::value(name)));
  ASSERT_PROTOCOL_OK(member_connection->call("subscribe", id_value(room)));
}

// updateAccount

TEST_F(RoomsTest, UpdateAccountChecksInOrder) {
  TestAccount account = create_account();
  auto connection = logged_in(account, 1);
  const std::string long_text(65, 'a');
  struct Case {
    const char* name;
    json::value data;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"username of 7 units", json::object{{"username", "abcdefg"}}, "Invalid: username"},
      {"username of 65 units", json::object{{"username", long_text}}, "Invalid: username"},
      {"empty username", json::object{{"username", ""}}, "Invalid: username"},
      {"email of 7 units", json::object{{"email", "a@b.com"}}, "Invalid: email"},
      {"email of 65 units", json::object{{"email", long_text.substr(0, 53) + "@example.org"}},
       "Invalid: email"},
      {"email without at", json::object{{"email", "abcdefghijk"}}, "Invalid: email"},
      {"email without top-level domain", json::object{{"email", "someone@example"}},
       "Invalid: email"},
      {"password of 7 units", json::object{{"password", "1234567"}}, "Invalid: password"},
      {"password of 65 units", json::object{{"password", long_text}}, "Invalid: password"},
      {"username before email",
       json::object{{"username", "short"}, {"email", "bad"}, {"password", "bad"}},
       "Invalid: username"},
      {"email before password", json::object{{"email", "bad"}, {"password", "bad"}},
       "Invalid: email"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(connection->call("updateAccount", test.data), 400, test.message);
  }
  // The rejected requests left the account unchanged.
  auto read = connection->call("getAccount", id_value(account.id));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_EQ(read->at("username").as_string(), account.username);
  EXPECT_EQ(read->at("email").as_string(), account.email);
}

TEST_F(RoomsTest, UpdateAccountDuplicate) {
  TestAccount account = create_account();
  TestAccount other = create_account();
  auto connection = logged_in(account, 2);
  EXPECT_PROTOCOL_ERROR(
      connection->call("updateAccount", json::object{{"username", other.username}}), 400,
      "Cannot update account: already exists");
  EXPECT_PROTOCOL_ERROR(connection->call("updateAccount", json::object{{"email", other.email}}),
                        400, "Cannot update account: already exists");
  EXPECT_PROTOCOL_ERROR(
      connection->call("updateAccount",
                       json::object{{"username", unique_name(12)}, {"email", other.email}}),
      400, "Cannot update account: already exists");
  auto read = connection->call("getAccount", id_value(account.id));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_EQ(read->at("username").as_string(), account.username);
  EXPECT_EQ(read->at("email").as_string(), account.email);
}

TEST_F(RoomsTest, UpdateAccountSameValues) {
  TestAccount account = create_account();
  auto connection = logged_in(account);
  auto same = connection->call(
      "updateAccount", json::object{{"username", account.username}, {"email", account.email}});
  ASSERT_PROTOCOL_OK(same);
  EXPECT_EQ(as_id(same->at("id")), account.id);
  EXPECT_EQ(same->at("username").as_string(), account.username);
  EXPECT_EQ(same->at("email").as_string(), account.email);

  // An empty object changes nothing but updatedAt.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto empty = connection->call("updateAccount", json::object{});
  ASSERT_PROTOCOL_OK(empty);
  EXPECT_EQ(as_id(empty->at("id")), account.id);
  EXPECT_EQ(empty->at("username").as_string(), account.username);
  EXPECT_EQ(empty->at("createdAt"), same->at("createdAt"));
  EXPECT_GT(empty->at("updatedAt").as_string(), same->at("updatedAt").as_string());
}

TEST_F(RoomsTest, PasswordChangeThenLogin) {
  TestAccount account = create_account();
  auto connection = logged_in(account);
  const std::string new_password = "new-" + unique_name(12);
  ASSERT_PROTOCOL_OK(connection->call("updateAccount", json::object{{"password", new_password}}));

  auto other_node = connect(1);
  EXPECT_PROTOCOL_ERROR(other_node->call("login", json::object{{"username", account.username},
                                                               {"password", account.password}}),
                        401, "Login failed");
  auto by_new = other_node->call(
      "login", json::object{{"username", account.username}, {"password", new_password}});
  ASSERT_PROTOCOL_OK(by_new);
  EXPECT_EQ(as_id(*by_new), account.id);
}

TEST_F(RoomsTest, RoomShowsOwnerWithNewUsername) {
  TestAccount owner = create_account();
  TestAccount reader = create_account();
  auto [room, name] = create_room(owner);
  const std::string new_username = "renamed-" + unique_name(12);
  auto connection = logged_in(owner);
  auto updated = connection->call("updateAccount", json::object{{"username", new_username}});
  ASSERT_PROTOCOL_OK(updated);
  EXPECT_EQ(updated->at("username").as_string(), new_username);

  auto reader_connection = logged_in(reader, 2);
  auto read = reader_connection->call("getRoom", id_value(room));
  ASSERT_PROTOCOL_OK(read);
  EXPECT_EQ(read->at("owner").as_string(), new_username);
  auto listed = reader_connection->call("listRooms", json::object{{"keyword", name}});
  ASSERT_PROTOCOL_OK(listed);
  ASSERT_EQ(listed->at("roomInfos").as_array().size(), 1u);
  EXPECT_EQ(listed->at("roomInfos").as_array()[0].at("owner").as_string(), new_username);

  // Login follows the new username, and the old one no longer exists.
  auto other_node = connect(1);
  EXPECT_PROTOCOL_ERROR(other_node->call("login", json::object{{"username", owner.username},
                                                               {"password", owner.password}}),
                        401, "Login failed");
  auto by_new = other_node->call(
      "login", json::object{{"username", new_username}, {"password", owner.password}});
  ASSERT_PROTOCOL_OK(by_new);
  EXPECT_EQ(as_id(*by_new), owner.id);
}

}  // namespace
}  // namespace parley::testing
