#include "sbe/codec_support.hpp"

#include <fmt/format.h>

namespace parley::sbe::detail {
namespace {

Error decode_error(std::string message) { return Error{0, std::move(message)}; }

}  // namespace

void EncodeCursor::start(std::span<std::uint8_t> buffer, const MessageHeader& header,
                         std::span<const TrailingElement> elements) {
  data_ = buffer.data();
  capacity_ = buffer.size();
  position_ = 0;
  depth_ = 0;
  last_serial_ = 0;
  ok_ = capacity_ >= kMessageHeaderLength + header.block_length;
  if (!ok_) {
    return;
  }
  store(data_, header.block_length);
  store(data_ + 2, header.template_id);
  store(data_ + 4, header.schema_id);
  store(data_ + 6, header.version);
  std::memset(data_ + kMessageHeaderLength, 0, header.block_length);
  position_ = kMessageHeaderLength + header.block_length;
  levels_[0] = EncodeLevel{elements.data(), elements.size(), 0, 0, 0, 0};
  depth_ = 1;
}

std::size_t EncodeCursor::reserve(std::size_t length) {
  if (!ok_ || capacity_ - position_ < length) {
    ok_ = false;
    return kAbsent;
  }
  std::size_t offset = position_;
  position_ += length;
  return offset;
}

bool EncodeCursor::fill_empty(const EncodeLevel& level, std::size_t from, std::size_t to,
                              std::size_t& position) {
  for (std::size_t i = from; i < to; ++i) {
    const TrailingElement& element = level.elements[i];
    if (capacity_ - position < element.empty_size) {
      return false;
    }
    std::memset(data_ + position, 0, element.empty_size);
    if (element.is_group) {
      store(data_ + position, element.group_block_length);
    }
    position += element.empty_size;
  }
  return true;
}

void EncodeCursor::close_levels_above(std::size_t level) {
  while (ok_ && depth_ > level + 1) {
    EncodeLevel& open = levels_[depth_ - 1];
    if (open.entries_written > 0 &&
        !fill_empty(open, open.next_element, open.element_count, position_)) {
      ok_ = false;
    }
    if (open.entries_written < open.entry_count) {
      ok_ = false;
    }
    --depth_;
  }
}

bool EncodeCursor::enter(std::size_t level, std::uint32_t serial, std::size_t index) {
  if (!is_current(level, serial)) {
    ok_ = false;
    return false;
  }
  close_levels_above(level);
  EncodeLevel& current = levels_[level];
  // Inside a group, next() must have started an entry. Each element comes
  // at most once and in schema order.
  if (!ok_ || (level > 0 && current.entries_written == 0) || index < current.next_element ||
      !fill_empty(current, current.next_element, index, position_)) {
    ok_ = false;
    return false;
  }
  current.next_element = index + 1;
  return true;
}

std::uint32_t EncodeCursor::begin_group(std::size_t level, std::uint32_t serial, std::size_t index,
                                        std::size_t count, std::uint16_t entry_block_length,
                                        std::size_t max_count,
                                        std::span<const TrailingElement> entry_elements) {
  if (!enter(level, serial, index)) {
    return 0;
  }
  if (count > max_count || depth_ == kMaxEncodeLevels) {
    ok_ = false;
    return 0;
  }
  std::size_t offset = reserve(kGroupHeaderLength);
  if (offset == kAbsent) {
    return 0;
  }
  store(data_ + offset, entry_block_length);
  store(data_ + offset + 2, static_cast<std::uint16_t>(count));
  levels_[depth_] =
      EncodeLevel{entry_elements.data(), entry_elements.size(), 0, count, 0, ++last_serial_};
  ++depth_;
  return last_serial_;
}

std::size_t EncodeCursor::next_entry(std::size_t level, std::uint32_t serial,
                                     std::uint16_t block_length) {
  if (level == 0 || !is_current(level, serial)) {
    ok_ = false;
    return kAbsent;
  }
  close_levels_above(level);
  EncodeLevel& group = levels_[level];
  if (group.entries_written > 0 &&
      !fill_empty(group, group.next_element, group.element_count, position_)) {
    ok_ = false;
  }
  if (group.entries_written == group.entry_count) {
    ok_ = false;
  }
  std::size_t offset = reserve(block_length);
  if (offset == kAbsent) {
    return kAbsent;
  }
  std::memset(data_ + offset, 0, block_length);
  ++group.entries_written;
  group.next_element = 0;
  return offset;
}

void EncodeCursor::put_var_data(std::size_t level, std::uint32_t serial, std::size_t index,
                                const void* bytes, std::size_t length, std::size_t length_size,
                                std::uint64_t max_length) {
  if (!enter(level, serial, index)) {
    return;
  }
  if (length > max_length) {
    ok_ = false;
    return;
  }
  std::size_t offset = reserve(length_size + length);
  if (offset == kAbsent) {
    return;
  }
  switch (length_size) {
    case 1:
      store(data_ + offset, static_cast<std::uint8_t>(length));
      break;
    case 2:
      store(data_ + offset, static_cast<std::uint16_t>(length));
      break;
    default:
      store(data_ + offset, static_cast<std::uint32_t>(length));
      break;
  }
  if (length > 0) {
    std::memcpy(data_ + offset + length_size, bytes, length);
  }
}

std::optional<std::size_t> EncodeCursor::finish() {
  if (!ok_) {
    return std::nullopt;
  }
  // Innermost level first: the rest of the current entry comes before the
  // rest of the entry or message that contains the group.
  std::size_t position = position_;
  for (std::size_t level = depth_; level-- > 0;) {
    const EncodeLevel& open = levels_[level];
    if (level > 0 && open.entries_written < open.entry_count) {
      return std::nullopt;
    }
    if ((level == 0 || open.entries_written > 0) &&
        !fill_empty(open, open.next_element, open.element_count, position)) {
      return std::nullopt;
    }
  }
  return position;
}

Result<MessageHeader> read_header(std::span<const std::uint8_t> bytes, std::uint16_t schema_id) {
  if (bytes.size() < kMessageHeaderLength) {
    return decode_error(fmt::format("SBE message header truncated: {} of {} bytes", bytes.size(),
                                    kMessageHeaderLength));
  }
  MessageHeader header{load<std::uint16_t>(bytes.data()), load<std::uint16_t>(bytes.data() + 2),
                       load<std::uint16_t>(bytes.data() + 4),
                       load<std::uint16_t>(bytes.data() + 6)};
  if (header.schema_id != schema_id) {
    return decode_error(
        fmt::format("SBE schema id {} at offset 4 is not {}", header.schema_id, schema_id));
  }
  return header;
}

Status check_root(std::span<const std::uint8_t> bytes, const MessageHeader& header,
                  std::uint16_t template_id, std::size_t required_block_length,
                  std::string_view message) {
  if (header.template_id != template_id) {
    return decode_error(fmt::format("{}: template id {} at offset 2, expected {}", message,
                                    header.template_id, template_id));
  }
  if (header.block_length < required_block_length) {
    return decode_error(
        fmt::format("{}: blockLength {} at offset 0 is shorter than the {} bytes of version {}",
                    message, header.block_length, required_block_length, header.version));
  }
  std::size_t available = bytes.size() - kMessageHeaderLength;
  if (available < header.block_length) {
    return decode_error(fmt::format("{}: root block truncated at offset {}: {} of {} bytes",
                                    message, kMessageHeaderLength, available, header.block_length));
  }
  return Done{};
}

Result<GroupHeader> check_group(std::span<const std::uint8_t> bytes, std::size_t position,
                                std::size_t required_block_length, std::size_t max_count,
                                std::uint16_t version, std::string_view message,
                                std::string_view group) {
  std::size_t available = bytes.size() - position;
  if (available < kGroupHeaderLength) {
    return decode_error(fmt::format("{}: group {} header truncated at offset {}: {} of {} bytes",
                                    message, group, position, available, kGroupHeaderLength));
  }
  GroupHeader header{load<std::uint16_t>(bytes.data() + position),
                     load<std::uint16_t>(bytes.data() + position + 2)};
  if (header.block_length < required_block_length) {
    return decode_error(fmt::format(
        "{}: group {} blockLength {} at offset {} is shorter than the {} bytes of version {}",
        message, group, header.block_length, position, required_block_length, version));
  }
  if (header.count > max_count) {
    return decode_error(
        fmt::format("{}: group {} numInGroup {} at offset {} exceeds its maximum of {}", message,
                    group, header.count, position + 2, max_count));
  }
  available -= kGroupHeaderLength;
  // Both factors are at most 65535, so the product fits in size_t.
  std::size_t entries_length = static_cast<std::size_t>(header.block_length) * header.count;
  if (available < entries_length) {
    return decode_error(fmt::format(
        "{}: group {} of {} entries of {} bytes at offset {} overruns the buffer ({} bytes left)",
        message, group, header.count, header.block_length, position, available));
  }
  return header;
}

Status check_group_entry(std::span<const std::uint8_t> bytes, std::size_t position,
                         const GroupHeader& header, std::size_t index, std::string_view message,
                         std::string_view group) {
  std::size_t available = bytes.size() - position;
  if (available < header.block_length) {
    return decode_error(fmt::format("{}: group {} entry {} truncated at offset {}: {} of {} bytes",
                                    message, group, index, position, available,
                                    header.block_length));
  }
  return Done{};
}

Result<std::size_t> check_var_data(std::span<const std::uint8_t> bytes, std::size_t position,
                                   std::size_t length_size, std::uint64_t max_length,
                                   std::string_view message, std::string_view field) {
  std::size_t available = bytes.size() - position;
  if (available < length_size) {
    return decode_error(fmt::format("{}: {} length truncated at offset {}: {} of {} bytes", message,
                                    field, position, available, length_size));
  }
  std::uint32_t length = load_length(bytes.data() + position, length_size);
  if (length > max_length) {
    return decode_error(fmt::format("{}: {} length {} at offset {} exceeds its maximum of {}",
                                    message, field, length, position, max_length));
  }
  available -= length_size;
  if (available < length) {
    return decode_error(
        fmt::format("{}: {} length {} at offset {} overruns the buffer ({} bytes left)", message,
                    field, length, position, available));
  }
  return position + length_size + length;
}

Error invalid_enum(std::string_view message, std::string_view field, std::string_view enum_name,
                   std::int64_t value, std::size_t offset) {
  return decode_error(fmt::format("{}: {} at offset {} has the value {}, which is not a {}",
                                  message, field, offset, value, enum_name));
}

}  // namespace parley::sbe::detail
