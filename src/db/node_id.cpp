#include "db/node_id.hpp"

#include <random>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>

#include "common/logging.hpp"
#include "common/message_id.hpp"
#include "db/advisory_locks.hpp"
#include "db/sql_text.hpp"

namespace parley::db {

const std::string& default_lease_holder() {
  // The random part distinguishes two processes with the same host name and
  // pid, such as a container restarted as pid 1.
  static const std::string holder = [] {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
    std::random_device random;
    return fmt::format("{}:{}:{:08x}", host, getpid(), random());
  }();
  return holder;
}

std::int64_t acquire_node_id(Connection& connection, const std::string& holder,
                             std::chrono::milliseconds lease) {
  Transaction transaction(connection);
  connection.exec("SELECT pg_advisory_xact_lock($1::bigint)", {sql::to_param(kNodeLeaseLockKey)});
  Rows rows = connection.exec(
      "INSERT INTO node_leases AS l (node_id, holder, expires_at) "
      "SELECT n, $1::text, now() + $2::bigint * interval '1 ms' "
      "FROM generate_series(0, $3::int) AS n "
      "WHERE NOT EXISTS (SELECT 1 FROM node_leases held WHERE held.node_id = n AND held.expires_at "
      "> now()) "
      "ORDER BY n LIMIT 1 "
      "ON CONFLICT (node_id) DO UPDATE SET holder = EXCLUDED.holder, "
      "expires_at = EXCLUDED.expires_at "
      "RETURNING l.node_id",
      {holder, std::to_string(lease.count()), std::to_string(MessageIdGenerator::kMaxNodeId)});
  if (rows.empty()) {
    throw std::runtime_error(
        fmt::format("no free node id: all {} node leases in table node_leases are held",
                    MessageIdGenerator::kMaxNodeId + 1));
  }
  transaction.commit();
  const std::int64_t node_id = rows.int64(0, 0);
  logger("db")->info("leased node id {} for {}", node_id, holder);
  return node_id;
}

bool renew_node_lease(Connection& connection, std::int64_t node_id, const std::string& holder,
                      std::chrono::milliseconds lease) {
  // An expired lease still counts as held while no other node took it.
  Rows rows = connection.exec(
      "UPDATE node_leases SET expires_at = now() + $3::bigint * interval '1 ms' "
      "WHERE node_id = $1::int AND holder = $2::text",
      {sql::to_param(node_id), holder, std::to_string(lease.count())});
  return rows.affected_rows() == 1;
}

void release_node_lease(Connection& connection, std::int64_t node_id, const std::string& holder) {
  connection.exec("DELETE FROM node_leases WHERE node_id = $1::int AND holder = $2::text",
                  {sql::to_param(node_id), holder});
}

bool record_node_url(Connection& connection, std::int64_t node_id, const std::string& public_url,
                     const std::string& holder) {
  Rows rows = connection.exec(
      "UPDATE node_leases SET public_url = $3::text WHERE node_id = $1::int AND holder = $2::text",
      {sql::to_param(node_id), holder, public_url});
  return rows.affected_rows() == 1;
}

std::vector<LiveNode> list_live_nodes(Connection& connection) {
  Rows rows = connection.exec(
      "SELECT node_id, public_url FROM node_leases "
      "WHERE expires_at > now() AND public_url IS NOT NULL ORDER BY node_id");
  std::vector<LiveNode> nodes;
  nodes.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    nodes.push_back({rows.int64(i, 0), rows.string(i, 1)});
  }
  return nodes;
}

}  // namespace parley::db
