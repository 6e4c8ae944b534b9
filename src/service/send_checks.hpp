#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "common/error.hpp"
#include "db/pool.hpp"
#include "kafka/records.hpp"
#include "service/client_connection.hpp"
#include "service/client_message_id_cache.hpp"
#include "service/membership_cache.hpp"

namespace parley::service {

// Accepts or rejects a send before it is produced to Kafka: the sender must
// be a member of the room, and a clientMessageId seen before gives the send
// the id and timestamp of its first attempt.
//
// Membership is read from PostgreSQL, so a removal that replied stops the
// member's sends on every node. Checks are batched like a group commit: a
// send that arrives while no batch runs starts one at once, and the sends
// that arrive while batches run wait for the next one, which checks all of
// them with one query. An idle node therefore adds no wait, and a busy one
// sends PostgreSQL one query for many sends instead of one query each.
//
// check() may be called from any thread.
class SendChecks {
 public:
  using Done = std::function<void(Result<kafka::RoomMessageRecord>)>;

  // Batches that run at once, each on a database pool thread.
  static constexpr int kMaxRunningBatches = 2;
  // Sends checked by one query at most.
  static constexpr std::size_t kMaxBatchSize = 500;

  SendChecks(db::Pool& pool, MembershipCache& memberships,
             ClientMessageIdCache& client_message_ids);
  SendChecks(const SendChecks&) = delete;
  SendChecks& operator=(const SendChecks&) = delete;

  // Checks `record`, whose sender sent it on `connection`, and runs
  // done(accepted record or error) on the connection's executor. `before`
  // is the membership cache's snapshot of the room taken before this call.
  // Errors: 403 `Cannot send message: not a member`, 400 for a
  // clientMessageId first sent to another room, 503 when PostgreSQL is
  // unavailable, 500 for any other database failure.
  void check(std::shared_ptr<ClientConnection> connection, kafka::RoomMessageRecord record,
             MembershipCache::Snapshot before, Done done);

  // Accepts `record` without PostgreSQL, for a sender that the membership
  // cache contains as a member. A clientMessageId the node has not cached is
  // remembered in memory until PostgreSQL returns. Returns 503 when the
  // cache does not know the sender as a member.
  Result<kafka::RoomMessageRecord> accept_from_cache(kafka::RoomMessageRecord record);

  // Membership queries run, and the sends they checked. Their ratio is the
  // mean batch size.
  std::uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  std::uint64_t checked_sends() const { return checked_sends_.load(std::memory_order_relaxed); }

 private:
  struct Candidate {
    std::shared_ptr<ClientConnection> connection;
    kafka::RoomMessageRecord record;
    MembershipCache::Snapshot before;
    Done done;
  };
  using Batch = std::vector<Candidate>;

  // Moves up to kMaxBatchSize pending sends into a batch. Called with
  // mutex_ held.
  Batch take_batch();
  // Queues `batch` as a pool task, which ends by starting the next batch.
  // Called for a batch already counted in running_batches_.
  void start(Batch batch);
  // Takes the next batch of pending sends, or, when none is pending, counts
  // one running batch less and returns std::nullopt.
  std::optional<Batch> next_batch();
  // Starts the next batch, if any, when a batch ended.
  void start_next();
  void run_batch(db::Connection& database, Batch& batch);
  // Finishes every send of `batch` not finished yet with `error`.
  void fail(Batch& batch, const Error& error) noexcept;
  Result<kafka::RoomMessageRecord> remember_client_message_id(db::Connection& database,
                                                              kafka::RoomMessageRecord record);
  static void finish(Candidate& candidate, Result<kafka::RoomMessageRecord> result);

  db::Pool& pool_;
  MembershipCache& memberships_;
  ClientMessageIdCache& client_message_ids_;

  std::mutex mutex_;
  Batch pending_;
  int running_batches_ = 0;

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> checked_sends_{0};
};

}  // namespace parley::service
