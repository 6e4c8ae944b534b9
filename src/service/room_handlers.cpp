#include <algorithm>

#include <boost/json.hpp>

#include "db/accounts.hpp"
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

const Error kNotRoomOwner{403, "Not room owner"};

db::PageQuery page_query(const protocol::Paging& paging) {
  return {paging.offset, paging.limit, paging.order_by.field, paging.order_by.descending};
}

json::value room_value(const db::RoomRow& row) { return protocol::to_json(room_info(row)); }

json::value rooms_value(const db::Page<db::RoomRow>& page, const protocol::Paging& paging) {
  return protocol::room_page(convert_all(page.items, room_info), paging.echo, page.total_count);
}

json::value accounts_value(const db::Page<db::AccountRow>& page, const protocol::Paging& paging) {
  return protocol::account_page(convert_all(page.items, account_info), paging.echo,
                                page.total_count);
}

bool contains(const std::vector<AccountId>& ids, AccountId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Runs `work(database, caller)` on the pool and replies with its result.
template <typename Work>
void run(Services& services, Request& request, Work work) {
  AccountId caller = *request.connection->account();
  call_database(
      services.database, request.connection,
      [caller, work = std::move(work)](db::Connection& database) -> Result<json::value> {
        return work(database, caller);
      },
      request.reply);
}

void create_room(Services& services, Request& request) {
  auto parsed = protocol::parse_create_room(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [&services, room = std::move(*parsed), before = services.memberships.snapshot_any_room()](
          db::Connection& database, AccountId caller) -> Result<json::value> {
        if (!db::accounts::find_by_id(database, caller)) return Error{404, "Account not found"};
        auto row = db::rooms::create(database, room.name, room.description, caller, now_utc());
        if (!row) return Error{400, "Cannot create room: already exists"};
        services.memberships.store(row->id, caller, before);
        return room_value(*row);
      });
}

void update_room(Services& services, Request& request) {
  auto parsed = protocol::parse_update_room(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [update = std::move(*parsed)](db::Connection& database,
                                    AccountId caller) -> Result<json::value> {
        auto room = db::rooms::find_by_id(database, update.room_id);
        if (!room) return kRoomNotFound;
        if (room->owner_id != caller) return kNotRoomOwner;
        auto row =
            db::rooms::update_description(database, update.room_id, update.description, now_utc());
        if (!row) return kRoomNotFound;
        return room_value(*row);
      });
}

void get_room(Services& services, Request& request) {
  auto parsed = protocol::parse_room_id(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [id = *parsed](db::Connection& database, AccountId) -> Result<json::value> {
        auto room = db::rooms::find_by_id(database, id);
        if (!room) return kRoomNotFound;
        return room_value(*room);
      });
}

void join_room(Services& services, Request& request) {
  auto parsed = protocol::parse_join_room(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [&services, name = std::move(*parsed)](db::Connection& database,
                                             AccountId caller) -> Result<json::value> {
        auto room = db::rooms::find_by_name(database, name);
        if (!room) return kRoomNotFound;
        auto before = services.memberships.snapshot(room->id);
        if (db::rooms::is_blocked(database, room->id, caller)) {
          return Error{400, "Cannot join room: blocked"};
        }
        if (db::rooms::is_member(database, room->id, caller)) {
          return Error{400, "Cannot join room: already joined"};
        }
        switch (db::rooms::add_member(database, room->id, caller)) {
          case db::rooms::AddMemberOutcome::kRoomNotFound:
            // The owner deleted the room after the lookup above.
            return kRoomNotFound;
          case db::rooms::AddMemberOutcome::kAlreadyMember:
            return Error{400, "Cannot join room: already joined"};
          case db::rooms::AddMemberOutcome::kAdded:
            break;
        }
        services.memberships.store(room->id, caller, before);
        return json::value(protocol::id_string(room->id));
      });
}

void leave_room(Services& services, Request& request) {
  auto parsed = protocol::parse_room_id(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [&services, id = *parsed](db::Connection& database, AccountId caller) -> Result<json::value> {
        auto room = db::rooms::find_by_id(database, id);
        if (!room) return kRoomNotFound;
        if (!db::rooms::is_member(database, id, caller)) return Error{400, "Not a room member"};
        bool is_owner = room->owner_id == caller;
        std::string event = kafka::encode(kafka::LeaveRoomEvent{id, caller, is_owner});
        // False when a concurrent request changed the room after the checks
        // above; nothing was written then.
        bool changed = is_owner ? db::rooms::delete_room(database, id, event)
                                : db::rooms::leave(database, id, caller, event);
        if (!changed) return Error{400, "Not a room member"};
        // This node applies the change at once, and the room event does the
        // same on every node.
        if (is_owner) {
          services.memberships.remove_room(id);
        } else {
          services.memberships.remove(id, {&caller, 1});
        }
        return json::value(protocol::id_string(id));
      });
}

// removeRoomMembers, blockRoomMembers and unblockRoomMembers share their
// first checks: the room exists and the caller owns it.
template <typename Apply>
void change_members(Services& services, Request& request, Apply apply) {
  auto parsed = protocol::parse_members(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [members = std::move(*parsed), apply = std::move(apply)](
          db::Connection& database, AccountId caller) -> Result<json::value> {
        auto room = db::rooms::find_by_id(database, members.room_id);
        if (!room) return kRoomNotFound;
        if (room->owner_id != caller) return kNotRoomOwner;
        if (auto error = apply(database, *room, members.member_ids)) return *error;
        return json::value(protocol::id_string(members.room_id));
      });
}

void remove_members(Services& services, Request& request) {
  change_members(services, request,
                 [&services](db::Connection& database, const db::RoomRow& room,
                             const std::vector<AccountId>& ids) -> std::optional<Error> {
                   if (contains(ids, room.owner_id)) return Error{400, "Cannot remove room owner"};
                   db::rooms::remove_members(
                       database, room.id, ids,
                       kafka::encode(kafka::RemoveMembersEvent{room.id, ids}));
                   services.memberships.remove(room.id, ids);
                   return std::nullopt;
                 });
}

void block_members(Services& services, Request& request) {
  change_members(services, request,
                 [&services](db::Connection& database, const db::RoomRow& room,
                             const std::vector<AccountId>& ids) -> std::optional<Error> {
                   if (contains(ids, room.owner_id)) return Error{400, "Cannot block room owner"};
                   if (!db::accounts::missing_ids(database, ids).empty()) {
                     return Error{404, "Account not found"};
                   }
                   db::rooms::block_members(database, room.id, ids,
                                            kafka::encode(kafka::BlockMembersEvent{room.id, ids}));
                   services.memberships.remove(room.id, ids);
                   return std::nullopt;
                 });
}

void unblock_members(Services& services, Request& request) {
  change_members(services, request,
                 [](db::Connection& database, const db::RoomRow& room,
                    const std::vector<AccountId>& ids) -> std::optional<Error> {
                   db::rooms::unblock_members(database, room.id, ids);
                   return std::nullopt;
                 });
}

void get_rooms(Services& services, Request& request) {
  auto parsed = protocol::parse_get_rooms(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [paging = parsed->paging](db::Connection& database, AccountId caller) -> Result<json::value> {
        return rooms_value(db::rooms::rooms_of_member(database, caller, page_query(paging)),
                           paging);
      });
}

void list_rooms(Services& services, Request& request) {
  auto parsed = protocol::parse_list_rooms(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [query = std::move(*parsed)](db::Connection& database, AccountId) -> Result<json::value> {
        return rooms_value(db::rooms::list(database, query.keyword, page_query(query.paging)),
                           query.paging);
      });
}

void get_room_members(Services& services, Request& request) {
  auto parsed = protocol::parse_get_room_members(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [query = *parsed](db::Connection& database, AccountId caller) -> Result<json::value> {
        // No 404 here: a room that does not exist has no members, and the
        // reference server replies the same.
        if (!db::rooms::is_member(database, query.room_id, caller)) {
          return Error{403, "Not a room member"};
        }
        return accounts_value(db::rooms::members(database, query.room_id, page_query(query.paging)),
                              query.paging);
      });
}

void get_blocked_members(Services& services, Request& request) {
  auto parsed = protocol::parse_get_blocked_members(request.envelope.data);
  if (!parsed) return request.reply(parsed.error());
  run(services, request,
      [query = *parsed](db::Connection& database, AccountId caller) -> Result<json::value> {
        auto room = db::rooms::find_by_id(database, query.room_id);
        if (!room) return kRoomNotFound;
        if (room->owner_id != caller) return kNotRoomOwner;
        return accounts_value(db::rooms::blocked(database, query.room_id, page_query(query.paging)),
                              query.paging);
      });
}

}  // namespace

void register_room_handlers(Dispatcher& dispatcher, Services& services) {
  auto add = [&](std::string_view operation, void (*handler)(Services&, Request&)) {
    dispatcher.add(operation, true,
                   [&services, handler](Request& request) { handler(services, request); });
  };
  add("createRoom", create_room);
  add("updateRoom", update_room);
  add("getRoom", get_room);
  add("joinRoom", join_room);
  add("leaveRoom", leave_room);
  add("removeRoomMembers", remove_members);
  add("blockRoomMembers", block_members);
  add("unblockRoomMembers", unblock_members);
  add("getRooms", get_rooms);
  add("listRooms", list_rooms);
  add("getRoomMembers", get_room_members);
  add("getBlockedMembers", get_blocked_members);
}

}  // namespace parley::service
