#pragma once

#include <string>
#include <string_view>

namespace parley::sbe_gen {

// "clientMessageId" -> "client_message_id", "HTTPStatus" -> "http_status".
std::string to_snake_case(std::string_view name);

// "memberIds" -> "MemberIds".
std::string to_pascal_case(std::string_view name);

// True for [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);

bool is_cpp_keyword(std::string_view name);

}  // namespace parley::sbe_gen
