#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "protocol/envelope.hpp"
#include "service/client_connection.hpp"

namespace parley::service {

// The completion of a handler: the reply's data, or the Error to send.
using Reply = std::function<void(Result<boost::json::value>)>;

// One request as a handler receives it. `reply` must be called exactly once,
// from any thread: the dispatcher moves the completion to the connection's
// executor before it touches the connection.
struct Request {
  std::shared_ptr<ClientConnection> connection;
  protocol::Envelope envelope;
  Reply reply;
};

using Handler = std::function<void(Request&)>;

// Parses each request frame as an envelope, finds the handler of its
// qualifier and sends exactly one reply frame per frame: the handler's
// result, or the envelope-level error (invalid envelope, missing qualifier,
// unknown handler). A text frame carries JSON and a binary frame SBE. Both
// reach the same handlers with the same envelope, and the reply uses the
// encoding of its request.
class Dispatcher {
 public:
  // Registers `handler` for v1/syemessenger/<operation>. When
  // `requires_login` is true, the dispatcher replies 401 `Not authenticated`
  // before the handler runs for a connection that is not logged in.
  void add(std::string_view operation, bool requires_login, Handler handler);

  // Handles one text frame of `connection`. Called on its executor.
  void dispatch(const std::shared_ptr<ClientConnection>& connection, std::string_view text);

  // Handles one binary frame of `connection`. Called on its executor.
  void dispatch_binary(const std::shared_ptr<ClientConnection>& connection,
                       std::span<const std::uint8_t> frame);

  // Serializers of one wire format's replies.
  struct WireFormat {
    std::string (*reply)(const protocol::Envelope& request, const boost::json::value& data);
    std::string (*error)(const std::optional<std::string>& cid, const Error& error);
  };

 private:
  void run(const std::shared_ptr<ClientConnection>& connection, protocol::EnvelopeParse parsed,
           WireFormat format);

  struct Entry {
    bool requires_login;
    Handler handler;
  };
  std::unordered_map<std::string, Entry> handlers_;
};

}  // namespace parley::service
