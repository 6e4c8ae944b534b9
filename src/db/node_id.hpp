#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace parley::db {

// Node ids for MessageIdGenerator are leased from table node_leases
// (node_id 0..1023, holder, expires_at). A node takes the lowest id whose
// lease is missing or expired, and renews its lease every few seconds. A
// node that dies stops renewing, so its id becomes free once the lease
// expired. All times come from the database clock (now()), so clock skew
// between nodes does not matter. Allocation runs under the transaction
// advisory lock kNodeLeaseLockKey, so concurrent starts get distinct ids.
//
// A node must stop issuing message ids when renew_node_lease() returns false
// or has not succeeded for kNodeLeaseDuration, because another node may then
// hold the same id.
inline constexpr std::chrono::milliseconds kNodeLeaseDuration{30000};
// Suggested renewal interval: a few renewals fit into one lease.
inline constexpr std::chrono::milliseconds kNodeLeaseRenewInterval{5000};

// Returns "<hostname>:<pid>:<random hex>", the same for the whole process,
// which names this process in node_leases.
const std::string& default_lease_holder();

// Leases the lowest free node id for `holder` and returns it. Throws DbError
// on database faults and std::runtime_error when all 1024 ids are leased.
std::int64_t acquire_node_id(Connection& connection,
                             const std::string& holder = default_lease_holder(),
                             std::chrono::milliseconds lease = kNodeLeaseDuration);

// Extends the lease of `node_id` held by `holder` to now() + `lease`.
// Returns false when the lease is no longer held by `holder` (it expired and
// another node took the id). Throws DbError.
bool renew_node_lease(Connection& connection, std::int64_t node_id,
                      const std::string& holder = default_lease_holder(),
                      std::chrono::milliseconds lease = kNodeLeaseDuration);

// Gives up the lease of `node_id` if `holder` holds it, so a restarted node
// can take it at once. Throws DbError.
void release_node_lease(Connection& connection, std::int64_t node_id,
                        const std::string& holder = default_lease_holder());

// Records `public_url` (the WebSocket URL clients use) with the lease of
// `node_id` held by `holder`. Returns false when `holder` does not hold that
// lease. Throws DbError.
bool record_node_url(Connection& connection, std::int64_t node_id, const std::string& public_url,
                     const std::string& holder = default_lease_holder());

// A node whose lease has not expired, with the URL it recorded.
struct LiveNode {
  std::int64_t node_id = 0;
  std::string public_url;
};

// Lists the nodes with an unexpired lease and a recorded URL, by node id.
// A node killed without releasing its lease stays listed until the lease
// expires, up to kNodeLeaseDuration later. Throws DbError.
std::vector<LiveNode> list_live_nodes(Connection& connection);

}  // namespace parley::db
