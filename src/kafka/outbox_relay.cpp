#include "kafka/outbox_relay.hpp"

#include <future>

#include "common/logging.hpp"
#include "common/thread_name.hpp"
#include "db/advisory_locks.hpp"
#include "db/connection.hpp"
#include "db/outbox.hpp"

namespace parley::kafka {
namespace {

// Rows read from the outbox per query.
constexpr std::size_t kBatchRows = 500;
// How often a node without the lock tries to take it.
constexpr auto kLockRetryInterval = std::chrono::milliseconds(1000);
// Longest the leader sleeps on LISTEN before it looks at the table anyway,
// in case a notification was lost with a reconnect.
constexpr auto kNotificationWait = std::chrono::milliseconds(1000);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

}  // namespace

// The relay's database connection and whether it holds the lock.
class RelaySession {
 public:
  std::unique_ptr<db::Connection> connection;
  bool holds_lock = false;
};

OutboxRelay::OutboxRelay(const Config& config, Producer& producer)
    : config_(config), producer_(producer) {}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::start() {
  stopping_ = false;
  thread_ = std::thread([this] {
    set_thread_name("parley-outbox");
    run();
  });
}

void OutboxRelay::stop() {
  {
    // Taken so that a sleeper cannot miss the notification between its
    // check and its wait.
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool OutboxRelay::sleep_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wakeup_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

bool OutboxRelay::publish_pending(RelaySession& session) {
  for (;;) {
    auto rows = db::outbox::after_position(*session.connection, kBatchRows);
    if (rows.empty()) return true;
    for (const auto& row : rows) {
      std::promise<Status> delivered;
      auto result = delivered.get_future();
      producer_.produce(config_.kafka_messages_topic, row.room_id, row.data,
                        [&delivered](Status status) { delivered.set_value(std::move(status)); });
      Status status = result.get();
      if (!status) {
        logger("kafka")->warn("outbox row {} of room {} not published: {}", row.id, row.room_id,
                              status.error().message);
        return false;
      }
      db::outbox::save_position(*session.connection, row.id);
      published_.fetch_add(1);
    }
  }
}

void OutboxRelay::run() {
  auto log = logger("kafka");
  RelaySession session;
  auto backoff = std::chrono::milliseconds(100);
  do {
    try {
      if (!session.connection || !session.connection->ok()) {
        session.holds_lock = false;
        leader_ = false;
        session.connection =
            db::Connection::open(config_.database_url, config_.db_statement_timeout_ms);
      }
      if (!session.holds_lock) {
        if (!db::try_lock_session(*session.connection, db::kOutboxRelayLockKey)) {
          continue;  // waits kLockRetryInterval in the loop condition
        }
        session.holds_lock = true;
        leader_ = true;
        session.connection->listen(db::kOutboxChannel);
        log->info("this node now relays the outbox");
      }
      if (!publish_pending(session)) {
        if (!sleep_for(backoff)) break;
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      backoff = std::chrono::milliseconds(100);
      // Drain notifications until one arrives or the wait ends; either way
      // the table is read again.
      session.connection->wait_for_notification(kNotificationWait);
    } catch (const std::exception& error) {
      log->warn("outbox relay: {}; reconnecting in {} ms", error.what(), backoff.count());
      session.connection.reset();
      session.holds_lock = false;
      leader_ = false;
      if (!sleep_for(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  } while (session.holds_lock ? !stopping_ : sleep_for(kLockRetryInterval));
  leader_ = false;
}

}  // namespace parley::kafka
