#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "protocol/binary/codec.hpp"
#include "protocol/envelope.hpp"
#include "protocol/json_values.hpp"

namespace parley::protocol::binary::detail {
namespace json = boost::json;
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_hex(std::string& text, std::uint64_t word, int first_digit, int digits) {
  for (int i = first_digit; i < first_digit + digits; ++i) {
    text += kHexDigits[(word >> (60 - 4 * i)) & 0x0F];
  }
}

bool equals_ignoring_case(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c =
        text[i] >= 'a' && text[i] <= 'z' ? static_cast<char>(text[i] - 'a' + 'A') : text[i];
    if (c != upper[i]) return false;
  }
  return true;
}

// The local clock's microseconds since 1970-01-01T00:00:00.
using LocalMicros = std::chrono::local_time<std::chrono::microseconds>;

}  // namespace

std::optional<std::string> cid_text(CidWords words) {
  if (words.high == 0 && words.low == 0) return std::nullopt;
  std::string text;
  text.reserve(36);
  append_hex(text, words.high, 0, 8);
  text += '-';
  append_hex(text, words.high, 8, 4);
  text += '-';
  append_hex(text, words.high, 12, 4);
  text += '-';
  append_hex(text, words.low, 0, 4);
  text += '-';
  append_hex(text, words.low, 4, 12);
  return text;
}

CidWords cid_words(const std::optional<std::string>& cid) {
  if (!cid || cid->size() != 36) return {};
  std::uint64_t words[2] = {0, 0};
  int digit = 0;
  for (std::size_t i = 0; i < cid->size(); ++i) {
    const char c = (*cid)[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return {};
      continue;
    }
    const int value = hex_value(c);
    if (value < 0) return {};
    std::uint64_t& word = words[digit / 16];
    word = (word << 4) | static_cast<std::uint64_t>(value);
    ++digit;
  }
  return {words[0], words[1]};
}

Error invalid_frame() { return Error{400, std::string(kInvalidEnvelopeMessage)}; }

Error unexpected_reply(std::string_view detail) { return Error{500, std::string(detail)}; }

Error unencodable_request(std::string_view field) { return Error{0, std::string(field)}; }

bool is_valid_utf8(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size()) {
    const auto lead = static_cast<unsigned char>(value[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code_point = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > value.size()) return false;
    for (std::size_t j = 1; j < length; ++j) {
      const auto next = static_cast<unsigned char>(value[i + j]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values above U+10FFFF.
    const bool overlong =
        (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
    if (overlong || (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

Status put_string(json::object& object, std::string_view key, std::uint8_t present,
                  std::string_view value) {
  if (present == 0) return Done{};
  if (present != 1 || !is_valid_utf8(value)) return invalid_frame();
  object[key] = value;
  return Done{};
}

void put_number(json::object& object, std::string_view key, std::optional<std::int64_t> value) {
  if (value) object[key] = *value;
}

void put_local_time(json::object& object, std::string_view key,
                    std::optional<std::int64_t> micros) {
  if (!micros) return;
  // 0000-01-01T00:00 and 10000-01-01T00:00, the range of the JSON form.
  // Outside it the calendar arithmetic below could overflow, and the text
  // makes the request checks reject the value as they reject a bad date.
  constexpr std::int64_t kFirstMicros = -62167219200LL * 1000000;
  constexpr std::int64_t kEndMicros = 253402300800LL * 1000000;
  if (*micros < kFirstMicros || *micros >= kEndMicros) {
    object[key] = "out of range";
    return;
  }
  const LocalMicros time{std::chrono::microseconds{*micros}};
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss<std::chrono::microseconds> clock{time - day};
  object[key] = fmt::format(
      "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
      clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

Status put_time(json::object& object, std::string_view key, std::int64_t millis) {
  // 0000-01-01T00:00Z and 10000-01-01T00:00Z.
  constexpr std::int64_t kFirstMillis = -62167219200LL * 1000;
  constexpr std::int64_t kEndMillis = 253402300800LL * 1000;
  if (millis < kFirstMillis || millis >= kEndMillis) return invalid_frame();
  object[key] = format_datetime(Timestamp{std::chrono::milliseconds{millis}});
  return Done{};
}

json::string number_text(std::int64_t value) { return id_string(value); }

void put_page_echo(json::object& page, std::optional<std::int32_t> offset,
                   std::optional<std::int32_t> limit) {
  if (offset) page["offset"] = number_text(*offset);
  if (limit) page["limit"] = number_text(*limit);
}

// --- ReplyReader ------------------------------------------------------------

Result<const json::object*> ReplyReader::object() const { return element(data_); }

Result<const json::object*> ReplyReader::element(const json::value& value) const {
  if (!value.is_object()) return error("data is not an object");
  return &value.get_object();
}

Result<std::int64_t> ReplyReader::bare_number() const {
  if (!data_.is_string()) return error("data is not a number string");
  const Field<std::int64_t> value = read_int64(&data_);
  if (!value.present()) return error("data is not a number string");
  return value.value;
}

Result<std::int64_t> ReplyReader::number(const json::object& object, std::string_view key) const {
  const json::value* value = protocol::member(object, key);
  const Field<std::int64_t> number = read_int64(value);
  if (!number.present()) return error(fmt::format("{} is not a number", key));
  return number.value;
}

Result<std::optional<std::int32_t>> ReplyReader::optional_int32(const json::object& object,
                                                                std::string_view key) const {
  const Field<std::int32_t> number = read_int32(protocol::member(object, key));
  if (number.invalid()) return error(fmt::format("{} is not a 32-bit number", key));
  if (!number.present()) return std::optional<std::int32_t>{};
  return std::optional<std::int32_t>{number.value};
}

Result<std::int64_t> ReplyReader::time(const json::object& object, std::string_view key) const {
  const Field<LocalDateTime> local = read_local_datetime(protocol::member(object, key));
  if (!local.present()) return error(fmt::format("{} is not a date-time", key));
  // Reply times are UTC, so the local value is the UTC wall-clock time.
  const auto micros = local.value.value.time_since_epoch();
  return std::chrono::floor<std::chrono::milliseconds>(micros).count();
}

Result<std::string_view> ReplyReader::string(const json::object& object,
                                             std::string_view key) const {
  const json::value* value = protocol::member(object, key);
  if (value == nullptr || !value->is_string()) return error(fmt::format("{} is not a string", key));
  return std::string_view(value->get_string());
}

Result<std::optional<std::string_view>> ReplyReader::optional_string(const json::object& object,
                                                                     std::string_view key) const {
  const json::value* value = protocol::member(object, key);
  if (value == nullptr || value->is_null()) return std::optional<std::string_view>{};
  if (!value->is_string()) return error(fmt::format("{} is not a string", key));
  return std::optional<std::string_view>{std::string_view(value->get_string())};
}

Result<const json::array*> ReplyReader::array(const json::object& object,
                                              std::string_view key) const {
  const json::value* value = protocol::member(object, key);
  if (value == nullptr || !value->is_array()) return error(fmt::format("{} is not an array", key));
  return &value->get_array();
}

// --- RequestReader ----------------------------------------------------------

const json::object& RequestReader::payload() const {
  static const json::object kEmpty;
  return data_.is_object() ? data_.get_object() : kEmpty;
}

const json::value* RequestReader::member(std::string_view key) const {
  return protocol::member(payload(), key);
}

Result<std::optional<std::int64_t>> RequestReader::int64(const json::value* value,
                                                         std::string_view field) const {
  const Field<std::int64_t> number = read_int64(value);
  if (number.invalid()) return unencodable_request(field);
  // The null value of an optional int64 field means absent, so the minimum
  // cannot be sent.
  if (number.present() && number.value == std::numeric_limits<std::int64_t>::min()) {
    return unencodable_request(field);
  }
  if (!number.present()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{number.value};
}

Result<std::optional<std::int32_t>> RequestReader::int32(const json::value* value,
                                                         std::string_view field) const {
  const Field<std::int32_t> number = read_int32(value);
  if (number.invalid()) return unencodable_request(field);
  if (number.present() && number.value == std::numeric_limits<std::int32_t>::min()) {
    return unencodable_request(field);
  }
  if (!number.present()) return std::optional<std::int32_t>{};
  return std::optional<std::int32_t>{number.value};
}

Result<RequestString> RequestReader::string(const json::value* value,
                                            std::string_view field) const {
  Field<std::string> text = read_string(value);
  if (text.invalid()) return unencodable_request(field);
  if (!text.present()) return RequestString{};
  return RequestString{1, std::move(text.value)};
}

Result<std::optional<std::int64_t>> RequestReader::local_time(const json::value* value,
                                                              std::string_view field) const {
  const Field<LocalDateTime> local = read_local_datetime(value);
  if (local.invalid()) return unencodable_request(field);
  if (!local.present()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{local.value.value.time_since_epoch().count()};
}

Result<std::optional<RequestOrderBy>> RequestReader::order_by() const {
  const json::value* value = member("orderBy");
  if (value == nullptr || value->is_null()) return std::optional<RequestOrderBy>{};
  if (!value->is_object()) return unencodable_request("orderBy");
  const json::object& object = value->get_object();

  RequestOrderBy order_by;
  auto field = string(protocol::member(object, "field"), "orderBy");
  if (!field) return field.error();
  order_by.field = std::move(field).value();

  const json::value* direction = protocol::member(object, "direction");
  if (direction != nullptr && !direction->is_null()) {
    if (!direction->is_string()) return unencodable_request("orderBy");
    const std::string_view name = direction->get_string();
    if (equals_ignoring_case(name, "ASC")) {
      order_by.direction = 0;
    } else if (equals_ignoring_case(name, "DESC")) {
      order_by.direction = 1;
    } else if (!name.empty()) {
      return unencodable_request("orderBy");
    }
  }
  return std::optional<RequestOrderBy>{std::move(order_by)};
}

Result<std::vector<std::optional<std::int64_t>>> RequestReader::id_list(
    const json::value* value, std::string_view field) const {
  std::vector<std::optional<std::int64_t>> ids;
  if (value == nullptr || value->is_null()) return ids;
  if (!value->is_array()) return unencodable_request(field);
  for (const json::value& element : value->get_array()) {
    auto id = int64(&element, field);
    if (!id) return id.error();
    ids.push_back(*id);
  }
  return ids;
}

}  // namespace parley::protocol::binary::detail
