#pragma once

#include "db/accounts.hpp"
#include "db/messages.hpp"
#include "db/rooms.hpp"
#include "protocol/views.hpp"

namespace parley::service {

// Conversions from database rows to the protocol's views.

inline protocol::AccountInfo account_info(const db::AccountRow& row) {
  return {row.id, row.username, row.email, row.created_at, row.updated_at};
}

inline protocol::RoomInfo room_info(const db::RoomRow& row) {
  return {row.id, row.name, row.owner_username, row.description, row.created_at, row.updated_at};
}

inline protocol::MessageInfo message_info(const db::MessageRow& row) {
  return {row.id, row.sender_id, row.room_id, row.message, row.timestamp};
}

template <typename Row, typename Convert>
auto convert_all(const std::vector<Row>& rows, Convert convert) {
  std::vector<decltype(convert(rows.front()))> views;
  views.reserve(rows.size());
  for (const Row& row : rows) views.push_back(convert(row));
  return views;
}

}  // namespace parley::service
