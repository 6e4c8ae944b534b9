#pragma once

// Read access to the property tree of an XML element, with the error context
// ("file.xml: message 'A': field 'b'") that every SchemaError carries.

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/property_tree/ptree.hpp>

#include "schema.hpp"

namespace parley::sbe_gen {

using boost::property_tree::ptree;

inline std::string local_name(const std::string& key) {
  std::size_t colon = key.find(':');
  return colon == std::string::npos ? key : key.substr(colon + 1);
}

inline std::string prefix_of(const std::string& key) {
  std::size_t colon = key.find(':');
  return colon == std::string::npos ? std::string() : key.substr(0, colon);
}

inline bool is_element(const std::string& key) {
  return key != "<xmlattr>" && key != "<xmlcomment>";
}

// Position of an element in the schema, as error messages print it:
// "file.xml: message 'A': field 'b'".
class Context {
 public:
  Context(std::string file) : text_(std::move(file)) {}
  Context(const Context& parent, const std::string& what, const std::string& name)
      : text_(parent.text_ + ": " + what + (name.empty() ? "" : " '" + name + "'")) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw SchemaError(text_ + ": " + problem);
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class Element {
 public:
  Element(const std::string& key, const ptree& node, Context context)
      : key_(key), node_(node), context_(std::move(context)) {}

  const std::string& key() const { return key_; }
  std::string name() const { return local_name(key_); }
  const ptree& node() const { return node_; }
  const Context& context() const { return context_; }

  std::optional<std::string> attribute(const std::string& name) const {
    boost::optional<const ptree&> attributes = node_.get_child_optional("<xmlattr>");
    if (!attributes) {
      return std::nullopt;
    }
    boost::optional<std::string> value = attributes->get_optional<std::string>(name);
    return value ? std::optional<std::string>(*value) : std::nullopt;
  }

  std::string required(const std::string& name) const {
    std::optional<std::string> value = attribute(name);
    if (!value) {
      context_.fail("missing attribute '" + name + "'");
    }
    return *value;
  }

  // Rejects attributes outside `allowed`; namespace declarations pass.
  void allow_attributes(std::initializer_list<std::string_view> allowed) const {
    boost::optional<const ptree&> attributes = node_.get_child_optional("<xmlattr>");
    if (!attributes) {
      return;
    }
    for (const auto& [name, value] : *attributes) {
      if (name == "xmlns" || name.rfind("xmlns:", 0) == 0) {
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        context_.fail("attribute '" + name + "' is not supported");
      }
    }
  }

  // The child elements, each with its context: this one's plus the child's
  // kind and name attribute.
  std::vector<Element> children() const {
    std::vector<Element> result;
    for (const auto& [key, child] : node_) {
      if (is_element(key)) {
        std::string name = child.get("<xmlattr>.name", std::string());
        result.emplace_back(key, child, Context(context_, local_name(key), name));
      }
    }
    return result;
  }

 private:
  std::string key_;
  const ptree& node_;
  Context context_;
};

template <typename T>
T parse_unsigned(const Element& element, const std::string& attribute, const std::string& text,
                 T max = std::numeric_limits<T>::max()) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) {
    element.context().fail("attribute '" + attribute + "' is '" + text +
                           "', expected an integer from 0 to " + std::to_string(max));
  }
  return static_cast<T>(value);
}

}  // namespace parley::sbe_gen
