#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

// The server side of the opening handshake (RFC 6455 section 4.2).
namespace parley::websocket {

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HandshakeResult {
  // The request was a valid upgrade and `response` switches protocols.
  bool accepted = false;
  // The HTTP response to send, whole.
  std::string response;
  // The reason the request was rejected, empty when it was accepted.
  std::string error;
};

// Checks `request` by section 4.2.1 and makes the response: 101 with the
// Sec-WebSocket-Accept key, 426 naming version 13 for another protocol
// version, and 400 naming the fault otherwise. No extension or subprotocol
// is accepted. `server` is the Server header's value.
HandshakeResult make_handshake_response(const UpgradeRequest& request, std::string_view server);

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key
// (section 4.2.2, item 5.4).
std::string accept_key(std::string_view client_key);

}  // namespace parley::websocket
