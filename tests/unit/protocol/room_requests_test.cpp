#include <gtest/gtest.h>

#include "protocol/requests.hpp"
#include "request_test_support.hpp"

namespace parley::protocol {
namespace {

using testing::expect_accepted;
using testing::expect_rejections;
using testing::json;
using testing::json_literal;
using testing::RejectCase;
using testing::repeat;

const std::string kOffset = "Missing or invalid: offset";
const std::string kLimit = "Missing or invalid: limit";
const std::string kOrderBy = "Missing or invalid: orderBy";
const std::string kRoomId = "Missing or invalid: roomId";

// Paging rejections shared by every paged operation. `extra` is added to
// each payload, so that earlier checks of the operation pass.
std::vector<RejectCase> paging_rejections(const std::string& extra) {
  auto payload = [&](const std::string& fields) {
    return "{" + fields + (extra.empty() ? "" : "," + extra) + "}";
  };
  return {
      {"offset negative", payload(R"("offset":-50)"), 400, kOffset},
      {"offset negative string", payload(R"("offset":"-1")"), 400, kOffset},
      {"offset word", payload(R"("offset":"abc")"), 400, kOffset},
      {"offset object", payload(R"("offset":{})"), 400, kOffset},
      {"offset out of int range", payload(R"("offset":2147483648)"), 400, kOffset},
      {"offset before limit", payload(R"("offset":-1,"limit":60)"), 400, kOffset},
      {"limit negative", payload(R"("limit":-50)"), 400, kLimit},
      {"limit over max", payload(R"("limit":60)"), 400, kLimit},
      {"limit 51", payload(R"("limit":"51")"), 400, kLimit},
      {"limit zero", payload(R"("limit":0)"), 400, kLimit},
      {"limit array", payload(R"("limit":[5])"), 400, kLimit},
      {"limit before orderBy", payload(R"("limit":0,"orderBy":"x")"), 400, kLimit},
  };
}

std::vector<RejectCase> order_by_rejections(const std::string& extra,
                                            const std::vector<std::string>& foreign_fields) {
  auto payload = [&](const std::string& order_by) {
    return R"({"orderBy":)" + order_by + (extra.empty() ? "" : "," + extra) + "}";
  };
  std::vector<RejectCase> cases = {
      {"orderBy string", payload(R"("id")"), 400, kOrderBy},
      {"orderBy array", payload("[]"), 400, kOrderBy},
      {"field unknown", payload(R"({"field":"password_hash"})"), 400, kOrderBy},
      {"field column name", payload(R"({"field":"created_at"})"), 400, kOrderBy},
      {"field wrong case", payload(R"({"field":"ID"})"), 400, kOrderBy},
      {"field empty", payload(R"({"field":""})"), 400, kOrderBy},
      {"field object", payload(R"({"field":{}})"), 400, kOrderBy},
      {"field with sql", payload(R"({"field":"id; drop table rooms"})"), 400, kOrderBy},
      {"direction word", payload(R"({"direction":"up"})"), 400, kOrderBy},
      {"direction number", payload(R"({"direction":1})"), 400, kOrderBy},
      {"direction padded", payload(R"({"direction":" ASC"})"), 400, kOrderBy},
      {"direction boolean", payload(R"({"direction":true})"), 400, kOrderBy},
  };
  for (const std::string& field : foreign_fields) {
    cases.push_back({"field " + field, payload(R"({"field":")" + field + R"("})"), 400, kOrderBy});
  }
  return cases;
}

template <typename Parse>
void expect_sort_fields(Parse parse, const std::string& extra,
                        const std::vector<std::string>& fields) {
  for (const std::string& field : fields) {
    for (const auto& [direction, descending] :
         std::vector<std::pair<std::string, bool>>{{"", false},
                                                   {R"(,"direction":"ASC")", false},
                                                   {R"(,"direction":"asc")", false},
                                                   {R"(,"direction":"DESC")", true},
                                                   {R"(,"direction":"desc")", true},
                                                   {R"(,"direction":"DeSc")", true},
                                                   {R"(,"direction":"")", false},
                                                   {R"(,"direction":null)", false}}) {
      const std::string payload = R"({"orderBy":{"field":")" + field + "\"" + direction + "}" +
                                  (extra.empty() ? "" : "," + extra) + "}";
      SCOPED_TRACE(payload);
      const auto result = parse(json(payload));
      ASSERT_TRUE(result.ok());
      EXPECT_EQ(result->paging.order_by.field, field);
      EXPECT_EQ(result->paging.order_by.descending, descending);
    }
  }
}

const std::vector<std::string> kRoomFields = {"id",          "name",      "owner",
                                              "description", "createdAt", "updatedAt"};
const std::vector<std::string> kAccountFields = {"id", "username", "email", "createdAt",
                                                 "updatedAt"};

TEST(ParseGetRooms, AppliesDefaults) {
  for (const char* payload : {"{}", "null", R"("text")", "[]", R"({"orderBy":null})",
                              R"({"orderBy":{}})", R"({"offset":"","limit":null})"}) {
    SCOPED_TRACE(payload);
    const auto result = parse_get_rooms(json(payload));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->paging.offset, 0);
    EXPECT_EQ(result->paging.limit, 50);
    EXPECT_FALSE(result->paging.echo.offset.has_value());
    EXPECT_FALSE(result->paging.echo.limit.has_value());
    EXPECT_EQ(result->paging.order_by.field, "id");
    EXPECT_FALSE(result->paging.order_by.descending);
  }
}

TEST(ParseGetRooms, EchoesGivenPaging) {
  const auto result = parse_get_rooms(json(R"({"offset":"10","limit":5})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->paging.offset, 10);
  EXPECT_EQ(result->paging.limit, 5);
  EXPECT_EQ(result->paging.echo.offset, 10);
  EXPECT_EQ(result->paging.echo.limit, 5);
}

TEST(ParseGetRooms, AcceptsBoundaryPaging) {
  expect_accepted(parse_get_rooms, {R"({"offset":0,"limit":1})", R"({"limit":50})",
                                    R"({"offset":2147483647})", R"({"limit":"50"})"});
}

TEST(ParseGetRooms, RejectsInvalidPaging) {
  expect_rejections(parse_get_rooms, paging_rejections(""));
}

TEST(ParseGetRooms, AcceptsRoomSortFields) { expect_sort_fields(parse_get_rooms, "", kRoomFields); }

TEST(ParseGetRooms, RejectsOtherSortFields) {
  expect_rejections(parse_get_rooms,
                    order_by_rejections("", {"username", "email", "senderId", "timestamp"}));
}

TEST(ParseCreateRoom, ReadsNameAndDescription) {
  const auto result =
      parse_create_room(json(R"({"name":"general-chat","description":"about things"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->name, "general-chat");
  EXPECT_EQ(result->description, "about things");

  const auto without = parse_create_room(json(R"({"name":"general-chat","description":null})"));
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->description.has_value());
}

TEST(ParseCreateRoom, RejectsInOrder) {
  const std::string name = "Missing or invalid: name";
  const std::string description = "Missing or invalid: description";
  expect_rejections(
      parse_create_room,
      {
          {"empty object", "{}", 400, name},
          {"null payload", "null", 400, name},
          {"string payload", R"("general-chat")", 400, name},
          {"name 7", R"({"name":"1234567"})", 400, name},
          {"name 65", R"({"name":)" + json_literal(repeat("n", 65)) + "}", 400, name},
          {"name object", R"({"name":{}})", 400, name},
          {"description only", R"({"description":"about things"})", 400, name},
          {"name before description", R"({"name":"short","description":"x"})", 400, name},
          {"description 7", R"({"name":"general-chat","description":"1234567"})", 400, description},
          {"description 201",
           R"({"name":"general-chat","description":)" + json_literal(repeat("d", 201)) + "}", 400,
           description},
          {"description empty", R"({"name":"general-chat","description":""})", 400, description},
          {"description array", R"({"name":"general-chat","description":[]})", 400, description},
      });
}

TEST(ParseCreateRoom, AcceptsBoundaryLengths) {
  expect_accepted(
      parse_create_room,
      {R"({"name":)" + json_literal(repeat("n", 8)) + "}",
       R"({"name":)" + json_literal(repeat("n", 64)) + "}",
       R"({"name":"general-chat","description":)" + json_literal(repeat("d", 8)) + "}",
       R"({"name":"general-chat","description":)" + json_literal(repeat("d", 200)) + "}"});
}

TEST(ParseUpdateRoom, ReadsRoomIdAndDescription) {
  const auto result = parse_update_room(json(R"({"roomId":"5","description":"about things"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 5);
  EXPECT_EQ(result->description, "about things");
}

TEST(ParseUpdateRoom, ChecksDescriptionBeforeRoomId) {
  const std::string description = "Missing or invalid: description";
  expect_rejections(
      parse_update_room,
      {
          {"empty object", "{}", 400, description},
          {"null payload", "null", 400, description},
          {"room id only", R"({"roomId":5})", 400, description},
          {"description 5", R"({"roomId":5,"description":"12345"})", 400, description},
          {"description 201",
           R"({"roomId":5,"description":)" + json_literal(repeat("d", 201)) + "}", 400,
           description},
          {"description null without room", R"({"description":null})", 400, description},
          {"description object", R"({"roomId":5,"description":{}})", 400, description},
          {"room id missing", R"({"description":"about things"})", 400, kRoomId},
          {"room id empty", R"({"roomId":"","description":"about things"})", 400, kRoomId},
          {"room id word", R"({"roomId":"five","description":"about things"})", 400, kRoomId},
      });
}

TEST(ParseRoomId, ReadsId) {
  const auto result = parse_room_id(json(R"("9223372036854775807")"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 9223372036854775807);
}

TEST(ParseRoomId, RejectsMissingOrInvalidId) {
  const std::string message = "Missing or invalid: id";
  expect_rejections(parse_room_id, {
                                       {"null", "null", 400, message},
                                       {"empty string", R"("")", 400, message},
                                       {"word", R"("room")", 400, message},
                                       {"object", R"({"id":5})", 400, message},
                                       {"array", "[5]", 400, message},
                                   });
}

TEST(ParseJoinRoom, KeepsNameAsSent) {
  const auto result = parse_join_room(json(R"(" general chat ")"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, " general chat ");

  const auto number = parse_join_room(json("12345678"));
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(*number, "12345678");
}

TEST(ParseJoinRoom, RejectsMissingOrBlankName) {
  const std::string message = "Missing or invalid: name";
  expect_rejections(parse_join_room, {
                                         {"null", "null", 400, message},
                                         {"empty", R"("")", 400, message},
                                         {"spaces", R"("   ")", 400, message},
                                         {"tab and newline", R"("\t\n")", 400, message},
                                         {"ideographic space", "\"\xE3\x80\x80\"", 400, message},
                                         {"object", R"({"name":"general-chat"})", 400, message},
                                         {"array", R"(["general-chat"])", 400, message},
                                     });
  // A no-break space is not Java whitespace, so the name goes on to the
  // room lookup.
  expect_accepted(parse_join_room, {"\"\xC2\xA0\""});
}

TEST(ParseMembers, ReadsRoomAndIds) {
  const auto result = parse_members(json(R"({"roomId":"5","memberIds":["1",2,"3",3]})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 5);
  EXPECT_EQ(result->member_ids, (std::vector<AccountId>{1, 2, 3, 3}));
}

TEST(ParseMembers, AcceptsMaximumIdCount) {
  boost::json::array ids;
  for (int i = 1; i <= 1000; ++i) {
    ids.push_back(boost::json::string(std::to_string(i)));
  }
  boost::json::object payload{{"roomId", 5}, {"memberIds", ids}};
  const auto result = parse_members(payload);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->member_ids.size(), 1000u);
}

TEST(ParseMembers, RejectsInOrder) {
  const std::string member_ids = "Missing or invalid: memberIds";
  boost::json::array too_many;
  for (int i = 1; i <= 1001; ++i) {
    too_many.push_back(i);
  }
  expect_rejections(
      parse_members,
      {
          {"empty object", "{}", 400, kRoomId},
          {"null payload", "null", 400, kRoomId},
          {"array payload", "[1,2]", 400, kRoomId},
          {"ids only", R"({"memberIds":[10]})", 400, kRoomId},
          {"room id word", R"({"roomId":"x","memberIds":[10]})", 400, kRoomId},
          {"room before ids", R"({"roomId":null,"memberIds":[]})", 400, kRoomId},
          {"ids missing", R"({"roomId":9223372036854775807})", 400, member_ids},
          {"ids null", R"({"roomId":5,"memberIds":null})", 400, member_ids},
          {"ids empty", R"({"roomId":100,"memberIds":[]})", 400, member_ids},
          {"ids scalar", R"({"roomId":5,"memberIds":10})", 400, member_ids},
          {"ids object", R"({"roomId":5,"memberIds":{"a":10}})", 400, member_ids},
          {"null element", R"({"roomId":5,"memberIds":[1,null]})", 400, member_ids},
          {"empty element", R"({"roomId":5,"memberIds":[1,""]})", 400, member_ids},
          {"word element", R"({"roomId":5,"memberIds":["one"]})", 400, member_ids},
          {"array element", R"({"roomId":5,"memberIds":[[1]]})", 400, member_ids},
          {"1001 ids", R"({"roomId":5,"memberIds":)" + boost::json::serialize(too_many) + "}", 400,
           member_ids},
      });
}

TEST(ParseGetBlockedMembers, ChecksPagingBeforeRoomId) {
  expect_rejections(parse_get_blocked_members, paging_rejections(""));
  expect_rejections(parse_get_blocked_members,
                    {
                        {"empty object", "{}", 400, kRoomId},
                        {"null payload", "null", 400, kRoomId},
                        {"room id word", R"({"roomId":"x"})", 400, kRoomId},
                        {"room before orderBy", R"({"orderBy":"x"})", 400, kRoomId},
                    });
}

TEST(ParseGetBlockedMembers, ReadsRoomAndPaging) {
  const auto result = parse_get_blocked_members(json(
      R"({"roomId":10,"offset":5,"limit":10,"orderBy":{"field":"email","direction":"DESC"}})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->room_id, 10);
  EXPECT_EQ(result->paging.offset, 5);
  EXPECT_EQ(result->paging.limit, 10);
  EXPECT_EQ(result->paging.order_by.field, "email");
  EXPECT_TRUE(result->paging.order_by.descending);
}

TEST(ParseGetBlockedMembers, AcceptsAccountSortFields) {
  expect_sort_fields(parse_get_blocked_members, R"("roomId":10)", kAccountFields);
  expect_rejections(parse_get_blocked_members,
                    order_by_rejections(R"("roomId":10)", {"name", "owner", "description",
                                                           "message", "password_hash"}));
}

TEST(ParseGetRoomMembers, ChecksRoomIdBeforePaging) {
  expect_rejections(parse_get_room_members,
                    {
                        {"empty object", "{}", 400, kRoomId},
                        {"null payload", "null", 400, kRoomId},
                        {"room id null", R"({"roomId":null})", 400, kRoomId},
                        {"room before offset", R"({"offset":-50})", 400, kRoomId},
                        {"room before limit", R"({"limit":60})", 400, kRoomId},
                    });
  expect_rejections(parse_get_room_members, paging_rejections(R"("roomId":10)"));
}

TEST(ParseGetRoomMembers, AcceptsAccountSortFields) {
  expect_sort_fields(parse_get_room_members, R"("roomId":10)", kAccountFields);
  expect_rejections(parse_get_room_members,
                    order_by_rejections(R"("roomId":10)", {"name", "owner", "timestamp"}));
}

TEST(ParseListRooms, ReadsKeyword) {
  const auto result = parse_list_rooms(json(R"({"keyword":"room@"})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->keyword, "room@");

  // listRooms puts no length limit on the keyword.
  expect_accepted(parse_list_rooms, {R"({"keyword":""})", R"({"keyword":"a"})",
                                     R"({"keyword":)" + json_literal(repeat("k", 500)) + "}"});
  const auto empty = parse_list_rooms(json(R"({"keyword":""})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->keyword, "");
  const auto absent = parse_list_rooms(json("{}"));
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->keyword.has_value());
}

TEST(ParseListRooms, RejectsInOrder) {
  expect_rejections(parse_list_rooms, paging_rejections(""));
  expect_rejections(parse_list_rooms,
                    {
                        {"keyword object", R"({"keyword":{}})", 400, "Missing or invalid: keyword"},
                        {"limit before keyword", R"({"limit":60,"keyword":{}})", 400, kLimit},
                        {"keyword before orderBy", R"({"keyword":[],"orderBy":"x"})", 400,
                         "Missing or invalid: keyword"},
                    });
}

TEST(ParseListRooms, AcceptsRoomSortFields) {
  expect_sort_fields(parse_list_rooms, R"("keyword":"room")", kRoomFields);
  expect_rejections(parse_list_rooms, order_by_rejections("", {"username", "senderId"}));
}

}  // namespace
}  // namespace parley::protocol
