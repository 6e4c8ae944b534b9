// sbe_gen: generates C++ encoders and decoders from an SBE XML schema.
//
//   sbe_gen --schema schema/parley.xml --header out/sbe/parley_sbe.hpp
//           --source out/parley_sbe.cpp --include sbe/parley_sbe.hpp
//           [--fragment schema/client-frames.xml ...]

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "emitter.hpp"
#include "parser.hpp"

namespace {

constexpr const char* kUsage =
    "usage: sbe_gen --schema FILE --header FILE --source FILE --include PATH [--fragment FILE]...\n"
    "  --schema    the messageSchema file\n"
    "  --header    the header to write\n"
    "  --source    the source file to write\n"
    "  --include   how the source includes the header, e.g. sbe/parley_sbe.hpp\n"
    "  --fragment  a file of the schema whose every element must be included (repeatable)\n";

// Writes `text` unless the file already contains it, so an unchanged schema does
// not trigger a rebuild of everything that includes the header.
bool write_if_changed(const std::string& path, const std::string& text) {
  {
    std::ifstream existing(path, std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(existing)),
                        std::istreambuf_iterator<char>());
    if (existing && current == text) {
      return true;
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
  std::string schema_path, header_path, source_path, include;
  std::vector<std::string> fragments;
  for (int i = 1; i < argc; ++i) {
    std::string option = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "sbe_gen: missing value for " << option << "\n" << kUsage;
      return 2;
    }
    std::string value = argv[++i];
    if (option == "--schema") {
      schema_path = value;
    } else if (option == "--header") {
      header_path = value;
    } else if (option == "--source") {
      source_path = value;
    } else if (option == "--include") {
      include = value;
    } else if (option == "--fragment") {
      fragments.push_back(value);
    } else {
      std::cerr << "sbe_gen: unknown option " << option << "\n" << kUsage;
      return 2;
    }
  }
  if (schema_path.empty() || header_path.empty() || source_path.empty() || include.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    parley::sbe_gen::Schema schema = parley::sbe_gen::parse_schema(schema_path, fragments);
    std::string name = schema_path.substr(schema_path.find_last_of('/') + 1);
    parley::sbe_gen::EmitOptions options{name, include};
    if (!write_if_changed(header_path, parley::sbe_gen::emit_header(schema, options)) ||
        !write_if_changed(source_path, parley::sbe_gen::emit_source(schema, options))) {
      std::cerr << "sbe_gen: cannot write " << header_path << " or " << source_path << "\n";
      return 1;
    }
  } catch (const parley::sbe_gen::SchemaError& error) {
    std::cerr << "sbe_gen: error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
