#include <cstring>

#include <boost/json.hpp>
#include <sodium.h>

#include "common/logging.hpp"
#include "db/tokens.hpp"
#include "protocol/json_values.hpp"
#include "protocol/requests.hpp"
#include "protocol/views.hpp"
#include "service/database_call.hpp"
#include "service/services.hpp"

namespace parley::service {
namespace json = boost::json;
namespace {

// Failed token logins are counted under one key per address: a token names
// no account before it is found.
const std::string kTokenLimitKey = "token";

// Random bytes per token: 256 bits, so tokens cannot be guessed.
constexpr std::size_t kTokenBytes = 32;

// Returns a fresh token: kTokenBytes random bytes in URL-safe Base64.
std::string new_token() {
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(kTokenBytes, kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, sizeof bytes, kVariant);
  text.resize(std::strlen(text.c_str()));
  return text;
}

// Returns the BLAKE2b-256 hash of `token`, the only form stored. A fast hash
// is enough because tokens are random and long, unlike passwords.
std::string hash_token(std::string_view token) {
  std::string hash(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return hash;
}

void create_token(Services& services, Request& request) {
  AccountId account = *request.connection->account();
  Timestamp expires_at = now_utc() + std::chrono::seconds(services.config.token_ttl_s);
  call_database(
      services.database, request.connection,
      [account, expires_at](db::Connection& database) -> Result<json::value> {
        std::string token = new_token();
        if (!db::tokens::create(database, hash_token(token), account, expires_at)) {
          // A collision of 256 random bits, or the account was deleted.
          return Error{500, "Internal service error"};
        }
        return json::value(protocol::token_reply(token, expires_at));
      },
      request.reply);
}

void login_with_token(Services& services, Request& request) {
  auto parsed = protocol::parse_login_with_token(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  auto connection = request.connection;
  auto reply = request.reply;
  if (services.login_limiter.blocked(kTokenLimitKey, connection->remote_address(),
                                     LoginLimiter::Clock::now())) {
    logger("service")->warn("[C{}] token login rate limit reached from {}",
                            connection->connection_id(), connection->remote_address());
    return reply(kTooManyRequests);
  }
  std::string token_hash = hash_token(parsed->token);
  call_database(
      services.database, connection,
      [token_hash](db::Connection& database) -> Result<AccountId> {
        auto account = db::tokens::find_valid(database, token_hash, now_utc());
        if (!account) return kLoginFailed;
        return *account;
      },
      [&services, connection, reply, token_hash](Result<AccountId> account) {
        if (!account) {
          if (account.error() == kLoginFailed) {
            services.login_limiter.record_failure(kTokenLimitKey, connection->remote_address(),
                                                  LoginLimiter::Clock::now());
          }
          return reply(account.error());
        }
        connection->set_account(*account);
        connection->set_login_token_hash(token_hash);
        reply(json::value(protocol::id_string(*account)));
      });
}

void logout(Services& services, Request& request) {
  auto connection = request.connection;
  AccountId account = *connection->account();
  auto finish = [connection, reply = request.reply, account](Status revoked) {
    if (!revoked) return reply(revoked.error());
    connection->set_account(std::nullopt);
    connection->set_login_token_hash(std::nullopt);
    reply(json::value(protocol::id_string(account)));
  };
  auto token_hash = connection->login_token_hash();
  if (!token_hash) return finish(Done{});
  call_database(
      services.database, connection,
      [token_hash = *token_hash](db::Connection& database) -> Status {
        db::tokens::revoke(database, token_hash);
        return Done{};
      },
      std::move(finish));
}

}  // namespace

void register_token_handlers(Dispatcher& dispatcher, Services& services) {
  dispatcher.add("createToken", true,
                 [&services](Request& request) { create_token(services, request); });
  dispatcher.add("loginWithToken", false,
                 [&services](Request& request) { login_with_token(services, request); });
  dispatcher.add("logout", true, [&services](Request& request) { logout(services, request); });
}

}  // namespace parley::service
