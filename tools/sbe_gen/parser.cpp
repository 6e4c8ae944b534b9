#include "parser.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>

#include <boost/property_tree/xml_parser.hpp>

#include "names.hpp"
#include "parser_impl.hpp"
#include "values.hpp"

namespace parley::sbe_gen {
namespace detail {
namespace {

constexpr std::string_view kXIncludeNamespace = "http://www.w3.org/2001/XInclude";
constexpr std::size_t kMaxGroupDepth = 7;

// Names of generated methods, which schema names must not take.
const std::set<std::string> kReservedNames = {"ok",    "size",   "next",
                                              "count", "decode", "acting_version"};

}  // namespace

Parser::IncludedFile& Parser::load(const std::filesystem::path& path) {
  std::string key = std::filesystem::absolute(path).lexically_normal().string();
  auto found = files_.find(key);
  if (found != files_.end()) {
    return found->second;
  }
  IncludedFile file;
  file.display_name = path.filename().string();
  try {
    boost::property_tree::read_xml(path.string(), file.tree,
                                   boost::property_tree::xml_parser::no_comments |
                                       boost::property_tree::xml_parser::trim_whitespace);
  } catch (const boost::property_tree::xml_parser_error& error) {
    throw SchemaError(path.string() + ": invalid XML: " + error.what());
  }
  std::size_t roots = 0;
  for (const auto& [child_key, child] : file.tree) {
    if (is_element(child_key)) {
      file.root_key = child_key;
      ++roots;
      for (const auto& [grandchild_key, grandchild] : child) {
        if (is_element(grandchild_key)) {
          file.used.push_back(false);
        }
      }
    }
  }
  if (roots != 1) {
    throw SchemaError(path.string() + ": expected one root element, found " +
                      std::to_string(roots));
  }
  schema_.files.push_back(path.string());
  return files_.emplace(key, std::move(file)).first->second;
}

void Parser::parse_include(const Element& include, const std::filesystem::path& directory) {
  include.allow_attributes({"href", "xpointer", "parse"});
  if (include.attribute("parse").value_or("xml") != "xml") {
    include.context().fail("only parse=\"xml\" is supported");
  }
  std::string href = include.required("href");
  std::filesystem::path path = directory / href;
  IncludedFile& file = load(path);
  const ptree& root = file.tree.get_child(file.root_key);
  Context file_context(file.display_name);

  std::optional<std::string> pointer = include.attribute("xpointer");
  if (!pointer) {
    file.included_whole = true;
    Element element(file.root_key, root, Context(file_context, local_name(file.root_key), ""));
    if (element.name() == "types") {
      parse_types(element);
    } else if (element.name() == "message") {
      parse_message(element, file.display_name);
    } else {
      file_context.fail("root element <" + file.root_key +
                        "> cannot be included without an xpointer; include <message> or "
                        "<types>, or select one child with xpointer=\"element(/1/N)\"");
    }
    return;
  }
  constexpr std::string_view kPrefix = "element(/1/";
  if (pointer->rfind(kPrefix, 0) != 0 || pointer->back() != ')') {
    include.context().fail("xpointer '" + *pointer +
                           "' is not supported; use element(/1/N) to select the N-th element "
                           "child of the included file's root");
  }
  std::string index_text = pointer->substr(kPrefix.size(), pointer->size() - kPrefix.size() - 1);
  std::size_t index = parse_unsigned<std::size_t>(include, "xpointer", index_text);
  if (index == 0 || index > file.used.size()) {
    include.context().fail("xpointer '" + *pointer + "' selects no element: " + file.display_name +
                           " has " + std::to_string(file.used.size()) +
                           " element children under its root");
  }
  if (file.used[index - 1]) {
    include.context().fail("xpointer '" + *pointer + "' includes an element of " +
                           file.display_name + " a second time");
  }
  file.used[index - 1] = true;
  std::size_t position = 0;
  for (const auto& [key, child] : root) {
    if (is_element(key) && ++position == index) {
      Element element(
          key, child,
          Context(file_context, local_name(key), child.get("<xmlattr>.name", std::string())));
      if (element.name() == "message") {
        parse_message(element, file.display_name);
      } else if (element.name() == "types") {
        parse_types(element);
      } else {
        element.context().fail("element <" + key +
                               "> is not supported here (expected <message> or <types>)");
      }
    }
  }
}

// XInclude replaces an include by one element, so a file of several
// messages needs one include per message. A message that no include selects
// would silently vanish from the generated code.
void Parser::check_all_included() {
  for (const auto& [key, file] : files_) {
    if (file.is_main || file.included_whole) {
      continue;
    }
    const ptree& root = file.tree.get_child(file.root_key);
    std::size_t position = 0;
    for (const auto& [child_key, child] : root) {
      if (!is_element(child_key)) {
        continue;
      }
      ++position;
      if (!file.used[position - 1]) {
        throw SchemaError(
            file.display_name + ": <" + child_key + "> '" +
            child.get("<xmlattr>.name", std::string()) + "' (element " + std::to_string(position) +
            " under the root) is not included; add <xi:include href=\"" + file.display_name +
            "\" xpointer=\"element(/1/" + std::to_string(position) + ")\"/> to " + main_name_);
      }
    }
  }
}

std::uint16_t Parser::parse_since_version(const Element& element) {
  std::optional<std::string> text = element.attribute("sinceVersion");
  if (!text) {
    return 0;
  }
  auto version = parse_unsigned<std::uint16_t>(element, "sinceVersion", *text);
  if (version > schema_.version) {
    element.context().fail("sinceVersion " + *text + " is newer than the schema version " +
                           std::to_string(schema_.version));
  }
  return version;
}

Field Parser::parse_field(const Element& element) {
  element.allow_attributes(
      {"name", "id", "type", "presence", "sinceVersion", "description", "semanticType"});
  Field field;
  field.name = element.required("name");
  field.id = parse_unsigned<std::uint32_t>(element, "id", element.required("id"));
  field.since_version = parse_since_version(element);

  std::string type_name = element.required("type");
  std::optional<Value> null_value;
  bool optional = false;
  if (std::optional<Primitive> primitive = find_primitive(type_name)) {
    field.primitive = *primitive;
  } else if (auto simple = simple_types_.find(type_name); simple != simple_types_.end()) {
    field.primitive = simple->second.primitive;
    optional = simple->second.optional;
    null_value = simple->second.null_value;
  } else if (auto index = enum_indexes_.find(type_name); index != enum_indexes_.end()) {
    field.enum_index = index->second;
    field.primitive = schema_.enums[index->second].encoding;
  } else if (composites_.count(type_name)) {
    element.context().fail("composite type '" + type_name + "' is not supported for fields");
  } else {
    element.context().fail("type '" + type_name + "' is not defined");
  }

  if (std::optional<std::string> presence = element.attribute("presence")) {
    if (*presence == "constant") {
      element.context().fail("presence=\"constant\" is not supported");
    }
    if (*presence != "required" && *presence != "optional") {
      element.context().fail("presence '" + *presence +
                             "' is invalid (expected required or optional)");
    }
    optional = *presence == "optional";
  }
  field.optional = optional;
  field.null_value = null_value.value_or(default_null(field.primitive));
  return field;
}

VarData Parser::parse_data(const Element& element) {
  element.allow_attributes({"name", "id", "type", "sinceVersion", "description", "semanticType"});
  VarData data;
  data.name = element.required("name");
  data.id = parse_unsigned<std::uint32_t>(element, "id", element.required("id"));
  data.since_version = parse_since_version(element);
  const Composite& type = find_composite(element, element.required("type"), "var data type");
  const std::vector<CompositeMember>& members = type.members;
  std::set<Primitive> length_types = {Primitive::kUint8, Primitive::kUint16, Primitive::kUint32};
  if (members.size() != 2 || members[0].name != "length" ||
      !length_types.count(members[0].primitive) || members[0].length ||
      members[1].name != "varData" ||
      (members[1].primitive != Primitive::kUint8 && members[1].primitive != Primitive::kChar) ||
      members[1].length != "0") {
    type.context.fail(
        "a var data composite must be <type name=\"length\"> (uint8, uint16 or uint32) and "
        "<type name=\"varData\" length=\"0\"> (uint8 or char)");
  }
  data.length_size = info(members[0].primitive).size;
  data.max_length = members[0].max_value ? members[0].max_value->unsigned_value
                                         : max_value(members[0].primitive).unsigned_value;
  return data;
}

Group Parser::parse_group(const Element& element, std::size_t depth) {
  element.allow_attributes({"name", "id", "dimensionType", "blockLength", "sinceVersion",
                            "description", "semanticType"});
  if (depth > kMaxGroupDepth) {
    element.context().fail("groups nest deeper than " + std::to_string(kMaxGroupDepth) + " levels");
  }
  Group group;
  group.name = element.required("name");
  group.id = parse_unsigned<std::uint32_t>(element, "id", element.required("id"));
  group.since_version = parse_since_version(element);
  std::string dimension = element.attribute("dimensionType").value_or("groupSizeEncoding");
  const Composite& type = find_composite(element, dimension, "dimensionType");
  const std::vector<CompositeMember>& members = type.members;
  if (members.size() != 2 || members[0].name != "blockLength" ||
      members[0].primitive != Primitive::kUint16 || members[1].name != "numInGroup" ||
      members[1].primitive != Primitive::kUint16 || members[0].length || members[1].length) {
    type.context.fail(
        "a group dimension composite must be blockLength and numInGroup, each uint16");
  }
  if (members[1].max_value) {
    group.max_count = members[1].max_value->unsigned_value;
  }
  parse_level(element, group.level, depth, element.attribute("blockLength"));
  return group;
}

void Parser::parse_level(const Element& element, Level& level, std::size_t depth,
                         const std::optional<std::string>& block_length) {
  enum class Part { kFields, kGroups, kData } part = Part::kFields;
  std::set<std::string> names;
  std::uint16_t last_field_version = 0;
  std::uint16_t last_trailing_version = 0;
  for (const Element& child : element.children()) {
    std::string kind = child.name();
    std::string name = child.required("name");
    if (!is_identifier(name)) {
      child.context().fail("name '" + name + "' is not a valid identifier");
    }
    std::string snake = to_snake_case(name);
    if (is_cpp_keyword(snake) || kReservedNames.count(snake)) {
      child.context().fail("name '" + name + "' becomes '" + snake +
                           "', which is a C++ keyword or a generated method name");
    }
    if (!names.insert(snake).second) {
      child.context().fail("name '" + name + "' is used twice in this block");
    }
    if (kind == "field") {
      if (part != Part::kFields) {
        child.context().fail("fields must come before groups and var data");
      }
      Field field = parse_field(child);
      if (field.since_version < last_field_version) {
        child.context().fail("sinceVersion " + std::to_string(field.since_version) +
                             " follows a field of version " + std::to_string(last_field_version) +
                             "; fields added in a later version go after the older ones");
      }
      last_field_version = field.since_version;
      field.offset = level.block_length;
      level.block_length += info(field.primitive).size;
      level.fields.push_back(std::move(field));
      continue;
    }
    std::uint16_t version = 0;
    if (kind == "group") {
      if (part == Part::kData) {
        child.context().fail("groups must come before var data");
      }
      part = Part::kGroups;
      level.groups.push_back(parse_group(child, depth + 1));
      version = level.groups.back().since_version;
    } else if (kind == "data") {
      part = Part::kData;
      level.data.push_back(parse_data(child));
      version = level.data.back().since_version;
    } else {
      child.context().fail("element <" + child.key() + "> is not supported here");
    }
    if (version < last_trailing_version) {
      child.context().fail("sinceVersion " + std::to_string(version) +
                           " follows a group or var data of version " +
                           std::to_string(last_trailing_version) +
                           "; elements added in a later version go after the older ones");
    }
    last_trailing_version = version;
  }
  if (block_length) {
    auto declared = parse_unsigned<std::uint16_t>(element, "blockLength", *block_length);
    if (declared < level.block_length) {
      element.context().fail("blockLength " + *block_length + " is shorter than its fields (" +
                             std::to_string(level.block_length) + " bytes)");
    }
    level.block_length = declared;
  }
  if (level.block_length > std::numeric_limits<std::uint16_t>::max()) {
    element.context().fail("block of " + std::to_string(level.block_length) +
                           " bytes exceeds the uint16 blockLength");
  }
}

void Parser::parse_message(const Element& element, const std::string& file) {
  element.allow_attributes(
      {"name", "id", "description", "blockLength", "semanticType", "sinceVersion"});
  Message message;
  message.name = element.required("name");
  message.file = file;
  if (!is_identifier(message.name) || is_cpp_keyword(message.name)) {
    element.context().fail("name '" + message.name + "' is not a valid C++ identifier");
  }
  message.id = parse_unsigned<std::uint16_t>(element, "id", element.required("id"));
  for (const Message& other : schema_.messages) {
    if (other.id == message.id) {
      element.context().fail("template id " + std::to_string(message.id) +
                             " is already used by message '" + other.name + "'");
    }
    if (to_pascal_case(other.name) == to_pascal_case(message.name)) {
      element.context().fail("message name is already used");
    }
  }
  parse_level(element, message.level, 0, element.attribute("blockLength"));
  schema_.messages.push_back(std::move(message));
}

void Parser::parse_schema_children(const Element& root, const std::filesystem::path& directory) {
  // Types first, because messages may come before a <types> element.
  std::vector<Element> children = root.children();
  for (const Element& child : children) {
    if (child.name() == "types") {
      parse_types(child);
    } else if (child.name() == "include" && prefix_of(child.key()) == xinclude_prefix_) {
      IncludedFile& file = load(directory / child.required("href"));
      if (local_name(file.root_key) == "types" && !child.attribute("xpointer")) {
        parse_include(child, directory);
      }
    }
  }
  check_header_composite(header_type_, root.context());
  for (const Element& child : children) {
    if (child.name() == "types") {
      continue;
    }
    if (child.name() == "message") {
      parse_message(child, schema_.files.front());
    } else if (child.name() == "include" && prefix_of(child.key()) == xinclude_prefix_) {
      IncludedFile& file = load(directory / child.required("href"));
      if (local_name(file.root_key) != "types" || child.attribute("xpointer")) {
        parse_include(child, directory);
      }
    } else {
      child.context().fail("element <" + child.key() + "> is not supported in <messageSchema>");
    }
  }
}

Schema Parser::parse(const std::string& path, const std::vector<std::string>& fragment_files) {
  IncludedFile& main = load(path);
  main.is_main = true;
  main_name_ = main.display_name;
  const ptree& root_node = main.tree.get_child(main.root_key);
  Element root(main.root_key, root_node, Context(main.display_name));
  if (root.name() != "messageSchema") {
    root.context().fail("root element is <" + root.key() + ">, expected <messageSchema>");
  }
  root.allow_attributes(
      {"package", "id", "version", "semanticVersion", "description", "byteOrder", "headerType"});
  boost::optional<const ptree&> attributes = root_node.get_child_optional("<xmlattr>");
  if (attributes) {
    for (const auto& [name, value] : *attributes) {
      if (name.rfind("xmlns:", 0) == 0 && value.data() == kXIncludeNamespace) {
        xinclude_prefix_ = name.substr(6);
      }
    }
  }

  schema_.package = root.required("package");
  schema_.id = parse_unsigned<std::uint16_t>(root, "id", root.required("id"));
  schema_.version =
      parse_unsigned<std::uint16_t>(root, "version", root.attribute("version").value_or("0"));
  std::string byte_order = root.attribute("byteOrder").value_or("littleEndian");
  if (byte_order != "littleEndian") {
    root.context().fail("byteOrder '" + byte_order + "' is not supported (only littleEndian)");
  }
  header_type_ = root.attribute("headerType").value_or("messageHeader");

  parse_schema_children(root, std::filesystem::path(path).parent_path());
  for (const std::string& fragment : fragment_files) {
    load(fragment);
  }
  check_all_included();
  return std::move(schema_);
}

}  // namespace detail

Schema parse_schema(const std::string& path, const std::vector<std::string>& fragment_files) {
  return detail::Parser().parse(path, fragment_files);
}

}  // namespace parley::sbe_gen
