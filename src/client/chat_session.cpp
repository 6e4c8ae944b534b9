#include "client/chat_session.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include <boost/json/serialize.hpp>

#include "common/logging.hpp"

namespace parley::client {
namespace {

// The reference client writes every number as a JSON string, and servers
// of this protocol accept both forms, so requests use strings too.
boost::json::value id_text(std::int64_t id) { return boost::json::value(std::to_string(id)); }

boost::json::object page_request(int offset, int limit) {
  boost::json::object request;
  request["offset"] = std::to_string(offset);
  request["limit"] = std::to_string(limit);
  return request;
}

Result<RoomId> decode_room_id(const Result<boost::json::value>& reply) {
  if (!reply) {
    return reply.error();
  }
  return decode_id(reply.value(), "data");
}

}  // namespace

ChatSession::ChatSession(Connection& connection, std::chrono::milliseconds request_timeout)
    : connection_(connection), request_timeout_(request_timeout) {}

Result<boost::json::value> ChatSession::call(std::string_view operation,
                                             const boost::json::value& data) {
  return connection_.call(operation, data, request_timeout_);
}

Result<AccountInfo> ChatSession::create_account(const std::string& username,
                                                const std::string& email,
                                                const std::string& password) {
  boost::json::object request{{"username", username}, {"email", email}, {"password", password}};
  Result<boost::json::value> reply = call("createAccount", request);
  if (!reply) {
    return reply.error();
  }
  return decode_account(reply.value());
}

Result<AccountId> ChatSession::login(const std::string& username, const std::string& password) {
  boost::json::object request{{"username", username}, {"password", password}};
  Result<boost::json::value> reply = call("login", request);
  if (!reply) {
    return reply.error();
  }
  return decode_id(reply.value(), "data");
}

Result<AccountInfo> ChatSession::get_account(AccountId id) {
  Result<boost::json::value> reply = call("getAccount", id_text(id));
  if (!reply) {
    return reply.error();
  }
  return decode_account(reply.value());
}

Result<std::string> ChatSession::username_of(AccountId id) {
  {
    std::lock_guard lock(username_mutex_);
    if (auto cached = usernames_.find(id); cached != usernames_.end()) {
      return cached->second;
    }
  }
  // The lock is not held during the call, so two threads may both fetch a
  // new id. Both store the same username, so the race is harmless.
  Result<AccountInfo> account = get_account(id);
  if (!account) {
    return account.error();
  }
  std::lock_guard lock(username_mutex_);
  usernames_[id] = account->username;
  return account->username;
}

Result<Page<RoomInfo>> ChatSession::list_rooms(const std::optional<std::string>& keyword,
                                               int offset, int limit) {
  boost::json::object request = page_request(offset, limit);
  if (keyword) {
    request["keyword"] = *keyword;
  }
  Result<boost::json::value> reply = call("listRooms", request);
  if (!reply) {
    return reply.error();
  }
  return decode_room_page(reply.value());
}

Result<std::optional<RoomInfo>> ChatSession::find_room(const std::string& name) {
  // The keyword also matches descriptions and longer names, so the exact
  // name may be on any page.
  int offset = 0;
  while (true) {
    Result<Page<RoomInfo>> page = list_rooms(name, offset);
    if (!page) {
      return page.error();
    }
    for (RoomInfo& room : page->items) {
      if (room.name == name) {
        return std::optional<RoomInfo>(std::move(room));
      }
    }
    offset += static_cast<int>(page->items.size());
    if (page->items.empty() || offset >= page->total_count) {
      return std::optional<RoomInfo>();
    }
  }
}

Result<RoomInfo> ChatSession::create_room(const std::string& name,
                                          const std::optional<std::string>& description) {
  boost::json::object request{{"name", name}};
  if (description) {
    request["description"] = *description;
  }
  Result<boost::json::value> reply = call("createRoom", request);
  if (!reply) {
    return reply.error();
  }
  return decode_room(reply.value());
}

Result<RoomId> ChatSession::join_room(const std::string& name) {
  return decode_room_id(call("joinRoom", boost::json::value(name)));
}

Result<RoomId> ChatSession::leave_room(RoomId room_id) {
  return decode_room_id(call("leaveRoom", id_text(room_id)));
}

Result<std::vector<AccountInfo>> ChatSession::list_members(RoomId room_id) {
  std::vector<AccountInfo> members;
  while (true) {
    boost::json::object request = page_request(static_cast<int>(members.size()), kMaxPageLimit);
    request["roomId"] = std::to_string(room_id);
    Result<boost::json::value> reply = call("getRoomMembers", request);
    if (!reply) {
      return reply.error();
    }
    Result<Page<AccountInfo>> page = decode_account_page(reply.value());
    if (!page) {
      return page.error();
    }
    bool is_last = page->items.empty();
    std::move(page->items.begin(), page->items.end(), std::back_inserter(members));
    if (is_last || static_cast<std::int64_t>(members.size()) >= page->total_count) {
      return members;
    }
  }
}

Result<RoomId> ChatSession::subscribe(RoomId room_id) {
  return decode_room_id(call("subscribe", id_text(room_id)));
}

Result<RoomId> ChatSession::unsubscribe() { return decode_room_id(call("unsubscribe", nullptr)); }

Result<RoomId> ChatSession::send(const std::string& text) {
  return decode_room_id(call("send", boost::json::value(text)));
}

Result<std::vector<MessageInfo>> ChatSession::recent_messages(RoomId room_id, int count) {
  // Newest first, page by page, then reversed. A message that arrives
  // between two pages shifts the offsets by one, so the next page repeats
  // the oldest message seen so far. Ids below the oldest one seen skip it.
  std::vector<MessageInfo> messages;
  int offset = 0;
  while (static_cast<int>(messages.size()) < count) {
    int limit = std::min(kMaxPageLimit, count - static_cast<int>(messages.size()));
    boost::json::object request = page_request(offset, limit);
    request["roomId"] = std::to_string(room_id);
    request["orderBy"] = boost::json::object{{"field", "id"}, {"direction", "DESC"}};
    Result<boost::json::value> reply = call("listMessages", request);
    if (!reply) {
      return reply.error();
    }
    Result<Page<MessageInfo>> page = decode_message_page(reply.value());
    if (!page) {
      return page.error();
    }
    offset += static_cast<int>(page->items.size());
    for (MessageInfo& message : page->items) {
      bool is_repeat = !messages.empty() && messages.back().id && message.id &&
                       *message.id >= *messages.back().id;
      if (!is_repeat && static_cast<int>(messages.size()) < count) {
        messages.push_back(std::move(message));
      }
    }
    if (static_cast<int>(page->items.size()) < limit) {
      break;
    }
  }
  std::reverse(messages.begin(), messages.end());
  return messages;
}

std::optional<MessageInfo> ChatSession::next_push(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::optional<boost::json::object> push =
        connection_.next_push(std::max(remaining, std::chrono::milliseconds(0)));
    if (!push) {
      return std::nullopt;
    }
    Result<MessageInfo> message = decode_message(*push);
    if (message) {
      return std::move(message.value());
    }
    logger("client")->warn("skipped a push that does not decode: {}", message.error().message);
  }
}

}  // namespace parley::client
