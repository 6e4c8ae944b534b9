#include "schema.hpp"

#include <array>

namespace parley::sbe_gen {
namespace {

constexpr std::array<PrimitiveInfo, 9> kPrimitives = {{
    {Primitive::kChar, "char", "char", 1, true},
    {Primitive::kInt8, "int8", "std::int8_t", 1, true},
    {Primitive::kInt16, "int16", "std::int16_t", 2, true},
    {Primitive::kInt32, "int32", "std::int32_t", 4, true},
    {Primitive::kInt64, "int64", "std::int64_t", 8, true},
    {Primitive::kUint8, "uint8", "std::uint8_t", 1, false},
    {Primitive::kUint16, "uint16", "std::uint16_t", 2, false},
    {Primitive::kUint32, "uint32", "std::uint32_t", 4, false},
    {Primitive::kUint64, "uint64", "std::uint64_t", 8, false},
}};

}  // namespace

const PrimitiveInfo& info(Primitive primitive) {
  return kPrimitives[static_cast<std::size_t>(primitive)];
}

std::optional<Primitive> find_primitive(const std::string& name) {
  for (const PrimitiveInfo& primitive : kPrimitives) {
    if (name == primitive.schema_name) {
      return primitive.primitive;
    }
  }
  return std::nullopt;
}

std::size_t required_block_length(const Level& level, std::uint16_t version) {
  std::size_t length = 0;
  for (const Field& field : level.fields) {
    if (field.since_version <= version) {
      length = field.offset + info(field.primitive).size;
    }
  }
  return length;
}

}  // namespace parley::sbe_gen
