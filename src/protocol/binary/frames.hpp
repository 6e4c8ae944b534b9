#pragma once

// Binary (SBE) client frames, the second wire format of the client protocol.
// Each binary frame is one message of schema/client-frames.xml. The
// functions translate it to and from the JSON envelope parts, so the
// service runs the same checks and handlers for both formats and replies
// with the same codes and messages.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/error.hpp"
#include "protocol/envelope.hpp"
#include "protocol/views.hpp"

namespace parley::protocol::binary {

// Views the bytes of a std::string frame as the span the codecs take.
std::span<const std::uint8_t> frame_bytes(std::string_view frame);

// --- Server side ------------------------------------------------------------

// Translates a binary request frame into the envelope that the JSON parser
// would build for the same request: the qualifier of its template and the
// data with the JSON field names and types. A frame that is not a valid
// request of the schema (too short, another schema id, a block or length
// that overruns the frame, a presence flag other than 0 and 1, a string
// that is not UTF-8) yields Error{400, "Wrong message: invalid envelope"},
// with the cid when the first 16 bytes of the block could be read. A valid
// header with a template that is no request yields an envelope whose
// qualifier names the template id, so that the dispatcher replies 404 as
// for an unknown qualifier.
EnvelopeParse parse_request(std::span<const std::uint8_t> frame);

// Encodes the reply to `request` (as parse_request returned it) with the
// reply message of its operation. A reply value without the shape of that
// message is logged and encoded as the error 500 Internal service error.
std::string serialize_reply(const Envelope& request, const boost::json::value& data);

// Encodes an ErrorReply with the code and message of `error`.
std::string serialize_error(const std::optional<std::string>& cid, const Error& error);

// Encodes the MessagePush of a room message.
std::string serialize_push(const MessageInfo& message);

// Re-encodes a JSON push frame (protocol::serialize_push) as a MessagePush.
Result<std::string> push_from_json(std::string_view json_frame);

// --- Client side ------------------------------------------------------------

// Encodes the request {cid?, qualifier, data} as its SBE request message.
// The data may use the lenient JSON forms (numbers as strings). Fails with
// Error{0, message} for an operation without a binary form or a value that
// no field of its message can carry.
Result<std::string> serialize_request(const Envelope& request);

// Translates a binary reply, error or push frame into the JSON envelope
// object the server would have sent as a text frame: {"cid"?, "qualifier",
// "data"}. Fails with Error{0, message} for any other frame.
Result<boost::json::object> parse_server_frame(std::span<const std::uint8_t> frame);

}  // namespace parley::protocol::binary
