#include "websocket/handshake.hpp"

#include <string>

#include <gtest/gtest.h>

namespace parley::websocket {
namespace {

namespace http = boost::beast::http;

UpgradeRequest upgrade_request() {
  UpgradeRequest request{http::verb::get, "/", 11};
  request.set(http::field::host, "127.0.0.1:8080");
  request.set(http::field::connection, "keep-alive, Upgrade");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::sec_websocket_version, "13");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return request;
}

TEST(AcceptKey, MatchesTheExampleOfRfc6455) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(AnswerUpgrade, SwitchesProtocols) {
  const HandshakeResult result = make_handshake_response(upgrade_request(), "parley");
  ASSERT_TRUE(result.accepted) << result.error;
  EXPECT_EQ(result.response,
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Server: parley\r\n\r\n");
}

TEST(AnswerUpgrade, AsksForVersion13) {
  UpgradeRequest request = upgrade_request();
  request.set(http::field::sec_websocket_version, "8");
  const HandshakeResult result = make_handshake_response(request, "parley");
  EXPECT_FALSE(result.accepted);
  EXPECT_NE(result.response.find("HTTP/1.1 426 Upgrade Required\r\n"), std::string::npos);
  EXPECT_NE(result.response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(result.response.find(result.error), std::string::npos);
}

TEST(AnswerUpgrade, RefusesMalformedRequests) {
  struct Case {
    const char* name;
    void (*change)(UpgradeRequest&);
  };
  const Case cases[] = {
      {"HTTP/1.0", [](UpgradeRequest& r) { r.version(10); }},
      {"POST", [](UpgradeRequest& r) { r.method(http::verb::post); }},
      {"no Host", [](UpgradeRequest& r) { r.erase(http::field::host); }},
      {"no Upgrade token", [](UpgradeRequest& r) { r.set(http::field::connection, "close"); }},
      {"no key", [](UpgradeRequest& r) { r.erase(http::field::sec_websocket_key); }},
      {"short key", [](UpgradeRequest& r) { r.set(http::field::sec_websocket_key, "abc=="); }},
      {"key not Base64",
       [](UpgradeRequest& r) {
         r.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZ*==");
       }},
  };
  for (const Case& item : cases) {
    UpgradeRequest request = upgrade_request();
    item.change(request);
    const HandshakeResult result = make_handshake_response(request, "parley");
    EXPECT_FALSE(result.accepted) << item.name;
    EXPECT_FALSE(result.error.empty()) << item.name;
    EXPECT_NE(result.response.find(" 400 Bad Request\r\n"), std::string::npos) << item.name;
  }
}

}  // namespace
}  // namespace parley::websocket
