#pragma once

// The schema parser's state, shared by parser.cpp (files, includes and
// messages) and parser_types.cpp (the <types> section).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema.hpp"
#include "xml_element.hpp"

namespace parley::sbe_gen::detail {

// A <type> of <types>: a primitive with an optional presence and nullValue.
struct SimpleType {
  Primitive primitive = Primitive::kInt64;
  bool optional = false;
  std::optional<Value> null_value;
};

// A <type> inside a <composite>.
struct CompositeMember {
  std::string name;
  Primitive primitive = Primitive::kUint8;
  std::optional<std::string> length;
  std::optional<Value> max_value;
};

struct Composite {
  std::string name;
  Context context;
  std::vector<CompositeMember> members;
};

class Parser {
 public:
  Schema parse(const std::string& path, const std::vector<std::string>& fragment_files);

 private:
  struct IncludedFile {
    std::string display_name;
    ptree tree;
    std::string root_key;
    std::vector<bool> used;  // per element child of the root
    bool is_main = false;
    bool included_whole = false;
  };

  IncludedFile& load(const std::filesystem::path& path);
  void parse_schema_children(const Element& root, const std::filesystem::path& directory);
  void parse_include(const Element& include, const std::filesystem::path& directory);
  void check_all_included();
  void parse_types(const Element& types);
  void parse_enum(const Element& element);
  void parse_simple_type(const Element& element);
  void parse_composite(const Element& element);
  void check_header_composite(const std::string& name, const Context& context);
  void parse_message(const Element& element, const std::string& file);
  void parse_level(const Element& element, Level& level, std::size_t depth,
                   const std::optional<std::string>& block_length);
  Field parse_field(const Element& element);
  Group parse_group(const Element& element, std::size_t depth);
  VarData parse_data(const Element& element);
  const Composite& find_composite(const Element& element, const std::string& name,
                                  const std::string& role);
  std::uint16_t parse_since_version(const Element& element);

  Schema schema_;
  std::map<std::string, IncludedFile> files_;
  std::map<std::string, SimpleType> simple_types_;
  std::map<std::string, std::size_t> enum_indexes_;
  std::map<std::string, Composite> composites_;
  std::string header_type_ = "messageHeader";
  std::string xinclude_prefix_;
  std::string main_name_;
};

}  // namespace parley::sbe_gen::detail
