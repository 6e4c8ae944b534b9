#include "client/binary_codec.hpp"

#include "common/logging.hpp"
#include "protocol/binary/frames.hpp"

namespace parley::client {

Result<std::string> encode_binary_request(const std::string& cid, std::string_view operation,
                                          const boost::json::value& data) {
  std::string qualifier(protocol::kQualifierPrefix);
  qualifier += operation;
  return protocol::binary::serialize_request(protocol::Envelope{cid, std::move(qualifier), data});
}

std::optional<boost::json::object> decode_binary_frame(std::string_view payload) {
  Result<boost::json::object> envelope =
      protocol::binary::parse_server_frame(protocol::binary::frame_bytes(payload));
  if (!envelope) {
    logger("client")->debug("binary frame of {} bytes is no server frame: {}", payload.size(),
                            envelope.error().message);
    return std::nullopt;
  }
  return std::move(envelope).value();
}

boost::json::value adapt_binary_reply(std::string_view operation,
                                      const boost::json::value& request_data,
                                      boost::json::value reply_data) {
  if (operation != "send" || request_data.is_object() || !reply_data.is_object()) {
    return reply_data;
  }
  const boost::json::value* room_id = reply_data.as_object().if_contains("roomId");
  return room_id != nullptr ? *room_id : reply_data;
}

}  // namespace parley::client
