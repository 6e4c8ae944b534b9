#include "values.hpp"

#include <charconv>
#include <limits>

namespace parley::sbe_gen {

Value min_value(Primitive primitive) {
  const PrimitiveInfo& p = info(primitive);
  if (!p.is_signed) {
    return Value{0, 0};
  }
  auto max = static_cast<std::int64_t>((std::uint64_t{1} << (8 * p.size - 1)) - 1);
  std::int64_t min = -max - 1;
  return Value{min, static_cast<std::uint64_t>(min)};
}

Value max_value(Primitive primitive) {
  const PrimitiveInfo& p = info(primitive);
  if (p.is_signed) {
    std::int64_t max = static_cast<std::int64_t>((std::uint64_t{1} << (8 * p.size - 1)) - 1);
    return Value{max, static_cast<std::uint64_t>(max)};
  }
  std::uint64_t max = p.size == 8 ? std::numeric_limits<std::uint64_t>::max()
                                  : (std::uint64_t{1} << (8 * p.size)) - 1;
  return Value{static_cast<std::int64_t>(max), max};
}

Value default_null(Primitive primitive) {
  if (primitive == Primitive::kChar) {
    return Value{0, 0};
  }
  return info(primitive).is_signed ? min_value(primitive) : max_value(primitive);
}

Value parse_value(const Context& context, const std::string& what, const std::string& text,
                  Primitive primitive) {
  if (primitive == Primitive::kChar && text.size() == 1 && (text[0] < '0' || text[0] > '9')) {
    auto code = static_cast<unsigned char>(text[0]);
    return Value{code, code};
  }
  Value value;
  const char* end = text.data() + text.size();
  bool parsed = false;
  if (info(primitive).is_signed) {
    auto [stop, error] = std::from_chars(text.data(), end, value.signed_value);
    parsed = error == std::errc() && stop == end &&
             value.signed_value >= min_value(primitive).signed_value &&
             value.signed_value <= max_value(primitive).signed_value;
    value.unsigned_value = static_cast<std::uint64_t>(value.signed_value);
  } else {
    auto [stop, error] = std::from_chars(text.data(), end, value.unsigned_value);
    parsed = error == std::errc() && stop == end &&
             value.unsigned_value <= max_value(primitive).unsigned_value;
    value.signed_value = static_cast<std::int64_t>(value.unsigned_value);
  }
  if (!parsed) {
    context.fail(what + " '" + text + "' is not a valid " + info(primitive).schema_name);
  }
  return value;
}

Primitive parse_primitive(const Element& element, const std::string& name) {
  std::optional<Primitive> primitive = find_primitive(name);
  if (!primitive) {
    element.context().fail("primitive type '" + name +
                           "' is not supported (supported: char, int8, int16, int32, int64, "
                           "uint8, uint16, uint32, uint64)");
  }
  return *primitive;
}

}  // namespace parley::sbe_gen
