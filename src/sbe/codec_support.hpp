#pragma once

// Support code for the SBE codecs that tools/sbe_gen generates into
// sbe/parley_sbe.hpp: little-endian loads and stores, the encoder's write
// cursor and the bounds checks of the decoders. Generated code is its only
// intended user.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "common/error.hpp"

namespace parley::sbe {

// Length of the SBE message header: blockLength, templateId, schemaId and
// version, each uint16.
inline constexpr std::size_t kMessageHeaderLength = 8;
// Length of a repeating group's header: blockLength and numInGroup, each
// uint16.
inline constexpr std::size_t kGroupHeaderLength = 4;

struct MessageHeader {
  std::uint16_t block_length = 0;
  std::uint16_t template_id = 0;
  std::uint16_t schema_id = 0;
  std::uint16_t version = 0;

  friend bool operator==(const MessageHeader&, const MessageHeader&) = default;
};

namespace detail {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "SBE codecs need a little-endian or big-endian host");

// Offset of a group or var data field that the record's version does not
// contain.
inline constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();

template <typename T>
using Underlying = typename std::conditional_t<std::is_enum_v<T>, std::underlying_type<T>,
                                               std::type_identity<T>>::type;

template <typename T>
constexpr T swap_bytes(T value) {
  using Unsigned = std::make_unsigned_t<T>;
  auto bits = static_cast<Unsigned>(value);
  Unsigned swapped = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    swapped = static_cast<Unsigned>((swapped << 8) | (bits & 0xff));
    bits = static_cast<Unsigned>(bits >> 8);
  }
  return static_cast<T>(swapped);
}

// Reads a little-endian integer or enum. memcpy keeps unaligned reads
// defined; compilers turn it into a single load.
template <typename T>
T load(const std::uint8_t* source) {
  Underlying<T> raw;
  std::memcpy(&raw, source, sizeof(raw));
  if constexpr (std::endian::native == std::endian::big && sizeof(raw) > 1) {
    raw = swap_bytes(raw);
  }
  return static_cast<T>(raw);
}

// Writes a little-endian integer or enum.
template <typename T>
void store(std::uint8_t* target, T value) {
  auto raw = static_cast<Underlying<T>>(value);
  if constexpr (std::endian::native == std::endian::big && sizeof(raw) > 1) {
    raw = swap_bytes(raw);
  }
  std::memcpy(target, &raw, sizeof(raw));
}

// Reads a var data length field of 1, 2 or 4 bytes.
inline std::uint32_t load_length(const std::uint8_t* source, std::size_t length_size) {
  switch (length_size) {
    case 1:
      return load<std::uint8_t>(source);
    case 2:
      return load<std::uint16_t>(source);
    default:
      return load<std::uint32_t>(source);
  }
}

// The bytes of a var data field whose length field starts at `offset`.
// REQUIRES: the decoder checked the field against the buffer.
inline std::string_view load_var_data(const std::uint8_t* data, std::size_t offset,
                                      std::size_t length_size) {
  std::uint32_t length = load_length(data + offset, length_size);
  return std::string_view(reinterpret_cast<const char*>(data + offset + length_size), length);
}

// A group or var data field after the block of a message or group entry,
// described by its empty encoding: a group header with numInGroup 0, or a
// zero length.
struct TrailingElement {
  std::uint8_t empty_size = 0;
  bool is_group = false;
  // The blockLength written into the header of an empty group.
  std::uint16_t group_block_length = 0;
};

// Write state of one message or group being encoded.
struct EncodeLevel {
  const TrailingElement* elements = nullptr;
  std::size_t element_count = 0;
  // Index of the next group or var data field expected in the current entry.
  std::size_t next_element = 0;
  std::size_t entry_count = 0;
  std::size_t entries_written = 0;
  // Tells a group encoder whether the level it writes to is still open.
  std::uint32_t serial = 0;
};

// Groups may nest this deep below the message; sbe_gen rejects deeper ones.
inline constexpr std::size_t kMaxEncodeLevels = 8;

// Write position and state of one message encoder and its group encoders.
// Groups and var data fields must come in schema order. One that is skipped
// is written empty when a later one of the same entry is written, when the
// next entry starts, or when finish() runs. Any error, such as a buffer that
// is too small, makes every later call do nothing.
class EncodeCursor {
 public:
  // Writes the message header and zero-fills the root block.
  void start(std::span<std::uint8_t> buffer, const MessageHeader& header,
             std::span<const TrailingElement> elements);

  bool ok() const { return ok_; }

  template <typename T>
  void store_root(std::size_t field_offset, T value) {
    if (ok_) {
      store(data_ + kMessageHeaderLength + field_offset, value);
    }
  }

  template <typename T>
  void store_entry(std::size_t level, std::uint32_t serial, std::size_t entry_offset,
                   std::size_t field_offset, T value) {
    if (is_current(level, serial) && entry_offset != kAbsent) {
      store(data_ + entry_offset + field_offset, value);
    } else {
      ok_ = false;
    }
  }

  // Writes the header of group `index` of `level` and opens a level for its
  // entries. Returns the serial of the new level, 0 on error.
  std::uint32_t begin_group(std::size_t level, std::uint32_t serial, std::size_t index,
                            std::size_t count, std::uint16_t entry_block_length,
                            std::size_t max_count, std::span<const TrailingElement> entry_elements);

  // Starts the next entry of the group at `level` and zero-fills its block.
  // Returns the offset of the entry's block, kAbsent on error.
  std::size_t next_entry(std::size_t level, std::uint32_t serial, std::uint16_t block_length);

  // Writes var data field `index` of `level`: its length, then the bytes.
  void put_var_data(std::size_t level, std::uint32_t serial, std::size_t index, const void* bytes,
                    std::size_t length, std::size_t length_size, std::uint64_t max_length);

  // Writes the empty encoding of every group and var data field not written
  // yet, without moving the write position, and returns the message length.
  // nullopt after an error, when a group has fewer entries than its count,
  // or when the empty encodings do not fit.
  std::optional<std::size_t> finish();

  std::size_t position() const { return position_; }

 private:
  bool is_current(std::size_t level, std::uint32_t serial) const {
    return ok_ && level < depth_ && levels_[level].serial == serial;
  }
  bool enter(std::size_t level, std::uint32_t serial, std::size_t index);
  void close_levels_above(std::size_t level);
  bool fill_empty(const EncodeLevel& level, std::size_t from, std::size_t to,
                  std::size_t& position);
  std::size_t reserve(std::size_t length);

  std::uint8_t* data_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t position_ = 0;
  bool ok_ = false;
  std::array<EncodeLevel, kMaxEncodeLevels> levels_{};
  std::size_t depth_ = 0;
  std::uint32_t last_serial_ = 0;
};

// Checks shared by every generated decoder. Each returns an Error with code
// 0 and a message naming the message, the element and the offset.

struct GroupHeader {
  std::uint16_t block_length = 0;
  std::uint16_t count = 0;
};

Result<MessageHeader> read_header(std::span<const std::uint8_t> bytes, std::uint16_t schema_id);

// Checks template id, blockLength against `required_block_length` (the
// fields of the record's version) and the root block against the buffer.
Status check_root(std::span<const std::uint8_t> bytes, const MessageHeader& header,
                  std::uint16_t template_id, std::size_t required_block_length,
                  std::string_view message);

// Checks the group header at `position`: its blockLength against
// `required_block_length`, numInGroup against `max_count`, and the blocks of
// all entries against the buffer.
Result<GroupHeader> check_group(std::span<const std::uint8_t> bytes, std::size_t position,
                                std::size_t required_block_length, std::size_t max_count,
                                std::uint16_t version, std::string_view message,
                                std::string_view group);

// Checks that entry `index` of a group, starting at `position`, fits.
Status check_group_entry(std::span<const std::uint8_t> bytes, std::size_t position,
                         const GroupHeader& header, std::size_t index, std::string_view message,
                         std::string_view group);

// Checks the var data field at `position`, its length against `max_length`
// and the buffer, and returns the offset after it.
Result<std::size_t> check_var_data(std::span<const std::uint8_t> bytes, std::size_t position,
                                   std::size_t length_size, std::uint64_t max_length,
                                   std::string_view message, std::string_view field);

Error invalid_enum(std::string_view message, std::string_view field, std::string_view enum_name,
                   std::int64_t value, std::size_t offset);

}  // namespace detail
}  // namespace parley::sbe
