#include <set>

#include "names.hpp"
#include "parser_impl.hpp"
#include "values.hpp"

namespace parley::sbe_gen::detail {

void Parser::parse_types(const Element& types) {
  types.allow_attributes({});
  for (const Element& child : types.children()) {
    std::string kind = child.name();
    std::string name = child.required("name");
    if (!is_identifier(name)) {
      child.context().fail("name '" + name + "' is not a valid identifier");
    }
    if (simple_types_.count(name) || enum_indexes_.count(name) || composites_.count(name) ||
        find_primitive(name)) {
      child.context().fail("type name '" + name + "' is already defined");
    }
    if (kind == "type") {
      parse_simple_type(child);
    } else if (kind == "enum") {
      parse_enum(child);
    } else if (kind == "composite") {
      parse_composite(child);
    } else if (kind == "set") {
      child.context().fail("<set> (bit sets) is not supported");
    } else {
      child.context().fail("element <" + child.key() + "> is not supported in <types>");
    }
  }
}

void Parser::parse_simple_type(const Element& element) {
  element.allow_attributes({"name", "primitiveType", "presence", "nullValue", "minValue",
                            "maxValue", "length", "description", "semanticType"});
  SimpleType type;
  type.primitive = parse_primitive(element, element.required("primitiveType"));
  std::string presence = element.attribute("presence").value_or("required");
  if (presence == "constant") {
    element.context().fail("presence=\"constant\" is not supported");
  }
  if (presence != "required" && presence != "optional") {
    element.context().fail("presence '" + presence +
                           "' is invalid (expected required or optional)");
  }
  type.optional = presence == "optional";
  if (std::optional<std::string> length = element.attribute("length"); length && *length != "1") {
    element.context().fail("length " + *length + " is not supported (arrays are not supported)");
  }
  if (std::optional<std::string> null_text = element.attribute("nullValue")) {
    type.null_value = parse_value(element.context(), "nullValue", *null_text, type.primitive);
  }
  simple_types_[element.required("name")] = type;
}

void Parser::parse_enum(const Element& element) {
  element.allow_attributes({"name", "encodingType", "description", "semanticType"});
  EnumType type;
  type.name = element.required("name");
  std::string encoding = element.required("encodingType");
  type.encoding = parse_primitive(element, encoding);
  std::set<Primitive> supported = {Primitive::kChar, Primitive::kInt8, Primitive::kUint8,
                                   Primitive::kInt16, Primitive::kUint16};
  if (!supported.count(type.encoding)) {
    element.context().fail("encodingType '" + encoding +
                           "' is not supported for enums (supported: char, int8, uint8, int16, "
                           "uint16)");
  }

  std::set<std::string> names;
  std::set<std::uint64_t> values;
  Value null_value = default_null(type.encoding);
  for (const Element& child : element.children()) {
    if (child.name() != "validValue") {
      child.context().fail("element <" + child.key() + "> is not supported in <enum>");
    }
    child.allow_attributes({"name", "description", "sinceVersion", "deprecated"});
    EnumValue value;
    value.name = child.required("name");
    if (!is_identifier(value.name) || is_cpp_keyword(value.name)) {
      child.context().fail("name '" + value.name + "' is not a valid C++ identifier");
    }
    value.value = parse_value(child.context(), "value", child.node().data(), type.encoding);
    if (value.value.unsigned_value == null_value.unsigned_value) {
      child.context().fail("value '" + child.node().data() + "' is the enum's null value");
    }
    if (!names.insert(value.name).second || !values.insert(value.value.unsigned_value).second) {
      child.context().fail("name or value '" + child.node().data() +
                           "' is already used by another validValue of this enum");
    }
    type.values.push_back(value);
  }

  if (type.values.empty()) {
    element.context().fail("enum has no <validValue>");
  }
  enum_indexes_[type.name] = schema_.enums.size();
  schema_.enums.push_back(std::move(type));
}

void Parser::parse_composite(const Element& element) {
  element.allow_attributes({"name", "description", "semanticType"});
  Composite composite{element.required("name"), element.context(), {}};
  for (const Element& child : element.children()) {
    if (child.name() != "type") {
      child.context().fail("element <" + child.key() +
                           "> is not supported in <composite> (only <type>)");
    }
    child.allow_attributes({"name", "primitiveType", "length", "maxValue", "minValue",
                            "characterEncoding", "description", "semanticType"});
    CompositeMember member;
    member.name = child.required("name");
    member.primitive = parse_primitive(child, child.required("primitiveType"));
    member.length = child.attribute("length");
    if (std::optional<std::string> max = child.attribute("maxValue")) {
      member.max_value = parse_value(child.context(), "maxValue", *max, member.primitive);
    }
    composite.members.push_back(member);
  }
  composites_.emplace(composite.name, std::move(composite));
}

const Composite& Parser::find_composite(const Element& element, const std::string& name,
                                        const std::string& role) {
  auto found = composites_.find(name);
  if (found == composites_.end()) {
    element.context().fail(role + " '" + name + "' is not a composite of <types>");
  }
  return found->second;
}

void Parser::check_header_composite(const std::string& name, const Context& context) {
  auto found = composites_.find(name);
  if (found == composites_.end()) {
    context.fail("header composite '" + name + "' is not defined in <types>");
  }
  const std::vector<CompositeMember>& members = found->second.members;
  std::vector<std::string> expected = {"blockLength", "templateId", "schemaId", "version"};
  bool valid = members.size() == expected.size();
  for (std::size_t i = 0; valid && i < members.size(); ++i) {
    valid = members[i].name == expected[i] && members[i].primitive == Primitive::kUint16 &&
            !members[i].length;
  }
  if (!valid) {
    found->second.context.fail(
        "the message header must be blockLength, templateId, schemaId and version, each uint16");
  }
}

}  // namespace parley::sbe_gen::detail
