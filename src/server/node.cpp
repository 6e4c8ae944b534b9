#include "server/node.hpp"

#include <fmt/format.h>

#include "common/logging.hpp"
#include "common/thread_name.hpp"
#include "db/client_messages.hpp"
#include "db/migrate.hpp"
#include "db/node_id.hpp"
#include "protocol/binary/frames.hpp"
#include "protocol/time_zone.hpp"
#include "protocol/views.hpp"

namespace parley::server {
namespace {

// How long start() keeps retrying PostgreSQL before giving up, so that a
// node started together with its database does not fail at once.
constexpr auto kDatabaseStartupWait = std::chrono::seconds(30);
// How long a clientMessageId is remembered: a retry within this time gets
// the first message's id. The protocol promises at least 24 hours.
constexpr auto kClientMessageIdRetention = std::chrono::hours(48);
// Lease renewals between two deletions of expired clientMessageIds.
constexpr int kRenewalsPerCleanup = 120;

template <typename... Visitors>
struct Overloaded : Visitors... {
  using Visitors::operator()...;
};
template <typename... Visitors>
Overloaded(Visitors...) -> Overloaded<Visitors...>;

}  // namespace

Node::Node(Config config)
    : config_(std::move(config)),
      hashing_(static_cast<std::size_t>(config_.hash_threads)),
      io_pool_(config_.io_threads, config_.resume_window_messages,
               std::chrono::seconds(config_.resume_window_age_s),
               std::chrono::microseconds(config_.push_flush_delay_us)) {
  // Made here because the fan-out consumer and the lease thread use them
  // before start() builds the services.
  memberships_ = std::make_unique<service::MembershipCache>(config_.membership_cache_entries);
  client_message_ids_ =
      std::make_unique<service::ClientMessageIdCache>(config_.client_message_id_cache_entries);
}

Node::~Node() { stop(); }

Status Node::prepare_database() {
  auto log = logger("db");
  auto deadline = std::chrono::steady_clock::now() + kDatabaseStartupWait;
  auto delay = std::chrono::milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    try {
      auto connection = db::Connection::open(config_.database_url, config_.db_statement_timeout_ms);
      db::migrate(*connection);
      node_id_ = db::acquire_node_id(*connection);
      db::record_node_url(*connection, node_id_, public_url());
      return Done{};
    } catch (const db::DbError& error) {
      if (!error.connection_lost() || std::chrono::steady_clock::now() + delay > deadline) {
        return Error{1, fmt::format("PostgreSQL at {} is not usable: {}; check --database-url "
                                    "and that the server runs",
                                    mask_password(config_.database_url), error.what())};
      }
      log->warn("PostgreSQL not reachable (attempt {}), retrying in {} ms: {}", attempt,
                delay.count(), error.what());
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
  }
}

Status Node::start() {
  logger("server")->info("starting node: {}", summarize(config_));
  // Reads every time zone file now, so listMessages never reads one on an
  // I/O thread.
  protocol::TimeZoneDatabase::system().preload();
  if (auto prepared = prepare_database(); !prepared) return prepared;
  message_ids_ = std::make_unique<MessageIdGenerator>(node_id_);
  logger("server")->info("leased node id {}", node_id_);
  lease_thread_ = std::thread([this] {
    set_thread_name("parley-lease");
    renew_lease_until_stopped();
  });

  database_ = std::make_unique<db::Pool>(config_.database_url, config_.db_pool_size,
                                         config_.db_queue_limit, config_.db_statement_timeout_ms);
  auto producer = kafka::Producer::create(config_);
  if (!producer) return Error{1, "Kafka producer: " + producer.error().message};
  producer_ = std::move(producer.value());
  producer_->set_delivery_observer([this](auto latency, bool acknowledged) {
    metrics_.produce_latency.observe(
        std::chrono::duration_cast<std::chrono::microseconds>(latency));
    if (!acknowledged) metrics_.produce_errors.add();
  });

  fanout_ = std::make_unique<kafka::FanoutConsumer>(
      config_,
      [this](const kafka::Record& record, std::int32_t, std::int64_t) { deliver(record); });
  fanout_->set_batch_end_handler([this] { post_pending_work(); });
  if (auto started = fanout_->start(); !started) {
    return Error{1, fmt::format("Kafka at {} is not usable: {}; check --kafka-bootstrap-servers",
                                config_.kafka_bootstrap_servers, started.error().message)};
  }
  history_ = std::make_unique<kafka::HistoryWriter>(config_);
  if (auto started = history_->start(); !started) {
    return Error{1, "history writer: " + started.error().message};
  }

  outbox_relay_ = std::make_unique<kafka::OutboxRelay>(config_, *producer_);
  outbox_relay_->start();

  passwords_ = std::make_unique<service::PasswordHasher>(config_.argon2_ops_limit,
                                                         config_.argon2_mem_limit_kib);
  login_limiter_ = std::make_unique<service::LoginLimiter>(
      config_.login_failures_per_account_per_minute, config_.login_failures_per_address_per_minute);
  send_checks_ =
      std::make_unique<service::SendChecks>(*database_, *memberships_, *client_message_ids_);
  services_ = std::make_unique<service::Services>(
      service::Services{config_, *database_, *producer_, hashing_, *passwords_, *login_limiter_,
                        *message_ids_, *memberships_, *client_message_ids_, *send_checks_});
  service::register_account_handlers(dispatcher_, *services_);
  service::register_room_handlers(dispatcher_, *services_);
  service::register_message_handlers(dispatcher_, *services_);
  service::register_token_handlers(dispatcher_, *services_);

  health_ = std::make_unique<HealthEndpoints>(
      *database_, *producer_, blocking_,
      [this] {
        return boost::json::object{{"nodeId", std::to_string(message_ids_->node_id())},
                                   {"url", public_url()},
                                   {"relaysOutbox", outbox_relay_->is_leader()}};
      },
      [this] {
        return render_metrics({io_pool_, metrics_, *database_, *history_, *send_checks_});
      });
  listener_ = std::make_shared<net::Listener>(io_pool_, config_, dispatcher_, *health_);
  if (auto opened = listener_->open(); !opened) return opened;
  io_pool_.start();
  listener_->start_accepting();
  logger("server")->info("node {} serving WebSocket on {}", node_id_, public_url());
  return Done{};
}

std::string Node::public_url() const {
  if (!config_.public_url.empty()) return config_.public_url;
  return fmt::format("ws://{}:{}/", config_.listen_address, config_.port);
}

void Node::deliver(const kafka::Record& record) {
  std::visit(
      Overloaded{
          [this](const kafka::RoomMessageRecord& message) {
            if (!pushed_ids_.insert(message.message_id)) return;
            metrics_.fanout_messages.add();
            metrics_.fanout_delay.observe(std::chrono::duration_cast<std::chrono::microseconds>(
                now_utc() - message.timestamp));
            // Serialized once per wire format; every I/O thread and every
            // recipient shares these bytes.
            const protocol::MessageInfo info{message.message_id, message.sender_id, message.room_id,
                                             message.text, message.timestamp};
            auto frame = std::make_shared<const net::PushFrame>(
                net::PushFrame{{protocol::serialize_push(info), false},
                               {protocol::binary::serialize_push(info), true}});
            pending_work_.emplace_back([frame, room = message.room_id, id = message.message_id,
                                        timestamp = message.timestamp](net::IoThread& thread) {
              thread.recent.append(room, id, timestamp, frame);
              thread.metrics.push_deliveries.add(thread.registry.deliver(room, frame));
            });
          },
          [this](const kafka::LeaveRoomEvent& event) {
            if (event.is_owner) {
              memberships_->remove_room(event.room_id);
            } else {
              memberships_->remove(event.room_id, {&event.account_id, 1});
            }
            pending_work_.emplace_back([event](net::IoThread& thread) {
              if (event.is_owner) {
                thread.registry.evict_room(event.room_id);
                thread.recent.erase_room(event.room_id);
              } else {
                thread.registry.evict_accounts(event.room_id, {&event.account_id, 1});
              }
            });
          },
          [this](const kafka::RemoveMembersEvent& event) {
            memberships_->remove(event.room_id, event.member_ids);
            pending_work_.emplace_back([event](net::IoThread& thread) {
              thread.registry.evict_accounts(event.room_id, event.member_ids);
            });
          },
          [this](const kafka::BlockMembersEvent& event) {
            memberships_->remove(event.room_id, event.member_ids);
            pending_work_.emplace_back([event](net::IoThread& thread) {
              thread.registry.evict_accounts(event.room_id, event.member_ids);
            });
          },
      },
      record);
}

void Node::post_pending_work() {
  if (pending_work_.empty()) return;
  auto work = std::make_shared<const std::vector<std::function<void(net::IoThread&)>>>(
      std::move(pending_work_));
  pending_work_.clear();
  io_pool_.post_to_all([work](net::IoThread& thread) {
    for (const auto& item : *work) item(thread);
  });
}

void Node::renew_lease_until_stopped() {
  auto log = logger("server");
  std::unique_ptr<db::Connection> connection;
  int renewals = 0;
  std::unique_lock lock(lease_mutex_);
  while (!lease_wakeup_.wait_for(lock, db::kNodeLeaseRenewInterval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (!connection || !connection->ok()) {
        connection = db::Connection::open(config_.database_url, config_.db_statement_timeout_ms);
      }
      if (!db::renew_node_lease(*connection, node_id_)) {
        // The lease expired (the database was unreachable for a whole lease)
        // and another node took the id: continue under a fresh one.
        std::int64_t fresh = db::acquire_node_id(*connection);
        db::record_node_url(*connection, fresh, public_url());
        log->warn("node id {} was leased to another node; switching to node id {}", node_id_,
                  fresh);
        node_id_ = fresh;
        message_ids_->set_node_id(fresh);
      }
      // The clientMessageIds this node accepted while PostgreSQL was down,
      // so that a retry on another node finds them.
      client_message_ids_->write_back(*connection);
      // Every node runs the cleanup; the deletes are idempotent.
      if (++renewals % kRenewalsPerCleanup == 0) {
        db::client_messages::forget_older_than(
            *connection,
            std::chrono::duration_cast<std::chrono::milliseconds>(kClientMessageIdRetention));
      }
    } catch (const std::exception& error) {
      log->warn("renewing the lease of node id {} failed, retrying in {} ms: {}", node_id_,
                db::kNodeLeaseRenewInterval.count(), error.what());
      connection.reset();
    }
    lock.lock();
  }
  lock.unlock();
  if (connection) {
    try {
      db::release_node_lease(*connection, node_id_);
    } catch (const std::exception& error) {
      log->info("releasing node id {} failed: {}", node_id_, error.what());
    }
  }
}

void Node::stop() {
  if (listener_) {
    listener_->close();
    // Requests in flight still reach the database and Kafka, so the
    // sessions close before anything else stops.
    std::size_t left = io_pool_.close_sessions(std::chrono::seconds(config_.shutdown_timeout_s));
    if (left > 0) {
      logger("server")->warn("{} connections still open after {} s; dropping them", left,
                             config_.shutdown_timeout_s);
    }
    listener_.reset();
  }
  {
    std::lock_guard lock(lease_mutex_);
    stopping_ = true;
  }
  lease_wakeup_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  if (outbox_relay_) outbox_relay_->stop();
  if (fanout_) fanout_->stop();
  if (history_) history_->stop();
  io_pool_.stop();
  hashing_.join();
  blocking_.join();
  if (producer_) producer_->flush(std::chrono::milliseconds(config_.kafka_produce_timeout_ms));
  if (database_) database_->stop();
}

}  // namespace parley::server
