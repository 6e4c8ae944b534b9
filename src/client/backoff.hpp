#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace parley::client {

// Settings of a capped, jittered exponential backoff.
struct BackoffOptions {
  // Upper bound of the first delay.
  std::chrono::milliseconds initial{100};
  // Upper bound of every delay.
  std::chrono::milliseconds max{5000};
  // Factor by which the upper bound grows after each attempt.
  double multiplier = 2.0;
  // Fraction of the upper bound that is randomised, from 0 (no jitter) to 1.
  // A delay is drawn uniformly from [(1 - jitter) * bound, bound], so
  // clients that lost the same node spread out their reconnects.
  double jitter = 0.5;
};

// Delays between reconnect attempts: attempt n waits a random time of at
// most min(max, initial * multiplier^n). Not thread-safe.
class Backoff {
 public:
  // Options out of range are clamped: initial and max to at least 1 ms,
  // max to at least initial, multiplier to at least 1, jitter to [0, 1].
  explicit Backoff(BackoffOptions options, std::uint64_t seed = std::random_device{}());

  // Returns the delay before the next attempt and counts the attempt.
  std::chrono::milliseconds next_delay();

  // Returns the upper bound of the delay that next_delay() returns next.
  std::chrono::milliseconds current_bound() const;

  // Starts again from the initial delay, after a successful attempt.
  void reset() { attempts_ = 0; }

  int attempts() const { return attempts_; }
  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 random_;
  int attempts_ = 0;
};

}  // namespace parley::client
