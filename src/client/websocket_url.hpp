#pragma once

#include <string>

#include "common/error.hpp"

namespace parley::client {

// The parts of a ws:// URL that a WebSocket handshake needs.
struct WebSocketUrl {
  std::string host;         // name or address, without IPv6 brackets
  std::string port;         // "80" when the URL gives none
  std::string target;       // path and query, "/" when the URL gives none
  std::string host_header;  // value of the Host header, e.g. "[::1]:8080"
};

// Parses ws://host[:port][/path][?query]. Host may be a name, an IPv4
// address or a bracketed IPv6 address. wss:// is rejected because the client
// has no TLS support. Errors have code 0 and name the URL.
Result<WebSocketUrl> parse_websocket_url(const std::string& url);

}  // namespace parley::client
