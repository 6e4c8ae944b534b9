#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/error.hpp"

namespace parley::client {

// Wire format of the requests a Connection sends with call().
enum class Encoding {
  kJson,  // text frames with JSON envelopes
  kSbe,   // binary frames with the SBE messages of schema/client-frames.xml
};

// Encodes the request of call(operation, data) with `cid` as an SBE frame.
// Fails with Error{0, message} when the operation has no binary form or a
// value of `data` fits no field of its message.
Result<std::string> encode_binary_request(const std::string& cid, std::string_view operation,
                                          const boost::json::value& data);

// Decodes a binary frame from the server into the JSON envelope object
// {"cid"?, "qualifier", "data"} that the text form of the same frame
// carries. Returns nullopt for a frame that is no reply, error or push of
// the schema.
std::optional<boost::json::object> decode_binary_frame(std::string_view payload);

// Returns the data that call() returns for a binary reply. The binary send
// request always has the object form, whose reply is {roomId, id,
// timestamp}, so a call with the string form gets the room id alone, as
// the JSON reply carries it.
boost::json::value adapt_binary_reply(std::string_view operation,
                                      const boost::json::value& request_data,
                                      boost::json::value reply_data);

}  // namespace parley::client
