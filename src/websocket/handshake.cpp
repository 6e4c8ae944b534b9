#include "websocket/handshake.hpp"

#include <sstream>

#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
// Beast keeps its SHA-1 and Base64 in detail headers. They compute the
// accept key for Beast's own WebSocket stream, and the unit tests check
// accept_key() against the example of RFC 6455.
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/detail/sha1.hpp>

namespace parley::websocket {
namespace http = boost::beast::http;

namespace {

// Section 1.3: appended to the client's key before hashing.
constexpr std::string_view kKeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// A Sec-WebSocket-Key is 16 bytes in Base64: 22 characters and "==".
bool is_valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    const bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!base64) return false;
  }
  return true;
}

bool has_token(const UpgradeRequest& request, http::field field, std::string_view token) {
  const auto it = request.find(field);
  return it != request.end() && http::token_list{it->value()}.exists(token);
}

HandshakeResult reject(const UpgradeRequest& request, http::status status, std::string error,
                       std::string_view server) {
  http::response<http::string_body> response{status, request.version()};
  response.set(http::field::server, server);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  if (status == http::status::upgrade_required) {
    response.set(http::field::sec_websocket_version, "13");
  }
  response.keep_alive(false);
  response.body() = error + "\n";
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return {false, out.str(), std::move(error)};
}

}  // namespace

std::string accept_key(std::string_view client_key) {
  namespace detail = boost::beast::detail;
  detail::sha1_context context;
  detail::init(context);
  detail::update(context, client_key.data(), client_key.size());
  detail::update(context, kKeyGuid.data(), kKeyGuid.size());
  unsigned char digest[detail::sha1_context::digest_size];
  detail::finish(context, digest);
  std::string encoded(detail::base64::encoded_size(sizeof digest), '\0');
  encoded.resize(detail::base64::encode(encoded.data(), digest, sizeof digest));
  return encoded;
}

HandshakeResult make_handshake_response(const UpgradeRequest& request, std::string_view server) {
  if (request.version() != 11) {
    return reject(request, http::status::bad_request, "WebSocket upgrade needs HTTP/1.1", server);
  }
  if (request.method() != http::verb::get) {
    return reject(request, http::status::bad_request, "WebSocket upgrade needs the GET method",
                  server);
  }
  if (request.find(http::field::host) == request.end()) {
    return reject(request, http::status::bad_request, "WebSocket upgrade without a Host header",
                  server);
  }
  if (!has_token(request, http::field::connection, "upgrade") ||
      !has_token(request, http::field::upgrade, "websocket")) {
    return reject(request, http::status::bad_request,
                  "WebSocket upgrade needs 'Connection: Upgrade' and 'Upgrade: websocket'", server);
  }

  const auto version = request.find(http::field::sec_websocket_version);
  if (version == request.end() || version->value() != "13") {
    const std::string received = version == request.end() ? "none" : std::string(version->value());
    return reject(
        request, http::status::upgrade_required,
        "WebSocket version " + received + " is not supported: send 'Sec-WebSocket-Version: 13'",
        server);
  }

  const auto key = request.find(http::field::sec_websocket_key);
  if (key == request.end() || !is_valid_key(key->value())) {
    return reject(request, http::status::bad_request,
                  "Sec-WebSocket-Key must be 16 bytes in Base64 (24 characters)", server);
  }

  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response += accept_key(key->value());
  response += "\r\nServer: ";
  response += server;
  response += "\r\n\r\n";
  return {true, std::move(response), {}};
}

}  // namespace parley::websocket
