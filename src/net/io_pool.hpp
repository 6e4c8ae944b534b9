#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "net/flush_scheduler.hpp"
#include "net/io_metrics.hpp"
#include "net/recent_messages.hpp"
#include "net/subscription_registry.hpp"

namespace parley::net {

// A connection that a node closes when it shuts down.
class ClosableSession {
 public:
  virtual ~ClosableSession() = default;
  // Closes with 1012 (service restart) once the reply of the request in
  // flight, if any, is queued.
  virtual void close_for_restart() = 0;
};

// One I/O thread: an io_context run by exactly one thread, the
// subscription registry of the connections it owns, and those connections.
struct IoThread {
  IoThread(std::size_t recent_messages, std::chrono::milliseconds recent_age,
           std::chrono::microseconds push_flush_delay)
      : recent(recent_messages, recent_age), pushes(context.get_executor(), push_flush_delay) {}

  // Declared first so that it outlives the context: destroying the context
  // destroys pending handlers, and the sessions they own unsubscribe here.
  SubscriptionRegistry registry;
  RecentMessages recent;
  std::unordered_set<ClosableSession*> sessions;
  // The pool-wide count of open sessions, which close_sessions() waits on.
  std::atomic<std::size_t>* open_sessions = nullptr;
  IoMetrics metrics;
  // Every WebSocket connection of the thread reads into this buffer and
  // keeps only the bytes of a frame that has not fully arrived.
  std::vector<char> read_buffer = std::vector<char>(64 * 1024);
  boost::asio::io_context context{1};
  // Declared after the context, so that its timer is destroyed first.
  FlushScheduler pushes;
};

// The I/O threads of a node. A new connection is pinned to one thread for
// its whole life, chosen round-robin, so its state needs no lock.
class IoPool {
 public:
  // Each thread keeps up to `recent_messages` recent messages per room, none
  // older than `recent_age`, for clients that resume, and flushes pushes
  // after `push_flush_delay` (FlushScheduler).
  IoPool(int threads, std::size_t recent_messages, std::chrono::milliseconds recent_age,
         std::chrono::microseconds push_flush_delay);
  ~IoPool();

  void start();
  // Lets each thread finish its queued handlers, then joins them.
  void stop();

  IoThread& next();
  std::size_t size() const { return threads_.size(); }
  IoThread& at(std::size_t index) { return *threads_[index]; }

  // Posts `work(thread)` to every I/O thread.
  void post_to_all(const std::function<void(IoThread&)>& work);

  // Asks every open WebSocket connection to close with 1012, and waits up
  // to `timeout` until all have closed. Returns how many were still open.
  std::size_t close_sessions(std::chrono::milliseconds timeout);

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> runners_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> open_sessions_{0};
};

}  // namespace parley::net
