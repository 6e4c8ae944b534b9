#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "common/types.hpp"
#include "db/connection.hpp"

namespace parley::db::client_messages {

// The message a (account, clientMessageId) pair was first sent as.
struct RememberedMessage {
  MessageId message_id = 0;
  RoomId room_id = 0;
  Timestamp timestamp;
};

// Records that `account` sent `client_message_id` as `message`, unless that
// pair is already recorded. Returns std::nullopt when this call recorded it,
// and the first message when the pair existed (a retry), in which case
// nothing changes. Safe against concurrent calls with the same pair: exactly
// one of them records it.
std::optional<RememberedMessage> remember(Connection& connection, AccountId account,
                                          std::string_view client_message_id,
                                          const RememberedMessage& message);

// Deletes pairs recorded more than `age` ago by the database clock. Returns
// the number deleted. A retry is recognised for as long as its pair is kept.
std::size_t forget_older_than(Connection& connection, std::chrono::milliseconds age);

}  // namespace parley::db::client_messages
