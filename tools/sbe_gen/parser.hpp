#pragma once

#include <string>
#include <vector>

#include "schema.hpp"

namespace parley::sbe_gen {

// Reads the schema at `path` and every file it includes, checks it against
// the supported subset and computes the layout of every message. Every
// element under the root of each of `fragment_files` must be included, so
// that a message added to a fragment without its xi:include line fails here.
// Throws SchemaError naming the file and element on anything it cannot
// generate.
Schema parse_schema(const std::string& path, const std::vector<std::string>& fragment_files = {});

}  // namespace parley::sbe_gen
