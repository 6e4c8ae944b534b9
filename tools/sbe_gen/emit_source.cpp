#include <algorithm>
#include <set>

#include "emit_common.hpp"
#include "emitter.hpp"
#include "names.hpp"

namespace parley::sbe_gen {
namespace {

// One message or group, with the names its generated helpers use.
struct Scope {
  const Level* level = nullptr;
  std::string message;     // message name, for error messages
  std::string path;        // "memberIds" or "items.subItems", empty for a message
  std::string helper_id;   // "RoomMessage" or "RoomMessage_items_subItems"
  std::string class_name;  // "RoomMessageDecoder::ItemsDecoder"
  bool parent_is_group = false;
  std::uint64_t max_count = 0;  // of a group
};

Scope child_scope(const Scope& parent, const Group& group) {
  return Scope{&group.level,
               parent.message,
               parent.path.empty() ? group.name : parent.path + "." + group.name,
               parent.helper_id + "_" + group.name,
               parent.class_name + "::" + to_pascal_case(group.name) + "Decoder",
               !parent.path.empty(),
               group.max_count};
}

std::string element_path(const Scope& scope, const std::string& name) {
  return scope.path.empty() ? name : scope.path + "." + name;
}

void emit_required(CodeWriter& w, const Scope& scope) {
  std::set<std::uint16_t, std::greater<>> versions;
  for (const Field& field : scope.level->fields) {
    if (field.since_version > 0) {
      versions.insert(field.since_version);
    }
  }
  w.line("std::size_t required_" + scope.helper_id + "([[maybe_unused]] std::uint16_t version) {");
  w.indent();
  for (std::uint16_t version : versions) {
    w.line("if (version >= " + std::to_string(version) + ") {");
    w.line("  return " + std::to_string(required_block_length(*scope.level, version)) + ";");
    w.line("}");
  }
  w.line("return " + std::to_string(required_block_length(*scope.level, 0)) + ";");
  w.dedent();
  w.line("}");
  w.line();
}

// Rejects enum values outside the enum. `base` is the offset of the block.
void emit_enum_checks(CodeWriter& w, const Schema& schema, const Scope& scope,
                      const std::string& base) {
  for (const Field& field : scope.level->fields) {
    if (!field.enum_index) {
      continue;
    }
    const EnumType& type = schema.enums[*field.enum_index];
    std::string offset = base + " + " + std::to_string(field.offset);
    w.line(field.since_version > 0 ? "if (version >= " + std::to_string(field.since_version) + ") {"
                                   : "{");
    w.indent();
    w.line("auto raw = " + std::string(kDetail) + "load<" + info(field.primitive).cpp_type +
           ">(bytes.data() + " + offset + ");");
    std::string condition = "!is_valid(static_cast<" + type.name + ">(raw))";
    if (field.optional) {
      condition = "raw != " + literal(field.primitive, field.null_value) + " && " + condition;
    }
    w.line("if (" + condition + ") {");
    w.line("  return " + std::string(kDetail) + "invalid_enum(\"" + scope.message + "\", \"" +
           element_path(scope, field.name) + "\", \"" + type.name + "\", raw, " + offset + ");");
    w.line("}");
    w.dedent();
    w.line("}");
  }
}

// Checks the groups and var data that follow a block, advancing `position`.
// With `offsets`, also records where each one starts.
void emit_trailing_walk(CodeWriter& w, const Scope& scope, const std::string& offsets) {
  std::vector<Trailing> trailing = trailing_of(*scope.level);
  for (std::size_t i = 0; i < trailing.size(); ++i) {
    std::string slot = offsets + "[" + std::to_string(i) + "]";
    std::uint16_t since = trailing[i].since_version();
    w.line(since > 0 ? "if (version >= " + std::to_string(since) + ") {" : "{");
    w.indent();
    if (!offsets.empty()) {
      w.line(slot + " = position;");
    }
    if (const Group* group = trailing[i].group) {
      w.line("::parley::Result<std::size_t> end = walk_" + child_scope(scope, *group).helper_id +
             "(bytes, position, version);");
    } else {
      w.line("::parley::Result<std::size_t> end = " + std::string(kDetail) +
             "check_var_data(bytes, position, " + std::to_string(trailing[i].data->length_size) +
             ", " + std::to_string(trailing[i].data->max_length) + "ULL, \"" + scope.message +
             "\", \"" + element_path(scope, trailing[i].data->name) + "\");");
    }
    w.line("if (!end) {");
    w.line("  return end.error();");
    w.line("}");
    w.line("position = *end;");
    w.dedent();
    if (since > 0 && !offsets.empty()) {
      w.line("} else {");
      w.line("  " + slot + " = " + std::string(kDetail) + "kAbsent;");
    }
    w.line("}");
  }
}

// Advances `position` over the groups and var data after an entry's block
// of an already checked message.
void emit_trailing_skip(CodeWriter& w, const Scope& scope, const std::string& data,
                        const std::string& version, const std::string& offsets) {
  std::vector<Trailing> trailing = trailing_of(*scope.level);
  for (std::size_t i = 0; i < trailing.size(); ++i) {
    std::string slot = offsets + "[" + std::to_string(i) + "]";
    std::uint16_t since = trailing[i].since_version();
    w.line(since > 0 ? "if (" + version + " >= " + std::to_string(since) + ") {" : "{");
    w.indent();
    if (!offsets.empty()) {
      w.line(slot + " = position;");
    }
    if (const Group* group = trailing[i].group) {
      w.line("position = skip_" + child_scope(scope, *group).helper_id + "(" + data +
             ", position, " + version + ");");
    } else {
      std::string size = std::to_string(trailing[i].data->length_size);
      w.line("position += " + size + " + " + std::string(kDetail) + "load_length(" + data +
             " + position, " + size + ");");
    }
    w.dedent();
    if (since > 0 && !offsets.empty()) {
      w.line("} else {");
      w.line("  " + slot + " = " + std::string(kDetail) + "kAbsent;");
    }
    w.line("}");
  }
}

void emit_group_helpers(CodeWriter& w, const Schema& schema, const Scope& scope) {
  for (const Group& group : scope.level->groups) {
    emit_group_helpers(w, schema, child_scope(scope, group));
  }
  if (scope.path.empty()) {
    emit_required(w, scope);
    return;
  }
  emit_required(w, scope);
  bool has_trailing = !trailing_of(*scope.level).empty();
  w.line("::parley::Result<std::size_t> walk_" + scope.helper_id +
         "(std::span<const std::uint8_t> bytes, std::size_t position,");
  w.line("    std::uint16_t version) {");
  w.indent();
  w.line("::parley::Result<" + std::string(kDetail) + "GroupHeader> header = " +
         std::string(kDetail) + "check_group(bytes, position, required_" + scope.helper_id +
         "(version), " + std::to_string(scope.max_count) + "U, version, \"" + scope.message +
         "\", \"" + scope.path + "\");");
  w.line("if (!header) {");
  w.line("  return header.error();");
  w.line("}");
  w.line("position += ::parley::sbe::kGroupHeaderLength;");

  w.line("for (std::size_t i = 0; i < header->count; ++i) {");
  w.indent();
  if (has_trailing) {
    w.line("if (::parley::Status status = " + std::string(kDetail) +
           "check_group_entry(bytes, position, *header, i, \"" + scope.message + "\", \"" +
           scope.path + "\"); !status) {");
    w.line("  return status.error();");
    w.line("}");
  }
  emit_enum_checks(w, schema, scope, "position");
  w.line("position += header->block_length;");
  emit_trailing_walk(w, scope, "");
  w.dedent();
  w.line("}");
  w.line("return position;");
  w.dedent();
  w.line("}");
  w.line();

  // Only a group inside a group needs a skip function: the next() of its
  // parent's decoder steps over it.
  if (!scope.parent_is_group) {
    return;
  }
  w.line("std::size_t skip_" + scope.helper_id +
         "(const std::uint8_t* data, std::size_t position, [[maybe_unused]] std::uint16_t "
         "version) {");
  w.indent();
  w.line("std::size_t block_length = " + std::string(kDetail) +
         "load<std::uint16_t>(data + position);");
  w.line("std::size_t count = " + std::string(kDetail) +
         "load<std::uint16_t>(data + position + 2);");
  w.line("position += ::parley::sbe::kGroupHeaderLength;");
  if (!has_trailing) {
    w.line("return position + block_length * count;");
  } else {
    w.line("for (std::size_t i = 0; i < count; ++i) {");
    w.indent();
    w.line("position += block_length;");
    emit_trailing_skip(w, scope, "data", "version", "");
    w.dedent();
    w.line("}");
    w.line("return position;");
  }
  w.dedent();
  w.line("}");
  w.line();
}

void emit_decode(CodeWriter& w, const Schema& schema, const Scope& scope) {
  const std::string& self = scope.class_name;
  w.line("::parley::Result<" + self + "> " + self +
         "::decode(std::span<const std::uint8_t> bytes) {");
  w.indent();
  w.line("::parley::Result<::parley::sbe::MessageHeader> header = read_header(bytes);");
  w.line("if (!header) {");
  w.line("  return header.error();");
  w.line("}");
  w.line("const std::uint16_t version = header->version;");
  w.line("if (::parley::Status status = " + std::string(kDetail) +
         "check_root(bytes, *header, kTemplateId, required_" + scope.helper_id + "(version), \"" +
         scope.message + "\");");
  w.line("    !status) {");
  w.line("  return status.error();");
  w.line("}");
  emit_enum_checks(w, schema, scope, "::parley::sbe::kMessageHeaderLength");
  w.line(self + " decoder;");
  w.line("decoder.data_ = bytes.data();");
  w.line("decoder.version_ = version;");
  w.line("std::size_t position = ::parley::sbe::kMessageHeaderLength + header->block_length;");
  emit_trailing_walk(w, scope, "decoder.offsets_");
  w.line("decoder.size_ = position;");
  w.line("return decoder;");
  w.dedent();
  w.line("}");
  w.line();
}

void emit_group_next(CodeWriter& w, const Scope& scope) {
  for (const Group& group : scope.level->groups) {
    emit_group_next(w, child_scope(scope, group));
  }
  if (scope.path.empty() || trailing_of(*scope.level).empty()) {
    return;
  }
  w.line("bool " + scope.class_name + "::next() {");
  w.indent();
  w.line("if (index_ == count_) {");
  w.line("  return false;");
  w.line("}");
  w.line("entry_ = next_;");
  w.line("std::size_t position = entry_ + block_length_;");
  emit_trailing_skip(w, scope, "data_", "version_", "offsets_");
  w.line("next_ = position;");
  w.line("++index_;");
  w.line("return true;");
  w.dedent();
  w.line("}");
  w.line();
}

}  // namespace

std::string emit_source(const Schema& schema, const EmitOptions& options) {
  CodeWriter w;
  w.line("// Generated by tools/sbe_gen from " + options.schema_name + ". Do not edit.");
  w.line();
  w.line("#include \"" + options.header_include + "\"");
  w.line();
  w.line("namespace " + namespace_of(schema.package) + " {");
  w.line("namespace {");
  w.line();
  for (const Message& message : schema.messages) {
    Scope scope{
        &message.level, message.name, "", message.name, to_pascal_case(message.name) + "Decoder",
        false};
    emit_group_helpers(w, schema, scope);
  }
  w.line("}  // namespace");
  w.line();
  for (const Message& message : schema.messages) {
    Scope scope{
        &message.level, message.name, "", message.name, to_pascal_case(message.name) + "Decoder",
        false};
    emit_decode(w, schema, scope);
    emit_group_next(w, scope);
  }
  w.line("}  // namespace " + namespace_of(schema.package));
  return w.take();
}

std::string namespace_of(const std::string& package) {
  std::string result;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = package.find('.', start);
    std::string part = package.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!is_identifier(part) || is_cpp_keyword(part)) {
      throw SchemaError("package '" + package + "': '" + part + "' is not a valid C++ namespace");
    }
    result += (result.empty() ? "" : "::") + part;
    if (dot == std::string::npos) {
      return result;
    }
    start = dot + 1;
  }
}

}  // namespace parley::sbe_gen
