// Reading of TZif files, the compiled zone files of /usr/share/zoneinfo
// (RFC 8536).

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/time_zone.hpp"

namespace parley::protocol {
namespace {

// Reads big-endian fields from the file contents.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  bool skip(std::uint64_t count) {
    if (count > bytes_.size() - position_) {
      return false;
    }
    position_ += count;
    return true;
  }

  std::optional<std::uint64_t> read_unsigned(std::size_t width) {
    if (width > bytes_.size() - position_) {
      return std::nullopt;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + i]);
    }
    position_ += width;
    return value;
  }

  std::optional<std::int64_t> read_signed(std::size_t width) {
    auto value = read_unsigned(width);
    if (!value) {
      return std::nullopt;
    }
    const unsigned bits = static_cast<unsigned>(width * 8);
    if (bits < 64 && (*value >> (bits - 1)) != 0) {
      return static_cast<std::int64_t>(*value) - (std::int64_t{1} << bits);
    }
    return static_cast<std::int64_t>(*value);
  }

  std::string_view rest() const { return bytes_.substr(position_); }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

std::optional<TzifHeader> read_header(ByteReader& reader) {
  auto magic = reader.read_unsigned(4);
  if (!magic || *magic != 0x545A6966) {  // "TZif"
    return std::nullopt;
  }
  TzifHeader header;
  auto version = reader.read_unsigned(1);
  if (!version || !reader.skip(15)) {
    return std::nullopt;
  }
  header.version = static_cast<char>(*version);
  for (std::uint64_t* count : {&header.isutcnt, &header.isstdcnt, &header.leapcnt, &header.timecnt,
                               &header.typecnt, &header.charcnt}) {
    auto value = reader.read_unsigned(4);
    if (!value) {
      return std::nullopt;
    }
    *count = *value;
  }
  return header;
}

// Size of a data block whose transition times and leap-second times take
// `time_width` bytes each.
std::uint64_t data_block_size(const TzifHeader& h, std::uint64_t time_width) {
  return h.timecnt * time_width + h.timecnt + h.typecnt * 6 + h.charcnt +
         h.leapcnt * (time_width + 4) + h.isstdcnt + h.isutcnt;
}

struct TzifData {
  std::vector<std::int64_t> times;
  std::vector<std::int32_t> type_offsets;  // UT offset of each local time type
  std::vector<std::uint8_t> type_indexes;  // local time type of each transition
};

std::optional<TzifData> read_data_block(ByteReader& reader, const TzifHeader& header,
                                        std::size_t time_width) {
  // RFC 8536 offsets lie within -25 h..26 h, so anything else is corrupt.
  constexpr std::int64_t kMaxOffsetSeconds = 26 * 3600;
  if (header.typecnt == 0 || header.typecnt > 256) {
    return std::nullopt;
  }
  TzifData data;
  for (std::uint64_t i = 0; i < header.timecnt; ++i) {
    auto time = reader.read_signed(time_width);
    if (!time || (!data.times.empty() && *time <= data.times.back())) {
      return std::nullopt;
    }
    data.times.push_back(*time);
  }
  for (std::uint64_t i = 0; i < header.timecnt; ++i) {
    auto index = reader.read_unsigned(1);
    if (!index || *index >= header.typecnt) {
      return std::nullopt;
    }
    data.type_indexes.push_back(static_cast<std::uint8_t>(*index));
  }
  for (std::uint64_t i = 0; i < header.typecnt; ++i) {
    auto offset = reader.read_signed(4);
    if (!offset || std::llabs(*offset) > kMaxOffsetSeconds || !reader.skip(2)) {
      return std::nullopt;
    }
    data.type_offsets.push_back(static_cast<std::int32_t>(*offset));
  }
  const std::uint64_t rest =
      header.charcnt + header.leapcnt * (time_width + 4) + header.isstdcnt + header.isutcnt;
  if (!reader.skip(rest)) {
    return std::nullopt;
  }
  return data;
}

// The footer of version 2 and later: a POSIX TZ string between newlines.
std::optional<std::string_view> read_footer(std::string_view rest) {
  if (rest.size() < 2 || rest.front() != '\n') {
    return std::nullopt;
  }
  const std::size_t end = rest.find('\n', 1);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return rest.substr(1, end - 1);
}

}  // namespace

std::optional<TimeZone> TimeZone::from_tzif(std::string_view bytes) {
  ByteReader reader(bytes);
  auto header = read_header(reader);
  if (!header) {
    return std::nullopt;
  }
  std::size_t time_width = 4;
  if (header->version != 0) {
    // Version 2 and later repeat the data with 64-bit times after the
    // version 1 block, followed by the footer.
    if (!reader.skip(data_block_size(*header, 4))) {
      return std::nullopt;
    }
    header = read_header(reader);
    if (!header) {
      return std::nullopt;
    }
    time_width = 8;
  }
  auto data = read_data_block(reader, *header, time_width);
  if (!data) {
    return std::nullopt;
  }

  TimeZone zone;
  // Times before the first transition use local time type 0.
  zone.initial_offset_ = data->type_offsets[0];
  std::int32_t offset = zone.initial_offset_;
  for (std::size_t i = 0; i < data->times.size(); ++i) {
    const std::int32_t next = data->type_offsets[data->type_indexes[i]];
    // Changes of only the abbreviation or the DST flag keep the offset.
    if (next != offset) {
      zone.transitions_.push_back({data->times[i], offset, next});
      offset = next;
    }
  }

  if (time_width == 8) {
    auto footer = read_footer(reader.rest());
    if (!footer) {
      return std::nullopt;
    }
    // An empty footer means the last offset stays in effect.
    if (!footer->empty()) {
      zone.rule_ = parse_posix_tz(*footer);
      if (!zone.rule_) {
        return std::nullopt;
      }
    }
  }
  return zone;
}

}  // namespace parley::protocol
