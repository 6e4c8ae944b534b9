#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <variant>

#include <boost/json.hpp>

#include "common/types.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

constexpr const char* kMissingRoom = "9223372036854775807";

using SortKey = std::variant<std::int64_t, std::string>;
using KeyOf = std::function<SortKey(const json::object&)>;

// A sort field as the client names it, and how the test reads its value
// from a list item.
struct SortField {
  const char* name;
  KeyOf key;
};

// A value of orderBy.direction, and whether it means descending order.
struct Direction {
  const char* label;
  std::optional<std::string> value;
  bool descending;
};

const std::vector<Direction> kDirections = {
    {"ASC", "ASC", false},
    {"DESC", "DESC", true},
    {"lower-case desc", "desc", true},
    {"lower-case asc", "asc", false},
    {"absent direction", std::nullopt, false},
};

// Text fields compare as std::string, which is byte order, the order the
// server must use. Date-times compare as text too, because the format has a fixed
// width up to the seconds and the fraction has no trailing zeros, so text
// order is time order.
KeyOf id_key() {
  return [](const json::object& item) { return SortKey{as_id(item.at("id"))}; };
}

KeyOf text_key(const char* field) {
  return [field](const json::object& item) {
    return SortKey{std::string(item.at(field).as_string())};
  };
}

// Returns the ids of `items` in the order the server must return them when
// sorting by `key`, with ties broken by ascending id in both directions.
std::vector<std::int64_t> expected_order(std::vector<json::object> items, const KeyOf& key,
                                         bool descending) {
  std::stable_sort(items.begin(), items.end(), [](const auto& left, const auto& right) {
    return as_id(left.at("id")) < as_id(right.at("id"));
  });
  std::stable_sort(items.begin(), items.end(), [&](const auto& left, const auto& right) {
    return descending ? key(right) < key(left) : key(left) < key(right);
  });
  std::vector<std::int64_t> ids;
  for (const auto& item : items) ids.push_back(as_id(item.at("id")));
  return ids;
}

std::vector<std::int64_t> ids_of(const json::array& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items) ids.push_back(as_id(item.at("id")));
  return ids;
}

json::object order_by(const char* field, const std::optional<std::string>& direction) {
  json::object order{{"field", field}};
  if (direction) order["direction"] = *direction;
  return order;
}

// A paging request and the slice of the id-ordered list it must return.
struct PageCase {
  std::optional<int> offset;
  std::optional<int> limit;
};

const std::vector<PageCase> kPageCases = {
    {std::nullopt, std::nullopt}, {std::nullopt, 2}, {3, std::nullopt}, {2, 3}, {6, 5}, {7, 5},
    {20, std::nullopt},           {0, 50},
};

std::vector<std::int64_t> slice(const std::vector<std::int64_t>& ids, const PageCase& page) {
  const std::size_t begin = std::min<std::size_t>(ids.size(), page.offset.value_or(0));
  const std::size_t end = std::min<std::size_t>(ids.size(), begin + page.limit.value_or(50));
  return {ids.begin() + static_cast<std::ptrdiff_t>(begin),
          ids.begin() + static_cast<std::ptrdiff_t>(end)};
}

std::string page_label(const PageCase& page) {
  return "offset " + (page.offset ? std::to_string(*page.offset) : std::string("absent")) +
         ", limit " + (page.limit ? std::to_string(*page.limit) : std::string("absent"));
}

// Sort fields that no paged operation accepts. The Java reference server
// (syemessenger) put password_hash and created_at into SQL verbatim, and foo
// is unknown.
const std::vector<const char*> kRejectedFields = {"password_hash", "created_at", "foo"};

class RoomPagingTest : public ProtocolTest {
 protected:
  struct ErrorCase {
    const char* name;
    json::object data;
    int code;
    const char* message;
  };

  void expect_errors(client::Connection& connection, const char* operation,
                     const std::vector<ErrorCase>& cases) {
    for (const auto& test : cases) {
      SCOPED_TRACE(std::string(operation) + ": " + test.name);
      EXPECT_PROTOCOL_ERROR(connection.call(operation, test.data), test.code, test.message);
    }
  }

  // Checks that every field outside `accepted_fields`, and a direction
  // other than ASC or DESC, are rejected. `base` is a request that succeeds.
  void expect_order_by_rejected(client::Connection& connection, const char* operation,
                                const json::object& base, const char* other_kind_field,
                                const char* accepted_field) {
    std::vector<const char*> fields = kRejectedFields;
    fields.push_back(other_kind_field);
    for (const char* field : fields) {
      SCOPED_TRACE(std::string(operation) + " ordered by " + field);
      json::object request = base;
      request["orderBy"] = order_by(field, "ASC");
      EXPECT_PROTOCOL_ERROR(connection.call(operation, request), 400,
                            "Missing or invalid: orderBy");
    }
    SCOPED_TRACE(std::string(operation) + " with direction sideways");
    json::object request = base;
    request["orderBy"] = order_by(accepted_field, "sideways");
    EXPECT_PROTOCOL_ERROR(connection.call(operation, request), 400, "Missing or invalid: orderBy");
  }

  // Returns the list field of a paged reply after checking totalCount.
  json::array fetch(client::Connection& connection, const char* operation,
                    const json::object& request, const char* list_field,
                    std::size_t expected_total) {
    auto reply = connection.call(operation, request);
    if (!reply.ok()) {
      ADD_FAILURE() << operation << " " << json::serialize(request) << ": " << reply.error().code
                    << " " << reply.error().message;
      return {};
    }
    EXPECT_EQ(reply->at("totalCount"), json::value(std::to_string(expected_total)))
        << json::serialize(request);
    return reply->at(list_field).as_array();
  }

  // Checks every field in `fields` in every direction, plus the default
  // order and a direction without a field, against `items`.
  void expect_sorted(client::Connection& connection, const char* operation,
                     const json::object& base, const char* list_field,
                     const std::vector<json::object>& items, const std::vector<SortField>& fields) {
    for (const auto& field : fields) {
      for (const auto& direction : kDirections) {
        SCOPED_TRACE(std::string(operation) + " ordered by " + field.name + ", " + direction.label);
        json::object request = base;
        request["orderBy"] = order_by(field.name, direction.value);
        auto page = fetch(connection, operation, request, list_field, items.size());
        EXPECT_EQ(ids_of(page), expected_order(items, field.key, direction.descending));
      }
    }
    SCOPED_TRACE(std::string(operation) + " without orderBy");
    EXPECT_EQ(ids_of(fetch(connection, operation, base, list_field, items.size())),
              expected_order(items, id_key(), false));
    SCOPED_TRACE(std::string(operation) + " with DESC and no field");
    json::object request = base;
    request["orderBy"] = json::object{{"direction", "DESC"}};
    EXPECT_EQ(ids_of(fetch(connection, operation, request, list_field, items.size())),
              expected_order(items, id_key(), true));
  }

  void expect_pages(client::Connection& connection, const char* operation, const json::object& base,
                    const char* list_field, const std::vector<std::int64_t>& ids) {
    for (const auto& page : kPageCases) {
      SCOPED_TRACE(std::string(operation) + ", " + page_label(page));
      json::object request = base;
      if (page.offset) request["offset"] = *page.offset;
      if (page.limit) request["limit"] = std::to_string(*page.limit);
      EXPECT_EQ(ids_of(fetch(connection, operation, request, list_field, ids.size())),
                slice(ids, page));
    }
  }

  // Reads every item of a paged operation in id order.
  std::vector<json::object> all_items(client::Connection& connection, const char* operation,
                                      const json::object& base, const char* list_field) {
    std::vector<json::object> items;
    for (int offset = 0;; offset += 50) {
      json::object request = base;
      request["offset"] = offset;
      auto reply = connection.call(operation, request);
      if (!reply.ok()) {
        ADD_FAILURE() << operation << ": " << reply.error().message;
        return items;
      }
      const auto& page = reply->at(list_field).as_array();
      for (const auto& item : page) items.push_back(item.as_object());
      if (page.size() < 50) return items;
    }
  }

  // The rooms of one sort test: three owners, so that owner order differs
  // from id order, and names and descriptions whose byte order differs
  // from dictionary order. `member` owns some rooms and joins the others.
  struct RoomSet {
    std::string prefix;
    TestAccount member;
    std::map<RoomId, AccountId> owner_of;
  };

  RoomSet make_room_set() {
    RoomSet set;
    set.prefix = unique_name(10);
    set.member = create_account();
    TestAccount second = create_account();
    TestAccount third = create_account(1);

    struct Spec {
      const TestAccount* owner;
      const char* suffix;
      const char* description;
    };
    const std::vector<Spec> specs = {
        {&set.member, "Zeta", "same description"},
        {&second, "Alpha", "alpha words"},
        {&third, "\xC3\xA9mile", "\xC3\xA9t\xC3\xA9 words"},
        {&set.member, "alpha", "Beta words"},
        {&second, "0digit", "Zulu words"},
        {&third, "beta", "_under words"},
        {&set.member, "_under", "same description"},
    };

    for (const auto& spec : specs) {
      json::object info =
          create_room_with(*spec.owner, set.prefix + spec.suffix, std::string(spec.description),
                           set.owner_of.size() % cluster().size());
      if (info.empty()) return set;
      const RoomId id = as_id(info.at("id"));
      set.owner_of[id] = spec.owner->id;
      if (spec.owner != &set.member)
        join_room(set.member, std::string(info.at("name").as_string()));
    }

    // Change the first room after the others exist, so that updatedAt order
    // differs from createdAt order.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto owner_connection = logged_in(set.member);
    EXPECT_TRUE(owner_connection
                    ->call("updateRoom", json::object{{"roomId", set.owner_of.begin()->first},
                                                      {"description", "same description"}})
                    .ok());
    return set;
  }

  std::vector<SortField> room_fields(const RoomSet& set) {
    auto owners = set.owner_of;
    return {
        {"id", id_key()},
        {"name", text_key("name")},
        {"description", text_key("description")},
        {"createdAt", text_key("createdAt")},
        {"updatedAt", text_key("updatedAt")},
        // The owner field sorts by the owner's account id, not the username.
        {"owner",
         [owners](const json::object& item) { return SortKey{owners.at(as_id(item.at("id")))}; }},
    };
  }

  // Accounts of one member-list test, with usernames and emails whose byte
  // order differs from dictionary order and from each other.
  std::vector<TestAccount> make_accounts() {
    const std::string prefix = unique_name(8);
    const std::vector<std::pair<const char*, const char*>> specs = {
        {"Zed", "a"}, {"alice", "Z"}, {"Alice", "_"}, {"_bob", "0"}, {"0day", "b"},
    };
    std::vector<TestAccount> accounts;
    for (const auto& [username, email] : specs) {
      accounts.push_back(create_account_named(prefix + username,
                                              std::string(email) + "." + prefix + "@example.org",
                                              accounts.size() % cluster().size()));
    }
    // Update the first account after the others exist, so that updatedAt
    // order differs from createdAt order.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(logged_in(accounts[0])->call("updateAccount", json::object{}).ok());
    return accounts;
  }

  static std::vector<SortField> account_fields() {
    return {
        {"id", id_key()},
        {"username", text_key("username")},
        {"email", text_key("email")},
        {"createdAt", text_key("createdAt")},
        {"updatedAt", text_key("updatedAt")},
    };
  }
};

// Checks of each operation, in its own order.

TEST_F(RoomPagingTest, GetRoomsChecks) {
  TestAccount account = create_account();
  auto connection = logged_in(account);
  expect_errors(*connection, "getRooms",
                {
                    {"negative offset", {{"offset", -50}}, 400, "Missing or invalid: offset"},
                    {"offset -1", {{"offset", "-1"}}, 400, "Missing or invalid: offset"},
                    {"offset before limit",
                     {{"offset", -1}, {"limit", 60}},
                     400,
                     "Missing or invalid: offset"},
                    {"negative limit", {{"limit", -50}}, 400, "Missing or invalid: limit"},
                    {"limit 0", {{"limit", 0}}, 400, "Missing or invalid: limit"},
                    {"limit 51", {{"limit", 51}}, 400, "Missing or invalid: limit"},
                    {"limit 60", {{"limit", "60"}}, 400, "Missing or invalid: limit"},
                });
  ASSERT_PROTOCOL_OK(connection->call("getRooms", json::object{{"limit", 50}}));
  ASSERT_PROTOCOL_OK(connection->call("getRooms", json::object{{"offset", 0}, {"limit", "1"}}));
  expect_order_by_rejected(*connection, "getRooms", {}, "username", "name");
}

TEST_F(RoomPagingTest, ListRoomsChecks) {
  TestAccount account = create_account();
  auto connection = logged_in(account, 1);
  expect_errors(*connection, "listRooms",
                {
                    {"negative offset", {{"offset", -50}}, 400, "Missing or invalid: offset"},
                    {"offset before limit",
                     {{"offset", -1}, {"limit", 0}},
                     400,
                     "Missing or invalid: offset"},
                    {"negative limit", {{"limit", -50}}, 400, "Missing or invalid: limit"},
                    {"limit 0", {{"limit", 0}}, 400, "Missing or invalid: limit"},
                    {"limit 51", {{"limit", 51}}, 400, "Missing or invalid: limit"},
                    {"limit 60", {{"limit", 60}}, 400, "Missing or invalid: limit"},
                });
  ASSERT_PROTOCOL_OK(connection->call("listRooms", json::object{{"limit", 50}}));
  const json::object base{{"keyword", unique_name(12)}};
  expect_order_by_rejected(*connection, "listRooms", base, "email", "name");
  expect_order_by_rejected(*connection, "listRooms", {}, "email", "name");
}

TEST_F(RoomPagingTest, GetRoomMembersChecksRoomIdFirst) {
  TestAccount owner = create_account();
  TestAccount outsider = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner, 2);
  expect_errors(
      *connection, "getRoomMembers",
      {
          {"empty object", {}, 400, "Missing or invalid: roomId"},
          {"room id before offset", {{"offset", -1}}, 400, "Missing or invalid: roomId"},
          {"room id before limit", {{"limit", 60}}, 400, "Missing or invalid: roomId"},
          {"negative offset",
           {{"roomId", kMissingRoom}, {"offset", -50}},
           400,
           "Missing or invalid: offset"},
          {"offset before limit",
           {{"roomId", kMissingRoom}, {"offset", -1}, {"limit", 0}},
           400,
           "Missing or invalid: offset"},
          {"negative limit",
           {{"roomId", kMissingRoom}, {"limit", -50}},
           400,
           "Missing or invalid: limit"},
          {"limit 0", {{"roomId", kMissingRoom}, {"limit", 0}}, 400, "Missing or invalid: limit"},
          {"limit 51", {{"roomId", kMissingRoom}, {"limit", 51}}, 400, "Missing or invalid: limit"},
          {"limit 60", {{"roomId", kMissingRoom}, {"limit", 60}}, 400, "Missing or invalid: limit"},
          // getRoomMembers has no 404, so an unknown room is one without members.
          {"unknown room", {{"roomId", kMissingRoom}}, 403, "Not a room member"},
          {"unknown room with limit 50",
           {{"roomId", kMissingRoom}, {"limit", 50}},
           403,
           "Not a room member"},
      });

  EXPECT_PROTOCOL_ERROR(
      logged_in(outsider, 1)->call("getRoomMembers", json::object{{"roomId", room}}), 403,
      "Not a room member");

  const json::object base{{"roomId", std::to_string(room)}};
  auto page = connection->call("getRoomMembers", json::object{{"roomId", room}, {"limit", 50}});
  ASSERT_PROTOCOL_OK(page);
  EXPECT_EQ(page->at("totalCount"), json::value("1"));
  expect_order_by_rejected(*connection, "getRoomMembers", base, "name", "username");
}

TEST_F(RoomPagingTest, GetBlockedMembersChecksPagingFirst) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto connection = logged_in(owner, 1);
  expect_errors(
      *connection, "getBlockedMembers",
      {
          {"offset before room id", {{"offset", -50}}, 400, "Missing or invalid: offset"},
          {"offset before unknown room",
           {{"roomId", kMissingRoom}, {"offset", -1}},
           400,
           "Missing or invalid: offset"},
          {"offset before limit",
           {{"offset", -1}, {"limit", 60}},
           400,
           "Missing or invalid: offset"},
          {"negative limit before room id", {{"limit", -50}}, 400, "Missing or invalid: limit"},
          {"limit 0 before room id", {{"limit", 0}}, 400, "Missing or invalid: limit"},
          {"limit 51 before room id", {{"limit", 51}}, 400, "Missing or invalid: limit"},
          {"limit 60 with unknown room",
           {{"roomId", kMissingRoom}, {"limit", 60}},
           400,
           "Missing or invalid: limit"},
          {"empty object", {}, 400, "Missing or invalid: roomId"},
          {"valid paging without room id",
           {{"offset", 0}, {"limit", 50}},
           400,
           "Missing or invalid: roomId"},
          {"unknown room", {{"roomId", kMissingRoom}}, 404, "Room not found"},
      });

  EXPECT_PROTOCOL_ERROR(
      logged_in(member, 2)->call("getBlockedMembers", json::object{{"roomId", room}}), 403,
      "Not room owner");

  const json::object base{{"roomId", std::to_string(room)}};
  auto page = connection->call("getBlockedMembers", json::object{{"roomId", room}, {"limit", 50}});
  ASSERT_PROTOCOL_OK(page);
  EXPECT_EQ(page->at("totalCount"), json::value("0"));
  EXPECT_TRUE(page->at("accountInfos").as_array().empty());
  expect_order_by_rejected(*connection, "getBlockedMembers", base, "name", "username");
}

// Sorting and paging.

TEST_F(RoomPagingTest, GetRoomsSortsAndPages) {
  RoomSet set = make_room_set();
  ASSERT_EQ(set.owner_of.size(), 7u);
  auto connection = logged_in(set.member, 2);
  auto items = all_items(*connection, "getRooms", {}, "roomInfos");
  std::set<RoomId> listed;
  for (const auto& item : items) listed.insert(as_id(item.at("id")));
  std::set<RoomId> expected;
  for (const auto& [id, owner] : set.owner_of) expected.insert(id);
  ASSERT_EQ(listed, expected);

  expect_sorted(*connection, "getRooms", {}, "roomInfos", items, room_fields(set));
  expect_pages(*connection, "getRooms", {}, "roomInfos", expected_order(items, id_key(), false));
}

TEST_F(RoomPagingTest, ListRoomsSortsAndPages) {
  RoomSet set = make_room_set();
  ASSERT_EQ(set.owner_of.size(), 7u);
  TestAccount reader = create_account();
  auto connection = logged_in(reader, 1);
  // Only the rooms of this test contain the random prefix.
  const json::object base{{"keyword", set.prefix}};
  auto items = all_items(*connection, "listRooms", base, "roomInfos");
  std::set<RoomId> listed;
  for (const auto& item : items) listed.insert(as_id(item.at("id")));
  std::set<RoomId> expected;
  for (const auto& [id, owner] : set.owner_of) expected.insert(id);
  ASSERT_EQ(listed, expected);

  expect_sorted(*connection, "listRooms", base, "roomInfos", items, room_fields(set));
  expect_pages(*connection, "listRooms", base, "roomInfos", expected_order(items, id_key(), false));

  // Paging applies to the sorted list.
  json::object request = base;
  request["orderBy"] = order_by("name", "DESC");
  request["offset"] = 2;
  request["limit"] = 3;
  const auto by_name = expected_order(items, text_key("name"), true);
  EXPECT_EQ(ids_of(fetch(*connection, "listRooms", request, "roomInfos", items.size())),
            slice(by_name, {2, 3}));
}

TEST_F(RoomPagingTest, ListRoomsKeywordMatchesLiterally) {
  TestAccount owner = create_account();
  const std::string prefix = unique_name(10);
  const std::vector<std::pair<std::string, std::string>> specs = {
      {prefix + "-Alpha", "first room"},
      {prefix + "-alpha", "second room"},
      {prefix + "-100%", "percent room"},
      {prefix + "-1000", "digits room"},
      {prefix + "-a_b", "underscore room"},
      {prefix + "-axb", "letter room"},
      {prefix + "-c\\d", "backslash room"},
      {prefix + "-cd", "plain room"},
      // Matches through its description only.
      {"other-" + unique_name(12), "about " + prefix + "-Alpha here"},
  };
  std::vector<RoomId> rooms;
  for (const auto& [name, description] : specs) {
    json::object info = create_room_with(owner, name, description, rooms.size() % cluster().size());
    ASSERT_FALSE(info.empty());
    rooms.push_back(as_id(info.at("id")));
  }

  struct Case {
    std::string keyword;
    std::vector<std::size_t> matches;  // indexes into `specs`
  };
  const std::vector<Case> cases = {
      {prefix, {0, 1, 2, 3, 4, 5, 6, 7, 8}},
      {prefix + "-Alpha", {0, 8}},
      {prefix + "-alpha", {1}},
      {prefix + "-ALPHA", {}},
      {prefix + "-100%", {2}},
      {prefix + "-a_b", {4}},
      {prefix + "-c\\d", {6}},
      {prefix + "\\", {}},
      {"%" + prefix, {}},
      {"_" + prefix, {}},
      {"about " + prefix, {8}},
      {"room " + prefix, {}},
  };
  TestAccount reader = create_account();
  auto connection = logged_in(reader, 2);
  for (const auto& test : cases) {
    SCOPED_TRACE("keyword " + test.keyword);
    std::vector<std::int64_t> expected;
    for (std::size_t index : test.matches) expected.push_back(rooms[index]);
    auto page = fetch(*connection, "listRooms", json::object{{"keyword", test.keyword}},
                      "roomInfos", expected.size());
    EXPECT_EQ(ids_of(page), expected);
  }

  // An empty keyword matches every room, this test's rooms included.
  auto all = connection->call("listRooms", json::object{{"keyword", ""}});
  ASSERT_PROTOCOL_OK(all);
  EXPECT_GE(as_id(all->at("totalCount")), static_cast<std::int64_t>(rooms.size()));
}

TEST_F(RoomPagingTest, GetRoomMembersSortsAndPages) {
  TestAccount owner = create_account();
  auto accounts = make_accounts();
  auto [room, name] = create_room(owner);
  for (const auto& account : accounts) join_room(account, name, 1);
  auto connection = logged_in(owner, 2);
  const json::object base{{"roomId", std::to_string(room)}};
  auto items = all_items(*connection, "getRoomMembers", base, "accountInfos");
  std::set<AccountId> listed;
  for (const auto& item : items) listed.insert(as_id(item.at("id")));
  std::set<AccountId> expected{owner.id};
  for (const auto& account : accounts) expected.insert(account.id);
  ASSERT_EQ(listed, expected);

  expect_sorted(*connection, "getRoomMembers", base, "accountInfos", items, account_fields());
  expect_pages(*connection, "getRoomMembers", base, "accountInfos",
               expected_order(items, id_key(), false));
  // Members see the list too, not only the owner.
  EXPECT_EQ(
      ids_of(fetch(*logged_in(accounts[1]), "getRoomMembers", base, "accountInfos", items.size())),
      expected_order(items, id_key(), false));
}

TEST_F(RoomPagingTest, GetBlockedMembersSortsAndPages) {
  TestAccount owner = create_account();
  auto accounts = make_accounts();
  auto [room, name] = create_room(owner);
  // Two members join before the block and the others are blocked
  // pre-emptively, so the list holds both kinds.
  join_room(accounts[0], name);
  join_room(accounts[3], name);
  json::array ids;
  for (const auto& account : accounts) ids.push_back(json::value(std::to_string(account.id)));
  auto connection = logged_in(owner, 1);
  ASSERT_PROTOCOL_OK(
      connection->call("blockRoomMembers", json::object{{"roomId", room}, {"memberIds", ids}}));

  const json::object base{{"roomId", std::to_string(room)}};
  auto items = all_items(*connection, "getBlockedMembers", base, "accountInfos");
  std::set<AccountId> listed;
  for (const auto& item : items) listed.insert(as_id(item.at("id")));
  std::set<AccountId> expected;
  for (const auto& account : accounts) expected.insert(account.id);
  ASSERT_EQ(listed, expected);

  expect_sorted(*connection, "getBlockedMembers", base, "accountInfos", items, account_fields());
  expect_pages(*connection, "getBlockedMembers", base, "accountInfos",
               expected_order(items, id_key(), false));
}

}  // namespace
}  // namespace parley::testing
