#pragma once

// Values of primitive types: ranges, SBE null values and parsing.

#include <string>

#include "schema.hpp"
#include "xml_element.hpp"

namespace parley::sbe_gen {

Value min_value(Primitive primitive);
Value max_value(Primitive primitive);
// The null value SBE 1.0 assigns to an optional field without nullValue.
Value default_null(Primitive primitive);
// Parses `text` as a value of `primitive`: an integer in range, or for char
// also a single character. `what` names the value in the error.
Value parse_value(const Context& context, const std::string& what, const std::string& text,
                  Primitive primitive);
// The primitive named `name`; fails naming `element` when it is unsupported.
Primitive parse_primitive(const Element& element, const std::string& name);

}  // namespace parley::sbe_gen
