#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "common/types.hpp"
#include "sbe/parley_sbe.hpp"

namespace parley::kafka {

// Values of the Kafka records on the messages topic: the SBE messages of
// schema/kafka-records.xml (schema id 100, little-endian), encoded and
// decoded with the codecs generated into sbe/parley_sbe.hpp. The version 0
// layouts are those of the reference Java server, so both can share a
// topic. RoomMessage gained messageId and clientMessageId in schema
// version 1.

inline constexpr std::uint16_t kSchemaId = sbe::kSchemaId;
// Schema version written by encode().
inline constexpr std::uint16_t kSchemaVersion = sbe::kSchemaVersion;

inline constexpr std::uint16_t kLeaveRoomEventTemplateId = sbe::LeaveRoomEventEncoder::kTemplateId;
inline constexpr std::uint16_t kRemoveMembersEventTemplateId =
    sbe::RemoveMembersEventEncoder::kTemplateId;
inline constexpr std::uint16_t kBlockMembersEventTemplateId =
    sbe::BlockMembersEventEncoder::kTemplateId;
inline constexpr std::uint16_t kRoomMessageTemplateId = sbe::RoomMessageEncoder::kTemplateId;

// The SBE group header stores numInGroup as uint16, so one event carries at
// most this many member ids.
inline constexpr std::size_t kMaxMemberIds = 65535;

// A chat message accepted by a node (RoomMessage). The timestamp travels as
// Unix milliseconds. A version 0 record has no messageId and no
// clientMessageId, and an empty clientMessageId means none.
struct RoomMessageRecord {
  RoomId room_id = 0;
  AccountId sender_id = 0;
  Timestamp timestamp{};
  // 0 when decoded from a version 0 record, which has no message id.
  MessageId message_id = 0;
  std::string text;
  std::optional<std::string> client_message_id;

  friend bool operator==(const RoomMessageRecord&, const RoomMessageRecord&) = default;
};

// An account left a room (LeaveRoomEvent). When the owner leaves, the room
// is deleted.
struct LeaveRoomEvent {
  RoomId room_id = 0;
  AccountId account_id = 0;
  bool is_owner = false;

  friend bool operator==(const LeaveRoomEvent&, const LeaveRoomEvent&) = default;
};

// Members removed from a room (RemoveMembersEvent).
struct RemoveMembersEvent {
  RoomId room_id = 0;
  std::vector<AccountId> member_ids;

  friend bool operator==(const RemoveMembersEvent&, const RemoveMembersEvent&) = default;
};

// Members blocked in a room (BlockMembersEvent), with the layout of
// RemoveMembersEvent.
struct BlockMembersEvent {
  RoomId room_id = 0;
  std::vector<AccountId> member_ids;

  friend bool operator==(const BlockMembersEvent&, const BlockMembersEvent&) = default;
};

using Record =
    std::variant<RoomMessageRecord, LeaveRoomEvent, RemoveMembersEvent, BlockMembersEvent>;

// Encodes a record with schema version kSchemaVersion, without padding.
// Throws std::length_error when an event has more than kMaxMemberIds member
// ids or a string is longer than 2^32 - 1 bytes, because SBE cannot
// represent them. Callers validate those limits first.
std::string encode(const Record& record);

// Decodes a record of any schema version. Fields newer than the record's
// version get their defaults, and block bytes beyond the known fields are
// skipped using blockLength, as are bytes after the last known var data.
// Truncated input, a schema id other than kSchemaId, an unknown template id,
// a blockLength shorter than the fields of the record's version, a length
// that overruns the input, or an isOwner other than 0 or 1 yields
// Error{400, "Invalid record: ..."}.
Result<Record> decode(std::string_view bytes);

// Encodes the record key: the room id as 8 bytes big-endian, the encoding of
// Kafka's LongSerializer.
std::string encode_key(RoomId room_id);

// Decodes a key written by encode_key(); nullopt unless it is 8 bytes long.
std::optional<RoomId> decode_key(std::string_view bytes);

}  // namespace parley::kafka
