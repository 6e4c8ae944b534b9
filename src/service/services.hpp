#pragma once

#include <boost/asio/thread_pool.hpp>

#include "common/config.hpp"
#include "common/message_id.hpp"
#include "db/pool.hpp"
#include "kafka/producer.hpp"
#include "service/client_message_id_cache.hpp"
#include "service/dispatcher.hpp"
#include "service/login_limiter.hpp"
#include "service/membership_cache.hpp"
#include "service/passwords.hpp"
#include "service/send_checks.hpp"

namespace parley::service {

// The dependencies of the request handlers, owned by the composition root
// (src/server) and outliving every connection.
struct Services {
  const Config& config;
  db::Pool& database;
  kafka::Producer& producer;
  // Runs password hashing and verification, off the I/O threads.
  boost::asio::thread_pool& hashing;
  PasswordHasher& passwords;
  LoginLimiter& login_limiter;
  MessageIdGenerator& message_ids;
  // Memberships confirmed in PostgreSQL, kept current by room events.
  MembershipCache& memberships;
  // Recent clientMessageIds, also the ones sent while PostgreSQL was down.
  ClientMessageIdCache& client_message_ids;
  // Membership and clientMessageId checks of sends, batched.
  SendChecks& send_checks;
};

// Registers the handler of every protocol operation.
void register_account_handlers(Dispatcher& dispatcher, Services& services);
void register_room_handlers(Dispatcher& dispatcher, Services& services);
void register_message_handlers(Dispatcher& dispatcher, Services& services);
void register_token_handlers(Dispatcher& dispatcher, Services& services);

}  // namespace parley::service
