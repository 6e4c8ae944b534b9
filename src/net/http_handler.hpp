#pragma once

#include <functional>

#include <boost/beast/http.hpp>

namespace parley::net {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Serves the plain HTTP requests of a node (health, readiness). `respond`
// may be called from any thread, exactly once.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) = 0;
};

// Builds a response with the request's version and keep-alive setting.
HttpResponse make_response(const HttpRequest& request, boost::beast::http::status status,
                           std::string body, const char* content_type = "text/plain");

}  // namespace parley::net
