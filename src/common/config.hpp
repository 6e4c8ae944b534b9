#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace parley {

// Every setting of a parley-server node. Each field is declared once in the
// registry in config.cpp, which gives its flag (--name), its environment
// variable (PARLEY_NAME), its unit, its default and its bounds. The defaults
// run the local development cluster.
struct Config {
  // WebSocket and HTTP listener.
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  int io_threads = 2;
  // Public WebSocket URL of this node, as clients should reach it. Empty:
  // ws://<listen_address>:<port>/.
  std::string public_url;

  // WebSocket limits.
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_send_queue_bytes = 4 * 1024 * 1024;
  // Longest time a push waits for other pushes of its I/O thread, so that
  // they share socket writes. 0 writes it at the end of the thread's turn.
  // In the fanout benchmark, 1 ms instead of 0 cut the nodes' CPU per
  // delivery by about a fifth at 200 to 400 messages/s and lowered p99.
  int push_flush_delay_us = 1000;
  // Recent messages each node keeps per room for clients that resume with
  // afterMessageId, by count and by age.
  std::size_t resume_window_messages = 1000;
  int resume_window_age_s = 600;
  // The server pings after ping_interval_s without a received frame and
  // closes the connection when pong_timeout_s more pass without one.
  int ping_interval_s = 20;
  int pong_timeout_s = 20;
  int handshake_timeout_s = 10;
  // Time from the WebSocket handshake to the first login.
  int login_timeout_s = 60;
  // Time a node shutting down gives its clients to receive the replies of
  // requests in flight and the 1012 close.
  int shutdown_timeout_s = 10;

  // PostgreSQL.
  std::string database_url = "postgresql://parley@127.0.0.1:55432/parley";
  int db_pool_size = 8;
  int db_queue_limit = 4096;
  int db_statement_timeout_ms = 5000;
  // Per-node caches that let send work while PostgreSQL is down.
  std::size_t membership_cache_entries = 100000;
  std::size_t client_message_id_cache_entries = 100000;

  // Kafka.
  std::string kafka_bootstrap_servers = "127.0.0.1:9092";
  std::string kafka_messages_topic = "messages";
  std::string kafka_history_group = "parley-history";
  int kafka_produce_timeout_ms = 5000;
  // librdkafka's own default (CONFIGURATION.md of librdkafka 2.0.2). In the
  // rooms benchmark, 5 ms instead of 1 ms halved the nodes' CPU per send.
  int kafka_linger_ms = 5;
  // Longest a broker keeps a fetch open when no new record is there. It
  // bounds the delivery latency of an idle room, so it stays small.
  int kafka_fetch_wait_max_ms = 5;
  int history_batch_max = 1000;
  int history_batch_wait_ms = 20;

  // Accounts and passwords. Argon2id parameters follow the OWASP password
  // storage guidance (19 MiB, 2 passes, parallelism 1).
  int argon2_ops_limit = 2;
  std::size_t argon2_mem_limit_kib = 19 * 1024;
  int hash_threads = 2;
  int login_failures_per_account_per_minute = 20;
  int login_failures_per_address_per_minute = 200;
  // Lifetime of a token from createToken: 30 days.
  int token_ttl_s = 30 * 24 * 3600;

  std::string log_level = "info";
};

// One setting as shown by --help.
struct SettingInfo {
  std::string flag;          // e.g. "--port"
  std::string env_variable;  // e.g. "PARLEY_PORT"
  std::string unit;          // e.g. "port number", "milliseconds"
  std::string description;
  std::string default_value;
};

// Returns the registry, in the order --help lists it.
std::vector<SettingInfo> describe_settings();

// Returns the --help text: usage and every setting with unit and default.
std::string help_text(const std::string& program);

// Builds the configuration from the defaults, then PARLEY_* variables in
// `environment`, then `arguments` (flags win over variables). A flag is
// written --name=value or --name value. An unknown flag, a missing value or
// a value out of bounds yields an Error whose message names the setting,
// the value given and the accepted range.
Result<Config> parse_config(const std::vector<std::string>& arguments,
                            const std::map<std::string, std::string>& environment);

// Returns the PARLEY_* variables of the process environment.
std::map<std::string, std::string> parley_environment();

// Returns the PARLEY_* variables in `environment` that name no setting, so
// the caller can warn about a misspelt variable.
std::vector<std::string> unknown_variables(const std::map<std::string, std::string>& environment);

// Returns a libpq connection string with its password replaced by ***.
std::string mask_password(const std::string& conninfo);

// Returns "name=value" pairs of the effective configuration for the start-up
// log. The password of database_url is masked.
std::string summarize(const Config& config);

}  // namespace parley
