#include "kafka/records.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace parley::kafka {
namespace {

constexpr std::size_t kMessageHeaderSize = 8;
constexpr std::size_t kGroupHeaderSize = 4;
constexpr std::size_t kVarDataHeaderSize = 4;

constexpr std::uint16_t kLeaveRoomEventBlockLength = 17;
constexpr std::uint16_t kMembersEventBlockLength = 8;
constexpr std::uint16_t kMemberIdEntryLength = 8;
// Root block of RoomMessage in schema version 0 (no messageId) and 1.
constexpr std::uint16_t kRoomMessageBlockLengthV0 = 24;
constexpr std::uint16_t kRoomMessageBlockLengthV1 = 32;

Error invalid(const std::string& reason) { return Error{400, "Invalid record: " + reason}; }

// Appends little-endian integers and var data to a buffer.
class Writer {
 public:
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }

  void u16(std::uint16_t value) { little_endian(value, 2); }

  void u32(std::uint32_t value) { little_endian(value, 4); }

  void i64(std::int64_t value) { little_endian(static_cast<std::uint64_t>(value), 8); }

  void header(std::uint16_t block_length, std::uint16_t template_id) {
    u16(block_length);
    u16(template_id);
    u16(kSchemaId);
    u16(kSchemaVersion);
  }

  void var_data(const std::string& text) {
    if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("SBE var data longer than 2^32 - 1 bytes");
    }
    u32(static_cast<std::uint32_t>(text.size()));
    out_ += text;
  }

  std::string take() { return std::move(out_); }

 private:
  void little_endian(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    }
  }

  std::string out_;
};

// Reads little-endian integers from a buffer. Every read checks the
// remaining length first, so no input can make it read out of bounds.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - position_; }

  bool has(std::size_t count) const { return remaining() >= count; }

  std::uint64_t little_endian(std::size_t offset, int bytes) const {
    std::uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i) {
      value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + offset + i]);
    }
    return value;
  }

  // Read a value `offset` bytes past the current position.
  // REQUIRES: has(offset + size of the value).
  std::uint16_t u16_at(std::size_t offset) const {
    return static_cast<std::uint16_t>(little_endian(offset, 2));
  }
  std::uint32_t u32_at(std::size_t offset) const {
    return static_cast<std::uint32_t>(little_endian(offset, 4));
  }
  std::int64_t i64_at(std::size_t offset) const {
    return static_cast<std::int64_t>(little_endian(offset, 8));
  }
  std::uint8_t u8_at(std::size_t offset) const {
    return static_cast<std::uint8_t>(bytes_[position_ + offset]);
  }

  void skip(std::size_t count) { position_ += count; }

  std::string_view take(std::size_t count) {
    std::string_view result = bytes_.substr(position_, count);
    position_ += count;
    return result;
  }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
};

struct MessageHeader {
  std::uint16_t block_length;
  std::uint16_t template_id;
  std::uint16_t schema_id;
  std::uint16_t version;
};

Result<MessageHeader> read_message_header(Reader& reader) {
  if (!reader.has(kMessageHeaderSize)) {
    return invalid(fmt::format("truncated message header ({} of {} bytes)", reader.remaining(),
                               kMessageHeaderSize));
  }
  MessageHeader header{reader.u16_at(0), reader.u16_at(2), reader.u16_at(4), reader.u16_at(6)};
  reader.skip(kMessageHeaderSize);
  if (header.schema_id != kSchemaId) {
    return invalid(fmt::format("schema id {}, expected {}", header.schema_id, kSchemaId));
  }
  return header;
}

// Checks that the root block is at least `known_length` bytes and present.
Status check_root_block(const Reader& reader, const MessageHeader& header,
                        std::uint16_t known_length, const char* name) {
  if (header.block_length < known_length) {
    return invalid(fmt::format("{} blockLength {} is shorter than its {} bytes of fields", name,
                               header.block_length, known_length));
  }
  if (!reader.has(header.block_length)) {
    return invalid(fmt::format("truncated {} root block ({} of {} bytes)", name, reader.remaining(),
                               header.block_length));
  }
  return Done{};
}

Result<std::string> read_var_data(Reader& reader, const char* field) {
  if (!reader.has(kVarDataHeaderSize)) {
    return invalid(fmt::format("truncated length of {} ({} of {} bytes)", field, reader.remaining(),
                               kVarDataHeaderSize));
  }
  std::uint32_t length = reader.u32_at(0);
  reader.skip(kVarDataHeaderSize);
  if (!reader.has(length)) {
    return invalid(fmt::format("{} length {} overruns the record ({} bytes left)", field, length,
                               reader.remaining()));
  }
  return std::string(reader.take(length));
}

Result<std::vector<AccountId>> read_member_ids(Reader& reader) {
  if (!reader.has(kGroupHeaderSize)) {
    return invalid(fmt::format("truncated memberIds group header ({} of {} bytes)",
                               reader.remaining(), kGroupHeaderSize));
  }
  std::uint16_t entry_length = reader.u16_at(0);
  std::uint16_t count = reader.u16_at(2);
  reader.skip(kGroupHeaderSize);
  if (entry_length < kMemberIdEntryLength) {
    return invalid(fmt::format("memberIds entry blockLength {} is shorter than {} bytes",
                               entry_length, kMemberIdEntryLength));
  }
  // Both factors are at most 65535, so the product fits in size_t.
  std::size_t group_size = static_cast<std::size_t>(entry_length) * count;
  if (!reader.has(group_size)) {
    return invalid(
        fmt::format("memberIds group of {} entries of {} bytes overruns the record ({} "
                    "bytes left)",
                    count, entry_length, reader.remaining()));
  }
  std::vector<AccountId> ids;
  ids.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    ids.push_back(reader.i64_at(0));
    reader.skip(entry_length);
  }
  return ids;
}

Result<Record> decode_leave_room(Reader& reader, const MessageHeader& header) {
  if (Status status =
          check_root_block(reader, header, kLeaveRoomEventBlockLength, "LeaveRoomEvent");
      !status) {
    return status.error();
  }
  LeaveRoomEvent event{reader.i64_at(0), reader.i64_at(8), reader.u8_at(16) != 0};
  reader.skip(header.block_length);
  return Record(event);
}

template <typename Event>
Result<Record> decode_members_event(Reader& reader, const MessageHeader& header, const char* name) {
  if (Status status = check_root_block(reader, header, kMembersEventBlockLength, name); !status) {
    return status.error();
  }
  Event event;
  event.room_id = reader.i64_at(0);
  reader.skip(header.block_length);
  Result<std::vector<AccountId>> ids = read_member_ids(reader);
  if (!ids) {
    return ids.error();
  }
  event.member_ids = std::move(ids).value();
  return Record(std::move(event));
}

Result<Record> decode_room_message(Reader& reader, const MessageHeader& header) {
  if (Status status = check_root_block(reader, header, kRoomMessageBlockLengthV0, "RoomMessage");
      !status) {
    return status.error();
  }
  RoomMessageRecord message;
  message.room_id = reader.i64_at(0);
  message.sender_id = reader.i64_at(8);
  message.timestamp = Timestamp(std::chrono::milliseconds(reader.i64_at(16)));
  bool has_v1_fields = header.version >= 1;
  if (has_v1_fields && header.block_length >= kRoomMessageBlockLengthV1) {
    message.message_id = reader.i64_at(24);
  }
  reader.skip(header.block_length);

  Result<std::string> text = read_var_data(reader, "message");
  if (!text) {
    return text.error();
  }
  message.text = std::move(text).value();
  if (has_v1_fields) {
    Result<std::string> client_message_id = read_var_data(reader, "clientMessageId");
    if (!client_message_id) {
      return client_message_id.error();
    }
    if (!client_message_id->empty()) {
      message.client_message_id = std::move(client_message_id).value();
    }
  }
  return Record(std::move(message));
}

void write_member_ids(Writer& writer, const std::vector<AccountId>& ids) {
  if (ids.size() > kMaxMemberIds) {
    throw std::length_error(
        fmt::format("{} member ids exceed the SBE group maximum of {}", ids.size(), kMaxMemberIds));
  }
  writer.u16(kMemberIdEntryLength);
  writer.u16(static_cast<std::uint16_t>(ids.size()));
  for (AccountId id : ids) {
    writer.i64(id);
  }
}

struct Encoder {
  Writer& writer;

  void operator()(const RoomMessageRecord& message) {
    writer.header(kRoomMessageBlockLengthV1, kRoomMessageTemplateId);
    writer.i64(message.room_id);
    writer.i64(message.sender_id);
    writer.i64(message.timestamp.time_since_epoch().count());
    writer.i64(message.message_id);
    writer.var_data(message.text);
    writer.var_data(message.client_message_id.value_or(std::string()));
  }

  void operator()(const LeaveRoomEvent& event) {
    writer.header(kLeaveRoomEventBlockLength, kLeaveRoomEventTemplateId);
    writer.i64(event.room_id);
    writer.i64(event.account_id);
    writer.u8(event.is_owner ? 1 : 0);
  }

  void operator()(const RemoveMembersEvent& event) {
    writer.header(kMembersEventBlockLength, kRemoveMembersEventTemplateId);
    writer.i64(event.room_id);
    write_member_ids(writer, event.member_ids);
  }

  void operator()(const BlockMembersEvent& event) {
    writer.header(kMembersEventBlockLength, kBlockMembersEventTemplateId);
    writer.i64(event.room_id);
    write_member_ids(writer, event.member_ids);
  }
};

}  // namespace

std::string encode(const Record& record) {
  Writer writer;
  std::visit(Encoder{writer}, record);
  return writer.take();
}

Result<Record> decode(std::string_view bytes) {
  Reader reader(bytes);
  Result<MessageHeader> header = read_message_header(reader);
  if (!header) {
    return header.error();
  }
  switch (header->template_id) {
    case kLeaveRoomEventTemplateId:
      return decode_leave_room(reader, *header);
    case kRemoveMembersEventTemplateId:
      return decode_members_event<RemoveMembersEvent>(reader, *header, "RemoveMembersEvent");
    case kBlockMembersEventTemplateId:
      return decode_members_event<BlockMembersEvent>(reader, *header, "BlockMembersEvent");
    case kRoomMessageTemplateId:
      return decode_room_message(reader, *header);
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
