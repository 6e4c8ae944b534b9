#pragma once

#include <string>

#include "schema.hpp"

namespace parley::sbe_gen {

struct EmitOptions {
  // File name of the schema, for the banner of the generated files.
  std::string schema_name;
  // Include path of the generated header in the generated source, e.g.
  // "sbe/parley_sbe.hpp".
  std::string header_include;
};

// The C++ namespace of a schema package: "parley.sbe" -> "parley::sbe".
// Throws SchemaError when a part is not an identifier.
std::string namespace_of(const std::string& package);

// The generated header: constants, enums, and an encoder and a decoder
// class per message.
std::string emit_header(const Schema& schema, const EmitOptions& options);

// The generated source: decode() of every message, which checks every
// length against the buffer, and next() of groups that contain groups or var
// data.
std::string emit_source(const Schema& schema, const EmitOptions& options);

}  // namespace parley::sbe_gen
