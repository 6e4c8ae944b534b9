#include <fmt/format.h>

#include "db/rooms.hpp"
#include "db/row_readers.hpp"
#include "db/sql_text.hpp"

// The paged list queries of rooms.hpp. Each runs a count statement and then
// a page statement, outside a common snapshot. A change committed between
// the two can therefore make total_count disagree with the page.
namespace parley::db::rooms {
namespace {

const sql::SortColumns kRoomSortColumns = {
    {"id", "r.id"},
    {"name", "r.name"},
    {"owner", "r.owner_id"},
    {"description", "r.description"},
    {"createdAt", "r.created_at"},
    {"updatedAt", "r.updated_at"},
};

const sql::SortColumns kAccountSortColumns = {
    {"id", "a.id"},
    {"username", "a.username"},
    {"email", "a.email"},
    {"createdAt", "a.created_at"},
    {"updatedAt", "a.updated_at"},
};

// Runs "SELECT count(*) <from_where>" and the page of "SELECT <columns>
// <from_where>", both with `params`.
template <typename Row, typename Read>
Page<Row> select_page(Connection& connection, const char* columns, const std::string& from_where,
                      const sql::SortColumns& sort_columns, std::string_view id_column,
                      const PageQuery& page, Params params, Read read) {
  // Validate the sort field before any statement runs.
  const std::string order = sql::order_by(sort_columns, page, id_column);

  Page<Row> result;
  result.total_count = connection.exec("SELECT count(*) " + from_where, params).int64(0, 0);

  const std::string limit = sql::limit_offset(page, params);
  const std::string statement =
      fmt::format("SELECT {} {} {} {}", columns, from_where, order, limit);
  result.items = rows::all<Row>(connection.exec(statement, params), read);
  return result;
}

Page<AccountRow> accounts_in(Connection& connection, const char* table, RoomId room,
                             const PageQuery& page) {
  const std::string from_where = fmt::format(
      "FROM accounts a JOIN {} t ON t.account_id = a.id WHERE t.room_id = $1::bigint", table);
  return select_page<AccountRow>(connection, rows::kAccountColumns, from_where, kAccountSortColumns,
                                 "a.id", page, {sql::to_param(room)}, rows::account);
}

}  // namespace

Page<RoomRow> rooms_of_member(Connection& connection, AccountId account, const PageQuery& page) {
  static const std::string from_where =
      "FROM rooms r JOIN accounts o ON o.id = r.owner_id "
      "JOIN room_members m ON m.room_id = r.id WHERE m.account_id = $1::bigint";
  return select_page<RoomRow>(connection, rows::kRoomColumns, from_where, kRoomSortColumns, "r.id",
                              page, {sql::to_param(account)}, rows::room);
}

Page<RoomRow> list(Connection& connection, const std::optional<std::string>& keyword,
                   const PageQuery& page) {
  std::string from_where = "FROM rooms r JOIN accounts o ON o.id = r.owner_id";
  Params params;
  if (keyword) {
    // Both columns are COLLATE "C", so LIKE compares bytes: case-sensitive.
    from_where +=
        " WHERE (r.name LIKE $1::text ESCAPE '\\' OR r.description LIKE $1::text ESCAPE '\\')";
    params.push_back(sql::like_substring(*keyword));
  }
  return select_page<RoomRow>(connection, rows::kRoomColumns, from_where, kRoomSortColumns, "r.id",
                              page, std::move(params), rows::room);
}

Page<AccountRow> members(Connection& connection, RoomId room, const PageQuery& page) {
  return accounts_in(connection, "room_members", room, page);
}

Page<AccountRow> blocked(Connection& connection, RoomId room, const PageQuery& page) {
  return accounts_in(connection, "blocked_members", room, page);
}

}  // namespace parley::db::rooms
