#include "db/sql_text.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "db/connection.hpp"

namespace parley::db::sql {

std::string like_substring(std::string_view keyword) {
  std::string pattern = "%";
  for (char c : keyword) {
    if (c == '\\' || c == '%' || c == '_') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

std::string int64_array(const std::vector<std::int64_t>& values) {
  return fmt::format("{{{}}}", fmt::join(values, ","));
}

std::string text_array(const std::vector<std::optional<std::string>>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal.push_back(',');
    if (!values[i]) {
      literal += "NULL";
      continue;
    }
    // Quoted elements need only `"` and `\` escaped, and keep NULL, commas,
    // braces and white space as text.
    literal.push_back('"');
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('"');
  }
  literal.push_back('}');
  return literal;
}

std::string to_param(std::int64_t value) { return std::to_string(value); }

std::string to_param(Timestamp value) { return format_timestamp(value); }

std::string order_by(const SortColumns& columns, const PageQuery& page,
                     std::string_view id_column) {
  const char* direction = page.descending ? "DESC" : "ASC";
  for (const auto& [field, column] : columns) {
    if (field != page.order_field) continue;
    if (column == id_column) return fmt::format("ORDER BY {} {}", column, direction);
    return fmt::format("ORDER BY {} {}, {} ASC", column, direction, id_column);
  }
  throw std::invalid_argument(fmt::format("unknown sort field: {}", page.order_field));
}

std::string limit_offset(const PageQuery& page, std::vector<std::optional<std::string>>& params) {
  params.push_back(std::to_string(page.limit));
  params.push_back(std::to_string(page.offset));
  return fmt::format("LIMIT ${}::bigint OFFSET ${}::bigint", params.size() - 1, params.size());
}

bool is_storable_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) return false;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    // Length and smallest code point of the sequence, per RFC 3629.
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((byte & 0xe0) == 0xc0) {
      length = 2;
      code_point = byte & 0x1f;
      minimum = 0x80;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
      code_point = byte & 0x0f;
      minimum = 0x800;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
      code_point = byte & 0x07;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code_point = code_point << 6 | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    if (code_point < minimum || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace parley::db::sql
