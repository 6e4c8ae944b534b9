#pragma once

#include <cstdint>
#include <memory>

#include "common/config.hpp"
#include "common/error.hpp"

namespace parley::kafka {

// Stores room messages from the messages topic in PostgreSQL. All nodes
// share the consumer group config.kafka_history_group, so each partition,
// and therefore each message, is stored by one node at a time.
//
// It collects up to config.history_batch_max RoomMessage records, or what
// arrived within config.history_batch_wait_ms of the first one, inserts them
// with db::messages::insert_batch in one transaction and, only after that
// transaction committed, commits the Kafka offsets synchronously. Events and
// records that fail to decode (logged, rate-limited) are skipped. So are the
// rows that insert_batch skips because their room or sender was deleted or
// PostgreSQL cannot store their text. The offsets of all skipped records are
// committed with the batch. A failed insert or
// commit keeps the batch and is retried with capped exponential backoff,
// reconnecting when the connection was lost, so no offset is committed past
// a message that could be stored but is not. When a partition is revoked
// the uncommitted batch is dropped, and the new owner reads it again; this
// is safe because inserts are idempotent by message id. A new group starts
// at the earliest offset, so it stores everything still in the topic.
class HistoryWriter {
 public:
  // Opens no connection yet: the writer thread opens its db::Connection from
  // config.database_url and reopens it whenever it is lost.
  explicit HistoryWriter(const Config& config);
  ~HistoryWriter();  // calls stop()

  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Creates the consumer, subscribes to config.kafka_messages_topic and
  // starts the writer thread. Fails with Error{500, ...} when librdkafka
  // rejects the configuration.
  Status start();

  // Stores the batch in hand (one attempt), commits its offsets, leaves the
  // consumer group and joins the writer thread. Safe to call more than once.
  void stop();

  // Rows inserted so far. Rows that already existed are not counted.
  std::int64_t stored_count() const;
  // Milliseconds from the accept time of the oldest message of the last
  // stored batch until that batch committed; 0 before the first batch.
  std::int64_t lag_ms() const;
  // Partitions the consumer group assigned to this writer; 0 before the
  // first assignment and while a rebalance has revoked them.
  int assigned_partitions() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::kafka
