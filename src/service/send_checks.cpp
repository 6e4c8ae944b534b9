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
    // A running batch takes this send when it ends.
    if (running_batches_ >= kMaxRunningBatches) return;
    ++running_batches_;
    batch = take_batch();
  }
  // std::function needs a copyable callable, so both callables share the
  // batch, and whichever of them runs moves it out.
  auto shared = std::make_shared<Batch>(std::move(batch));
  bool queued = pool_.submit(
      [this, shared](db::Connection& database) { run_batches(database, std::move(*shared)); },
      [this, shared] { fail_batches(std::move(*shared)); });
  if (!queued) {
    logger("db")->warn("database queue full; replying 503 to {} send(s)", shared->size());
    fail_batches(std::move(*shared));
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

void SendChecks::run_batches(db::Connection& database, Batch batch) {
  for (;;) {
    try {
      run_batch(database, batch);
    } catch (const std::exception& error) {
      // run_batch() maps database errors itself, so this is a fault in
      // Parley. The sends still get a reply, and the count of running
      // batches stays right, so later sends are checked.
      logger("service")->error("checking {} sends failed: {}", batch.size(), error.what());
      for (Candidate& candidate : batch) {
        if (candidate.done) finish(candidate, kInternalError);
      }
    }
    std::lock_guard lock(mutex_);
    if (pending_.empty()) {
      --running_batches_;
      return;
    }
    batch = take_batch();
  }
}

void SendChecks::fail_batches(Batch batch) {
  for (;;) {
    for (Candidate& candidate : batch) finish(candidate, kDatabaseUnavailable);
    std::lock_guard lock(mutex_);
    if (pending_.empty()) {
      --running_batches_;
      return;
    }
    batch = take_batch();
  }
}

void SendChecks::run_batch(db::Connection& database, Batch& batch) {
  std::vector<db::rooms::Membership> memberships;
  memberships.reserve(batch.size());
  for (const Candidate& candidate : batch) {
    memberships.push_back({candidate.record.room_id, candidate.record.sender_id});
  }
  std::vector<bool> members;
  batches_.fetch_add(1, std::memory_order_relaxed);
  checked_sends_.fetch_add(batch.size(), std::memory_order_relaxed);
  try {
    members = db::rooms::members_among(database, memberships);
  } catch (const std::exception&) {
    const Error error = database_failure(fmt::format("[send checks of {}]", batch.size()));
    for (Candidate& candidate : batch) finish(candidate, error);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Candidate& candidate = batch[i];
    if (!members[i]) {
      finish(candidate, kSendNotMember);
      continue;
    }
    memberships_.store(candidate.record.room_id, candidate.record.sender_id, candidate.before);
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
  // Emptied here, so that each send is finished once.
  Done done = std::exchange(candidate.done, nullptr);
  if (!done) return;
  boost::asio::dispatch(
      candidate.connection->executor(),
      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

}  // namespace parley::service
