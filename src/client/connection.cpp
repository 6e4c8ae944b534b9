#include "client/connection.hpp"

#include <charconv>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "client/connection_impl.hpp"
#include "client/websocket_url.hpp"

namespace parley::client {
namespace {

constexpr std::string_view kQualifierPrefix = "v1/syemessenger/";
constexpr std::string_view kErrorQualifier = "v1/syemessenger/error";

// Returns a random (version 4) UUID in canonical lower-case form, the form
// in which the server echoes a cid.
std::string random_cid() {
  // random_generator is not thread-safe, and seeding one per call would
  // read the OS entropy source every time.
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

// Reads errorCode, which the server writes as a JSON string but a lenient
// peer may write as a number.
std::optional<int> read_error_code(const boost::json::value* code) {
  if (code == nullptr) {
    return std::nullopt;
  }
  if (code->is_int64()) {
    return static_cast<int>(code->as_int64());
  }
  if (!code->is_string()) {
    return std::nullopt;
  }
  const boost::json::string& text = code->as_string();
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Error decode_error_reply(const boost::json::object& envelope, std::string_view operation) {
  const boost::json::value* data = envelope.if_contains("data");
  const boost::json::object* fields = data != nullptr ? data->if_object() : nullptr;
  if (fields != nullptr) {
    std::optional<int> code = read_error_code(fields->if_contains("errorCode"));
    const boost::json::value* message = fields->if_contains("errorMessage");
    if (code && message != nullptr && message->is_string()) {
      return Error{*code, std::string(message->as_string())};
    }
  }
  return Error{0, "invalid error reply to " + std::string(operation) +
                      ": expected data {errorCode, errorMessage}, got " +
                      boost::json::serialize(envelope)};
}

}  // namespace

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url,
                                                     std::chrono::milliseconds timeout,
                                                     Encoding encoding) {
  Result<WebSocketUrl> parts = parse_websocket_url(url);
  if (!parts) {
    return parts.error();
  }
  auto impl = std::make_unique<Impl>(url, std::move(parts.value()));
  Status started = impl->start(timeout);
  if (!started) {
    return started.error();
  }
  impl->set_encoding(encoding);
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<boost::json::value> Connection::call(std::string_view operation,
                                            const boost::json::value& data,
                                            std::chrono::milliseconds timeout) {
  std::string cid = random_cid();
  const bool binary = impl_->encoding() == Encoding::kSbe;
  Result<boost::json::object> reply = Error{0, ""};
  if (binary) {
    Result<std::string> frame = encode_binary_request(cid, operation, data);
    if (!frame) {
      return frame.error();
    }
    reply = impl_->exchange(operation, cid, std::move(frame).value(), timeout, true);
  } else {
    boost::json::object request;
    request["cid"] = cid;
    request["qualifier"] = std::string(kQualifierPrefix) + std::string(operation);
    if (!data.is_null()) {
      request["data"] = data;
    }
    reply = impl_->exchange(operation, cid, boost::json::serialize(request), timeout);
  }
  if (!reply) {
    return reply.error();
  }
  const boost::json::value* qualifier = reply->if_contains("qualifier");
  if (qualifier != nullptr && qualifier->is_string() && qualifier->as_string() == kErrorQualifier) {
    return decode_error_reply(*reply, operation);
  }
  const boost::json::value* result = reply->if_contains("data");
  boost::json::value value = result != nullptr ? *result : boost::json::value(nullptr);
  return binary ? adapt_binary_reply(operation, data, std::move(value)) : value;
}

std::optional<boost::json::object> Connection::next_push(std::chrono::milliseconds timeout) {
  return impl_->next_push(timeout);
}

void Connection::send_text(std::string text) { impl_->send(false, std::move(text)); }

void Connection::send_binary(std::string bytes) { impl_->send(true, std::move(bytes)); }

std::optional<std::string> Connection::next_frame(std::chrono::milliseconds timeout) {
  std::optional<Frame> frame = impl_->next_frame(timeout);
  if (!frame) {
    return std::nullopt;
  }
  return std::move(frame->payload);
}

std::optional<Frame> Connection::next_frame_with_type(std::chrono::milliseconds timeout) {
  return impl_->next_frame(timeout);
}

void Connection::close(int code, std::string reason) { impl_->close(code, std::move(reason)); }

std::optional<CloseInfo> Connection::wait_closed(std::chrono::milliseconds timeout) {
  return impl_->wait_closed(timeout);
}

bool Connection::is_open() const { return impl_->is_open(); }

void Connection::set_encoding(Encoding encoding) { impl_->set_encoding(encoding); }

Encoding Connection::encoding() const { return impl_->encoding(); }

}  // namespace parley::client
