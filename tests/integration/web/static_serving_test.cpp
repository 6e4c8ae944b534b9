#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/cluster.hpp"
#include "web/static_files.hpp"

namespace parley::testing {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

constexpr auto kRequestTimeout = std::chrono::seconds(5);

using Headers = std::vector<std::pair<http::field, std::string>>;

// Sends one HTTP/1.1 request to 127.0.0.1:port and returns the response.
// For HEAD the parser skips the body, because the response has none. Throws beast::system_error
// on failure or after kRequestTimeout.
http::response<http::string_body> request(std::uint16_t port, http::verb method,
                                          const std::string& target, const Headers& headers = {}) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(kRequestTimeout);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));

  http::request<http::empty_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::connection, "close");
  for (const auto& [field, value] : headers) req.set(field, value);
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);
  http::read(stream, buffer, parser);
  beast::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return parser.release();
}

http::response<http::string_body> get(std::uint16_t port, const std::string& target,
                                      const Headers& headers = {}) {
  return request(port, http::verb::get, target, headers);
}

class StaticServing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClusterOptions options;
    options.nodes = 2;
    cluster_ = Cluster::start(options).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static std::uint16_t port() { return cluster_->node(0).port(); }

  static Cluster* cluster_;
};

Cluster* StaticServing::cluster_ = nullptr;

TEST_F(StaticServing, RootServesIndexHtml) {
  auto response = get(port(), "/");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(response[http::field::cache_control], "no-cache");
  EXPECT_NE(response.body().find("<title>Parley</title>"), std::string::npos);

  auto index = get(port(), "/index.html");
  EXPECT_EQ(index.result(), http::status::ok);
  EXPECT_EQ(index.body(), response.body());
  EXPECT_EQ(index[http::field::etag], response[http::field::etag]);
}

TEST_F(StaticServing, BodyEqualsEmbeddedBytes) {
  for (const auto& file : web::embedded_files()) {
    auto response = get(port(), std::string(file.path));
    EXPECT_EQ(response.result(), http::status::ok) << file.path;
    EXPECT_EQ(response.body(), file.body) << file.path;
    EXPECT_EQ(response[http::field::content_length], std::to_string(file.body.size())) << file.path;
  }
}

TEST_F(StaticServing, ContentTypesFollowExtensions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/index.html", "text/html; charset=utf-8"},
      {"/style.css", "text/css; charset=utf-8"},
      {"/js/app.js", "text/javascript; charset=utf-8"},
      {"/js/connection.js", "text/javascript; charset=utf-8"},
  };
  for (const auto& [target, content_type] : cases) {
    auto response = get(port(), target);
    EXPECT_EQ(response.result(), http::status::ok) << target;
    EXPECT_EQ(response[http::field::content_type], content_type) << target;
    EXPECT_EQ(response["X-Content-Type-Options"], "nosniff") << target;
  }
}

TEST_F(StaticServing, EtagIsQuotedAndStable) {
  auto first = get(port(), "/js/app.js");
  auto second = get(port(), "/js/app.js");
  const std::string etag(first[http::field::etag]);
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(second[http::field::etag], etag);
  EXPECT_NE(get(port(), "/style.css")[http::field::etag], etag);
}

TEST_F(StaticServing, EtagIsSameOnEveryNode) {
  auto on_first = get(cluster_->node(0).port(), "/");
  auto on_second = get(cluster_->node(1).port(), "/");
  EXPECT_EQ(on_first[http::field::etag], on_second[http::field::etag]);
}

TEST_F(StaticServing, MatchingIfNoneMatchGives304) {
  auto full = get(port(), "/style.css");
  const std::string etag(full[http::field::etag]);
  const std::vector<std::string> matching = {etag, "W/" + etag, "\"other\", " + etag, "*"};
  for (const auto& value : matching) {
    auto response = get(port(), "/style.css", {{http::field::if_none_match, value}});
    EXPECT_EQ(response.result(), http::status::not_modified) << value;
    EXPECT_TRUE(response.body().empty()) << value;
    EXPECT_EQ(response[http::field::etag], etag) << value;
    EXPECT_EQ(response[http::field::cache_control], "no-cache") << value;
  }
}

TEST_F(StaticServing, StaleIfNoneMatchGives200) {
  auto response = get(port(), "/style.css", {{http::field::if_none_match, "\"0123\""}});
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_FALSE(response.body().empty());
}

TEST_F(StaticServing, HeadSendsHeadersWithoutBody) {
  auto full = get(port(), "/js/app.js");
  auto head = request(port(), http::verb::head, "/js/app.js");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(full.body().size()));
  EXPECT_EQ(head[http::field::content_type], full[http::field::content_type]);
  EXPECT_EQ(head[http::field::etag], full[http::field::etag]);
}

TEST_F(StaticServing, OtherMethodsGive405) {
  auto response = request(port(), http::verb::post, "/index.html");
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "GET, HEAD");
}

TEST_F(StaticServing, QueryStringIsIgnored) {
  auto response = get(port(), "/style.css?v=2");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/css; charset=utf-8");
}

TEST_F(StaticServing, UnknownPathsGive404) {
  for (const std::string target : {"/missing.js", "/js/", "/js", "/index.htm", "/INDEX.HTML"}) {
    auto response = get(port(), target);
    EXPECT_EQ(response.result(), http::status::not_found) << target;
    EXPECT_EQ(response[http::field::content_type], "text/plain") << target;
  }
}

TEST_F(StaticServing, TraversalGives404) {
  const std::vector<std::string> targets = {
      "/../CMakeLists.txt", "/js/../index.html",     "/js/../../etc/passwd", "//index.html",
      "/%2e%2e/etc/passwd", "/js/%2e%2e/index.html", "/./index.html",        "/js/app.js/",
      "/etc/passwd",        "/web/index.html",
  };
  for (const auto& target : targets) {
    auto response = get(port(), target);
    EXPECT_EQ(response.result(), http::status::not_found) << target;
  }
}

TEST_F(StaticServing, HealthEndpointsStillWork) {
  EXPECT_EQ(get(port(), "/healthz").body(), "ok\n");
  EXPECT_EQ(get(port(), "/status")[http::field::content_type], "application/json");
}

TEST_F(StaticServing, NodesListsEveryLiveNode) {
  auto response = get(port(), "/nodes");
  ASSERT_EQ(response.result(), http::status::ok) << response.body();
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response[http::field::access_control_allow_origin], "*");

  auto nodes = boost::json::parse(response.body()).at("nodes").as_array();
  std::vector<std::string> urls;
  for (const auto& node : nodes) {
    urls.emplace_back(node.at("url").as_string());
    EXPECT_TRUE(node.at("nodeId").is_string());
  }
  EXPECT_EQ(urls.size(), cluster_->size());
  for (std::size_t i = 0; i < cluster_->size(); ++i) {
    EXPECT_NE(std::find(urls.begin(), urls.end(), cluster_->url(i)), urls.end())
        << cluster_->url(i);
  }
}

}  // namespace
}  // namespace parley::testing
