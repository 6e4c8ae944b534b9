// SBE translations of the room operations: getRooms, createRoom, updateRoom,
// getRoom, joinRoom, leaveRoom, the member list changes, getBlockedMembers,
// listRooms and getRoomMembers.

#include "protocol/binary/shapes.hpp"

namespace parley::protocol::binary::detail {
namespace json = boost::json;
namespace {

struct GetRoomsRequest {
  using Encoder = sbe::GetRoomsRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::GetRoomsRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "offset", decoder->offset());
    put_number(data, "limit", decoder->limit());
    if (Status s = put_order_by(data, decoder->order_by()); !s) return s.error();
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto offset = reader.int32(reader.member("offset"), "offset");
    auto limit = reader.int32(reader.member("limit"), "limit");
    auto order_by = reader.order_by();
    if (!offset) return offset.error();
    if (!limit) return limit.error();
    if (!order_by) return order_by.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.offset(*offset).limit(*limit);
      write_order_by(encoder, *order_by);
      return Done{};
    });
  }
};

struct CreateRoomRequest {
  using Encoder = sbe::CreateRoomRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::CreateRoomRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    if (Status s = put_string(data, "name", decoder->name_present(), decoder->name()); !s) {
      return s.error();
    }
    if (Status s =
            put_string(data, "description", decoder->description_present(), decoder->description());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto name = reader.string(reader.member("name"), "name");
    auto description = reader.string(reader.member("description"), "description");
    if (!name) return name.error();
    if (!description) return description.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.name_present(name->present).description_present(description->present);
      encoder.name(name->value).description(description->value);
      return Done{};
    });
  }
};

struct UpdateRoomRequest {
  using Encoder = sbe::UpdateRoomRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::UpdateRoomRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "roomId", decoder->room_id());
    if (Status s =
            put_string(data, "description", decoder->description_present(), decoder->description());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto room_id = reader.int64(reader.member("roomId"), "roomId");
    auto description = reader.string(reader.member("description"), "description");
    if (!room_id) return room_id.error();
    if (!description) return description.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id).description_present(description->present);
      encoder.description(description->value);
      return Done{};
    });
  }
};

// joinRoom's payload is the room name itself, not an object.
struct JoinRoomRequest {
  using Encoder = sbe::JoinRoomRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::JoinRoomRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object holder;
    if (Status s = put_string(holder, "name", decoder->name_present(), decoder->name()); !s) {
      return s.error();
    }
    DecodedFrame decoded{read_cid(*decoder), nullptr};
    if (json::value* name = holder.if_contains("name")) decoded.data = std::move(*name);
    return decoded;
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto name = reader.string(&data, "name");
    if (!name) return name.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.name_present(name->present);
      encoder.name(name->value);
      return Done{};
    });
  }
};

struct ListRoomsRequest {
  using Encoder = sbe::ListRoomsRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::ListRoomsRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    put_number(data, "offset", decoder->offset());
    put_number(data, "limit", decoder->limit());
    if (Status s = put_order_by(data, decoder->order_by()); !s) return s.error();
    if (Status s = put_string(data, "keyword", decoder->keyword_present(), decoder->keyword());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto offset = reader.int32(reader.member("offset"), "offset");
    auto limit = reader.int32(reader.member("limit"), "limit");
    auto keyword = reader.string(reader.member("keyword"), "keyword");
    auto order_by = reader.order_by();
    if (!offset) return offset.error();
    if (!limit) return limit.error();
    if (!keyword) return keyword.error();
    if (!order_by) return order_by.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.offset(*offset).limit(*limit).keyword_present(keyword->present);
      write_order_by(encoder, *order_by);
      encoder.keyword(keyword->value);
      return Done{};
    });
  }
};

const OperationCodec kRoomCodecs[] = {
    make_codec<GetRoomsRequest,
               PageReply<sbe::GetRoomsReplyEncoder, sbe::GetRoomsReplyDecoder, RoomItems>>(
        "getRooms"),
    make_codec<CreateRoomRequest,
               RoomReply<sbe::CreateRoomReplyEncoder, sbe::CreateRoomReplyDecoder>>("createRoom"),
    make_codec<UpdateRoomRequest,
               RoomReply<sbe::UpdateRoomReplyEncoder, sbe::UpdateRoomReplyDecoder>>("updateRoom"),
    make_codec<BareIdRequest<sbe::GetRoomRequestEncoder, sbe::GetRoomRequestDecoder>,
               RoomReply<sbe::GetRoomReplyEncoder, sbe::GetRoomReplyDecoder>>("getRoom"),
    make_codec<JoinRoomRequest, RoomIdReply<sbe::JoinRoomReplyEncoder, sbe::JoinRoomReplyDecoder>>(
        "joinRoom"),
    make_codec<BareIdRequest<sbe::LeaveRoomRequestEncoder, sbe::LeaveRoomRequestDecoder>,
               RoomIdReply<sbe::LeaveRoomReplyEncoder, sbe::LeaveRoomReplyDecoder>>("leaveRoom"),
    make_codec<
        MembersRequest<sbe::RemoveRoomMembersRequestEncoder, sbe::RemoveRoomMembersRequestDecoder>,
        RoomIdReply<sbe::RemoveRoomMembersReplyEncoder, sbe::RemoveRoomMembersReplyDecoder>>(
        "removeRoomMembers"),
    make_codec<
        MembersRequest<sbe::BlockRoomMembersRequestEncoder, sbe::BlockRoomMembersRequestDecoder>,
        RoomIdReply<sbe::BlockRoomMembersReplyEncoder, sbe::BlockRoomMembersReplyDecoder>>(
        "blockRoomMembers"),
    make_codec<
        MembersRequest<sbe::UnblockRoomMembersRequestEncoder,
                       sbe::UnblockRoomMembersRequestDecoder>,
        RoomIdReply<sbe::UnblockRoomMembersReplyEncoder, sbe::UnblockRoomMembersReplyDecoder>>(
        "unblockRoomMembers"),
    make_codec<
        RoomPageRequest<sbe::GetBlockedMembersRequestEncoder, sbe::GetBlockedMembersRequestDecoder>,
        PageReply<sbe::GetBlockedMembersReplyEncoder, sbe::GetBlockedMembersReplyDecoder,
                  AccountItems>>("getBlockedMembers"),
    make_codec<ListRoomsRequest,
               PageReply<sbe::ListRoomsReplyEncoder, sbe::ListRoomsReplyDecoder, RoomItems>>(
        "listRooms"),
    make_codec<
        RoomPageRequest<sbe::GetRoomMembersRequestEncoder, sbe::GetRoomMembersRequestDecoder>,
        PageReply<sbe::GetRoomMembersReplyEncoder, sbe::GetRoomMembersReplyDecoder, AccountItems>>(
        "getRoomMembers"),
};

}  // namespace

std::span<const OperationCodec> room_codecs() { return kRoomCodecs; }

}  // namespace parley::protocol::binary::detail
