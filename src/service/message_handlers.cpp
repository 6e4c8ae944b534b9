#include <boost/json.hpp>

#include "common/logging.hpp"
#include "db/messages.hpp"
#include "db/rooms.hpp"
#include "kafka/records.hpp"
#include "protocol/json_values.hpp"
#include "protocol/requests.hpp"
#include "service/database_call.hpp"
#include "service/services.hpp"
#include "service/views.hpp"

namespace parley::service {
namespace json = boost::json;
namespace {

const Error kNotSubscribed{400, "Not subscribed"};

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

// PostgreSQL stays the authority on membership while it is reachable, so a
// removal takes effect on every node as soon as it commits (SendChecks). The
// membership cache is consulted only while PostgreSQL is unavailable.
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
  // Kept for a send that PostgreSQL cannot check.
  kafka::RoomMessageRecord fallback = record;
  services.send_checks.check(
      request.connection, std::move(record), before,
      [&services, reply = request.reply, object_form,
       fallback = std::move(fallback)](Result<kafka::RoomMessageRecord> accepted) {
        if (!accepted && accepted.error() == kDatabaseUnavailable) {
          accepted = services.send_checks.accept_from_cache(fallback);
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
