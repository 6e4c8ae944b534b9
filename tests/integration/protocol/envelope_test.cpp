#include <boost/json.hpp>

#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class EnvelopeTest : public ProtocolTest {
 protected:
  // Sends `text` as a raw text frame and returns the parsed reply.
  json::object exchange(client::Connection& connection, std::string text) {
    connection.send_text(std::move(text));
    auto frame = connection.next_frame(std::chrono::seconds(5));
    if (!frame) {
      ADD_FAILURE() << "no reply";
      return {};
    }
    return json::parse(*frame).as_object();
  }

  static void expect_error(const json::object& reply, const char* code, const char* message) {
    EXPECT_EQ(reply.at("qualifier").as_string(), "v1/syemessenger/error");
    EXPECT_EQ(reply.at("data").at("errorCode").as_string(), code);
    EXPECT_EQ(reply.at("data").at("errorMessage").as_string(), message);
  }
};

TEST_F(EnvelopeTest, InvalidEnvelopesGetErrorAndKeepConnection) {
  auto connection = connect();
  for (const char* text : {"{not json", "[1,2]", "null", "\"text\"", "42", "",
                           R"({"cid":"not-a-uuid","qualifier":"v1/syemessenger/getRoom"})"}) {
    SCOPED_TRACE(text);
    auto reply = exchange(*connection, text);
    expect_error(reply, "400", "Wrong message: invalid envelope");
    EXPECT_FALSE(reply.contains("cid"));
  }
  EXPECT_TRUE(connection->is_open());
  EXPECT_PROTOCOL_ERROR(connection->call("getRoom", json::value("1")), 401, "Not authenticated");
}

TEST_F(EnvelopeTest, MissingQualifierEchoesCid) {
  auto connection = connect();
  auto reply =
      exchange(*connection, R"({"cid":"0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10","data":"3"})");
  expect_error(reply, "400", "Wrong message: qualifier is missing");
  EXPECT_EQ(reply.at("cid").as_string(), "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10");
}

TEST_F(EnvelopeTest, UnknownQualifiers) {
  auto connection = connect();
  for (const char* qualifier : {"getRoom", "v1/syemessenger/error", "v1/syemessenger/messages",
                                "v1/syemessenger/GETROOM", "v2/syemessenger/getRoom"}) {
    SCOPED_TRACE(qualifier);
    json::object request{{"cid", "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a11"}, {"qualifier", qualifier}};
    auto reply = exchange(*connection, json::serialize(request));
    expect_error(reply, "404", "Wrong message: request handler is missing");
    EXPECT_EQ(reply.at("cid").as_string(), "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a11");
  }
}

TEST_F(EnvelopeTest, UpperCaseCidEchoedLowerCase) {
  auto connection = connect();
  auto reply = exchange(
      *connection,
      R"({"cid":"0B7C0C1E-3F57-4C52-9A3E-6D2F0F5E9A12","qualifier":"v1/syemessenger/getRoom","data":"1"})");
  EXPECT_EQ(reply.at("cid").as_string(), "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a12");
  expect_error(reply, "401", "Not authenticated");
}

TEST_F(EnvelopeTest, SuccessEchoesQualifierAndCid) {
  TestAccount alice = create_account();
  auto connection = connect();
  json::object request{{"cid", "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a13"},
                       {"qualifier", "v1/syemessenger/login"},
                       {"data", {{"username", alice.username}, {"password", alice.password}}},
                       {"unknown", "ignored"}};
  auto reply = exchange(*connection, json::serialize(request) + " trailing text");
  EXPECT_EQ(reply.at("qualifier").as_string(), "v1/syemessenger/login");
  EXPECT_EQ(reply.at("cid").as_string(), "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a13");
  EXPECT_EQ(reply.at("data").as_string(), std::to_string(alice.id));
}

TEST_F(EnvelopeTest, RequestWithoutCidGetsReplyWithoutCid) {
  auto connection = connect();
  auto reply = exchange(*connection, R"({"qualifier":"v1/syemessenger/getRoom","data":"1"})");
  EXPECT_FALSE(reply.contains("cid"));
  expect_error(reply, "401", "Not authenticated");
}

TEST_F(EnvelopeTest, OversizedFrameClosesWith1009) {
  auto bystander = connect();
  auto connection = connect();
  connection->send_text(std::string(70 * 1024, ' '));
  auto closed = connection->wait_closed(std::chrono::seconds(5));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1009);
  EXPECT_PROTOCOL_ERROR(bystander->call("getRoom", json::value("1")), 401, "Not authenticated");
  auto fresh = connect();
  EXPECT_PROTOCOL_ERROR(fresh->call("getRoom", json::value("1")), 401, "Not authenticated");
}

TEST_F(EnvelopeTest, InvalidUtf8ClosesWith1007) {
  auto bystander = connect();
  auto connection = connect();
  connection->send_text(std::string("{\"qualifier\":\"\xC3\x28\"}"));
  auto closed = connection->wait_closed(std::chrono::seconds(5));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1007);
  EXPECT_PROTOCOL_ERROR(bystander->call("getRoom", json::value("1")), 401, "Not authenticated");
}

TEST_F(EnvelopeTest, NumbersWrittenAsStrings) {
  TestAccount alice = create_account();
  auto [room, name] = create_room(alice);
  auto connection = logged_in(alice);
  auto info = connection->call("getRoom", json::value(room));
  ASSERT_PROTOCOL_OK(info);
  EXPECT_TRUE(info->as_object().at("id").is_string());
  EXPECT_FALSE(info->as_object().contains("description"));
  auto page = connection->call("listMessages", json::object{{"roomId", room}});
  ASSERT_PROTOCOL_OK(page);
  EXPECT_TRUE(page->as_object().at("totalCount").is_string());
  EXPECT_FALSE(page->as_object().contains("offset"));
  EXPECT_FALSE(page->as_object().contains("limit"));
  auto echoed =
      connection->call("listMessages", json::object{{"roomId", room}, {"offset", 0}, {"limit", 5}});
  ASSERT_PROTOCOL_OK(echoed);
  EXPECT_EQ(echoed->as_object().at("offset").as_string(), "0");
  EXPECT_EQ(echoed->as_object().at("limit").as_string(), "5");
}

}  // namespace
}  // namespace parley::testing
