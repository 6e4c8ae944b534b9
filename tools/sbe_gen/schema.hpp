#pragma once

// The part of an SBE schema that sbe_gen supports, after XInclude
// resolution, type lookup and layout. schema/README.md lists the subset.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::sbe_gen {

// An error in a schema, naming the file and element.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Primitive { kChar, kInt8, kInt16, kInt32, kInt64, kUint8, kUint16, kUint32, kUint64 };

struct PrimitiveInfo {
  Primitive primitive;
  const char* schema_name;  // as in primitiveType, e.g. "uint16"
  const char* cpp_type;     // e.g. "std::uint16_t"
  std::size_t size;
  bool is_signed;
};

const PrimitiveInfo& info(Primitive primitive);
std::optional<Primitive> find_primitive(const std::string& name);

// An integer value of a primitive, kept as the value's bit pattern for
// unsigned types and as the value for signed ones.
struct Value {
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
};

struct EnumValue {
  std::string name;
  Value value;
};

struct EnumType {
  std::string name;
  Primitive encoding = Primitive::kUint8;
  std::vector<EnumValue> values;
};

struct Field {
  std::string name;
  std::uint32_t id = 0;
  Primitive primitive = Primitive::kInt64;
  // Index into Schema::enums when the field's type is an enum.
  std::optional<std::size_t> enum_index;
  bool optional = false;
  Value null_value;
  std::uint16_t since_version = 0;
  std::size_t offset = 0;
};

struct VarData {
  std::string name;
  std::uint32_t id = 0;
  std::uint16_t since_version = 0;
  std::size_t length_size = 4;
  std::uint64_t max_length = 0;
};

struct Group;

// The block fields, groups and var data of a message or group entry.
struct Level {
  std::vector<Field> fields;
  std::vector<Group> groups;
  std::vector<VarData> data;
  std::size_t block_length = 0;
};

struct Group {
  std::string name;
  std::uint32_t id = 0;
  std::uint16_t since_version = 0;
  std::uint64_t max_count = 65535;
  Level level;
};

struct Message {
  std::string name;
  std::uint16_t id = 0;
  std::string file;
  Level level;
};

struct Schema {
  std::string package;
  std::uint16_t id = 0;
  std::uint16_t version = 0;
  std::vector<EnumType> enums;
  std::vector<Message> messages;
  // Every file read, the main schema first.
  std::vector<std::string> files;
};

// Block length that a record of `version` needs: the end of the last field
// whose sinceVersion is at most `version`.
std::size_t required_block_length(const Level& level, std::uint16_t version);

}  // namespace parley::sbe_gen
