#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <thread>
#include <variant>

#include <boost/json.hpp>

#include "common/types.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::minutes;

constexpr const char* kMissingRoom = "9223372036854775807";

// Reads a protocol date-time ("2025-03-10T12:00:00" with an optional
// fraction of 1 to 9 digits) as a UTC instant, dropping digits beyond
// milliseconds.
std::optional<Timestamp> parse_timestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    return std::nullopt;
  }
  int millisecond = 0;
  if (static_cast<std::size_t>(consumed) < copy.size()) {
    if (copy[static_cast<std::size_t>(consumed)] != '.') return std::nullopt;
    std::string digits = copy.substr(static_cast<std::size_t>(consumed) + 1);
    digits.resize(3, '0');
    millisecond = std::stoi(digits.substr(0, 3));
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  return Timestamp{std::chrono::sys_days{date}.time_since_epoch() + std::chrono::hours{hour} +
                   minutes{minute} + std::chrono::seconds{second} +
                   std::chrono::milliseconds{millisecond}};
}

// Formats `utc` shifted by `offset` as a local date-time with milliseconds,
// the form listMessages reads for from and to.
std::string format_local(Timestamp utc, minutes offset) {
  const auto local = utc + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{local - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03d", int{date.year()},
                unsigned{date.month()}, unsigned{date.day()},
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return text;
}

// UTC offset of America/Los_Angeles at `utc`. The test computes it from the
// US daylight saving rule in force since 2007 (second Sunday of March, 2:00
// local, to first Sunday of November, 2:00 local) instead of the system
// time zone database, which the server itself reads.
// NOTE: wrong for instants before 2007 and after any future change of the
// rule; the tests only use the time around the test run.
minutes los_angeles_offset(Timestamp utc) {
  using namespace std::chrono;
  const year this_year = year_month_day{floor<days>(utc)}.year();
  const sys_days dst_start_day{this_year / March / Sunday[2]};
  const sys_days dst_end_day{this_year / November / Sunday[1]};
  // 2:00 PST is 10:00 UTC, and 2:00 PDT is 9:00 UTC.
  const auto dst_start = dst_start_day + 10h;
  const auto dst_end = dst_end_day + 9h;
  return utc >= dst_start && utc < dst_end ? minutes{-7 * 60} : minutes{-8 * 60};
}

// A time zone as listMessages accepts it, and its UTC offset at an instant.
struct Zone {
  const char* name;
  std::function<minutes(Timestamp)> offset;
};

const std::vector<Zone> kZones = {
    {"UTC", [](Timestamp) { return minutes{0}; }},
    {"America/Los_Angeles", los_angeles_offset},
    {"Asia/Tokyo", [](Timestamp) { return minutes{9 * 60}; }},  // no daylight saving since 1951
    {"+05:30", [](Timestamp) { return minutes{5 * 60 + 30}; }},
};

std::string local_time(const Zone& zone, Timestamp utc) {
  return format_local(utc, zone.offset(utc));
}

// Texts of the messages of one history test, sent in this order. They mix
// letter case, LIKE wildcards and a backslash.
const std::vector<std::string> kTexts = {
    "Hello World",    "hello there",    "100% sure",      "1000 reasons",
    "a_b test",       "axb test",       "path c\\d here", "path cd here",
    "duplicate text", "duplicate text", "ZEBRA crossing",
};

using SortKey = std::variant<std::int64_t, std::string>;
using KeyOf = std::function<SortKey(const json::object&)>;

std::vector<std::int64_t> ids_of(const json::array& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items) ids.push_back(as_id(item.at("id")));
  return ids;
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

class ListMessagesWindowTest : public ProtocolTest {
 protected:
  // A room with the messages of kTexts, sent alternately by its owner and a
  // member through `send`, and stored in history.
  struct History {
    TestAccount owner, member;
    RoomId room = 0;
    std::unique_ptr<client::Connection> reader;
    std::vector<json::object> messages;  // as listMessages returns them, in id order
    Timestamp earliest{}, latest{};
  };

  void make_history(History& history) {
    history.owner = create_account();
    history.member = create_account();
    std::string name;
    std::tie(history.room, name) = create_room(history.owner);
    join_room(history.member, name, 1);
    auto owner_connection = logged_in(history.owner, 0);
    auto member_connection = logged_in(history.member, 1);
    ASSERT_PROTOCOL_OK(owner_connection->call("subscribe", json::value(history.room)));
    for (std::size_t i = 0; i < kTexts.size(); ++i) {
      auto& sender = i % 2 == 0 ? owner_connection : member_connection;
      ASSERT_PROTOCOL_OK(
          sender->call("send", json::object{{"roomId", history.room}, {"message", kTexts[i]}}));
    }
    std::vector<json::object> pushes;
    for (std::size_t i = 0; i < kTexts.size(); ++i) {
      auto push = owner_connection->next_push(kPushTimeout);
      ASSERT_TRUE(push.has_value()) << "received " << i << " of " << kTexts.size() << " pushes";
      pushes.push_back(*push);
    }

    history.reader = logged_in(history.owner, 2);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (history.messages.size() < kTexts.size() && std::chrono::steady_clock::now() < deadline) {
      auto page = history.reader->call("listMessages", json::object{{"roomId", history.room}});
      ASSERT_PROTOCOL_OK(page);
      history.messages.clear();
      for (const auto& item : page->at("messages").as_array()) {
        history.messages.push_back(item.as_object());
      }
      if (history.messages.size() < kTexts.size()) std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(history.messages.size(), kTexts.size());
    for (std::size_t i = 0; i < kTexts.size(); ++i) {
      SCOPED_TRACE("message " + std::to_string(i));
      EXPECT_EQ(history.messages[i].at("message").as_string(), kTexts[i]);
      EXPECT_EQ(history.messages[i].at("id"), pushes[i].at("id"));
      EXPECT_EQ(history.messages[i].at("timestamp"), pushes[i].at("timestamp"));
    }

    // The window tests use the push timestamps, which are UTC.
    std::vector<Timestamp> times;
    for (const auto& push : pushes) {
      auto time = parse_timestamp(push.at("timestamp").as_string());
      ASSERT_TRUE(time.has_value()) << push.at("timestamp");
      times.push_back(*time);
    }
    history.earliest = *std::min_element(times.begin(), times.end());
    history.latest = *std::max_element(times.begin(), times.end());
  }

  std::vector<std::int64_t> ids_at(const History& history,
                                   const std::vector<std::size_t>& indexes) {
    std::vector<std::int64_t> ids;
    for (std::size_t index : indexes) ids.push_back(as_id(history.messages[index].at("id")));
    return ids;
  }

  // Returns the ids that listMessages returns for `request` (roomId added),
  // after checking that totalCount equals the number of ids.
  std::vector<std::int64_t> listed(History& history, json::object request) {
    request["roomId"] = std::to_string(history.room);
    auto reply = history.reader->call("listMessages", request);
    if (!reply.ok()) {
      ADD_FAILURE() << json::serialize(request) << ": " << reply.error().code << " "
                    << reply.error().message;
      return {};
    }
    auto ids = ids_of(reply->at("messages").as_array());
    EXPECT_EQ(as_id(reply->at("totalCount")), static_cast<std::int64_t>(ids.size()))
        << json::serialize(request);
    return ids;
  }
};

TEST_F(ListMessagesWindowTest, WindowAndKeywordChecks) {
  TestAccount owner = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner, 1);
  const std::string earlier = "2025-03-05T10:00:00";
  const std::string later = "2025-03-06T10:00:00";
  struct Case {
    const char* name;
    json::object data;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"from later than to",
       {{"roomId", kMissingRoom}, {"from", later}, {"to", earlier}},
       "Missing or invalid: 'from' later than 'to'"},
      {"from later than to with a time zone",
       {{"roomId", kMissingRoom}, {"from", later}, {"to", earlier}, {"timezone", "UTC"}},
       "Missing or invalid: 'from' later than 'to'"},
      {"from without time zone",
       {{"roomId", kMissingRoom}, {"from", earlier}},
       "Missing or invalid: timezone"},
      {"to without time zone",
       {{"roomId", kMissingRoom}, {"to", later}},
       "Missing or invalid: timezone"},
      {"both without time zone",
       {{"roomId", kMissingRoom}, {"from", earlier}, {"to", later}},
       "Missing or invalid: timezone"},
      {"time zone before keyword",
       {{"roomId", kMissingRoom}, {"from", earlier}, {"keyword", "ab"}},
       "Missing or invalid: timezone"},
      {"keyword of 2 units",
       {{"roomId", kMissingRoom}, {"keyword", "ab"}},
       "Missing or invalid: keyword"},
      {"keyword of 65 units",
       {{"roomId", kMissingRoom}, {"keyword", std::string(65, 'k')}},
       "Missing or invalid: keyword"},
      {"empty keyword", {{"roomId", kMissingRoom}, {"keyword", ""}}, "Missing or invalid: keyword"},
      {"keyword before unknown time zone",
       {{"roomId", kMissingRoom}, {"keyword", "ab"}, {"timezone", "Mars/Olympus_Mons"}},
       "Missing or invalid: keyword"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_PROTOCOL_ERROR(connection->call("listMessages", test.data), 400, test.message);
  }

  // Equal bounds are allowed, and a keyword of 3 or 64 units is valid.
  const std::string room_text = std::to_string(room);
  for (const auto& data :
       {json::object{
            {"roomId", room_text}, {"from", earlier}, {"to", earlier}, {"timezone", "UTC"}},
        json::object{{"roomId", room_text}, {"keyword", "abc"}},
        json::object{{"roomId", room_text}, {"keyword", std::string(64, 'k')}}}) {
    SCOPED_TRACE(json::serialize(data));
    auto reply = connection->call("listMessages", data);
    ASSERT_PROTOCOL_OK(reply);
    EXPECT_EQ(reply->at("totalCount"), json::value("0"));
  }

  // An unknown time zone is rejected with and without from and to.
  for (const char* zone : {"Mars/Olympus_Mons", "Not a zone", "+25:00"}) {
    SCOPED_TRACE(zone);
    EXPECT_PROTOCOL_ERROR(
        connection->call("listMessages", json::object{{"roomId", room_text}, {"timezone", zone}}),
        400, "Missing or invalid: timezone");
    EXPECT_PROTOCOL_ERROR(connection->call("listMessages", json::object{{"roomId", room_text},
                                                                        {"from", earlier},
                                                                        {"to", later},
                                                                        {"timezone", zone}}),
                          400, "Missing or invalid: timezone");
  }
}

TEST_F(ListMessagesWindowTest, KeywordIgnoresCaseAndMatchesLiterally) {
  History history;
  make_history(history);
  ASSERT_FALSE(HasFatalFailure());
  struct Case {
    std::string keyword;
    std::vector<std::size_t> matches;  // indexes into kTexts
  };
  const std::vector<Case> cases = {
      {"hello", {0, 1}},
      {"HELLO", {0, 1}},
      {"wOrLd", {0}},
      {"zebra", {10}},
      {"tes", {4, 5}},
      {"100%", {2}},
      {"%%%", {}},
      {"a_b", {4}},
      {"___", {}},
      {"c\\d", {6}},
      {"ere\\", {}},
      {"duplicate text", {8, 9}},
      {std::string(64, 'x'), {}},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE("keyword " + test.keyword);
    EXPECT_EQ(listed(history, json::object{{"keyword", test.keyword}}),
              ids_at(history, test.matches));
  }
}

TEST_F(ListMessagesWindowTest, WindowInEveryZoneIncludesMessages) {
  History history;
  make_history(history);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<std::size_t> all(kTexts.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto every_id = ids_at(history, all);
  const Timestamp before = history.earliest - 1min;
  const Timestamp after = history.latest + 1min;
  const Timestamp long_before = history.earliest - 2h;

  // Messages stored with the earliest timestamp: an exact window of that
  // millisecond must return them, because both bounds are inclusive.
  std::vector<std::size_t> earliest_indexes;
  for (std::size_t i = 0; i < history.messages.size(); ++i) {
    if (parse_timestamp(history.messages[i].at("timestamp").as_string()) == history.earliest) {
      earliest_indexes.push_back(i);
    }
  }
  ASSERT_FALSE(earliest_indexes.empty());

  for (const auto& zone : kZones) {
    SCOPED_TRACE(zone.name);
    EXPECT_EQ(listed(history, {{"from", local_time(zone, before)},
                               {"to", local_time(zone, after)},
                               {"timezone", zone.name}}),
              every_id);
    EXPECT_EQ(listed(history, {{"from", local_time(zone, before)}, {"timezone", zone.name}}),
              every_id);
    EXPECT_EQ(listed(history, {{"to", local_time(zone, after)}, {"timezone", zone.name}}),
              every_id);
    EXPECT_TRUE(listed(history, {{"from", local_time(zone, long_before)},
                                 {"to", local_time(zone, before)},
                                 {"timezone", zone.name}})
                    .empty());
    EXPECT_TRUE(
        listed(history, {{"to", local_time(zone, before)}, {"timezone", zone.name}}).empty());
    EXPECT_TRUE(
        listed(history, {{"from", local_time(zone, after)}, {"timezone", zone.name}}).empty());
    EXPECT_EQ(listed(history, {{"from", local_time(zone, history.earliest)},
                               {"to", local_time(zone, history.earliest)},
                               {"timezone", zone.name}}),
              ids_at(history, earliest_indexes));
    // A time zone without from and to does not filter.
    EXPECT_EQ(listed(history, {{"timezone", zone.name}}), every_id);
  }

  // A window combines with a keyword.
  EXPECT_EQ(listed(history, {{"from", local_time(kZones[1], before)},
                             {"to", local_time(kZones[1], after)},
                             {"timezone", kZones[1].name},
                             {"keyword", "HELLO"}}),
            ids_at(history, {0, 1}));
}

TEST_F(ListMessagesWindowTest, SortsByEveryField) {
  History history;
  make_history(history);
  ASSERT_FALSE(HasFatalFailure());
  const std::vector<std::pair<const char*, KeyOf>> fields = {
      {"id", [](const json::object& item) { return SortKey{as_id(item.at("id"))}; }},
      {"senderId", [](const json::object& item) { return SortKey{as_id(item.at("senderId"))}; }},
      {"roomId", [](const json::object& item) { return SortKey{as_id(item.at("roomId"))}; }},
      // Byte order, so "ZEBRA crossing" sorts before "a_b test".
      {"message",
       [](const json::object& item) {
         return SortKey{std::string(item.at("message").as_string())};
       }},
      {"timestamp",
       [](const json::object& item) {
         return SortKey{
             parse_timestamp(item.at("timestamp").as_string())->time_since_epoch().count()};
       }},
  };
  const std::vector<std::pair<std::optional<std::string>, bool>> directions = {
      {"ASC", false}, {"DESC", true}, {"desc", true}, {"Asc", false}, {std::nullopt, false},
  };
  for (const auto& [field, key] : fields) {
    for (const auto& [direction, descending] : directions) {
      SCOPED_TRACE(std::string(field) + " " + direction.value_or("(no direction)"));
      json::object order{{"field", field}};
      if (direction) order["direction"] = *direction;
      EXPECT_EQ(listed(history, {{"orderBy", order}}),
                expected_order(history.messages, key, descending));
    }
  }
  EXPECT_EQ(listed(history, {{"orderBy", {{"direction", "DESC"}}}}),
            expected_order(history.messages, fields[0].second, true));

  for (const char* field : {"password_hash", "sender_id", "created_at", "foo", "name"}) {
    SCOPED_TRACE(field);
    EXPECT_PROTOCOL_ERROR(
        history.reader->call("listMessages", json::object{{"roomId", history.room},
                                                          {"orderBy", {{"field", field}}}}),
        400, "Missing or invalid: orderBy");
  }
  EXPECT_PROTOCOL_ERROR(
      history.reader->call(
          "listMessages",
          json::object{{"roomId", history.room},
                       {"orderBy", {{"field", "message"}, {"direction", "sideways"}}}}),
      400, "Missing or invalid: orderBy");
}

TEST_F(ListMessagesWindowTest, PagesKeepTotalCount) {
  History history;
  make_history(history);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<std::int64_t> every_id;
  for (const auto& message : history.messages) every_id.push_back(as_id(message.at("id")));
  const auto total = static_cast<std::int64_t>(every_id.size());

  struct Case {
    std::optional<int> offset, limit;
  };
  const std::vector<Case> cases = {
      {std::nullopt, std::nullopt}, {std::nullopt, 4}, {5, std::nullopt}, {3, 4}, {9, 5}, {11, 5},
      {30, std::nullopt},           {0, 50},
  };
  for (const auto& page : cases) {
    SCOPED_TRACE("offset " + std::to_string(page.offset.value_or(-1)) + ", limit " +
                 std::to_string(page.limit.value_or(-1)));
    json::object request{{"roomId", std::to_string(history.room)}};
    if (page.offset) request["offset"] = *page.offset;
    if (page.limit) request["limit"] = std::to_string(*page.limit);
    auto reply = history.reader->call("listMessages", request);
    ASSERT_PROTOCOL_OK(reply);
    EXPECT_EQ(as_id(reply->at("totalCount")), total);
    const std::size_t begin = std::min<std::size_t>(every_id.size(), page.offset.value_or(0));
    const std::size_t end = std::min<std::size_t>(every_id.size(), begin + page.limit.value_or(50));
    const std::vector<std::int64_t> expected(every_id.begin() + static_cast<std::ptrdiff_t>(begin),
                                             every_id.begin() + static_cast<std::ptrdiff_t>(end));
    EXPECT_EQ(ids_of(reply->at("messages").as_array()), expected);
  }

  // Paging applies after the keyword filter, and totalCount counts matches.
  auto filtered = history.reader->call(
      "listMessages",
      json::object{{"roomId", history.room}, {"keyword", "test"}, {"offset", 1}, {"limit", 1}});
  ASSERT_PROTOCOL_OK(filtered);
  EXPECT_EQ(filtered->at("totalCount"), json::value("2"));
  EXPECT_EQ(ids_of(filtered->at("messages").as_array()), ids_at(history, {5}));
}

}  // namespace
}  // namespace parley::testing
