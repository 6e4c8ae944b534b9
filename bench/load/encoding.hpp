#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.hpp"

namespace parley::bench {

// A room message push as the tool reads it.
struct PushView {
  std::string_view text;
  std::int64_t message_id = 0;
};

// The wire encoding of requests and pushes. Only the JSON text encoding
// exists; an SBE binary encoding would implement the same three functions.
class JsonEncoding {
 public:
  // Encodes a request of `operation` (without the v1/syemessenger/ prefix).
  static std::string request(std::string_view operation, const boost::json::value& data);
  // Encodes the string form of `send`, which goes to the subscribed room.
  static std::string send_to_subscribed(std::string_view text);
  // Encodes the object form of `send` with a room id.
  static std::string send_to_room(std::int64_t room_id, std::string_view text);
  // Reads the text and id of a push; nullopt when the frame has neither.
  static std::optional<PushView> read_push(std::string_view frame);
  // Returns the `data` of a reply, or an error string naming what failed.
  static boost::json::value reply_data(std::string_view frame);
};

// The encoding of the frames a run sends: JSON text frames, or SBE binary
// frames through client/binary_codec.
enum class WireEncoding { kJson, kSbe };

// A request ready for the wire.
struct WireFrame {
  std::string bytes;
  bool binary = false;
};

// Encodes a request of `operation` (without the v1/syemessenger/ prefix) in
// `encoding`. SBE requests carry a fresh cid. Fails when the operation has
// no binary form or a value fits no field of its SBE message.
Result<WireFrame> encode_request(WireEncoding encoding, std::string_view operation,
                                 const boost::json::value& data);

// Returns the JSON text of the envelope that a binary server frame carries,
// so that replies and pushes of both encodings are read the same way.
// Returns nullopt for a frame that is no reply, error or push.
std::optional<std::string> binary_frame_as_json(std::string_view payload);

// Reads the id the server returns as a JSON string or number; 0 when absent.
std::int64_t id_from(const boost::json::value& value);

// The text of a benchmark message: the sender's steady-clock send time in
// nanoseconds, its sender slot and sequence number, padded with 'x' to
// `size` bytes.
std::string make_message_text(std::int64_t send_time_ns, std::uint32_t sender,
                              std::uint64_t sequence, std::size_t size);

// Fields of a benchmark message text.
struct MessageStamp {
  std::int64_t send_time_ns = 0;
  std::uint32_t sender = 0;
  std::uint64_t sequence = 0;
};
std::optional<MessageStamp> read_message_text(std::string_view text);

}  // namespace parley::bench
