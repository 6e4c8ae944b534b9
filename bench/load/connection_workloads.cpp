#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <signal.h>

#include "clients.hpp"
#include "driver.hpp"
#include "workloads.hpp"

namespace parley::bench {
namespace json = boost::json;

namespace {

// Time the nodes get to settle after the connections opened, before RSS
// is read.
constexpr auto kSettleTime = std::chrono::seconds(2);

// Bytes of kernel objects of `cache` in /proc/slabinfo (active objects
// times object size); -1 when the file is unreadable (it needs root).
long slab_bytes(const std::string& cache) {
  std::ifstream file("/proc/slabinfo");
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string name;
    long active = 0;
    long total = 0;
    long size = 0;
    words >> name >> active >> total >> size;
    if (name == cache) return active * size;
  }
  return -1;
}

struct IdleSample {
  std::vector<ProcessSample> nodes;
  SocketMemory sockets;
  long tcp_slab_bytes = 0;
};

IdleSample sample_idle(const std::vector<WatchedProcess>& processes, std::size_t node_count) {
  IdleSample sample;
  for (std::size_t i = 0; i < node_count && i < processes.size(); ++i) {
    sample.nodes.push_back(sample_process(processes[i]));
  }
  sample.sockets = sample_socket_memory();
  sample.tcp_slab_bytes = slab_bytes("TCP");
  return sample;
}

}  // namespace

Result<json::object> run_idle(const Options& options, Workers& workers) {
  Population population(options, workers);
  const std::size_t nodes = options.nodes.size();
  const auto total = static_cast<std::size_t>(options.connections);
  const std::size_t accounts = std::min<std::size_t>(static_cast<std::size_t>(options.accounts),
                                                     std::max<std::size_t>(total / 10, 1));
  // The account holders stay connected, so the baseline includes them and
  // the measured connections are only the ones that log in as existing
  // accounts.
  for (std::size_t i = 0; i < accounts; ++i) population.add_client(i % nodes, 0);
  fmt::print("idle: creating {} accounts\n", accounts);
  if (auto done = population.connect_and_log_in(); !done) return done.error();
  for (std::size_t i = accounts; i < total; ++i) {
    const std::size_t index = population.add_client(i % nodes, 0);
    Client& client = population.clients()[index];
    client.creates_account = false;
    client.username = population.clients()[i % accounts].username;
  }
  const auto processes = watched_processes(options);
  const std::size_t watched_nodes = options.node_pids.size();
  std::this_thread::sleep_for(kSettleTime);
  const IdleSample before = sample_idle(processes, watched_nodes);
  fmt::print("idle: opening {} logged-in connections\n", total - accounts);
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();
  if (auto done = population.connect_and_log_in(accounts); !done) return done.error();
  const double open_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::this_thread::sleep_for(kSettleTime);
  const IdleSample after = sample_idle(processes, watched_nodes);

  std::vector<std::size_t> per_node(nodes, 0);
  for (std::size_t i = accounts; i < total; ++i) ++per_node[i % nodes];
  json::array nodes_json;
  fmt::print("\nidle: {} connections opened in {:.1f} s\n", total - accounts, open_seconds);
  fmt::print("{:>6} {:>12} {:>12} {:>14}\n", "node", "connections", "RSS MiB", "RSS B/conn");
  for (std::size_t i = 0; i < after.nodes.size(); ++i) {
    const double delta_bytes =
        static_cast<double>(after.nodes[i].rss_kib - before.nodes[i].rss_kib) * 1024.0;
    const double per_connection =
        delta_bytes / static_cast<double>(std::max<std::size_t>(per_node[i], 1));
    fmt::print("{:>6} {:>12} {:>12.1f} {:>14.0f}\n", i, per_node[i],
               static_cast<double>(after.nodes[i].rss_kib) / 1024.0, per_connection);
    nodes_json.push_back(json::object{{"connections", per_node[i]},
                                      {"rssKiB", after.nodes[i].rss_kib},
                                      {"rssBytesPerConnection", per_connection}});
  }
  const double measured = static_cast<double>(total - accounts);
  // Both ends of every connection are sockets on this machine, so the
  // kernel figures cover two sockets per connection.
  const double buffer_bytes =
      static_cast<double>(after.sockets.buffer_pages - before.sockets.buffer_pages) * 4096.0;
  const double slab = before.tcp_slab_bytes < 0
                          ? -1
                          : static_cast<double>(after.tcp_slab_bytes - before.tcp_slab_bytes);
  fmt::print(
      "kernel: {} more TCP sockets, socket buffers {:.0f} B/connection, TCP slab {:.0f} "
      "B/connection (both ends)\n",
      after.sockets.sockets_in_use - before.sockets.sockets_in_use, buffer_bytes / measured,
      slab < 0 ? -1.0 : slab / measured);
  json::object result{
      {"connections", total - accounts},
      {"openSeconds", open_seconds},
      {"nodes", nodes_json},
      {"tcpSocketsAdded", after.sockets.sockets_in_use - before.sockets.sockets_in_use},
      {"socketBufferBytesPerConnection", buffer_bytes / measured},
      {"tcpSlabBytesPerConnection", slab < 0 ? -1.0 : slab / measured}};
  fmt::print("idle: holding the connections for {} s\n", options.hold_seconds);
  std::this_thread::sleep_for(std::chrono::duration<double>(options.hold_seconds));
  std::size_t still_open = 0;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    still_open += workers.run_on(w, [&population, w] {
      std::size_t open = 0;
      for (const Client& client : population.clients()) {
        if (client.worker == w && client.connection->is_open()) ++open;
      }
      return open;
    });
  }
  result["stillOpenAfterHold"] = still_open;
  for (Client& client : population.clients()) client.connection->close();
  if (still_open < population.clients().size()) {
    result["error"] =
        fmt::format("idle: {} of {} connections closed during the hold",
                    population.clients().size() - still_open, population.clients().size());
  }
  return result;
}

namespace {

// State of the clients of the killed node while they resume. The per-client
// times are steady-clock nanoseconds, each written on the client's thread.
// A retried attempt overwrites the step times of the failed one, so they
// describe the attempt that succeeded.
struct ResumeTracker {
  std::atomic<std::size_t> resumed{0};
  std::atomic<std::size_t> failures{0};
  std::mutex error_mutex;
  std::string first_error;
  std::vector<std::int64_t> closed_ns;
  std::vector<std::int64_t> connected_ns;
  std::vector<std::int64_t> logged_in_ns;
  std::vector<std::int64_t> resumed_ns;
  std::int64_t killed_ns = 0;
  std::chrono::steady_clock::time_point deadline;
};

// Resumes client `index` on the next surviving node, retrying every 200 ms
// until the deadline.
void resume_client(Population& population, std::size_t index,
                   const std::vector<std::size_t>& survivors, std::size_t attempt,
                   const std::shared_ptr<ResumeTracker>& tracker) {
  const std::size_t node = survivors[(index + attempt) % survivors.size()];
  auto on_step = [index, tracker](ResumeStep step) {
    auto& times = step == ResumeStep::connected ? tracker->connected_ns : tracker->logged_in_ns;
    times[index] = steady_now_ns();
  };
  population.resume(index, node, on_step,
                    [&population, index, survivors, attempt, tracker](std::string error) {
                      if (error.empty()) {
                        tracker->resumed_ns[index] = steady_now_ns();
                        tracker->resumed.fetch_add(1);
                        return;
                      }
                      if (tracker->failures.fetch_add(1) == 0) {
                        std::lock_guard lock(tracker->error_mutex);
                        tracker->first_error = error;
                      }
                      if (std::chrono::steady_clock::now() >= tracker->deadline) return;
                      auto& connection = *population.clients()[index].connection;
                      auto timer = std::make_shared<boost::asio::steady_timer>(
                          connection.context(), std::chrono::milliseconds(200));
                      timer->async_wait([&population, index, survivors, attempt, tracker,
                                         timer](const boost::system::error_code&) {
                        resume_client(population, index, survivors, attempt + 1, tracker);
                      });
                    });
}

// Milliseconds after the SIGKILL at which the resumed clients reached each
// step, as histograms.
struct ResumeSteps {
  Histogram closed_ms;
  Histogram connected_ms;
  Histogram logged_in_ms;
  Histogram resumed_ms;
};

void record_since(Histogram& histogram, std::int64_t time_ns, std::int64_t killed_ns) {
  if (time_ns <= 0) return;
  histogram.record(static_cast<std::uint64_t>(std::max<std::int64_t>(time_ns - killed_ns, 0)) /
                   1'000'000);
}

json::object print_step(std::string_view name, const Histogram& histogram) {
  fmt::print("{:>12} {:>8} {:>8} {:>8} {:>8}\n", name, histogram.count(),
             histogram.value_at_percentile(50), histogram.value_at_percentile(99), histogram.max());
  return json::object{{"count", histogram.count()},
                      {"p50Ms", histogram.value_at_percentile(50)},
                      {"p99Ms", histogram.value_at_percentile(99)},
                      {"maxMs", histogram.max()}};
}

// Prints when the clients noticed the close, connected, logged in and
// subscribed, counted from the SIGKILL, and returns the same as JSON.
json::object report_steps(const ResumeSteps& steps) {
  fmt::print("\nreconnect: time after SIGKILL, ms\n");
  fmt::print("{:>12} {:>8} {:>8} {:>8} {:>8}\n", "step", "clients", "p50", "p99", "max");
  json::object result;
  result["closed"] = print_step("closed", steps.closed_ms);
  result["connected"] = print_step("connected", steps.connected_ms);
  result["loggedIn"] = print_step("logged in", steps.logged_in_ms);
  result["subscribed"] = print_step("subscribed", steps.resumed_ms);
  return result;
}

std::vector<ProcessSample> sample_processes(const std::vector<WatchedProcess>& processes) {
  std::vector<ProcessSample> samples;
  for (const WatchedProcess& process : processes) samples.push_back(sample_process(process));
  return samples;
}

// Prints the CPU time each watched process used from the SIGKILL until
// the last client resumed, and returns the same as JSON.
json::object report_storm_cpu(const std::vector<WatchedProcess>& processes,
                              const std::vector<ProcessSample>& at_kill,
                              const std::vector<ProcessSample>& at_end, double seconds) {
  fmt::print("\nreconnect: CPU from SIGKILL until the last resume ({:.2f} s)\n", seconds);
  json::object result;
  for (std::size_t i = 0; i < processes.size(); ++i) {
    if (!at_end[i].alive) continue;
    const double used = at_end[i].cpu_seconds - at_kill[i].cpu_seconds;
    fmt::print("{:>14} {:>8.2f} s\n", processes[i].name, used);
    result[processes[i].name] = used;
  }
  return result;
}

}  // namespace

Result<json::object> run_reconnect(const Options& options, Workers& workers) {
  std::size_t victim = 0;
  while (options.node_pids[victim] != options.kill_pid) ++victim;
  std::vector<std::size_t> survivors;
  for (std::size_t i = 0; i < options.nodes.size(); ++i) {
    if (i != victim) survivors.push_back(i);
  }
  Population population(options, workers);
  const std::size_t room = population.add_room();
  const std::size_t sender_index = population.add_client(survivors.front(), room);
  Client& sender = population.clients()[sender_index];
  sender.sender_slot = 0;
  sender.sends_to_room = true;
  sender.owns_room = true;
  population.rooms()[room].owner = sender_index;
  for (int i = 0; i < options.clients; ++i) {
    population.clients()[population.add_client(victim, room)].subscribes = true;
  }
  fmt::print("reconnect: setting up {} subscribers on node {} (PID {})\n", options.clients, victim,
             options.kill_pid);
  if (auto done = population.connect_and_log_in(); !done) return done.error();
  if (auto done = population.join_rooms(); !done) return done.error();
  auto& clients = population.clients();
  for (std::size_t i = 0; i < clients.size(); ++i) population.count_pushes(i);

  auto tracker = std::make_shared<ResumeTracker>();
  tracker->closed_ns.assign(clients.size(), 0);
  tracker->connected_ns.assign(clients.size(), 0);
  tracker->logged_in_ns.assign(clients.size(), 0);
  tracker->resumed_ns.assign(clients.size(), 0);
  const double rate = options.rate > 0 ? options.rate : 100;
  LoadDriver driver(options, workers, population);
  driver.start_sending(rate);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (!clients[i].subscribes) continue;
    workers.run_on(clients[i].worker, [&population, &clients, i, survivors, tracker] {
      clients[i].connection->set_closed_handler(
          [&population, i, survivors, tracker](const boost::beast::error_code&) {
            tracker->closed_ns[i] = steady_now_ns();
            resume_client(population, i, survivors, 0, tracker);
          });
      return 0;
    });
  }
  tracker->deadline = std::chrono::steady_clock::now() +
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(options.resume_timeout_seconds));
  const std::vector<ProcessSample> cpu_at_kill = sample_processes(driver.watched());
  tracker->killed_ns = steady_now_ns();
  fmt::print("reconnect: sending SIGKILL to node {} (PID {})\n", victim, options.kill_pid);
  // stdout is fully buffered when it is a pipe (scripts/bench.sh tees it),
  // so flush to show the SIGKILL before the storm rather than at exit.
  std::fflush(stdout);
  if (::kill(options.kill_pid, SIGKILL) != 0) {
    return Error{
        1, fmt::format("kill({}, SIGKILL) failed: {}", options.kill_pid, std::strerror(errno))};
  }
  const auto subscribers = static_cast<std::size_t>(options.clients);
  while (tracker->resumed.load() < subscribers &&
         std::chrono::steady_clock::now() < tracker->deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double all_resumed_s = static_cast<double>(steady_now_ns() - tracker->killed_ns) / 1e9;
  const std::vector<ProcessSample> cpu_at_end = sample_processes(driver.watched());
  // Keep sending for a while after the last resume, then stop and drain.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  driver.stop_sending();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.drain_seconds));

  const std::uint64_t sent_sequences =
      workers.run_on(clients[sender_index].worker,
                     [&clients, sender_index] { return clients[sender_index].next_sequence; });
  std::size_t missing_clients = 0;
  std::uint64_t missing_messages = 0;
  ResumeSteps steps;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    workers.run_on(w, [&, w] {
      for (std::size_t i = 0; i < clients.size(); ++i) {
        if (clients[i].worker != w || !clients[i].subscribes) continue;
        const std::uint64_t received =
            clients[i].next_expected.empty() ? 0 : clients[i].next_expected[0];
        if (received < sent_sequences) {
          ++missing_clients;
          missing_messages += sent_sequences - received;
        }
        record_since(steps.closed_ms, tracker->closed_ns[i], tracker->killed_ns);
        record_since(steps.connected_ms, tracker->connected_ns[i], tracker->killed_ns);
        record_since(steps.logged_in_ms, tracker->logged_in_ns[i], tracker->killed_ns);
        record_since(steps.resumed_ms, tracker->resumed_ns[i], tracker->killed_ns);
      }
      return 0;
    });
  }
  StepCounters counters = workers.take_counters();
  const std::size_t resumed = tracker->resumed.load();
  fmt::print(
      "\nreconnect: {} of {} clients resumed; the last {:.2f} s after SIGKILL (p50 {} ms, "
      "p99 {} ms), {} failed attempts\n",
      resumed, subscribers, all_resumed_s, steps.resumed_ms.value_at_percentile(50),
      steps.resumed_ms.value_at_percentile(99), tracker->failures.load());
  if (tracker->failures.load() > 0) {
    std::lock_guard lock(tracker->error_mutex);
    fmt::print("reconnect: first failed attempt: {}\n", tracker->first_error);
  }
  fmt::print(
      "reconnect: {} messages sent; {} clients missed {} messages in total; {} gaps, {} "
      "duplicates seen\n",
      sent_sequences, missing_clients, missing_messages, counters.gaps, counters.duplicates);
  json::object result{{"clients", subscribers},
                      {"resumed", resumed},
                      {"allResumedSeconds", all_resumed_s},
                      {"resumeMsP50", steps.resumed_ms.value_at_percentile(50)},
                      {"resumeMsP99", steps.resumed_ms.value_at_percentile(99)},
                      {"failedAttempts", tracker->failures.load()},
                      {"firstFailure", tracker->first_error},
                      {"messagesSent", sent_sequences},
                      {"clientsMissingMessages", missing_clients},
                      {"messagesMissing", missing_messages},
                      {"duplicates", counters.duplicates}};
  result["steps"] = report_steps(steps);
  result["stormCpuSeconds"] =
      report_storm_cpu(driver.watched(), cpu_at_kill, cpu_at_end, all_resumed_s);
  for (Client& client : clients) client.connection->close();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (resumed < subscribers || missing_clients > 0) {
    result["error"] = fmt::format("reconnect: {} of {} clients resumed and {} missed messages",
                                  resumed, subscribers, missing_clients);
  }
  return result;
}

}  // namespace parley::bench
