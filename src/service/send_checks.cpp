#include "service/send_checks.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <fmt/format.h>

#include "common/logging.hpp"
#include "db/client_messages.hpp"
#include "db/rooms.hpp"
#include "service/database_call.hpp"

namespace parley::service {
namespace {

using kafka::RoomMessageRecord;

const Error kSendNotMember{403, "Cannot send message: not a member"};

db::client_messages::RememberedMessage remembered(const RoomMessageRecord& record) {
  return {record.message_id, record.room_id, record.timestamp};
}

// Gives `record` the id and timestamp its clientMessageId was first sent
// with, or fails when that first send went to another room.
Result<RoomMessageRecord> reuse_first(RoomMessageRecord record,
                                      const db::client_messages::RememberedMessage& first) {
  if (first.room_id != record.room_id) return Error{400, "Missing or invalid: clientMessageId"};
  // A retry: produce the first attempt's id again, since that attempt may
  // never have reached Kafka. History stores one row per id and each node
  // pushes one id once, so a second copy changes nothing.
  record.message_id = first.message_id;
  record.timestamp = first.timestamp;
  return record;
}

}  // namespace

SendChecks::SendChecks(db::Pool& pool, MembershipCache& memberships,
                       ClientMessageIdCache& client_message_ids)
    : pool_(pool), memberships_(memberships), client_message_ids_(client_message_ids) {}

void SendChecks::check(std::shared_ptr<ClientConnection> connection, RoomMessageRecord record,
                       MembershipCache::Snapshot before, Done done) {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(connection), std::move(record), before, std::move(done)});
    // A running batch starts the next one when it ends.
    if (running_batches_ >= kMaxRunningBatches) return;
    ++running_batches_;
    batch = take_batch();
  }
  start(std::move(batch));
}

void SendChecks::start(Batch batch) {
  for (;;) {
    // std::function needs a copyable callable, so both callables share the
    // batch.
    auto shared = std::make_shared<Batch>(std::move(batch));
    // Each batch is a pool task of its own, so other database work queued
    // meanwhile runs in between, and a broken connection is reopened.
    bool queued = pool_.submit(
        [this, shared](db::Connection& database) {
          try {
            run_batch(database, *shared);
          } catch (const std::exception& error) {
            // run_batch() maps database errors itself, so this is a fault in
            // Parley.
            logger("service")->error("checking {} sends failed: {}", shared->size(), error.what());
            fail(*shared, kInternalError);
          }
          start_next();
        },
        [this, shared] {
          fail(*shared, kDatabaseUnavailable);
          start_next();
        });
    if (queued) return;
    logger("db")->warn("database queue full or pool stopping; replying 503 to {} send(s)",
                       shared->size());
    fail(*shared, kDatabaseUnavailable);
    auto next = next_batch();
    if (!next) return;
    batch = std::move(*next);
  }
}

void SendChecks::start_next() {
  if (auto next = next_batch()) start(std::move(*next));
}

std::optional<SendChecks::Batch> SendChecks::next_batch() {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) {
    --running_batches_;
    return std::nullopt;
  }
  return take_batch();
}

void SendChecks::fail(Batch& batch, const Error& error) noexcept {
  for (Candidate& candidate : batch) {
    try {
      finish(candidate, error);
    } catch (const std::exception& failure) {
      logger("service")->error("[C{}] replying to a send failed: {}",
                               candidate.connection->connection_id(), failure.what());
    }
  }
}

Result<RoomMessageRecord> SendChecks::accept_from_cache(RoomMessageRecord record) {
  if (!memberships_.contains(record.room_id, record.sender_id)) return kDatabaseUnavailable;
  if (!record.client_message_id) return record;
  auto first = client_message_ids_.remember_pending(record.sender_id, *record.client_message_id,
                                                    remembered(record));
  if (first) return reuse_first(std::move(record), *first);
  return record;
}

SendChecks::Batch SendChecks::take_batch() {
  Batch batch;
  const std::size_t count = std::min(pending_.size(), kMaxBatchSize);
  batch.reserve(count);
  std::move(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count),
            std::back_inserter(batch));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  return batch;
}

void SendChecks::run_batch(db::Connection& database, Batch& batch) {
  std::vector<db::rooms::Membership> memberships;
  memberships.reserve(batch.size());
  for (const Candidate& candidate : batch) {
    memberships.push_back({candidate.record.room_id, candidate.record.sender_id});
  }
  std::vector<bool> members;
  try {
    members = db::rooms::members_among(database, memberships);
  } catch (const std::exception&) {
    fail(batch, database_failure(fmt::format("[send checks of {}]", batch.size())));
    return;
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  checked_sends_.fetch_add(batch.size(), std::memory_order_relaxed);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Candidate& candidate = batch[i];
    if (!members[i]) {
      finish(candidate, kSendNotMember);
      continue;
    }
    memberships_.store(candidate.record.room_id, candidate.record.sender_id, candidate.before);
    // NOTE: each clientMessageId still costs an INSERT of its own, and the
    // sends of a batch wait for them one after another.
    Result<RoomMessageRecord> accepted = kInternalError;
    try {
      accepted = remember_client_message_id(database, std::move(candidate.record));
    } catch (const std::exception&) {
      accepted = database_failure(fmt::format("[C{}]", candidate.connection->connection_id()));
    }
    finish(candidate, std::move(accepted));
  }
}

// Looks the clientMessageId up in the node's cache, then in PostgreSQL,
// recording it there when it is new.
Result<RoomMessageRecord> SendChecks::remember_client_message_id(db::Connection& database,
                                                                 RoomMessageRecord record) {
  if (!record.client_message_id) return record;
  const std::string& client_message_id = *record.client_message_id;
  if (auto first = client_message_ids_.find(record.sender_id, client_message_id)) {
    return reuse_first(std::move(record), *first);
  }
  auto first = db::client_messages::remember(database, record.sender_id, client_message_id,
                                             remembered(record));
  client_message_ids_.store_confirmed(record.sender_id, client_message_id,
                                      first.value_or(remembered(record)));
  if (first) return reuse_first(std::move(record), *first);
  return record;
}

void SendChecks::finish(Candidate& candidate, Result<RoomMessageRecord> result) {
  if (!candidate.done) return;
  auto executor = candidate.connection->executor();
  // Emptied only once the executor is known, so that a send whose reply
  // could not be handed over can still get an error, and none gets two.
  Done done = std::exchange(candidate.done, nullptr);
  boost::asio::dispatch(executor, [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

}  // namespace parley::service
