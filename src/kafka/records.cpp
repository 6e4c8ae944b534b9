#include "kafka/records.hpp"

#include <limits>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

namespace parley::kafka {
namespace {

Error invalid(std::string_view reason) {
  return Error{400, fmt::format("Invalid record: {}", reason)};
}

std::span<const std::uint8_t> as_bytes(std::string_view bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

std::span<std::uint8_t> as_writable_bytes(std::string& bytes) {
  return {reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()};
}

void check_var_data_length(const std::string& text, const char* field) {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error(fmt::format(
        "{} of {} bytes exceeds the SBE var data maximum of 2^32 - 1", field, text.size()));
  }
}

void check_member_count(const std::vector<AccountId>& ids) {
  if (ids.size() > kMaxMemberIds) {
    throw std::length_error(
        fmt::format("{} member ids exceed the SBE group maximum of {}", ids.size(), kMaxMemberIds));
  }
}

// Encodes into a buffer of exactly `length` bytes with `write`, which
// returns the encoder's ok() and size().
template <typename Write>
std::string encode_exactly(std::size_t length, Write write) {
  std::string bytes(length, '\0');
  auto [ok, size] = write(as_writable_bytes(bytes));
  if (!ok || size != length) {
    // The lengths were checked and the buffer sized from the schema, so this
    // is a bug in the codec or in this file.
    throw std::logic_error(fmt::format("SBE encoding of {} bytes failed", length));
  }
  return bytes;
}

struct Encoder {
  std::string operator()(const RoomMessageRecord& message) const {
    check_var_data_length(message.text, "message");
    std::string client_message_id = message.client_message_id.value_or(std::string());
    check_var_data_length(client_message_id, "clientMessageId");
    using sbe::RoomMessageEncoder;
    std::size_t length = sbe::kMessageHeaderLength + RoomMessageEncoder::kBlockLength +
                         RoomMessageEncoder::kMessageLengthSize + message.text.size() +
                         RoomMessageEncoder::kClientMessageIdLengthSize + client_message_id.size();
    return encode_exactly(length, [&](std::span<std::uint8_t> buffer) {
      sbe::RoomMessageEncoder encoder(buffer);
      encoder.room_id(message.room_id)
          .sender_id(message.sender_id)
          .timestamp(message.timestamp.time_since_epoch().count())
          .message_id(message.message_id)
          .message(message.text)
          .client_message_id(client_message_id);
      return std::pair(encoder.ok(), encoder.size());
    });
  }

  std::string operator()(const LeaveRoomEvent& event) const {
    std::size_t length = sbe::kMessageHeaderLength + sbe::LeaveRoomEventEncoder::kBlockLength;
    return encode_exactly(length, [&](std::span<std::uint8_t> buffer) {
      sbe::LeaveRoomEventEncoder encoder(buffer);
      encoder.room_id(event.room_id)
          .account_id(event.account_id)
          .is_owner(event.is_owner ? sbe::BooleanType::T : sbe::BooleanType::F);
      return std::pair(encoder.ok(), encoder.size());
    });
  }

  std::string operator()(const RemoveMembersEvent& event) const {
    return encode_members<sbe::RemoveMembersEventEncoder>(event.room_id, event.member_ids);
  }

  std::string operator()(const BlockMembersEvent& event) const {
    return encode_members<sbe::BlockMembersEventEncoder>(event.room_id, event.member_ids);
  }

  template <typename MessageEncoder>
  static std::string encode_members(RoomId room_id, const std::vector<AccountId>& ids) {
    check_member_count(ids);
    std::size_t length = sbe::kMessageHeaderLength + MessageEncoder::kBlockLength +
                         sbe::kGroupHeaderLength +
                         ids.size() * MessageEncoder::MemberIdsEncoder::kBlockLength;
    return encode_exactly(length, [&](std::span<std::uint8_t> buffer) {
      MessageEncoder encoder(buffer);
      encoder.room_id(room_id);
      auto group = encoder.member_ids(ids.size());
      for (AccountId id : ids) {
        group.next().member_id(id);
      }
      return std::pair(encoder.ok(), encoder.size());
    });
  }
};

Result<Record> decode_leave_room(std::span<const std::uint8_t> bytes) {
  Result<sbe::LeaveRoomEventDecoder> decoder = sbe::LeaveRoomEventDecoder::decode(bytes);
  if (!decoder) {
    return invalid(decoder.error().message);
  }
  return Record(LeaveRoomEvent{decoder->room_id(), decoder->account_id(),
                               decoder->is_owner() == sbe::BooleanType::T});
}

template <typename Event, typename MessageDecoder>
Result<Record> decode_members(std::span<const std::uint8_t> bytes) {
  Result<MessageDecoder> decoder = MessageDecoder::decode(bytes);
  if (!decoder) {
    return invalid(decoder.error().message);
  }
  Event event;
  event.room_id = decoder->room_id();
  auto group = decoder->member_ids();
  event.member_ids.reserve(group.count());
  while (group.next()) {
    event.member_ids.push_back(group.member_id());
  }
  return Record(std::move(event));
}

Result<Record> decode_room_message(std::span<const std::uint8_t> bytes) {
  Result<sbe::RoomMessageDecoder> decoder = sbe::RoomMessageDecoder::decode(bytes);
  if (!decoder) {
    return invalid(decoder.error().message);
  }
  RoomMessageRecord message;
  message.room_id = decoder->room_id();
  message.sender_id = decoder->sender_id();
  message.timestamp = Timestamp(std::chrono::milliseconds(decoder->timestamp()));
  message.message_id = decoder->message_id().value_or(0);
  message.text = std::string(decoder->message());
  std::optional<std::string_view> client_message_id = decoder->client_message_id();
  if (client_message_id && !client_message_id->empty()) {
    message.client_message_id = std::string(*client_message_id);
  }
  return Record(std::move(message));
}

}  // namespace

std::string encode(const Record& record) { return std::visit(Encoder{}, record); }

Result<Record> decode(std::string_view bytes) {
  std::span<const std::uint8_t> input = as_bytes(bytes);
  Result<sbe::MessageHeader> header = sbe::read_header(input);
  if (!header) {
    return invalid(header.error().message);
  }
  switch (header->template_id) {
    case kLeaveRoomEventTemplateId:
      return decode_leave_room(input);
    case kRemoveMembersEventTemplateId:
      return decode_members<RemoveMembersEvent, sbe::RemoveMembersEventDecoder>(input);
    case kBlockMembersEventTemplateId:
      return decode_members<BlockMembersEvent, sbe::BlockMembersEventDecoder>(input);
    case kRoomMessageTemplateId:
      return decode_room_message(input);
    default:
      return invalid(fmt::format("unknown template id {}", header->template_id));
  }
}

std::string encode_key(RoomId room_id) {
  std::string key(8, '\0');
  auto value = static_cast<std::uint64_t>(room_id);
  for (int i = 0; i < 8; ++i) {
    key[7 - i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  return key;
}

std::optional<RoomId> decode_key(std::string_view bytes) {
  if (bytes.size() != 8) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (unsigned char byte : bytes) {
    value = (value << 8) | byte;
  }
  return static_cast<RoomId>(value);
}

}  // namespace parley::kafka
