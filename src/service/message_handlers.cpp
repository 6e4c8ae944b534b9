#include <boost/json.hpp>

#include "common/logging.hpp"
#include "db/client_messages.hpp"
#include "db/messages.hpp"
#include "db/rooms.hpp"
#include "kafka/records.hpp"
#include "protocol/json_values.hpp"
#include "protocol/requests.hpp"
#include "service/client_message_id_cache.hpp"
#include "service/database_call.hpp"
#include "service/services.hpp"
#include "service/views.hpp"

namespace parley::service {
namespace json = boost::json;
namespace {

const Error kNotSubscribed{400, "Not subscribed"};
const Error kSendNotMember{403, "Cannot send message: not a member"};

// Checks membership again once the subscription is registered. A removal
// that committed after the first check but whose room event this node
// applied before the subscription existed would otherwise leave a removed
// member subscribed. A removal that commits after this check sends an event
// that finds the subscription and ends it.
void confirm_membership(Services& services, const std::shared_ptr<ClientConnection>& connection,
                        const Reply& reply, AccountId caller, RoomId room_id) {
  call_database(
      services.database, connection,
      [caller, room_id](db::Connection& database) -> Status {
        if (!db::rooms::is_member(database, room_id, caller)) {
          return Error{403, "Cannot subscribe: not a member"};
        }
        return Done{};
      },
      [connection, reply, room_id](Status member) {
        if (!member) {
          if (connection->subscribed_room() == room_id) connection->unsubscribe();
          return reply(member.error());
        }
        reply(json::value(protocol::id_string(room_id)));
      });
}

// Most stored messages one subscribe with afterMessageId replays.
constexpr std::size_t kMaxReplayedMessages = 10000;

void subscribe(Services& services, Request& request) {
  auto parsed = protocol::parse_subscribe(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  AccountId caller = *request.connection->account();
  RoomId room_id = parsed->room_id;
  std::optional<MessageId> after = parsed->after_message_id;
  auto connection = request.connection;
  auto reply = request.reply;
  auto before = services.memberships.snapshot(room_id);
  call_database(
      services.database, connection,
      [&services, caller, room_id, after,
       before](db::Connection& database) -> Result<db::messages::MessagesAfter> {
        const db::rooms::RoomAccess access = db::rooms::access(database, room_id, caller);
        if (!access.room_exists) return kRoomNotFound;
        if (access.blocked) return Error{403, "Cannot subscribe: blocked"};
        if (!access.member) return Error{403, "Cannot subscribe: not a member"};
        services.memberships.store(room_id, caller, before);
        if (!after) return db::messages::MessagesAfter{};
        return db::messages::after(database, room_id, *after, kMaxReplayedMessages);
      },
      [&services, connection, reply, caller, room_id,
       after](Result<db::messages::MessagesAfter> checked) {
        if (!checked) return reply(checked.error());
        // The identity may have changed while the checks ran; subscribe only
        // the account that passed them.
        if (connection->account() != caller) return reply(Error{401, "Not authenticated"});
        if (after) {
          std::vector<StoredPush> stored;
          for (const auto& row : checked.value().rows) {
            stored.push_back({row.id, protocol::serialize_push(message_info(row))});
          }
          // NOTE: a message that left the node's recent window before the
          // history writer stored it is missed. The window's settings
          // (--resume-window-messages, --resume-window-age-s) are meant to
          // outlast the history writer's lag.
          connection->subscribe_after(
              room_id, *after, stored,
              checked.value().order == db::messages::AfterOrder::kafka_position);
        } else {
          connection->subscribe(room_id);
        }
        confirm_membership(services, connection, reply, caller, room_id);
      });
}

void unsubscribe(Services&, Request& request) {
  auto room = request.connection->subscribed_room();
  if (!room) return request.reply(kNotSubscribed);
  request.connection->unsubscribe();
  request.reply(json::value(protocol::id_string(*room)));
}

json::value send_result(bool object_form, const kafka::RoomMessageRecord& record) {
  if (!object_form) return json::value(protocol::id_string(record.room_id));
  json::object result;
  result["roomId"] = protocol::id_string(record.room_id);
  result["id"] = protocol::id_string(record.message_id);
  result["timestamp"] = protocol::format_datetime(record.timestamp);
  return result;
}

// Produces the accepted message to Kafka and replies once the broker
// acknowledged it. The id and timestamp are taken here, once, so the push
// and the history row of the message carry the same values.
void produce_message(Services& services, const Reply& reply, bool object_form,
                     const kafka::RoomMessageRecord& record) {
  json::value result = send_result(object_form, record);
  services.producer.produce(services.config.kafka_messages_topic, record.room_id,
                            kafka::encode(record),
                            [reply, result = std::move(result)](Status delivered) {
                              if (!delivered) return reply(delivered.error());
                              reply(result);
                            });
}

// Gives `record` the id and timestamp its clientMessageId was first sent
// with, or fails when that first send went to another room.
Result<kafka::RoomMessageRecord> reuse_first(kafka::RoomMessageRecord record,
                                             const db::client_messages::RememberedMessage& first) {
  if (first.room_id != record.room_id) return Error{400, "Missing or invalid: clientMessageId"};
  // A retry: produce the first attempt's id again, since that attempt may
  // never have reached Kafka. History stores one row per id and each node
  // pushes one id once, so a second copy changes nothing.
  record.message_id = first.message_id;
  record.timestamp = first.timestamp;
  return record;
}

db::client_messages::RememberedMessage remembered(const kafka::RoomMessageRecord& record) {
  return {record.message_id, record.room_id, record.timestamp};
}

// Looks the clientMessageId up in the node's cache, then in PostgreSQL,
// recording it there when it is new. Runs on a database pool thread.
Result<kafka::RoomMessageRecord> remember_client_message_id(ClientMessageIdCache& cache,
                                                            db::Connection& database,
                                                            kafka::RoomMessageRecord record) {
  if (!record.client_message_id) return record;
  const std::string& client_message_id = *record.client_message_id;
  if (auto first = cache.find(record.sender_id, client_message_id)) {
    return reuse_first(std::move(record), *first);
  }
  auto first = db::client_messages::remember(database, record.sender_id, client_message_id,
                                             remembered(record));
  cache.store_confirmed(record.sender_id, client_message_id, first.value_or(remembered(record)));
  if (first) return reuse_first(std::move(record), *first);
  return record;
}

bool is_database_unavailable(const Result<kafka::RoomMessageRecord>& result) {
  return !result && result.error() == kDatabaseUnavailable;
}

// Accepts a send while PostgreSQL is unavailable, for a member that the
// membership cache confirmed. A clientMessageId the node has not cached is
// remembered in memory until PostgreSQL returns.
Result<kafka::RoomMessageRecord> accept_without_database(ClientMessageIdCache& cache,
                                                         kafka::RoomMessageRecord record) {
  if (!record.client_message_id) return record;
  auto first =
      cache.remember_pending(record.sender_id, *record.client_message_id, remembered(record));
  if (first) return reuse_first(std::move(record), *first);
  return record;
}

// PostgreSQL stays the authority on membership while it is reachable, so a
// removal takes effect on every node as soon as it commits. The membership
// cache is consulted only while PostgreSQL is unavailable.
void send(Services& services, Request& request) {
  auto parsed = protocol::parse_send(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  bool object_form = request.envelope.data.is_object();
  std::optional<RoomId> room_id = parsed->room_id;
  if (!room_id) {
    room_id = request.connection->subscribed_room();
    if (!room_id) return request.reply(kNotSubscribed);
  }

  AccountId caller = *request.connection->account();
  kafka::RoomMessageRecord record{*room_id,
                                  caller,
                                  Timestamp{},
                                  services.message_ids.next(),
                                  std::move(parsed->message),
                                  std::move(parsed->client_message_id)};
  record.timestamp = MessageIdGenerator::timestamp_of(record.message_id);

  // Taken before the membership query, so that a removal whose event this
  // node applies while the query runs keeps the result out of the cache.
  auto before = services.memberships.snapshot(*room_id);
  auto reply = request.reply;
  // One copy for each lambda, made here because the order in which the
  // arguments below are evaluated is unspecified.
  kafka::RoomMessageRecord fallback = record;
  call_database(
      services.database, request.connection,
      [&services, before, candidate = std::move(record)](
          db::Connection& database) -> Result<kafka::RoomMessageRecord> {
        if (!db::rooms::is_member(database, candidate.room_id, candidate.sender_id)) {
          return kSendNotMember;
        }
        services.memberships.store(candidate.room_id, candidate.sender_id, before);
        return remember_client_message_id(services.client_message_ids, database, candidate);
      },
      [&services, reply, object_form,
       fallback = std::move(fallback)](Result<kafka::RoomMessageRecord> accepted) {
        if (is_database_unavailable(accepted) &&
            services.memberships.contains(fallback.room_id, fallback.sender_id)) {
          accepted = accept_without_database(services.client_message_ids, fallback);
        }
        if (!accepted) return reply(accepted.error());
        produce_message(services, reply, object_form, accepted.value());
      });
}

void list_messages(Services& services, Request& request) {
  auto parsed = protocol::parse_list_messages(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());

  AccountId caller = *request.connection->account();
  call_database(
      services.database, request.connection,
      [caller, query = std::move(*parsed)](db::Connection& database) -> Result<json::value> {
        if (!db::rooms::find_by_id(database, query.room_id)) return kRoomNotFound;
        if (!db::rooms::is_member(database, query.room_id, caller)) {
          return Error{403, "Not a room member"};
        }
        if (query.invalid_timezone) return Error{400, "Missing or invalid: timezone"};
        db::messages::MessageQuery filter{
            query.room_id,
            query.keyword,
            query.from_utc,
            query.to_utc,
            {query.paging.offset, query.paging.limit, query.paging.order_by.field,
             query.paging.order_by.descending}};
        auto page = db::messages::list(database, filter);
        return json::value(protocol::message_page(convert_all(page.items, message_info),
                                                  query.paging.echo, page.total_count));
      },
      request.reply);
}

}  // namespace

void register_message_handlers(Dispatcher& dispatcher, Services& services) {
  auto add = [&](std::string_view operation, void (*handler)(Services&, Request&)) {
    dispatcher.add(operation, true,
                   [&services, handler](Request& request) { handler(services, request); });
  };
  add("subscribe", subscribe);
  add("unsubscribe", unsubscribe);
  add("send", send);
  add("listMessages", list_messages);
}

}  // namespace parley::service
