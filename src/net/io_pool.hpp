#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "net/subscription_registry.hpp"

namespace parley::net {

// One I/O thread: an io_context run by exactly one thread, and the
// subscription registry of the connections it owns.
struct IoThread {
  // Declared first so that it outlives the context: destroying the context
  // destroys pending handlers, and the sessions they own unsubscribe here.
  SubscriptionRegistry registry;
  boost::asio::io_context context{1};
};

// The I/O threads of a node. A new connection is pinned to one thread for
// its whole life, chosen round-robin, so its state needs no lock.
class IoPool {
 public:
  explicit IoPool(int threads);
  ~IoPool();

  void start();
  // Lets each thread finish its queued handlers, then joins them.
  void stop();

  IoThread& next();
  std::size_t size() const { return threads_.size(); }
  IoThread& at(std::size_t index) { return *threads_[index]; }

  // Posts `work(thread)` to every I/O thread.
  void post_to_all(const std::function<void(IoThread&)>& work);

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> runners_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace parley::net
