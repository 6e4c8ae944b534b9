#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/types.hpp"
#include "db/connection.hpp"

namespace parley::db::tokens {

// Login tokens are stored only as a hash of the token (`token_hash`, raw
// bytes), so the token itself never reaches the database.

// Stores a token for `account` valid until `expires_at`. Returns false when
// the hash already exists (a token collision) or the account does not exist.
bool create(Connection& connection, std::string_view token_hash, AccountId account,
            Timestamp expires_at);

// Returns the account of the token when it exists, is not revoked and
// expires after `now`.
std::optional<AccountId> find_valid(Connection& connection, std::string_view token_hash,
                                    Timestamp now);

// Marks the token revoked. Returns false when no such token exists.
bool revoke(Connection& connection, std::string_view token_hash);

// Deletes tokens that expired before `cutoff`. Returns the number deleted.
std::size_t delete_expired(Connection& connection, Timestamp cutoff);

}  // namespace parley::db::tokens
