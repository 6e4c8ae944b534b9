#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "common/config.hpp"
#include "common/message_id.hpp"
#include "common/recent_ids.hpp"
#include "db/pool.hpp"
#include "kafka/fanout_consumer.hpp"
#include "kafka/history_writer.hpp"
#include "kafka/outbox_relay.hpp"
#include "kafka/producer.hpp"
#include "net/io_pool.hpp"
#include "net/listener.hpp"
#include "server/health.hpp"
#include "server/metrics.hpp"
#include "service/dispatcher.hpp"
#include "service/login_limiter.hpp"
#include "service/passwords.hpp"
#include "service/services.hpp"

namespace parley::server {

// The composition root: one Parley node with all its components, started in
// dependency order and stopped in reverse.
class Node {
 public:
  // Message ids a node remembers to push a retried message only once.
  static constexpr std::size_t kPushedIdsWindow = 1 << 16;

  explicit Node(Config config);
  ~Node();

  // Migrates the database, leases a node id, connects to Kafka, starts the
  // consumers and opens the listener. The Error names the step that failed.
  Status start();
  // Stops accepting, stops the consumers, flushes the producer and joins
  // every thread.
  void stop();

 private:
  Status prepare_database();
  // Queues the I/O-thread work of one Kafka record in pending_work_.
  void deliver(const kafka::Record& record);
  // Posts the queued work of one consumer poll round to every I/O thread as
  // one handler, so that each connection's pushes of the round leave in one
  // socket write.
  void post_pending_work();
  void renew_lease_until_stopped();
  std::string public_url() const;

  Config config_;
  std::int64_t node_id_ = 0;
  std::unique_ptr<MessageIdGenerator> message_ids_;
  // Ids of the messages pushed lately; owned by the fan-out consumer thread.
  // NOTE: a retried send is pushed again when more than kPushedIdsWindow
  // other messages passed this node in between, or the node restarted.
  RecentIds pushed_ids_{kPushedIdsWindow};
  // Work for every I/O thread from the records of the current poll round,
  // in record order; owned by the fan-out consumer thread.
  std::vector<std::function<void(net::IoThread&)>> pending_work_;
  std::unique_ptr<db::Pool> database_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::FanoutConsumer> fanout_;
  std::unique_ptr<kafka::HistoryWriter> history_;
  std::unique_ptr<kafka::OutboxRelay> outbox_relay_;
  boost::asio::thread_pool hashing_;
  boost::asio::thread_pool blocking_{1};
  std::unique_ptr<service::PasswordHasher> passwords_;
  std::unique_ptr<service::LoginLimiter> login_limiter_;
  std::unique_ptr<service::MembershipCache> memberships_;
  std::unique_ptr<service::ClientMessageIdCache> client_message_ids_;
  std::unique_ptr<service::SendChecks> send_checks_;
  std::unique_ptr<service::Services> services_;
  service::Dispatcher dispatcher_;
  NodeMetrics metrics_;
  std::unique_ptr<HealthEndpoints> health_;
  net::IoPool io_pool_;
  std::shared_ptr<net::Listener> listener_;

  std::mutex lease_mutex_;
  std::condition_variable lease_wakeup_;
  bool stopping_ = false;
  std::thread lease_thread_;
};

}  // namespace parley::server
