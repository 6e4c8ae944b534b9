#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace parley::net {

// Something with bytes to write that the scheduler flushes.
class Flushable {
 public:
  virtual ~Flushable() = default;
  // Writes what is pending. Runs on the scheduler's executor.
  virtual void flush() = 0;
};

// Flushes the pushes of one I/O thread's connections together, once per
// `delay` at most. The first connection that gets a push after a flush
// opens a window. Every connection that gets a push before the window ends
// is flushed with it, in the order of scheduling. A delay of zero
// flushes at the end of the I/O thread's current turn, with one handler
// for all connections instead of one each.
//
// A longer window puts more frames into each socket write, which saves
// CPU per delivery, and adds up to `delay` to each push's latency.
//
// Thread safety: none. Every call runs on the I/O thread that owns the
// executor.
class FlushScheduler {
 public:
  FlushScheduler(boost::asio::any_io_executor executor, std::chrono::microseconds delay);

  FlushScheduler(const FlushScheduler&) = delete;
  FlushScheduler& operator=(const FlushScheduler&) = delete;

  // Flushes `target` when the current window ends, starting a window when
  // none is open. The caller schedules each target once per window.
  void schedule(std::shared_ptr<Flushable> target);

 private:
  void flush_all();

  boost::asio::any_io_executor executor_;
  std::chrono::microseconds delay_;
  boost::asio::steady_timer timer_;
  std::vector<std::shared_ptr<Flushable>> scheduled_;
  // Kept between windows, so that a busy thread does not allocate per
  // window.
  std::vector<std::shared_ptr<Flushable>> flushing_;
  bool window_open_ = false;
};

}  // namespace parley::net
