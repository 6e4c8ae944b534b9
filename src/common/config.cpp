#include "common/config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "common/logging.hpp"

extern char** environ;

namespace parley {
namespace {

// One registry entry. `apply` parses the text and stores it, or returns the
// reason the text is not acceptable.
struct Setting {
  std::string name;  // field name, e.g. "db_pool_size"
  std::string unit;
  std::string description;
  std::function<std::string(const Config&)> show;
  std::function<std::optional<std::string>(Config&, const std::string&)> apply;
};

std::string flag_of(const std::string& name) {
  std::string flag = "--" + name;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

std::string env_of(const std::string& name) {
  std::string variable = "PARLEY_" + name;
  for (char& c : variable) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return variable;
}

template <typename Int>
Setting integer(std::string name, std::string unit, std::string description, Int Config::*field,
                long long min, long long max) {
  Setting setting{std::move(name), std::move(unit), std::move(description), nullptr, nullptr};
  setting.show = [field](const Config& config) { return std::to_string(config.*field); };
  setting.apply = [field, min, max](Config& config,
                                    const std::string& text) -> std::optional<std::string> {
    long long parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size() || parsed < min || parsed > max) {
      return fmt::format("expected an integer from {} to {}", min, max);
    }
    config.*field = static_cast<Int>(parsed);
    return std::nullopt;
  };
  return setting;
}

Setting text(std::string name, std::string unit, std::string description,
             std::string Config::*field, bool allow_empty) {
  Setting setting{std::move(name), std::move(unit), std::move(description), nullptr, nullptr};
  setting.show = [field](const Config& config) { return config.*field; };
  setting.apply = [field, allow_empty](Config& config,
                                       const std::string& value) -> std::optional<std::string> {
    if (value.empty() && !allow_empty) {
      return std::string("expected a non-empty value");
    }
    config.*field = value;
    return std::nullopt;
  };
  return setting;
}

const std::vector<Setting>& registry() {
  constexpr long long kIntMax = std::numeric_limits<int>::max();
  static const std::vector<Setting> settings = {
      text("listen_address", "IP address", "Address the WebSocket and HTTP listener binds to.",
           &Config::listen_address, false),
      integer("port", "TCP port", "Port of the WebSocket and HTTP listener.", &Config::port, 1,
              65535),
      integer("io_threads", "threads", "Threads that run WebSocket connections.",
              &Config::io_threads, 1, 256),
      text("public_url", "URL",
           "WebSocket URL clients use to reach this node. Empty: ws://<listen-address>:<port>/.",
           &Config::public_url, true),
      integer("max_frame_bytes", "bytes",
              "Largest WebSocket message a client may send; larger ones close the connection "
              "with 1009.",
              &Config::max_frame_bytes, 1024, 64LL * 1024 * 1024),
      integer("max_send_queue_bytes", "bytes",
              "Bytes queued for one connection before it is closed as too slow.",
              &Config::max_send_queue_bytes, 64 * 1024, 1LL << 32),
      integer("push_flush_delay_us", "microseconds",
              "Longest time a push waits so that more pushes share its socket write; 0 writes "
              "it at the end of the I/O thread's turn.",
              &Config::push_flush_delay_us, 0, 100000),
      integer("resume_window_messages", "messages",
              "Recent messages kept per room for clients that resume with afterMessageId; older "
              "ones are read from PostgreSQL.",
              &Config::resume_window_messages, 0, 1000000),
      integer("resume_window_age_s", "seconds", "Longest a message stays in the resume window.",
              &Config::resume_window_age_s, 1, 86400),
      integer("ping_interval_s", "seconds",
              "The server pings a WebSocket client after this long without a frame from it.",
              &Config::ping_interval_s, 1, 3600),
      integer("pong_timeout_s", "seconds",
              "A client that sends no frame, pong or other, for this long after a ping is "
              "disconnected.",
              &Config::pong_timeout_s, 1, 3600),
      integer("handshake_timeout_s", "seconds",
              "Time a new TCP connection has to send its HTTP request and complete the WebSocket "
              "handshake; also bounds the WebSocket close handshake.",
              &Config::handshake_timeout_s, 1, 600),
      integer("login_timeout_s", "seconds",
              "Time a WebSocket connection has after the handshake to log in (login or "
              "loginWithToken) before it is closed with 1008 'login timeout'.",
              &Config::login_timeout_s, 1, 86400),
      integer("shutdown_timeout_s", "seconds",
              "On SIGTERM, longest wait for requests in flight and the 1012 close of every "
              "connection.",
              &Config::shutdown_timeout_s, 0, 600),
      text("database_url", "libpq connection string",
           "PostgreSQL to use, as a libpq URI or key=value string.", &Config::database_url, false),
      integer("db_pool_size", "connections",
              "PostgreSQL connections, each served by one worker thread.", &Config::db_pool_size, 1,
              512),
      integer("db_queue_limit", "requests",
              "Database requests that may wait for a connection; beyond that requests fail "
              "with 503.",
              &Config::db_queue_limit, 1, kIntMax),
      integer("db_statement_timeout_ms", "milliseconds",
              "statement_timeout of every PostgreSQL connection.", &Config::db_statement_timeout_ms,
              100, 600000),
      integer("membership_cache_entries", "entries",
              "Room memberships each node caches so that send keeps working while PostgreSQL is "
              "unavailable; 0 disables the cache.",
              &Config::membership_cache_entries, 0, 100000000),
      integer("client_message_id_cache_entries", "entries",
              "clientMessageIds each node keeps in memory, so that a retry on the same node is "
              "recognised while PostgreSQL is down; 0 disables the cache.",
              &Config::client_message_id_cache_entries, 0, 100000000),
      text("kafka_bootstrap_servers", "host:port list", "Kafka bootstrap.servers, comma-separated.",
           &Config::kafka_bootstrap_servers, false),
      text("kafka_messages_topic", "topic", "Kafka topic for room messages and room events.",
           &Config::kafka_messages_topic, false),
      text("kafka_history_group", "consumer group",
           "Consumer group shared by every node's history writer.", &Config::kafka_history_group,
           false),
      integer("kafka_produce_timeout_ms", "milliseconds",
              "Time Kafka has to acknowledge a message before send fails with 503.",
              &Config::kafka_produce_timeout_ms, 100, 300000),
      integer("kafka_linger_ms", "milliseconds", "Producer linger.ms: batching delay.",
              &Config::kafka_linger_ms, 0, 1000),
      integer("kafka_fetch_wait_max_ms", "milliseconds",
              "Consumer fetch.wait.max.ms: how long a broker may hold a fetch open when no "
              "record is waiting.",
              &Config::kafka_fetch_wait_max_ms, 0, 10000),
      integer("history_batch_max", "messages",
              "Most messages the history writer stores in one transaction.",
              &Config::history_batch_max, 1, 100000),
      integer("history_batch_wait_ms", "milliseconds",
              "Longest the history writer waits to fill a batch.", &Config::history_batch_wait_ms,
              0, 10000),
      integer("argon2_ops_limit", "passes", "Argon2id time cost (passes over memory).",
              &Config::argon2_ops_limit, 1, 100),
      integer("argon2_mem_limit_kib", "KiB", "Argon2id memory cost.", &Config::argon2_mem_limit_kib,
              8, 4 * 1024 * 1024),
      integer("hash_threads", "threads", "Threads that hash and verify passwords.",
              &Config::hash_threads, 1, 64),
      integer("login_failures_per_account_per_minute", "failures",
              "Failed logins per account per minute before 429 replies.",
              &Config::login_failures_per_account_per_minute, 1, kIntMax),
      integer("login_failures_per_address_per_minute", "failures",
              "Failed logins per client address per minute before 429 replies.",
              &Config::login_failures_per_address_per_minute, 1, kIntMax),
      integer("token_ttl_s", "seconds",
              "Lifetime of a login token from createToken; it can be revoked earlier by logout.",
              &Config::token_ttl_s, 60, 10LL * 365 * 24 * 3600),
      text("log_level", "level", "Log level: trace, debug, info, warn, error.", &Config::log_level,
           false),
  };
  return settings;
}

const Setting* find_by_flag(const std::string& flag) {
  for (const Setting& setting : registry()) {
    if (flag_of(setting.name) == flag) return &setting;
  }
  return nullptr;
}

std::optional<Error> apply(Config& config, const Setting& setting, const std::string& value,
                           const std::string& source) {
  if (auto problem = setting.apply(config, value)) {
    return Error{2, fmt::format("invalid value '{}' for {}: {}", value, source, *problem)};
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> unknown_variables(const std::map<std::string, std::string>& environment) {
  std::vector<std::string> unknown;
  for (const auto& entry : environment) {
    bool known = false;
    for (const Setting& setting : registry()) known = known || env_of(setting.name) == entry.first;
    if (!known) unknown.push_back(entry.first);
  }
  return unknown;
}

std::string mask_password(const std::string& conninfo) {
  std::string masked = conninfo;
  // URI form: scheme://user:password@host...
  if (auto scheme = masked.find("://"); scheme != std::string::npos) {
    auto at = masked.find('@', scheme + 3);
    auto colon = masked.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      masked.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // Key-value form: password=secret or password='secret words'.
  for (auto key = masked.find("password="); key != std::string::npos;
       key = masked.find("password=", key + 1)) {
    auto start = key + 9;
    auto end = start;
    if (end < masked.size() && masked[end] == '\'') {
      end = masked.find('\'', end + 1);
      end = end == std::string::npos ? masked.size() : end + 1;
    } else {
      while (end < masked.size() && masked[end] != ' ') ++end;
    }
    masked.replace(start, end - start, "***");
  }
  return masked;
}

std::vector<SettingInfo> describe_settings() {
  const Config defaults;
  std::vector<SettingInfo> infos;
  for (const Setting& setting : registry()) {
    infos.push_back({flag_of(setting.name), env_of(setting.name), setting.unit, setting.description,
                     setting.show(defaults)});
  }
  return infos;
}

std::string help_text(const std::string& program) {
  std::string text = fmt::format(
      "Usage: {} [--setting=value ...]\n\n"
      "Runs one Parley node. Every setting can also be given as an environment\n"
      "variable; a flag wins over the variable.\n\n",
      program);
  for (const SettingInfo& info : describe_settings()) {
    text += fmt::format("  {} ({}), {}\n      {} Default: {}\n", info.flag, info.env_variable,
                        info.unit, info.description,
                        info.default_value.empty() ? "(empty)" : info.default_value);
  }
  text += "  --help\n      Prints this text and exits.\n";
  return text;
}

Result<Config> parse_config(const std::vector<std::string>& arguments,
                            const std::map<std::string, std::string>& environment) {
  Config config;
  for (const Setting& setting : registry()) {
    auto found = environment.find(env_of(setting.name));
    if (found != environment.end()) {
      if (auto error = apply(config, setting, found->second, found->first)) return *error;
    }
  }

  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string flag = arguments[i];
    std::optional<std::string> value;
    if (auto equals = flag.find('='); equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    }
    const Setting* setting = find_by_flag(flag);
    if (setting == nullptr) {
      return Error{2, fmt::format("unknown option '{}'; run with --help for the list", flag)};
    }
    if (!value) {
      if (i + 1 >= arguments.size()) {
        return Error{2, fmt::format("option {} needs a value ({})", flag, setting->unit)};
      }
      value = arguments[++i];
    }
    if (auto error = apply(config, *setting, *value, flag)) return *error;
  }

  if (!set_log_level(config.log_level)) {
    return Error{2, fmt::format("invalid value '{}' for --log-level: expected trace, debug, "
                                "info, warn or error",
                                config.log_level)};
  }
  return config;
}

std::map<std::string, std::string> parley_environment() {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with("PARLEY_")) continue;
    auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    variables.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return variables;
}

std::string summarize(const Config& config) {
  std::string summary;
  for (const Setting& setting : registry()) {
    std::string value = setting.show(config);
    if (setting.name == "database_url") {
      value = mask_password(value);
    }
    if (!summary.empty()) summary += ' ';
    summary += setting.name + "=" + value;
  }
  return summary;
}

}  // namespace parley
