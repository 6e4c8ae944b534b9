// SBE translations of subscribe, unsubscribe, send and listMessages.

#include "protocol/binary/shapes.hpp"

namespace parley::protocol::binary::detail {
namespace json = boost::json;
namespace {

// The object form {roomId?, afterMessageId?}. Without afterMessageId the
// checks and the reply are those of the bare room id form.
struct SubscribeRequest {
  using Encoder = sbe::SubscribeRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::SubscribeRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "roomId", decoder->room_id());
    put_number(data, "afterMessageId", decoder->after_message_id());
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    // The bare form is the room id itself.
    const json::value* room = data.is_object() ? reader.member("roomId") : &data;
    auto room_id = reader.int64(room, "roomId");
    auto after = reader.int64(reader.member("afterMessageId"), "afterMessageId");
    if (!room_id) return room_id.error();
    if (!after) return after.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id).after_message_id(*after);
      return Done{};
    });
  }
};

// The object form {roomId?, message?, clientMessageId?}. Without roomId and
// clientMessageId its checks are those of the string form, but its reply
// is always {roomId, id, timestamp}.
struct SendRequest {
  using Encoder = sbe::SendRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::SendRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "roomId", decoder->room_id());
    if (Status s = put_string(data, "message", decoder->message_present(), decoder->message());
        !s) {
      return s.error();
    }
    if (Status s = put_string(data, "clientMessageId", decoder->client_message_id_present(),
                              decoder->client_message_id());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    // The string form is the message text itself.
    const json::value* text = data.is_object() ? reader.member("message") : &data;
    auto room_id = reader.int64(reader.member("roomId"), "roomId");
    auto message = reader.string(text, "message");
    auto client_message_id = reader.string(reader.member("clientMessageId"), "clientMessageId");
    if (!room_id) return room_id.error();
    if (!message) return message.error();
    if (!client_message_id) return client_message_id.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id)
          .message_present(message->present)
          .client_message_id_present(client_message_id->present);
      encoder.message(message->value).client_message_id(client_message_id->value);
      return Done{};
    });
  }
};

struct ListMessagesRequest {
  using Encoder = sbe::ListMessagesRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::ListMessagesRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "roomId", decoder->room_id());
    put_number(data, "offset", decoder->offset());
    put_number(data, "limit", decoder->limit());
    put_local_time(data, "from", decoder->from());
    put_local_time(data, "to", decoder->to());
    if (Status s = put_order_by(data, decoder->order_by()); !s) return s.error();
    if (Status s = put_string(data, "timezone", decoder->timezone_present(), decoder->timezone());
        !s) {
      return s.error();
    }
    if (Status s = put_string(data, "keyword", decoder->keyword_present(), decoder->keyword());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto room_id = reader.int64(reader.member("roomId"), "roomId");
    auto offset = reader.int32(reader.member("offset"), "offset");
    auto limit = reader.int32(reader.member("limit"), "limit");
    auto from = reader.local_time(reader.member("from"), "from");
    auto to = reader.local_time(reader.member("to"), "to");
    auto timezone = reader.string(reader.member("timezone"), "timezone");
    auto keyword = reader.string(reader.member("keyword"), "keyword");
    auto order_by = reader.order_by();
    if (!room_id) return room_id.error();
    if (!offset) return offset.error();
    if (!limit) return limit.error();
    if (!from) return from.error();
    if (!to) return to.error();
    if (!timezone) return timezone.error();
    if (!keyword) return keyword.error();
    if (!order_by) return order_by.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id).offset(*offset).limit(*limit).from(*from).to(*to);
      encoder.timezone_present(timezone->present).keyword_present(keyword->present);
      write_order_by(encoder, *order_by);
      encoder.timezone(timezone->value).keyword(keyword->value);
      return Done{};
    });
  }
};

struct SendReply {
  using Encoder = sbe::SendReplyEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    ReplyReader reader(data);
    auto result = reader.object();
    if (!result) return result.error();
    auto room_id = reader.number(**result, "roomId");
    auto id = reader.number(**result, "id");
    auto timestamp = reader.time(**result, "timestamp");
    if (!room_id) return room_id.error();
    if (!id) return id.error();
    if (!timestamp) return timestamp.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id).id(*id).timestamp(*timestamp);
      return Done{};
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::SendReplyDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object result;
    result["roomId"] = number_text(decoder->room_id());
    result["id"] = number_text(decoder->id());
    if (Status s = put_time(result, "timestamp", decoder->timestamp()); !s) return s.error();
    return DecodedFrame{read_cid(*decoder), std::move(result)};
  }
};

// The messages of listMessages, in the group messages. The Java reference
// server writes limit before offset in this page.
struct MessageItems {
  static constexpr std::string_view kKey = "messages";

  template <typename Encoder>
  static Status write(Encoder& encoder, const ReplyReader& reader, const json::array& messages) {
    auto group = encoder.messages(messages.size());
    for (const json::value& value : messages) {
      auto message = reader.element(value);
      if (!message) return message.error();
      auto id = reader.number(**message, "id");
      auto sender_id = reader.number(**message, "senderId");
      auto room_id = reader.number(**message, "roomId");
      auto timestamp = reader.time(**message, "timestamp");
      auto text = reader.string(**message, "message");
      if (!id) return id.error();
      if (!sender_id) return sender_id.error();
      if (!room_id) return room_id.error();
      if (!timestamp) return timestamp.error();
      if (!text) return text.error();
      group.next();
      group.id(*id).sender_id(*sender_id).room_id(*room_id).timestamp(*timestamp);
      group.message(*text);
    }
    return Done{};
  }

  template <typename Decoder>
  static Result<json::array> read(const Decoder& decoder) {
    auto group = decoder.messages();
    json::array messages;
    while (group.next()) {
      json::object message;
      message["id"] = number_text(group.id());
      message["senderId"] = number_text(group.sender_id());
      message["roomId"] = number_text(group.room_id());
      if (Status s = put_string(message, "message", 1, group.message()); !s) return s.error();
      if (Status s = put_time(message, "timestamp", group.timestamp()); !s) return s.error();
      messages.emplace_back(std::move(message));
    }
    return messages;
  }

  static void put_echo(json::object& page, std::optional<std::int32_t> offset,
                       std::optional<std::int32_t> limit) {
    if (limit) page["limit"] = number_text(*limit);
    if (offset) page["offset"] = number_text(*offset);
  }
};

const OperationCodec kMessageCodecs[] = {
    make_codec<SubscribeRequest,
               RoomIdReply<sbe::SubscribeReplyEncoder, sbe::SubscribeReplyDecoder>>("subscribe"),
    make_codec<EmptyRequest<sbe::UnsubscribeRequestEncoder, sbe::UnsubscribeRequestDecoder>,
               RoomIdReply<sbe::UnsubscribeReplyEncoder, sbe::UnsubscribeReplyDecoder>>(
        "unsubscribe"),
    make_codec<SendRequest, SendReply>("send"),
    make_codec<ListMessagesRequest, PageReply<sbe::ListMessagesReplyEncoder,
                                              sbe::ListMessagesReplyDecoder, MessageItems>>(
        "listMessages"),
};

}  // namespace

std::span<const OperationCodec> message_codecs() { return kMessageCodecs; }

}  // namespace parley::protocol::binary::detail
