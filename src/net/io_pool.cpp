#include "net/io_pool.hpp"

#include <thread>

#include <boost/asio/post.hpp>

#include "common/logging.hpp"
#include "common/thread_name.hpp"

namespace parley::net {

IoPool::IoPool(int threads, std::size_t recent_messages, std::chrono::milliseconds recent_age,
               std::chrono::microseconds push_flush_delay) {
  for (int i = 0; i < threads; ++i) {
    threads_.push_back(std::make_unique<IoThread>(recent_messages, recent_age, push_flush_delay));
    threads_.back()->open_sessions = &open_sessions_;
  }
}

IoPool::~IoPool() { stop(); }

void IoPool::start() {
  for (auto& thread : threads_) {
    guards_.emplace_back(thread->context.get_executor());
    runners_.emplace_back([context = &thread->context, index = runners_.size()] {
      set_thread_name("parley-io-" + std::to_string(index));
      for (;;) {
        try {
          context->run();
          return;
        } catch (const std::exception& error) {
          // A handler must not throw; log and keep the thread serving the
          // other connections.
          logger("net")->error("I/O thread handler threw: {}", error.what());
        }
      }
    });
  }
}

void IoPool::stop() {
  guards_.clear();
  for (auto& thread : threads_) {
    thread->context.stop();
  }
  for (auto& runner : runners_) {
    if (runner.joinable()) runner.join();
  }
  runners_.clear();
}

IoThread& IoPool::next() {
  return *threads_[next_.fetch_add(1, std::memory_order_relaxed) % threads_.size()];
}

std::size_t IoPool::close_sessions(std::chrono::milliseconds timeout) {
  post_to_all([](IoThread& thread) {
    // close_for_restart() may remove the session from the set.
    std::vector<ClosableSession*> sessions(thread.sessions.begin(), thread.sessions.end());
    for (ClosableSession* session : sessions) session->close_for_restart();
  });
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_sessions_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return open_sessions_.load();
}

void IoPool::post_to_all(const std::function<void(IoThread&)>& work) {
  for (auto& thread : threads_) {
    boost::asio::post(thread->context, [&thread = *thread, work] { work(thread); });
  }
}

}  // namespace parley::net
