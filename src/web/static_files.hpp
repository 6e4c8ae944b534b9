#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "net/http_handler.hpp"

namespace parley::web {

// One file of the web client, embedded into the binary at build time from
// the folder web/ of the repository.
struct StaticFile {
  std::string_view path;          // URL path, such as "/index.html"
  std::string_view content_type;  // Content-Type header value
  std::string_view etag;          // strong ETag, quotes included
  std::string_view body;
};

// Every embedded file, sorted by path. Defined in the generated source.
std::span<const StaticFile> embedded_files();

// Finds the embedded file for a URL path: "/" is "/index.html", and a query
// string or fragment is ignored. Returns nullopt for every other path,
// including "..", percent-encoded or doubled-slash forms, because only the
// exact embedded paths match and no file system is read.
std::optional<StaticFile> find_static(std::string_view target);

// Returns true when an If-None-Match header value matches `etag`: "*", or a
// comma-separated list that contains `etag` with or without the weak prefix W/.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Builds the response to a request for an embedded file. Returns nullopt
// when the target names no embedded file, so the caller can route it
// elsewhere. GET and HEAD get 200, or 304 when If-None-Match matches;
// other methods get 405 with an Allow header.
std::optional<net::HttpResponse> serve_static(const net::HttpRequest& request);

}  // namespace parley::web
