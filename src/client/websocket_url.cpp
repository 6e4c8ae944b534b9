#include "client/websocket_url.hpp"

#include <charconv>
#include <string_view>

namespace parley::client {
namespace {

constexpr std::string_view kScheme = "ws://";

Error invalid_url(const std::string& url, std::string_view cause) {
  return Error{0, "invalid WebSocket URL '" + url + "': " + std::string(cause) +
                      ". Expected ws://host[:port][/path]"};
}

bool is_valid_port(std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

}  // namespace

Result<WebSocketUrl> parse_websocket_url(const std::string& url) {
  std::string_view rest(url);
  if (rest.substr(0, kScheme.size()) != kScheme) {
    return invalid_url(url, "the scheme must be ws:// (wss:// is not supported)");
  }
  rest.remove_prefix(kScheme.size());

  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (auto fragment = target.find('#'); fragment != std::string_view::npos) {
    target = target.substr(0, fragment);
  }
  if (authority.find('@') != std::string_view::npos) {
    return invalid_url(url, "user information is not supported");
  }

  WebSocketUrl parsed;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto bracket = authority.find(']');
    if (bracket == std::string_view::npos) {
      return invalid_url(url, "the IPv6 address has no closing bracket");
    }
    parsed.host = std::string(authority.substr(1, bracket - 1));
    std::string_view after = authority.substr(bracket + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return invalid_url(url, "unexpected text after the IPv6 address");
      }
      port = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }

  if (parsed.host.empty()) {
    return invalid_url(url, "the host is missing");
  }
  if (authority.back() == ':' || (!port.empty() && !is_valid_port(port))) {
    return invalid_url(url, "the port must be a number from 1 to 65535");
  }

  parsed.port = port.empty() ? "80" : std::string(port);
  parsed.target = target.empty() ? "/" : std::string(target);
  if (parsed.target.front() == '?') {
    parsed.target.insert(0, "/");
  }
  // RFC 6455 section 4.1 requires the port in the Host header only when it
  // is not the scheme's default, but sending it always is also valid.
  bool is_ipv6 = parsed.host.find(':') != std::string::npos;
  parsed.host_header = (is_ipv6 ? "[" + parsed.host + "]" : parsed.host) + ":" + parsed.port;
  return parsed;
}

}  // namespace parley::client
