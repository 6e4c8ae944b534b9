#include "client/websocket_url.hpp"

#include <string>

#include <gtest/gtest.h>

namespace parley::client {
namespace {

struct ValidCase {
  std::string url;
  std::string host;
  std::string port;
  std::string target;
  std::string host_header;
};

TEST(WebSocketUrl, ParsesValidUrls) {
  const ValidCase cases[] = {
      {"ws://127.0.0.1:8080/", "127.0.0.1", "8080", "/", "127.0.0.1:8080"},
      {"ws://127.0.0.1:8080", "127.0.0.1", "8080", "/", "127.0.0.1:8080"},
      {"ws://localhost", "localhost", "80", "/", "localhost:80"},
      {"ws://node1:9000/chat/v1", "node1", "9000", "/chat/v1", "node1:9000"},
      {"ws://node1:9000?x=1", "node1", "9000", "/?x=1", "node1:9000"},
      {"ws://node1/a?b=c#frag", "node1", "80", "/a?b=c", "node1:80"},
      {"ws://[::1]:8081/", "::1", "8081", "/", "[::1]:8081"},
      {"ws://[::1]", "::1", "80", "/", "[::1]:80"},
  };
  for (const ValidCase& expected : cases) {
    Result<WebSocketUrl> parsed = parse_websocket_url(expected.url);
    ASSERT_TRUE(parsed.ok()) << expected.url << ": " << parsed.error().message;
    EXPECT_EQ(parsed->host, expected.host) << expected.url;
    EXPECT_EQ(parsed->port, expected.port) << expected.url;
    EXPECT_EQ(parsed->target, expected.target) << expected.url;
    EXPECT_EQ(parsed->host_header, expected.host_header) << expected.url;
  }
}

TEST(WebSocketUrl, RejectsInvalidUrls) {
  const std::string cases[] = {
      "",
      "127.0.0.1:8080",
      "http://127.0.0.1:8080/",
      "wss://127.0.0.1:8080/",
      "ws://",
      "ws:///path",
      "ws://host:",
      "ws://host:0/",
      "ws://host:65536/",
      "ws://host:80x/",
      "ws://[::1/",
      "ws://[::1]x/",
      "ws://user@host/",
  };
  for (const std::string& url : cases) {
    Result<WebSocketUrl> parsed = parse_websocket_url(url);
    ASSERT_FALSE(parsed.ok()) << "accepted '" << url << "'";
    EXPECT_EQ(parsed.error().code, 0);
    EXPECT_NE(parsed.error().message.find("'" + url + "'"), std::string::npos)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace parley::client
