#include "emit_common.hpp"

#include <limits>

namespace parley::sbe_gen {

void CodeWriter::line(const std::string& text) {
  if (!text.empty()) {
    text_.append(static_cast<std::size_t>(depth_), ' ');
    text_ += text;
  }
  text_ += '\n';
}

std::vector<Trailing> trailing_of(const Level& level) {
  std::vector<Trailing> result;
  for (const Group& group : level.groups) {
    result.push_back(Trailing{&group, nullptr});
  }
  for (const VarData& data : level.data) {
    result.push_back(Trailing{nullptr, &data});
  }
  return result;
}

std::string value_type(const Schema& schema, const Field& field) {
  if (field.enum_index) {
    return schema.enums[*field.enum_index].name;
  }
  return info(field.primitive).cpp_type;
}

std::string literal(Primitive primitive, const Value& value) {
  const PrimitiveInfo& p = info(primitive);
  std::string type = p.cpp_type;
  if (p.is_signed) {
    if (p.size == 8 && value.signed_value == std::numeric_limits<std::int64_t>::min()) {
      return "std::numeric_limits<std::int64_t>::min()";
    }
    return "static_cast<" + type + ">(" + std::to_string(value.signed_value) + ")";
  }
  return "static_cast<" + type + ">(" + std::to_string(value.unsigned_value) + "ULL)";
}

std::string trailing_table(const Level& level) {
  std::vector<Trailing> trailing = trailing_of(level);
  std::string table = "static constexpr std::array<" + std::string(kDetail) + "TrailingElement, " +
                      std::to_string(trailing.size()) + "> kTrailing = {{";
  for (std::size_t i = 0; i < trailing.size(); ++i) {
    if (i > 0) {
      table += ", ";
    }
    if (trailing[i].group) {
      table += "{4, true, " + std::to_string(trailing[i].group->level.block_length) + "}";
    } else {
      table += "{" + std::to_string(trailing[i].data->length_size) + ", false, 0}";
    }
  }
  return table + "}};";
}

}  // namespace parley::sbe_gen
