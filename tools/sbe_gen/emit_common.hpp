#pragma once

// Helpers shared by the header and source emitters.

#include <string>
#include <vector>

#include "schema.hpp"

namespace parley::sbe_gen {

inline constexpr const char* kDetail = "::parley::sbe::detail::";

// Appends indented lines.
class CodeWriter {
 public:
  void line(const std::string& text = "");
  void indent() { depth_ += 2; }
  void dedent() { depth_ -= 2; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  int depth_ = 0;
};

// A group or var data field after a block, in encoding order.
struct Trailing {
  const Group* group = nullptr;
  const VarData* data = nullptr;
  std::uint16_t since_version() const { return group ? group->since_version : data->since_version; }
  const std::string& name() const { return group ? group->name : data->name; }
};

std::vector<Trailing> trailing_of(const Level& level);

// C++ type of a field's value: the primitive's type or the enum's name.
std::string value_type(const Schema& schema, const Field& field);

// A C++ expression for `value` as a `primitive`.
std::string literal(Primitive primitive, const Value& value);

// The static array of empty encodings that the encoder cursor fills in for
// skipped groups and var data.
std::string trailing_table(const Level& level);

}  // namespace parley::sbe_gen
