#pragma once

// Building blocks of the per-operation translations between SBE client
// frames and the JSON values that the service handlers consume and return.
// Internal to src/protocol/binary.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/error.hpp"
#include "sbe/parley_sbe.hpp"

namespace parley::protocol::binary::detail {

using Bytes = std::span<const std::uint8_t>;

// The cid as the two uint64 fields that start every client frame: the first
// and the last 16 hex digits of the canonical UUID. Both 0 means no cid.
struct CidWords {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
};

// Returns the canonical lower-case UUID of `words`, or nullopt for {0, 0}.
std::optional<std::string> cid_text(CidWords words);
// Returns the words of a canonical UUID in any hex case, and {0, 0} for
// nullopt or a text that is not a canonical UUID.
CidWords cid_words(const std::optional<std::string>& cid);

// A frame translated to the JSON envelope parts: the cid and the data.
struct DecodedFrame {
  std::optional<std::string> cid;
  boost::json::value data;
};

// Translations of one operation. Server side: decode_request and
// encode_reply. Client side: encode_request and decode_reply.
struct OperationCodec {
  std::string_view operation;  // without the v1/syemessenger/ prefix
  std::uint16_t request_template_id;
  std::uint16_t reply_template_id;
  Result<DecodedFrame> (*decode_request)(Bytes frame);
  Result<std::string> (*encode_reply)(CidWords cid, const boost::json::value& data);
  Result<std::string> (*encode_request)(CidWords cid, const boost::json::value& data);
  Result<DecodedFrame> (*decode_reply)(Bytes frame);
};

// The codecs of each group of operations, in template id order.
std::span<const OperationCodec> account_codecs();
std::span<const OperationCodec> room_codecs();
std::span<const OperationCodec> message_codecs();
std::span<const OperationCodec> token_codecs();

// Builds the codec of an operation from its request and reply translations,
// each a type with static encode, decode and kTemplateId.
template <typename RequestCodec, typename ReplyCodec>
constexpr OperationCodec make_codec(std::string_view operation) {
  static_assert(ReplyCodec::kTemplateId == RequestCodec::kTemplateId + 100,
                "the reply template id of request N is N + 100");
  return OperationCodec{operation,
                        RequestCodec::kTemplateId,
                        ReplyCodec::kTemplateId,
                        &RequestCodec::decode,
                        &ReplyCodec::encode,
                        &RequestCodec::encode,
                        &ReplyCodec::decode};
}

// --- Errors -----------------------------------------------------------------

// Error{400, "Wrong message: invalid envelope"}, the reply to a frame that
// is not a valid request of the schema.
Error invalid_frame();
// Error{500, detail}: a reply value did not have the shape of its SBE reply
// message. The caller logs the detail and sends 500 Internal service error.
Error unexpected_reply(std::string_view detail);
// Error{0, field}: a client request value that no SBE request can carry. The
// caller names the operation in the message.
Error unencodable_request(std::string_view field);

// --- Encoding ---------------------------------------------------------------

// Largest frame the encoders produce. Server frames are far smaller because
// a page contains at most 50 items of bounded size.
inline constexpr std::size_t kMaxEncodedBytes = 16 * 1024 * 1024;

// Encodes one message with `Encoder`: calls `fill(encoder)` over a buffer
// that grows until the message fits. `fill` returns a Status, and its error
// is returned as is.
template <typename Encoder, typename Fill>
Result<std::string> encode_frame(Fill&& fill) {
  std::string buffer;
  for (std::size_t capacity = 256; capacity <= kMaxEncodedBytes; capacity *= 2) {
    buffer.assign(capacity, '\0');
    Encoder encoder(
        std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size()));
    Status filled = fill(encoder);
    if (!filled) return filled.error();
    if (encoder.ok()) {
      buffer.resize(encoder.size());
      return buffer;
    }
  }
  return Error{500, "Internal service error"};
}

template <typename Encoder>
void put_cid(Encoder& encoder, CidWords cid) {
  encoder.cid_high(cid.high).cid_low(cid.low);
}

template <typename Decoder>
std::optional<std::string> read_cid(const Decoder& decoder) {
  return cid_text({decoder.cid_high(), decoder.cid_low()});
}

// Decodes `frame` with `Decoder`, mapping every failure to invalid_frame().
template <typename Decoder>
Result<Decoder> decode_frame(Bytes frame) {
  auto decoded = Decoder::decode(frame);
  if (!decoded) return invalid_frame();
  return std::move(decoded).value();
}

// --- SBE to JSON (server requests, client replies) --------------------------

// Adds `key: value` when `present` is 1. Fails with invalid_frame() for a
// flag other than 0 and 1 or a value that is not valid UTF-8.
Status put_string(boost::json::object& object, std::string_view key, std::uint8_t present,
                  std::string_view value);
// Adds `key: value` as a JSON integer when the value is present.
void put_number(boost::json::object& object, std::string_view key,
                std::optional<std::int64_t> value);
// Adds `key: value` as a local date-time string (microseconds since
// 1970-01-01T00:00:00 on the clock of the request's time zone).
void put_local_time(boost::json::object& object, std::string_view key,
                    std::optional<std::int64_t> micros);
// Returns whether `value` is well-formed UTF-8.
bool is_valid_utf8(std::string_view value);

// Adds "orderBy": {"field"?, "direction"?} from a group of 0 or 1 entries.
// A direction other than 0 (ASC) and 1 (DESC) becomes a direction name that
// the request checks reject, as they reject one in a JSON request.
template <typename OrderByDecoder>
Status put_order_by(boost::json::object& object, OrderByDecoder order_by) {
  if (order_by.count() == 0) return Done{};
  if (order_by.count() > 1 || !order_by.next()) return invalid_frame();
  boost::json::object entry;
  if (Status s = put_string(entry, "field", order_by.field_present(), order_by.field()); !s) {
    return s;
  }
  if (std::optional<std::uint8_t> direction = order_by.direction()) {
    if (*direction == 0) {
      entry["direction"] = "ASC";
    } else if (*direction == 1) {
      entry["direction"] = "DESC";
    } else {
      entry["direction"] = "unknown direction " + std::to_string(*direction);
    }
  }
  object["orderBy"] = std::move(entry);
  return Done{};
}

// The id, createdAt and updatedAt numbers and the strings of an AccountInfo,
// from a reply message or a group entry.
template <typename Decoder>
Result<boost::json::object> read_account(const Decoder& decoder);
// The same for a RoomInfo.
template <typename Decoder>
Result<boost::json::object> read_room(const Decoder& decoder);

// Adds `key` as the date-time text of UTC milliseconds since the Unix
// epoch. Fails with invalid_frame() for a time outside the years 0000 to
// 9999, which the date-time format cannot write.
Status put_time(boost::json::object& object, std::string_view key, std::int64_t millis);
boost::json::string number_text(std::int64_t value);

// Adds the optional offset and limit of a page reply, as id strings.
void put_page_echo(boost::json::object& page, std::optional<std::int32_t> offset,
                   std::optional<std::int32_t> limit);

template <typename Decoder>
Result<boost::json::object> read_account(const Decoder& decoder) {
  boost::json::object account;
  account["id"] = number_text(decoder.id());
  if (Status s = put_string(account, "username", 1, decoder.username()); !s) return s.error();
  if (Status s = put_string(account, "email", 1, decoder.email()); !s) return s.error();
  if (Status s = put_time(account, "createdAt", decoder.created_at()); !s) return s.error();
  if (Status s = put_time(account, "updatedAt", decoder.updated_at()); !s) return s.error();
  return account;
}

template <typename Decoder>
Result<boost::json::object> read_room(const Decoder& decoder) {
  boost::json::object room;
  room["id"] = number_text(decoder.id());
  if (Status s = put_string(room, "name", 1, decoder.name()); !s) return s.error();
  if (Status s = put_string(room, "owner", 1, decoder.owner()); !s) return s.error();
  if (Status s =
          put_string(room, "description", decoder.description_present(), decoder.description());
      !s) {
    return s.error();
  }
  if (Status s = put_time(room, "createdAt", decoder.created_at()); !s) return s.error();
  if (Status s = put_time(room, "updatedAt", decoder.updated_at()); !s) return s.error();
  return room;
}

// --- JSON to SBE (server replies) -------------------------------------------

// Readers of the reply values that the handlers build with protocol/views:
// numbers as id strings and times as date-time strings. A value of another
// shape is a bug, reported with unexpected_reply().
class ReplyReader {
 public:
  explicit ReplyReader(const boost::json::value& data) : data_(data) {}

  Result<const boost::json::object*> object() const;
  Result<std::int64_t> bare_number() const;

  Result<std::int64_t> number(const boost::json::object& object, std::string_view key) const;
  Result<std::optional<std::int32_t>> optional_int32(const boost::json::object& object,
                                                     std::string_view key) const;
  // Returns UTC milliseconds since the Unix epoch.
  Result<std::int64_t> time(const boost::json::object& object, std::string_view key) const;
  Result<std::string_view> string(const boost::json::object& object, std::string_view key) const;
  // Returns nullopt when the key is absent.
  Result<std::optional<std::string_view>> optional_string(const boost::json::object& object,
                                                          std::string_view key) const;
  Result<const boost::json::array*> array(const boost::json::object& object,
                                          std::string_view key) const;
  Result<const boost::json::object*> element(const boost::json::value& value) const;

  Error error(std::string_view detail) const { return unexpected_reply(detail); }

 private:
  const boost::json::value& data_;
};

// Writes the fields of an AccountInfo object into a reply message or a
// group entry.
template <typename Encoder>
Status write_account(Encoder& encoder, const ReplyReader& reader,
                     const boost::json::object& account) {
  auto id = reader.number(account, "id");
  auto created_at = reader.time(account, "createdAt");
  auto updated_at = reader.time(account, "updatedAt");
  auto username = reader.string(account, "username");
  auto email = reader.string(account, "email");
  if (!id) return id.error();
  if (!created_at) return created_at.error();
  if (!updated_at) return updated_at.error();
  if (!username) return username.error();
  if (!email) return email.error();
  encoder.id(*id).created_at(*created_at).updated_at(*updated_at);
  encoder.username(*username).email(*email);
  return Done{};
}

// Writes the fields of a RoomInfo object into a reply message or a group
// entry.
template <typename Encoder>
Status write_room(Encoder& encoder, const ReplyReader& reader, const boost::json::object& room) {
  auto id = reader.number(room, "id");
  auto created_at = reader.time(room, "createdAt");
  auto updated_at = reader.time(room, "updatedAt");
  auto name = reader.string(room, "name");
  auto owner = reader.string(room, "owner");
  auto description = reader.optional_string(room, "description");
  if (!id) return id.error();
  if (!created_at) return created_at.error();
  if (!updated_at) return updated_at.error();
  if (!name) return name.error();
  if (!owner) return owner.error();
  if (!description) return description.error();
  encoder.id(*id).created_at(*created_at).updated_at(*updated_at);
  encoder.description_present(description->has_value() ? 1 : 0);
  encoder.name(*name).owner(*owner).description(description->value_or(""));
  return Done{};
}

// --- JSON to SBE (client requests) ------------------------------------------

// A string field of a request: present or absent.
struct RequestString {
  std::uint8_t present = 0;
  std::string value;
};

// An orderBy entry of a request; direction 0 is ASC, 1 DESC.
struct RequestOrderBy {
  RequestString field;
  std::optional<std::uint8_t> direction;
};

// Readers of the values a client passes to Connection::call(), with the
// lenient rules of the JSON protocol (numbers may be strings). A value that
// no SBE field can carry fails with unencodable_request().
class RequestReader {
 public:
  explicit RequestReader(const boost::json::value& data) : data_(data) {}

  // The payload if it is an object, an empty object otherwise.
  const boost::json::object& payload() const;
  const boost::json::value& data() const { return data_; }

  Result<std::optional<std::int64_t>> int64(const boost::json::value* value,
                                            std::string_view field) const;
  Result<std::optional<std::int32_t>> int32(const boost::json::value* value,
                                            std::string_view field) const;
  Result<RequestString> string(const boost::json::value* value, std::string_view field) const;
  // Returns microseconds since 1970-01-01T00:00:00 on the local clock.
  Result<std::optional<std::int64_t>> local_time(const boost::json::value* value,
                                                 std::string_view field) const;
  Result<std::optional<RequestOrderBy>> order_by() const;
  Result<std::vector<std::optional<std::int64_t>>> id_list(const boost::json::value* value,
                                                           std::string_view field) const;

  const boost::json::value* member(std::string_view key) const;

 private:
  const boost::json::value& data_;
};

// Writes the orderBy group of a request.
template <typename Encoder>
void write_order_by(Encoder& encoder, const std::optional<RequestOrderBy>& order_by) {
  auto group = encoder.order_by(order_by ? 1 : 0);
  if (!order_by) return;
  group.next();
  group.direction(order_by->direction);
  group.field_present(order_by->field.present);
  group.field(order_by->field.value);
}

}  // namespace parley::protocol::binary::detail
