#include "client/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace parley::client {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), random_(seed) {
  using std::chrono::milliseconds;
  options_.initial = std::max(options_.initial, milliseconds(1));
  options_.max = std::max(options_.max, options_.initial);
  options_.multiplier = std::max(options_.multiplier, 1.0);
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
}

std::chrono::milliseconds Backoff::current_bound() const {
  double bound = static_cast<double>(options_.initial.count()) *
                 std::pow(options_.multiplier, static_cast<double>(attempts_));
  double max = static_cast<double>(options_.max.count());
  // std::min also keeps an overflowed power (infinity) at the cap.
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(bound, max)));
}

std::chrono::milliseconds Backoff::next_delay() {
  double bound = static_cast<double>(current_bound().count());
  std::uniform_real_distribution<double> draw((1.0 - options_.jitter) * bound, bound);
  ++attempts_;
  return std::chrono::milliseconds(std::llround(draw(random_)));
}

}  // namespace parley::client
