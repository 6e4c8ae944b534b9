#include "client/connection.hpp"

#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "fake_server.hpp"

namespace parley::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;

constexpr auto kWait = 2s;

std::unique_ptr<Connection> open_or_fail(const FakeServer& server) {
  Result<std::unique_ptr<Connection>> connection = Connection::open(server.url(), kWait);
  EXPECT_TRUE(connection.ok()) << connection.error().message;
  return connection.ok() ? std::move(connection.value()) : nullptr;
}

boost::json::object push_data(const std::string& text) {
  return {{"senderId", "7"},
          {"roomId", "5"},
          {"message", text},
          {"timestamp", "2025-03-10T12:00:00.005"}};
}

// Returns a loopback port with no listener, by binding one and closing it.
std::uint16_t unused_port() {
  boost::asio::io_context io_context;
  boost::asio::ip::tcp::acceptor acceptor(io_context,
                                          {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(ConnectionOpen, SendsHostUserAgentAndTarget) {
  FakeServer server;
  auto connection = Connection::open(server.url() + "chat?room=5", kWait);
  ASSERT_TRUE(connection.ok()) << connection.error().message;

  std::optional<testing::HandshakeRequest> handshake = server.wait_handshake(kWait);
  ASSERT_TRUE(handshake.has_value());
  EXPECT_EQ(handshake->target, "/chat?room=5");
  EXPECT_EQ(handshake->host, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(handshake->user_agent.rfind("parley-client/", 0), 0u) << handshake->user_agent;
  EXPECT_TRUE((*connection)->is_open());
}

TEST(ConnectionOpen, RefusedConnectionNamesUrl) {
  std::string url = "ws://127.0.0.1:" + std::to_string(unused_port()) + "/";
  auto connection = Connection::open(url, kWait);

  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, 0);
  EXPECT_NE(connection.error().message.find(url), std::string::npos) << connection.error().message;
  EXPECT_NE(connection.error().message.find("refused"), std::string::npos)
      << connection.error().message;
}

TEST(ConnectionOpen, TimesOutWithoutHandshakeReply) {
  // The kernel completes the TCP handshake for the backlog, but the test
  // never accepts the connection, so the upgrade request gets no response.
  boost::asio::io_context io_context;
  boost::asio::ip::tcp::acceptor silent(io_context,
                                        {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::string url = "ws://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";

  auto started = std::chrono::steady_clock::now();
  auto connection = Connection::open(url, 300ms);
  auto elapsed = std::chrono::steady_clock::now() - started;

  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, 0);
  EXPECT_NE(connection.error().message.find(url), std::string::npos) << connection.error().message;
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(ConnectionOpen, InvalidUrlFails) {
  auto connection = Connection::open("http://127.0.0.1:8080/", kWait);

  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, 0);
  EXPECT_NE(connection.error().message.find("http://127.0.0.1:8080/"), std::string::npos);
}

TEST(ConnectionCall, SendsEnvelopeAndReturnsData) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async,
                          [&] { return connection->call("getRoom", boost::json::value("5")); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(request->contains("cid"));
  ASSERT_TRUE(request->at("cid").is_string());
  std::string cid(request->at("cid").as_string());
  EXPECT_TRUE(std::regex_match(
      cid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << cid;
  EXPECT_EQ(request->at("qualifier"), "v1/syemessenger/getRoom");
  EXPECT_EQ(request->at("data"), "5");

  boost::json::value room = {{"id", "5"}, {"name", "general-chat"}};
  server.reply(*request, room);
  Result<boost::json::value> result = reply.get();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value(), room);
}

TEST(ConnectionCall, OmitsNullData) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("unsubscribe"); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  EXPECT_FALSE(request->contains("data")) << boost::json::serialize(*request);
  EXPECT_EQ(request->at("qualifier"), "v1/syemessenger/unsubscribe");

  server.reply(*request, "5");
  EXPECT_TRUE(reply.get().ok());
}

TEST(ConnectionCall, MatchesOutOfOrderReplies) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  constexpr int kCalls = 4;
  std::vector<std::future<Result<boost::json::value>>> replies;
  for (int i = 0; i < kCalls; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return connection->call("getAccount", boost::json::value(std::to_string(i)));
    }));
  }
  std::vector<boost::json::object> requests;
  for (int i = 0; i < kCalls; ++i) {
    std::optional<boost::json::object> request = server.next_request(kWait);
    ASSERT_TRUE(request.has_value()) << "request " << i << " did not arrive";
    requests.push_back(std::move(*request));
  }
  // Newest first, each reply containing the id from its request.
  for (auto request = requests.rbegin(); request != requests.rend(); ++request) {
    server.reply(*request, {{"id", request->at("data")}});
  }

  for (int i = 0; i < kCalls; ++i) {
    Result<boost::json::value> result = replies[i].get();
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().at("id"), boost::json::value(std::to_string(i)));
  }
  EXPECT_FALSE(connection->next_frame(50ms).has_value());
}

TEST(ConnectionCall, ErrorReplyBecomesError) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("updateRoom", {}); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  server.reply_error(*request, 403, "Not room owner");

  Result<boost::json::value> result = reply.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 403);
  EXPECT_EQ(result.error().message, "Not room owner");
}

TEST(ConnectionCall, AcceptsNumericErrorCode) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("getRoom", "9"); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  boost::json::object envelope{{"cid", request->at("cid")},
                               {"qualifier", "v1/syemessenger/error"},
                               {"data", {{"errorCode", 404}, {"errorMessage", "Room not found"}}}};
  server.send_text(boost::json::serialize(envelope));

  Result<boost::json::value> result = reply.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 404);
  EXPECT_EQ(result.error().message, "Room not found");
}

TEST(ConnectionCall, MalformedErrorReplyHasCodeZero) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("getRoom", "9"); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  boost::json::object envelope{
      {"cid", request->at("cid")}, {"qualifier", "v1/syemessenger/error"}, {"data", "oops"}};
  server.send_text(boost::json::serialize(envelope));

  Result<boost::json::value> result = reply.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_NE(result.error().message.find("getRoom"), std::string::npos) << result.error().message;
}

TEST(ConnectionCall, TimesOutAndDropsLateReply) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto started = std::chrono::steady_clock::now();
  Result<boost::json::value> result = connection->call("getRoom", "5", 200ms);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_NE(result.error().message.find("timed out"), std::string::npos) << result.error().message;
  EXPECT_GE(elapsed, 200ms);

  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  server.reply(*request, "5");
  EXPECT_FALSE(connection->next_frame(200ms).has_value());
  EXPECT_TRUE(connection->is_open());
}

TEST(ConnectionCall, FailsWhenServerClosesFirst) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("send", "hi"); });
  ASSERT_TRUE(server.next_request(kWait).has_value());
  server.close(1011, "internal error");

  Result<boost::json::value> result = reply.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_NE(result.error().message.find("1011"), std::string::npos) << result.error().message;
}

TEST(ConnectionCall, FailsAtOnceAfterClose) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  server.close(1000, "");
  ASSERT_TRUE(connection->wait_closed(kWait).has_value());

  auto started = std::chrono::steady_clock::now();
  Result<boost::json::value> result = connection->call("getRoom", "5", kWait);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(ConnectionPush, QueuesPushesApartFromReplies) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto reply = std::async(std::launch::async, [&] { return connection->call("send", "first"); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  server.push(push_data("first"));
  server.push(push_data("second"));
  server.reply(*request, "5");
  server.push(push_data("third"));

  Result<boost::json::value> result = reply.get();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value(), "5");
  for (const char* text : {"first", "second", "third"}) {
    std::optional<boost::json::object> push = connection->next_push(kWait);
    ASSERT_TRUE(push.has_value()) << "missing push " << text;
    EXPECT_EQ(push->at("message"), boost::json::value(text));
    EXPECT_EQ(push->at("roomId"), "5");
  }
  EXPECT_FALSE(connection->next_frame(50ms).has_value());
}

TEST(ConnectionPush, NextPushTimesOut) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(connection->next_push(150ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
}

TEST(ConnectionPush, QueuedPushesSurviveClose) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.push(push_data("last words"));
  server.close(1012, "service restart");
  ASSERT_TRUE(connection->wait_closed(kWait).has_value());

  std::optional<boost::json::object> push = connection->next_push(kWait);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message"), "last words");
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(connection->next_push(kWait).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(ConnectionPush, PushWithNonObjectDataIsRawFrame) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  std::string frame = R"({"qualifier":"v1/syemessenger/messages","data":"text"})";
  server.send_text(frame);

  EXPECT_EQ(connection->next_frame(kWait), frame);
  EXPECT_FALSE(connection->next_push(50ms).has_value());
}

TEST(ConnectionClose, WaitClosedReturnsServerCodeAndReason) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.close(1012, "service restart");
  std::optional<CloseInfo> closed = connection->wait_closed(kWait);

  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1012);
  EXPECT_EQ(closed->reason, "service restart");
  EXPECT_FALSE(connection->is_open());
}

TEST(ConnectionClose, CloseFrameWithoutCodeIs1005) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.close(0, "");
  std::optional<CloseInfo> closed = connection->wait_closed(kWait);

  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1005);
  EXPECT_EQ(closed->reason, "");
}

TEST(ConnectionClose, DroppedConnectionIs1006) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.drop_connection();
  std::optional<CloseInfo> closed = connection->wait_closed(kWait);

  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1006);
  EXPECT_FALSE(closed->reason.empty());
}

TEST(ConnectionClose, WaitClosedTimesOutWhileOpen) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(connection->wait_closed(100ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  EXPECT_TRUE(connection->is_open());
}

TEST(ConnectionClose, DestructorClosesWith1000) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  connection.reset();
  std::optional<CloseInfo> closed = server.wait_client_close(kWait);

  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1000);
}

TEST(ConnectionClose, CloseSendsCodeAndReasonAfterQueuedFrames) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  connection->send_text("before close");
  connection->close(4000, "done testing");
  EXPECT_FALSE(connection->is_open());

  std::optional<Frame> frame = server.next_frame(kWait);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(frame->payload, "before close");
  std::optional<CloseInfo> closed = server.wait_client_close(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 4000);
  EXPECT_EQ(closed->reason, "done testing");
  EXPECT_TRUE(connection->wait_closed(kWait).has_value());
}

TEST(ConnectionRaw, SendTextAndBinaryReachServer) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  connection->send_text("{not json");
  std::string bytes("\x00\x01\xff\x7f", 4);
  connection->send_binary(bytes);

  std::optional<Frame> text = server.next_frame(kWait);
  ASSERT_TRUE(text.has_value());
  EXPECT_FALSE(text->binary);
  EXPECT_EQ(text->payload, "{not json");
  std::optional<Frame> binary = server.next_frame(kWait);
  ASSERT_TRUE(binary.has_value());
  EXPECT_TRUE(binary->binary);
  EXPECT_EQ(binary->payload, bytes);
}

TEST(ConnectionRaw, NextFrameReturnsUnmatchedFramesInOrder) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  std::vector<std::string> texts = {
      "not json at all",
      R"(["an","array"])",
      R"({"cid":"00000000-0000-4000-8000-000000000000","qualifier":"v1/syemessenger/getRoom","data":"1"})",
      R"({"qualifier":"v1/syemessenger/error","data":{"errorCode":"400","errorMessage":"Wrong message: qualifier is missing"}})",
  };
  for (const std::string& text : texts) {
    server.send_text(text);
  }
  server.send_binary(std::string("\x01\x02", 2));

  for (const std::string& text : texts) {
    EXPECT_EQ(connection->next_frame(kWait), text);
  }
  std::optional<Frame> binary = connection->next_frame_with_type(kWait);
  ASSERT_TRUE(binary.has_value());
  EXPECT_TRUE(binary->binary);
  EXPECT_EQ(binary->payload, std::string("\x01\x02", 2));
  EXPECT_FALSE(connection->next_frame(50ms).has_value());
}

TEST(ConnectionRaw, RawReplyDoesNotCompletePendingCall) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  std::string raw_cid = "0b7c0c1e-3f57-4c52-9a3e-6d2f0f5e9a10";
  connection->send_text(R"({"cid":")" + raw_cid + R"(","qualifier":"v1/syemessenger/getRoom"})");
  std::optional<boost::json::object> raw_request = server.next_request(kWait);
  ASSERT_TRUE(raw_request.has_value());

  auto reply = std::async(std::launch::async, [&] { return connection->call("getRoom", "2"); });
  std::optional<boost::json::object> request = server.next_request(kWait);
  ASSERT_TRUE(request.has_value());
  server.reply_error(*raw_request, 400, "Missing or invalid: id");
  server.reply(*request, "2");

  Result<boost::json::value> result = reply.get();
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value(), "2");
  std::optional<std::string> frame = connection->next_frame(kWait);
  ASSERT_TRUE(frame.has_value());
  boost::json::value raw_reply = boost::json::parse(*frame);
  EXPECT_EQ(raw_reply.at("cid"), boost::json::value(raw_cid));
  EXPECT_EQ(raw_reply.at("data").at("errorMessage"), "Missing or invalid: id");
}

TEST(ConnectionRaw, NextFrameTimesOut) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);

  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(connection->next_frame(100ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
}

TEST(ConnectionFrames, AnswersPingWithPong) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.ping();
  EXPECT_TRUE(server.wait_pong(kWait));
}

TEST(ConnectionFrames, ReceivesMessageNearMaximumSize) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  std::string text(1000 * 1000, 'x');
  server.push(push_data(text));

  std::optional<boost::json::object> push = connection->next_push(kWait);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->at("message").as_string().size(), text.size());
}

TEST(ConnectionFrames, MessageOverMaximumSizeClosesWith1009) {
  FakeServer server;
  auto connection = open_or_fail(server);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(server.wait_handshake(kWait).has_value());

  server.send_text(std::string(1024 * 1024 + 1, 'x'));

  std::optional<CloseInfo> closed = connection->wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1009);
  std::optional<CloseInfo> seen_by_server = server.wait_client_close(kWait);
  ASSERT_TRUE(seen_by_server.has_value());
  EXPECT_EQ(seen_by_server->code, 1009);
}

}  // namespace
}  // namespace parley::client
