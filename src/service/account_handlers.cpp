#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "common/logging.hpp"
#include "db/accounts.hpp"
#include "protocol/json_values.hpp"
#include "protocol/requests.hpp"
#include "service/database_call.hpp"
#include "service/services.hpp"
#include "service/views.hpp"

namespace parley::service {
namespace json = boost::json;
namespace {

// Hashes `password` on the hashing pool, then calls `next(hash)` there.
// A hashing failure (out of memory) replies 500.
template <typename Next>
void hash_password(Services& services, const Reply& reply, std::string password, Next next) {
  boost::asio::post(services.hashing, [&services, reply, password = std::move(password),
                                       next = std::move(next)]() mutable {
    std::string hash;
    try {
      hash = services.passwords.hash(password);
    } catch (const std::exception& error) {
      logger("service")->error("password hashing failed: {}", error.what());
      reply(kInternalError);
      return;
    }
    next(std::move(hash));
  });
}

void create_account(Services& services, Request& request) {
  auto parsed = protocol::parse_create_account(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  auto connection = request.connection;
  auto reply = request.reply;
  std::string password = parsed->password;
  hash_password(
      services, reply, std::move(password),
      [&services, connection, reply, account = std::move(*parsed)](std::string hash) {
        call_database(
            services.database, connection,
            [account, hash = std::move(hash)](db::Connection& database) -> Result<json::value> {
              auto row =
                  db::accounts::create(database, account.username, account.email, hash, now_utc());
              if (!row) return Error{400, "Cannot create account: already exists"};
              return json::value(protocol::to_json(account_info(*row)));
            },
            reply);
      });
}

void login(Services& services, Request& request) {
  auto parsed = protocol::parse_login(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  auto connection = request.connection;
  auto reply = request.reply;
  std::string limit_key =
      parsed->username ? "username:" + *parsed->username : "email:" + parsed->email.value_or("");
  if (services.login_limiter.blocked(limit_key, connection->remote_address(),
                                     LoginLimiter::Clock::now())) {
    logger("service")->warn("[C{}] login rate limit reached for {} from {}",
                            connection->connection_id(), limit_key, connection->remote_address());
    return reply(kTooManyRequests);
  }

  auto finish = [&services, connection, reply, limit_key](std::optional<AccountId> account) {
    boost::asio::dispatch(connection->executor(), [=, &services] {
      if (!account) {
        services.login_limiter.record_failure(limit_key, connection->remote_address(),
                                              LoginLimiter::Clock::now());
        return reply(kLoginFailed);
      }
      services.login_limiter.record_success(limit_key);
      connection->set_account(*account);
      connection->set_login_token_hash(std::nullopt);
      reply(json::value(protocol::id_string(*account)));
    });
  };

  auto verify = [&services, reply, finish,
                 password = parsed->password](Result<std::optional<db::AccountRow>> found) {
    if (!found) return reply(found.error());
    boost::asio::post(services.hashing,
                      [&services, finish, password, row = std::move(found.value())] {
                        // Unknown accounts still pay for one verification, so response time
                        // does not reveal which names exist.
                        bool matches = services.passwords.verify(
                            row ? row->password_hash : services.passwords.dummy_hash(), password);
                        finish(row && matches ? std::optional<AccountId>(row->id) : std::nullopt);
                      });
  };

  call_database(
      services.database, connection,
      [login =
           std::move(*parsed)](db::Connection& database) -> Result<std::optional<db::AccountRow>> {
        if (login.username) return db::accounts::find_by_username(database, *login.username);
        return db::accounts::find_by_email(database, *login.email);
      },
      std::move(verify));
}

void get_account(Services& services, Request& request) {
  auto parsed = protocol::parse_get_account(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  call_database(
      services.database, request.connection,
      [id = *parsed](db::Connection& database) -> Result<json::value> {
        auto row = db::accounts::find_by_id(database, id);
        if (!row) return Error{404, "Account not found"};
        return json::value(protocol::to_json(account_info(*row)));
      },
      request.reply);
}

void update_account_in_database(Services& services,
                                const std::shared_ptr<ClientConnection>& connection,
                                const Reply& reply, AccountId account,
                                db::accounts::AccountUpdate update) {
  call_database(
      services.database, connection,
      [account, update = std::move(update)](db::Connection& database) -> Result<json::value> {
        auto result = db::accounts::update(database, account, update);
        switch (result.outcome) {
          case db::accounts::UpdateOutcome::kNotFound:
            return Error{404, "Account not found"};
          case db::accounts::UpdateOutcome::kAlreadyExists:
            return Error{400, "Cannot update account: already exists"};
          case db::accounts::UpdateOutcome::kUpdated:
            break;
        }
        return json::value(protocol::to_json(account_info(*result.row)));
      },
      reply);
}

void update_account(Services& services, Request& request) {
  auto parsed = protocol::parse_update_account(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  AccountId account = *request.connection->account();
  db::accounts::AccountUpdate update{parsed->username, parsed->email, std::nullopt, now_utc()};
  if (!parsed->password) {
    return update_account_in_database(services, request.connection, request.reply, account,
                                      std::move(update));
  }
  hash_password(services, request.reply, *parsed->password,
                [&services, connection = request.connection, reply = request.reply, account,
                 update = std::move(update)](std::string hash) mutable {
                  update.password_hash = std::move(hash);
                  update_account_in_database(services, connection, reply, account,
                                             std::move(update));
                });
}

}  // namespace

void register_account_handlers(Dispatcher& dispatcher, Services& services) {
  dispatcher.add("createAccount", false,
                 [&services](Request& request) { create_account(services, request); });
  dispatcher.add("login", false, [&services](Request& request) { login(services, request); });
  dispatcher.add("getAccount", true,
                 [&services](Request& request) { get_account(services, request); });
  dispatcher.add("updateAccount", true,
                 [&services](Request& request) { update_account(services, request); });
}

}  // namespace parley::service
