#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "client/protocol_types.hpp"
#include "common/error.hpp"
#include "common/types.hpp"

namespace parley::client {

// Typed chat operations over one Connection, for programs that want
// accounts, rooms and messages instead of JSON. Errors are the server's
// error replies (code and exact message) or, with code 0, a timeout, a
// closed connection or a reply that does not decode.
//
// Thread-safe, because Connection is and the username cache has a lock.
// The Connection must outlive the session.
class ChatSession {
 public:
  // Maximum `limit` of one page that the server accepts.
  static constexpr int kMaxPageLimit = 50;

  explicit ChatSession(Connection& connection,
                       std::chrono::milliseconds request_timeout = std::chrono::seconds(5));

  Result<AccountInfo> create_account(const std::string& username, const std::string& email,
                                     const std::string& password);
  // Logs the connection in and returns the account id.
  Result<AccountId> login(const std::string& username, const std::string& password);
  Result<AccountInfo> get_account(AccountId id);
  // Returns the username of an account, calling getAccount only the first
  // time each id is requested.
  Result<std::string> username_of(AccountId id);

  // Lists one page of all rooms, filtered by a case-sensitive substring of
  // the name or description when `keyword` is given.
  Result<Page<RoomInfo>> list_rooms(const std::optional<std::string>& keyword, int offset,
                                    int limit = kMaxPageLimit);
  // Finds the room with exactly this name, or returns nullopt when none
  // exists.
  Result<std::optional<RoomInfo>> find_room(const std::string& name);
  Result<RoomInfo> create_room(const std::string& name,
                               const std::optional<std::string>& description = std::nullopt);
  // Joins a room by name and returns its id.
  Result<RoomId> join_room(const std::string& name);
  Result<RoomId> leave_room(RoomId room_id);
  // Returns every member of the room, fetching as many pages as needed.
  Result<std::vector<AccountInfo>> list_members(RoomId room_id);

  // Subscribes this connection to the room's pushes, replacing any previous
  // subscription, and returns the room id.
  Result<RoomId> subscribe(RoomId room_id);
  // Ends the subscription and returns the id of the room it was for.
  Result<RoomId> unsubscribe();
  // Sends `text` to the subscribed room and returns the room id.
  Result<RoomId> send(const std::string& text);

  // Returns the last `count` messages of the room, oldest first.
  Result<std::vector<MessageInfo>> recent_messages(RoomId room_id, int count);

  // Waits for the next push. Pushes that do not decode are logged and
  // skipped. Returns nullopt after `timeout` or once the connection closed
  // and every queued push was read.
  std::optional<MessageInfo> next_push(std::chrono::milliseconds timeout);

  Connection& connection() { return connection_; }

 private:
  Result<boost::json::value> call(std::string_view operation, const boost::json::value& data);

  Connection& connection_;
  const std::chrono::milliseconds request_timeout_;

  std::mutex username_mutex_;
  std::map<AccountId, std::string> usernames_;  // guarded by username_mutex_
};

}  // namespace parley::client
