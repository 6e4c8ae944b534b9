// Parsing of createAccount, login, updateAccount, getAccount and
// loginWithToken.

#include "protocol/request_checks.hpp"
#include "protocol/requests.hpp"

namespace parley::protocol {
namespace {

using detail::length_within;
using detail::missing_or_invalid;
using detail::payload_object;

constexpr std::size_t kMinNameLength = 8;
constexpr std::size_t kMaxNameLength = 64;

Error login_failed() { return Error{401, "Login failed"}; }

Error invalid_update(std::string_view field) {
  return Error{400, "Invalid: " + std::string(field)};
}

bool is_valid_length(std::string_view text) {
  return length_within(text, kMinNameLength, kMaxNameLength);
}

bool is_valid_password(std::string_view password) {
  return is_valid_length(password) && password.size() <= kMaxPasswordBytes;
}

}  // namespace

Result<CreateAccountRequest> parse_create_account(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);

  Field<std::string> username = read_string(member(payload, "username"));
  if (!username.present() || !is_valid_length(username.value)) {
    return missing_or_invalid("username");
  }
  Field<std::string> email = read_string(member(payload, "email"));
  if (!email.present() || !is_valid_length(email.value) || !is_valid_email(email.value)) {
    return missing_or_invalid("email");
  }
  Field<std::string> password = read_string(member(payload, "password"));
  if (!password.present() || !is_valid_password(password.value)) {
    return missing_or_invalid("password");
  }
  return CreateAccountRequest{std::move(username.value), std::move(email.value),
                              std::move(password.value)};
}

Result<LoginRequest> parse_login(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);

  Field<std::string> username = read_string(member(payload, "username"));
  Field<std::string> email = read_string(member(payload, "email"));
  Field<std::string> password = read_string(member(payload, "password"));
  if (username.invalid() || email.invalid() || password.invalid()) {
    return login_failed();
  }
  if (username.present() == email.present()) {
    return login_failed();
  }
  if (!password.present()) {
    return login_failed();
  }

  LoginRequest request;
  if (username.present()) {
    request.username = std::move(username.value);
  } else {
    request.email = std::move(email.value);
  }
  request.password = std::move(password.value);
  return request;
}

Result<UpdateAccountRequest> parse_update_account(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  UpdateAccountRequest request;

  Field<std::string> username = read_string(member(payload, "username"));
  if (username.invalid() || (username.present() && !is_valid_length(username.value))) {
    return invalid_update("username");
  }
  Field<std::string> email = read_string(member(payload, "email"));
  if (email.invalid() ||
      (email.present() && (!is_valid_length(email.value) || !is_valid_email(email.value)))) {
    return invalid_update("email");
  }
  Field<std::string> password = read_string(member(payload, "password"));
  if (password.invalid() || (password.present() && !is_valid_password(password.value))) {
    return invalid_update("password");
  }

  if (username.present()) request.username = std::move(username.value);
  if (email.present()) request.email = std::move(email.value);
  if (password.present()) request.password = std::move(password.value);
  return request;
}

Result<AccountId> parse_get_account(const boost::json::value& data) {
  return detail::required_id(&data, "id");
}

Result<TokenLoginRequest> parse_login_with_token(const boost::json::value& data) {
  const boost::json::object& payload = payload_object(data);
  Field<std::string> token = read_string(member(payload, "token"));
  // An empty token can match no stored token, so it fails here already.
  if (!token.present() || token.value.empty()) {
    return login_failed();
  }
  return TokenLoginRequest{std::move(token.value)};
}

}  // namespace parley::protocol
