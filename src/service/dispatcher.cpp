#include "service/dispatcher.hpp"

#include <boost/asio/dispatch.hpp>

#include "common/logging.hpp"
#include "protocol/binary/frames.hpp"

namespace parley::service {
namespace {

const std::optional<std::string>& echo_qualifier(const Request& request) {
  return request.envelope.qualifier;
}

constexpr Dispatcher::WireFormat kJsonFormat{&protocol::serialize_reply,
                                             &protocol::serialize_error};
constexpr Dispatcher::WireFormat kSbeFormat{&protocol::binary::serialize_reply,
                                            &protocol::binary::serialize_error};

}  // namespace

void Dispatcher::add(std::string_view operation, bool requires_login, Handler handler) {
  std::string qualifier(protocol::kQualifierPrefix);
  qualifier += operation;
  handlers_[qualifier] = Entry{requires_login, std::move(handler)};
}

void Dispatcher::dispatch(const std::shared_ptr<ClientConnection>& connection,
                          std::string_view text) {
  run(connection, protocol::parse_envelope(text), kJsonFormat);
}

void Dispatcher::dispatch_binary(const std::shared_ptr<ClientConnection>& connection,
                                 std::span<const std::uint8_t> frame) {
  run(connection, protocol::binary::parse_request(frame), kSbeFormat);
}

void Dispatcher::run(const std::shared_ptr<ClientConnection>& connection,
                     protocol::EnvelopeParse parsed, WireFormat format) {
  if (!parsed.envelope) {
    connection->complete(format.error(parsed.cid_if_readable, parsed.error));
    return;
  }
  protocol::Envelope& envelope = *parsed.envelope;
  if (!envelope.qualifier) {
    connection->complete(format.error(envelope.cid, {400, "Wrong message: qualifier is missing"}));
    return;
  }
  auto found = handlers_.find(*envelope.qualifier);
  if (found == handlers_.end()) {
    connection->complete(
        format.error(envelope.cid, {404, "Wrong message: request handler is missing"}));
    return;
  }
  if (found->second.requires_login && !connection->account()) {
    connection->complete(format.error(envelope.cid, {401, "Not authenticated"}));
    return;
  }

  // The reply echoes cid and qualifier, so the completion keeps a copy of
  // those two: the handler may finish on a pool thread after `request` is
  // gone.
  protocol::Envelope echo{envelope.cid, envelope.qualifier, nullptr};
  Request request{connection, std::move(envelope), nullptr};
  request.reply = [connection, echo = std::move(echo), format](Result<boost::json::value> result) {
    boost::asio::dispatch(connection->executor(), [connection, echo = std::move(echo), format,
                                                   result = std::move(result)]() mutable {
      if (result.ok()) {
        connection->complete(format.reply(echo, result.value()));
      } else {
        connection->complete(format.error(echo.cid, result.error()));
      }
    });
  };
  try {
    found->second.handler(request);
  } catch (const std::exception& error) {
    // Handlers report failures through reply(); reaching this is a bug, but
    // the client still gets its one reply and the node keeps serving.
    logger("service")->error("[C{}] handler of {} threw: {}", connection->connection_id(),
                             *echo_qualifier(request), error.what());
    request.reply(Error{500, "Internal service error"});
  }
}

}  // namespace parley::service
