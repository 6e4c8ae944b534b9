#pragma once

#include <string_view>

namespace parley::protocol {

// Removes leading and trailing characters up to U+0020, as Java's
// String.trim does.
std::string_view trim_java(std::string_view text);

}  // namespace parley::protocol
