#include "net/flush_scheduler.hpp"

#include <utility>

#include <boost/asio/post.hpp>

namespace parley::net {

FlushScheduler::FlushScheduler(boost::asio::any_io_executor executor,
                               std::chrono::microseconds delay)
    : executor_(std::move(executor)), delay_(delay), timer_(executor_) {}

void FlushScheduler::schedule(std::shared_ptr<Flushable> target) {
  scheduled_.push_back(std::move(target));
  if (window_open_) return;
  window_open_ = true;
  if (delay_.count() == 0) {
    boost::asio::post(executor_, [this] { flush_all(); });
    return;
  }
  timer_.expires_after(delay_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) flush_all();
  });
}

void FlushScheduler::flush_all() {
  window_open_ = false;
  // Targets scheduled while these flush belong to the next window.
  flushing_.swap(scheduled_);
  for (const auto& target : flushing_) target->flush();
  flushing_.clear();
}

}  // namespace parley::net
