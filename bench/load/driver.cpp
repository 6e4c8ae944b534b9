#include "driver.hpp"

#include <thread>

#include <unistd.h>

#include "encoding.hpp"

namespace parley::bench {
namespace {

// Interval of the rate ticker on every I/O thread. Each tick sends what the
// rate owes since the step started, so the offered rate does not depend
// on the tick length.
constexpr auto kTickInterval = std::chrono::milliseconds(1);
constexpr auto kDrainPoll = std::chrono::milliseconds(50);

std::map<std::string, ProcessSample> sample_all(const std::vector<WatchedProcess>& processes) {
  std::map<std::string, ProcessSample> samples;
  for (const auto& process : processes) samples[process.name] = sample_process(process);
  return samples;
}

}  // namespace

std::vector<WatchedProcess> watched_processes(const Options& options) {
  std::vector<WatchedProcess> processes;
  for (std::size_t i = 0; i < options.node_pids.size(); ++i) {
    processes.push_back({"node" + std::to_string(i), options.node_pids[i], false});
  }
  if (options.broker_pid != 0) processes.push_back({"devbroker", options.broker_pid, false});
  if (options.postgres_pid != 0) processes.push_back({"postgres", options.postgres_pid, true});
  processes.push_back({"parley-bench", getpid(), false});
  return processes;
}

struct LoadDriver::Ticker {
  explicit Ticker(boost::asio::io_context& context) : timer(context) {}
  boost::asio::steady_timer timer;
  std::vector<Client*> senders;
  double rate_per_sender = 0;
  std::chrono::steady_clock::time_point started;
  bool running = false;
};

LoadDriver::LoadDriver(const Options& options, Workers& workers, Population& population)
    : options_(options),
      workers_(workers),
      population_(population),
      watched_(watched_processes(options)) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    tickers_.push_back(std::make_unique<Ticker>(workers_.context(i)));
  }
  for (Client& client : population_.clients()) {
    if (client.sender_slot < 0) continue;
    tickers_[client.worker]->senders.push_back(&client);
    ++sender_count_;
  }
  std::size_t position = 0;
  for (Client& client : population_.clients()) {
    if (client.sender_slot < 0) continue;
    client.send_phase =
        (static_cast<double>(position++) + 0.5) / static_cast<double>(sender_count_);
  }
}

LoadDriver::~LoadDriver() { stop_sending(); }

void LoadDriver::start_sending(double rate) {
  const double per_sender = sender_count_ == 0 ? 0 : rate / static_cast<double>(sender_count_);
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_.run_on(i, [this, i, per_sender] {
      Ticker& ticker = *tickers_[i];
      ticker.rate_per_sender = per_sender;
      ticker.started = std::chrono::steady_clock::now();
      for (Client* client : ticker.senders) client->issued = 0;
      if (!ticker.running) {
        ticker.running = true;
        tick(i);
      }
      return 0;
    });
  }
}

void LoadDriver::stop_sending() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_.run_on(i, [this, i] {
      tickers_[i]->running = false;
      tickers_[i]->timer.cancel();
      return 0;
    });
  }
}

void LoadDriver::tick(std::size_t worker) {
  Ticker& ticker = *tickers_[worker];
  if (!ticker.running) return;
  StepCounters& counters = workers_.counters(worker);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ticker.started).count();
  const double intervals = elapsed * ticker.rate_per_sender;
  for (Client* client : ticker.senders) {
    const auto owed = static_cast<std::uint64_t>(intervals + client->send_phase);
    while (client->issued < owed) {
      ++client->issued;
      if (!client->connection->is_open() || client->connection->pending_replies() >=
                                                static_cast<std::size_t>(options_.max_in_flight)) {
        ++counters.skipped;
        continue;
      }
      send_from(*client, counters);
    }
  }
  ticker.timer.expires_after(kTickInterval);
  ticker.timer.async_wait([this, worker](const boost::system::error_code& error) {
    if (!error) tick(worker);
  });
}

void LoadDriver::send_from(Client& client, StepCounters& counters) {
  const std::string text =
      make_message_text(steady_now_ns(), static_cast<std::uint32_t>(client.sender_slot),
                        client.next_sequence++, options_.text_bytes);
  std::string frame;
  bool binary = false;
  if (options_.wire == WireEncoding::kJson) {
    frame = client.sends_to_room
                ? JsonEncoding::send_to_room(population_.rooms()[client.room].id, text)
                : JsonEncoding::send_to_subscribed(text);
  } else {
    boost::json::value data = boost::json::string(text);
    if (client.sends_to_room) {
      data = boost::json::object{{"roomId", std::to_string(population_.rooms()[client.room].id)},
                                 {"message", text}};
    }
    auto encoded = encode_request(options_.wire, "send", data);
    if (!encoded) {
      ++counters.send_errors;
      return;
    }
    frame = std::move(encoded.value().bytes);
    binary = true;
  }
  ++counters.requested;
  client.connection->request(
      std::move(frame),
      [&counters, fanout = client.fanout](bool is_error, std::string_view) {
        if (is_error) {
          ++counters.send_errors;
        } else {
          ++counters.sent;
          counters.expected += fanout;
        }
      },
      binary);
}

StepResult LoadDriver::run_step(double rate, double seconds) {
  workers_.take_counters();
  const auto before = sample_all(watched_);
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t started_ns = steady_now_ns();
  start_sending(rate);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop_sending();
  const auto sending_ended = std::chrono::steady_clock::now();

  StepCounters total = workers_.take_counters();
  const auto drain_deadline = sending_ended + std::chrono::duration<double>(options_.drain_seconds);
  while (std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(kDrainPoll);
    total.merge(workers_.take_counters());
    const bool answered = total.sent + total.send_errors >= total.requested;
    if (answered && total.delivered >= total.expected) break;
  }
  const auto after = sample_all(watched_);

  StepResult result;
  result.offered_rate = rate;
  result.seconds = std::chrono::duration<double>(sending_ended - started).count();
  result.counters = std::move(total);
  const double delivery_seconds =
      result.counters.last_delivery_ns > started_ns
          ? static_cast<double>(result.counters.last_delivery_ns - started_ns) / 1e9
          : result.seconds;
  result.delivery_seconds = std::max(delivery_seconds, result.seconds);
  for (const auto& process : watched_) {
    ProcessUsage usage;
    usage.name = process.name;
    usage.cpu_seconds = after.at(process.name).cpu_seconds - before.at(process.name).cpu_seconds;
    usage.peak_rss_kib = after.at(process.name).peak_rss_kib;
    usage.rss_kib = after.at(process.name).rss_kib;
    result.processes.push_back(usage);
  }
  return result;
}

}  // namespace parley::bench
