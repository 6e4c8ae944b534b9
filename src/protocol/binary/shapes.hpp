#pragma once

// Translations shared by several operations, as templates over the
// generated encoder and decoder of each message. Each type has
// kTemplateId, a static decode (SBE to cid and JSON data) and a static
// encode (JSON data to SBE). Internal to src/protocol/binary.

#include "protocol/binary/codec.hpp"

namespace parley::protocol::binary::detail {

// A request without payload (unsubscribe, createToken, logout).
template <typename Encoder, typename Decoder>
struct EmptyRequest {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    return DecodedFrame{read_cid(*decoder), nullptr};
  }

  static Result<std::string> encode(CidWords cid, const boost::json::value&) {
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      return Done{};
    });
  }
};

// A request whose payload is one id, not an object: getAccount, getRoom and
// leaveRoom. The optional field `id` carries it, and absent becomes null.
template <typename Encoder, typename Decoder>
struct BareIdRequest {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    DecodedFrame decoded{read_cid(*decoder), nullptr};
    if (std::optional<std::int64_t> id = decoder->id()) decoded.data = *id;
    return decoded;
  }

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    RequestReader reader(data);
    auto id = reader.int64(&data, "id");
    if (!id) return id.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.id(*id);
      return Done{};
    });
  }
};

// {roomId?, memberIds?}: removeRoomMembers, blockRoomMembers,
// unblockRoomMembers. An absent member id in the group becomes a JSON null
// element, which the request checks reject.
template <typename Encoder, typename Decoder>
struct MembersRequest {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    boost::json::object data;
    put_number(data, "roomId", decoder->room_id());
    auto group = decoder->member_ids();
    boost::json::array ids;
    ids.reserve(group.count());
    while (group.next()) {
      std::optional<std::int64_t> id = group.member_id();
      if (id) {
        ids.emplace_back(*id);
      } else {
        ids.emplace_back(nullptr);
      }
    }
    data["memberIds"] = std::move(ids);
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    RequestReader reader(data);
    auto room_id = reader.int64(reader.member("roomId"), "roomId");
    auto member_ids = reader.id_list(reader.member("memberIds"), "memberIds");
    if (!room_id) return room_id.error();
    if (!member_ids) return member_ids.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id);
      auto group = encoder.member_ids(member_ids->size());
      for (const std::optional<std::int64_t>& id : *member_ids) {
        group.next();
        group.member_id(id);
      }
      return Done{};
    });
  }
};

// {roomId?, offset?, limit?, orderBy?}: getBlockedMembers, getRoomMembers.
template <typename Encoder, typename Decoder>
struct RoomPageRequest {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    boost::json::object data;
    put_number(data, "roomId", decoder->room_id());
    put_number(data, "offset", decoder->offset());
    put_number(data, "limit", decoder->limit());
    if (Status s = put_order_by(data, decoder->order_by()); !s) return s.error();
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    RequestReader reader(data);
    auto room_id = reader.int64(reader.member("roomId"), "roomId");
    auto offset = reader.int32(reader.member("offset"), "offset");
    auto limit = reader.int32(reader.member("limit"), "limit");
    auto order_by = reader.order_by();
    if (!room_id) return room_id.error();
    if (!offset) return offset.error();
    if (!limit) return limit.error();
    if (!order_by) return order_by.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.room_id(*room_id).offset(*offset).limit(*limit);
      write_order_by(encoder, *order_by);
      return Done{};
    });
  }
};

// Reply AccountInfo: createAccount, updateAccount, getAccount.
template <typename Encoder, typename Decoder>
struct AccountReply {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    ReplyReader reader(data);
    auto account = reader.object();
    if (!account) return account.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      return write_account(encoder, reader, **account);
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    auto account = read_account(*decoder);
    if (!account) return account.error();
    return DecodedFrame{read_cid(*decoder), std::move(account).value()};
  }
};

// Reply RoomInfo: createRoom, updateRoom, getRoom.
template <typename Encoder, typename Decoder>
struct RoomReply {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    ReplyReader reader(data);
    auto room = reader.object();
    if (!room) return room.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      return write_room(encoder, reader, **room);
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    auto room = read_room(*decoder);
    if (!room) return room.error();
    return DecodedFrame{read_cid(*decoder), std::move(room).value()};
  }
};

// Reply of one id, a JSON id string in the JSON protocol. The id is the
// field accountId (login, loginWithToken, logout) or roomId (the room
// operations, subscribe, unsubscribe); `IdField` reads and writes it.
template <typename Encoder, typename Decoder, typename IdField>
struct IdReply {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    ReplyReader reader(data);
    auto id = reader.bare_number();
    if (!id) return id.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      IdField::write(encoder, *id);
      return Done{};
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    return DecodedFrame{read_cid(*decoder), number_text(IdField::read(*decoder))};
  }
};

struct AccountIdField {
  template <typename Encoder>
  static void write(Encoder& encoder, std::int64_t id) {
    encoder.account_id(id);
  }
  template <typename Decoder>
  static std::int64_t read(const Decoder& decoder) {
    return decoder.account_id();
  }
};

struct RoomIdField {
  template <typename Encoder>
  static void write(Encoder& encoder, std::int64_t id) {
    encoder.room_id(id);
  }
  template <typename Decoder>
  static std::int64_t read(const Decoder& decoder) {
    return decoder.room_id();
  }
};

template <typename Encoder, typename Decoder>
using AccountIdReply = IdReply<Encoder, Decoder, AccountIdField>;
template <typename Encoder, typename Decoder>
using RoomIdReply = IdReply<Encoder, Decoder, RoomIdField>;

// Page reply {<list>: [...], offset?, limit?, totalCount}. `Items` names
// the list, reads its group and writes it: rooms, accounts or messages.
template <typename Encoder, typename Decoder, typename Items>
struct PageReply {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const boost::json::value& data) {
    ReplyReader reader(data);
    auto page = reader.object();
    if (!page) return page.error();
    auto offset = reader.optional_int32(**page, "offset");
    auto limit = reader.optional_int32(**page, "limit");
    auto total = reader.number(**page, "totalCount");
    auto items = reader.array(**page, Items::kKey);
    if (!offset) return offset.error();
    if (!limit) return limit.error();
    if (!total) return total.error();
    if (!items) return items.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.offset(*offset).limit(*limit).total_count(*total);
      return Items::write(encoder, reader, **items);
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    auto items = Items::read(*decoder);
    if (!items) return items.error();
    boost::json::object page;
    page[Items::kKey] = std::move(items).value();
    Items::put_echo(page, decoder->offset(), decoder->limit());
    page["totalCount"] = number_text(decoder->total_count());
    return DecodedFrame{read_cid(*decoder), std::move(page)};
  }
};

// The rooms of getRooms and listRooms, in the group roomInfos.
struct RoomItems {
  static constexpr std::string_view kKey = "roomInfos";

  template <typename Encoder>
  static Status write(Encoder& encoder, const ReplyReader& reader,
                      const boost::json::array& rooms) {
    auto group = encoder.room_infos(rooms.size());
    for (const boost::json::value& value : rooms) {
      auto room = reader.element(value);
      if (!room) return room.error();
      group.next();
      if (Status s = write_room(group, reader, **room); !s) return s;
    }
    return Done{};
  }

  template <typename Decoder>
  static Result<boost::json::array> read(const Decoder& decoder) {
    auto group = decoder.room_infos();
    boost::json::array rooms;
    while (group.next()) {
      auto room = read_room(group);
      if (!room) return room.error();
      rooms.emplace_back(std::move(room).value());
    }
    return rooms;
  }

  static void put_echo(boost::json::object& page, std::optional<std::int32_t> offset,
                       std::optional<std::int32_t> limit) {
    put_page_echo(page, offset, limit);
  }
};

// The accounts of getRoomMembers and getBlockedMembers, in the group
// accountInfos.
struct AccountItems {
  static constexpr std::string_view kKey = "accountInfos";

  template <typename Encoder>
  static Status write(Encoder& encoder, const ReplyReader& reader,
                      const boost::json::array& accounts) {
    auto group = encoder.account_infos(accounts.size());
    for (const boost::json::value& value : accounts) {
      auto account = reader.element(value);
      if (!account) return account.error();
      group.next();
      if (Status s = write_account(group, reader, **account); !s) return s;
    }
    return Done{};
  }

  template <typename Decoder>
  static Result<boost::json::array> read(const Decoder& decoder) {
    auto group = decoder.account_infos();
    boost::json::array accounts;
    while (group.next()) {
      auto account = read_account(group);
      if (!account) return account.error();
      accounts.emplace_back(std::move(account).value());
    }
    return accounts;
  }

  static void put_echo(boost::json::object& page, std::optional<std::int32_t> offset,
                       std::optional<std::int32_t> limit) {
    put_page_echo(page, offset, limit);
  }
};

}  // namespace parley::protocol::binary::detail
