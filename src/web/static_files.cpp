#include "web/static_files.hpp"

#include <algorithm>

namespace parley::web {
namespace http = boost::beast::http;

namespace {

// Every response revalidates with the ETag, so a browser never runs a stale
// client after a node was upgraded, and an unchanged file costs one 304.
constexpr const char* kCacheControl = "no-cache";

// The page loads its scripts and styles from its own origin. It connects
// over WebSocket to any node and fetches GET /nodes from them, which can be
// other origins (another port).
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self' ws: wss: http: https:; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

void set_common_headers(net::HttpResponse& response, const StaticFile& file) {
  response.set(http::field::server, "parley");
  response.set(http::field::cache_control, kCacheControl);
  response.set(http::field::etag, file.etag);
  response.set("X-Content-Type-Options", "nosniff");
}

}  // namespace

std::optional<StaticFile> find_static(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path == "/") path = "/index.html";
  const auto files = embedded_files();
  const auto found = std::lower_bound(
      files.begin(), files.end(), path,
      [](const StaticFile& file, std::string_view wanted) { return file.path < wanted; });
  if (found == files.end() || found->path != path) return std::nullopt;
  return *found;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view candidate = trim(if_none_match.substr(0, comma));
    if (candidate == "*") return true;
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<net::HttpResponse> serve_static(const net::HttpRequest& request) {
  const auto file = find_static(request.target());
  if (!file) return std::nullopt;

  net::HttpResponse response{http::status::ok, request.version()};
  response.keep_alive(request.keep_alive());
  set_common_headers(response, *file);

  const bool is_head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !is_head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.set(http::field::content_type, "text/plain");
    response.body() = "method not allowed: " + std::string(file->path) + " supports GET and HEAD\n";
    response.prepare_payload();
    return response;
  }

  const auto if_none_match = request[http::field::if_none_match];
  if (!if_none_match.empty() && etag_matches(if_none_match, file->etag)) {
    // A 304 carries the validators but no body and no Content-Length.
    response.result(http::status::not_modified);
    return response;
  }

  response.set(http::field::content_type, file->content_type);
  if (file->content_type.starts_with("text/html")) {
    response.set("Content-Security-Policy", kContentSecurityPolicy);
    response.set("Referrer-Policy", "no-referrer");
  }
  if (is_head) {
    // The same headers as GET, with the length of the body that GET sends.
    response.content_length(file->body.size());
  } else {
    response.body() = std::string(file->body);
    response.prepare_payload();
  }
  return response;
}

}  // namespace parley::web
