#include <cctype>

#include "emit_common.hpp"
#include "emitter.hpp"
#include "names.hpp"

namespace parley::sbe_gen {
namespace {

// The encoder or decoder class being written: its name, the class it is
// nested in, and whether it is a message's (root) or a group's class.
struct ClassContext {
  std::string class_name;
  std::string parent_class;  // empty for a message
  bool is_root = true;
  std::uint16_t template_id = 0;  // of a message
};

std::string enum_literal(const EnumType& type, const EnumValue& value) {
  if (type.encoding == Primitive::kChar &&
      std::isprint(static_cast<int>(value.value.unsigned_value)) &&
      value.value.unsigned_value != '\'' && value.value.unsigned_value != '\\') {
    return std::string("'") + static_cast<char>(value.value.unsigned_value) + "'";
  }
  return info(type.encoding).is_signed ? std::to_string(value.value.signed_value)
                                       : std::to_string(value.value.unsigned_value);
}

void emit_enum(CodeWriter& w, const EnumType& type) {
  std::string underlying = info(type.encoding).cpp_type;
  w.line("enum class " + type.name + " : " + underlying + " {");
  w.indent();
  for (const EnumValue& value : type.values) {
    w.line(value.name + " = " + enum_literal(type, value) + ",");
  }
  w.dedent();
  w.line("};");
  w.line();
  w.line("constexpr bool is_valid(" + type.name + " value) {");
  w.indent();
  w.line("switch (value) {");
  w.indent();
  for (const EnumValue& value : type.values) {
    w.line("case " + type.name + "::" + value.name + ":");
  }
  w.indent();
  w.line("return true;");
  w.dedent();
  w.dedent();
  w.line("}");
  w.line("return false;");
  w.dedent();
  w.line("}");
  w.line();
}

std::string param_type(const Schema& schema, const Field& field) {
  std::string type = value_type(schema, field);
  return field.optional ? "std::optional<" + type + ">" : type;
}

std::string stored_value(const Field& field) {
  if (!field.optional) {
    return "value";
  }
  std::string null = literal(field.primitive, field.null_value);
  if (field.enum_index) {
    return "value ? static_cast<" + std::string(info(field.primitive).cpp_type) +
           ">(*value) : " + null;
  }
  return "value.value_or(" + null + ")";
}

void emit_encoder(CodeWriter& w, const Schema& schema, const Level& level,
                  const ClassContext& context);

// Bytes of each var data field's length, for callers that size buffers.
void emit_length_sizes(CodeWriter& w, const Level& level) {
  for (const VarData& data : level.data) {
    w.line("static constexpr std::size_t k" + to_pascal_case(data.name) +
           "LengthSize = " + std::to_string(data.length_size) + ";");
  }
}

void emit_encoder_groups(CodeWriter& w, const Schema& schema, const Level& level,
                         const ClassContext& context) {
  for (const Group& group : level.groups) {
    emit_encoder(w, schema, group.level,
                 ClassContext{to_pascal_case(group.name) + "Encoder", context.class_name, false});
  }
}

void emit_encoder_members(CodeWriter& w, const Schema& schema, const Level& level,
                          const ClassContext& context) {
  const std::string& self = context.class_name;
  std::string cursor = context.is_root ? "cursor_." : "cursor_->";
  std::string where = context.is_root ? "0, 0" : "level_, serial_";
  for (const Field& field : level.fields) {
    w.line(self + "& " + to_snake_case(field.name) + "(" + param_type(schema, field) + " value) {");
    w.indent();
    if (context.is_root) {
      w.line("cursor_.store_root(" + std::to_string(field.offset) + ", " + stored_value(field) +
             ");");
    } else {
      w.line("cursor_->store_entry(level_, serial_, entry_, " + std::to_string(field.offset) +
             ", " + stored_value(field) + ");");
    }
    w.line("return *this;");
    w.dedent();
    w.line("}");
  }
  std::vector<Trailing> trailing = trailing_of(level);
  for (std::size_t i = 0; i < trailing.size(); ++i) {
    std::string index = std::to_string(i);
    if (const Group* group = trailing[i].group) {
      std::string type = to_pascal_case(group->name) + "Encoder";
      w.line(type + " " + to_snake_case(group->name) + "(std::size_t count) {");
      w.indent();
      w.line("std::uint32_t serial = " + cursor + "begin_group(" + where + ", " + index +
             ", count, " + type + "::kBlockLength, " + std::to_string(group->max_count) + "U, " +
             type + "::kTrailing);");
      w.line(context.is_root ? "return " + type + "(&cursor_, 1, serial);"
                             : "return " + type + "(cursor_, level_ + 1, serial);");
      w.dedent();
      w.line("}");
      continue;
    }
    const VarData& data = *trailing[i].data;
    std::string name = to_snake_case(data.name);
    std::string limits =
        std::to_string(data.length_size) + ", " + std::to_string(data.max_length) + "ULL";
    w.line(self + "& " + name + "(std::string_view value) {");
    w.indent();
    w.line(cursor + "put_var_data(" + where + ", " + index + ", value.data(), value.size(), " +
           limits + ");");
    w.line("return *this;");
    w.dedent();
    w.line("}");
    w.line(self + "& " + name + "(std::span<const std::uint8_t> value) {");
    w.indent();
    w.line(cursor + "put_var_data(" + where + ", " + index + ", value.data(), value.size(), " +
           limits + ");");
    w.line("return *this;");
    w.dedent();
    w.line("}");
  }
}

void emit_encoder(CodeWriter& w, const Schema& schema, const Level& level,
                  const ClassContext& context) {
  const std::string& self = context.class_name;
  w.line("class " + self + " {");
  w.line(" public:");
  w.indent();
  if (context.is_root) {
    w.line("static constexpr std::uint16_t kTemplateId = " + std::to_string(context.template_id) +
           ";");
  }
  w.line("static constexpr std::uint16_t kBlockLength = " + std::to_string(level.block_length) +
         ";");
  emit_length_sizes(w, level);
  w.line();
  emit_encoder_groups(w, schema, level, context);
  if (context.is_root) {
    w.line("// Writes the message header and zero-fills the root block.");
    w.line("explicit " + self + "(std::span<std::uint8_t> buffer) {");
    w.indent();
    w.line(
        "cursor_.start(buffer, {kBlockLength, kTemplateId, kSchemaId, kSchemaVersion}, "
        "kTrailing);");
    w.dedent();
    w.line("}");
    w.line("// Group encoders point into this object, so it stays where it is.");
    w.line(self + "(const " + self + "&) = delete;");
    w.line(self + "& operator=(const " + self + "&) = delete;");
    w.line();
  } else {
    w.line("// Starts the next entry. Call it before each entry, the first one included.");
    w.line(self + "& next() {");
    w.indent();
    w.line("entry_ = cursor_->next_entry(level_, serial_, kBlockLength);");
    w.line("return *this;");
    w.dedent();
    w.line("}");
  }
  emit_encoder_members(w, schema, level, context);
  if (context.is_root) {
    w.line();
    w.line("// False once anything did not fit, a count or length exceeded its limit,");
    w.line("// a group got fewer entries than its count, or calls came out of order.");
    w.line("bool ok() const { return cursor_.finish().has_value(); }");
    w.line("// Bytes of the message, header included. Groups and var data fields not");
    w.line("// written yet are written empty first.");
    w.line("std::size_t size() const { return cursor_.finish().value_or(cursor_.position()); }");
  }
  w.dedent();
  w.line();
  w.line(" private:");
  w.indent();
  w.line(trailing_table(level));
  if (context.is_root) {
    w.line("mutable " + std::string(kDetail) + "EncodeCursor cursor_;");
  } else {
    w.line("friend class " + context.parent_class + ";");
    w.line(self + "(" + std::string(kDetail) +
           "EncodeCursor* cursor, std::size_t level, std::uint32_t serial)");
    w.line("    : cursor_(cursor), level_(level), serial_(serial) {}");
    w.line(std::string(kDetail) + "EncodeCursor* cursor_;");
    w.line("std::size_t level_;");
    w.line("std::uint32_t serial_;");
    w.line("std::size_t entry_ = " + std::string(kDetail) + "kAbsent;");
  }
  w.dedent();
  w.line("};");
  w.line();
}

void emit_decoder(CodeWriter& w, const Schema& schema, const Level& level,
                  const ClassContext& context);

void emit_field_getter(CodeWriter& w, const Schema& schema, const Field& field,
                       const ClassContext& context) {
  std::string type = value_type(schema, field);
  bool maybe_absent = field.optional || field.since_version > 0;
  std::string result = maybe_absent ? "std::optional<" + type + ">" : type;
  std::string address =
      (context.is_root ? "data_ + ::parley::sbe::kMessageHeaderLength + " : "data_ + entry_ + ") +
      std::to_string(field.offset);
  std::string raw_type = info(field.primitive).cpp_type;
  w.line(result + " " + to_snake_case(field.name) + "() const {");
  w.indent();
  if (field.since_version > 0) {
    w.line("if (version_ < " + std::to_string(field.since_version) + ") {");
    w.line("  return std::nullopt;");
    w.line("}");
  }
  if (field.optional) {
    w.line("auto raw = " + std::string(kDetail) + "load<" + raw_type + ">(" + address + ");");
    w.line("if (raw == " + literal(field.primitive, field.null_value) + ") {");
    w.line("  return std::nullopt;");
    w.line("}");
    w.line(field.enum_index ? "return static_cast<" + type + ">(raw);" : "return raw;");
  } else {
    w.line("return " + std::string(kDetail) + "load<" + type + ">(" + address + ");");
  }
  w.dedent();
  w.line("}");
}

void emit_decoder_members(CodeWriter& w, const Schema& schema, const Level& level,
                          const ClassContext& context) {
  for (const Field& field : level.fields) {
    emit_field_getter(w, schema, field, context);
  }
  std::vector<Trailing> trailing = trailing_of(level);
  for (std::size_t i = 0; i < trailing.size(); ++i) {
    std::string offset = "offsets_[" + std::to_string(i) + "]";
    if (const Group* group = trailing[i].group) {
      std::string type = to_pascal_case(group->name) + "Decoder";
      w.line(type + " " + to_snake_case(group->name) + "() const { return " + type + "(data_, " +
             offset + ", version_); }");
      continue;
    }
    const VarData& data = *trailing[i].data;
    std::string load = std::string(kDetail) + "load_var_data(data_, " + offset + ", " +
                       std::to_string(data.length_size) + ")";
    if (data.since_version == 0) {
      w.line("std::string_view " + to_snake_case(data.name) + "() const { return " + load + "; }");
      continue;
    }
    w.line("std::optional<std::string_view> " + to_snake_case(data.name) + "() const {");
    w.indent();
    w.line("if (" + offset + " == " + std::string(kDetail) + "kAbsent) {");
    w.line("  return std::nullopt;");
    w.line("}");
    w.line("return " + load + ";");
    w.dedent();
    w.line("}");
  }
}

void emit_group_decoder_core(CodeWriter& w, const Level& level) {
  w.line("std::size_t count() const { return count_; }");
  w.line("// Moves to the next entry: false after the last one. Call it before");
  w.line("// reading the first entry.");
  if (!trailing_of(level).empty()) {
    w.line("bool next();");
    return;
  }
  w.line("bool next() {");
  w.indent();
  w.line("if (index_ == count_) {");
  w.line("  return false;");
  w.line("}");
  w.line("entry_ = next_;");
  w.line("next_ += block_length_;");
  w.line("++index_;");
  w.line("return true;");
  w.dedent();
  w.line("}");
}

void emit_decoder(CodeWriter& w, const Schema& schema, const Level& level,
                  const ClassContext& context) {
  const std::string& self = context.class_name;
  std::size_t trailing_count = trailing_of(level).size();
  w.line("class " + self + " {");
  w.line(" public:");
  w.indent();
  if (context.is_root) {
    w.line("static constexpr std::uint16_t kTemplateId = " + std::to_string(context.template_id) +
           ";");
  }
  w.line("static constexpr std::uint16_t kBlockLength = " + std::to_string(level.block_length) +
         ";");
  emit_length_sizes(w, level);
  w.line();
  for (const Group& group : level.groups) {
    emit_decoder(w, schema, group.level,
                 ClassContext{to_pascal_case(group.name) + "Decoder", self, false});
  }
  if (context.is_root) {
    w.line("// Checks the header, the block length of the record's version and every");
    w.line("// group and var data length against `bytes`, so no accessor can read out");
    w.line("// of bounds. Bytes after the message are allowed.");
    w.line("static ::parley::Result<" + self + "> decode(std::span<const std::uint8_t> bytes);");
    w.line();
    w.line("std::uint16_t acting_version() const { return version_; }");
    w.line("// Bytes of this message, header included.");
    w.line("std::size_t size() const { return size_; }");
  } else {
    emit_group_decoder_core(w, level);
    w.line("// The accessors below read the current entry. REQUIRES: next() returned true.");
  }
  emit_decoder_members(w, schema, level, context);
  w.dedent();
  w.line();
  w.line(" private:");
  w.indent();
  if (context.is_root) {
    w.line(self + "() = default;");
    w.line();
    w.line("const std::uint8_t* data_ = nullptr;");
    w.line("std::size_t size_ = 0;");
    w.line("[[maybe_unused]] std::uint16_t version_ = 0;");
  } else {
    w.line("friend class " + context.parent_class + ";");
    w.line(self + "(const std::uint8_t* data, std::size_t header_offset, std::uint16_t version)");
    w.line("    : data_(data), version_(version) {");
    w.indent();
    w.line("if (header_offset != " + std::string(kDetail) + "kAbsent) {");
    w.line("  block_length_ = " + std::string(kDetail) +
           "load<std::uint16_t>(data + header_offset);");
    w.line("  count_ = " + std::string(kDetail) + "load<std::uint16_t>(data + header_offset + 2);");
    w.line("  next_ = header_offset + ::parley::sbe::kGroupHeaderLength;");
    w.line("}");
    w.dedent();
    w.line("}");
    w.line();
    w.line("const std::uint8_t* data_;");
    w.line("[[maybe_unused]] std::uint16_t version_;");
    w.line("std::size_t block_length_ = 0;");
    w.line("std::size_t count_ = 0;");
    w.line("std::size_t index_ = 0;");
    w.line("std::size_t next_ = 0;");
    w.line("std::size_t entry_ = 0;");
  }
  if (trailing_count > 0) {
    w.line("std::array<std::size_t, " + std::to_string(trailing_count) + "> offsets_{};");
  }
  w.dedent();
  w.line("};");
  w.line();
}

void emit_message(CodeWriter& w, const Schema& schema, const Message& message) {
  std::string base = to_pascal_case(message.name);
  std::string origin = "// " + message.name + ", template " + std::to_string(message.id) + " of " +
                       message.file + ".";
  w.line(origin);
  emit_encoder(w, schema, message.level, ClassContext{base + "Encoder", "", true, message.id});
  w.line(origin);
  emit_decoder(w, schema, message.level, ClassContext{base + "Decoder", "", true, message.id});
}

}  // namespace

std::string emit_header(const Schema& schema, const EmitOptions& options) {
  CodeWriter w;
  w.line("// Generated by tools/sbe_gen from " + options.schema_name + " (schema id " +
         std::to_string(schema.id) + ", version " + std::to_string(schema.version) + ").");
  w.line("// Do not edit: change the schema and rebuild.");
  w.line("#pragma once");
  w.line();
  for (const char* header :
       {"array", "cstddef", "cstdint", "limits", "optional", "span", "string_view"}) {
    w.line(std::string("#include <") + header + ">");
  }
  w.line();
  w.line("#include \"common/error.hpp\"");
  w.line("#include \"sbe/codec_support.hpp\"");
  w.line();

  w.line("namespace " + namespace_of(schema.package) + " {");
  w.line();
  w.line("inline constexpr std::uint16_t kSchemaId = " + std::to_string(schema.id) + ";");
  w.line("inline constexpr std::uint16_t kSchemaVersion = " + std::to_string(schema.version) + ";");
  w.line();
  w.line("// Reads the message header. Errors: fewer than 8 bytes, or a schema id");
  w.line("// other than kSchemaId.");
  w.line("inline ::parley::Result<::parley::sbe::MessageHeader> read_header(");
  w.line("    std::span<const std::uint8_t> bytes) {");
  w.line("  return " + std::string(kDetail) + "read_header(bytes, kSchemaId);");
  w.line("}");
  w.line();

  for (const EnumType& type : schema.enums) {
    emit_enum(w, type);
  }
  for (const Message& message : schema.messages) {
    emit_message(w, schema, message);
  }
  w.line("}  // namespace " + namespace_of(schema.package));
  return w.take();
}

}  // namespace parley::sbe_gen
