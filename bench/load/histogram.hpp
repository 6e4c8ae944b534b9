#pragma once

#include <cstdint>
#include <vector>

namespace parley::bench {

// A log-linear histogram of non-negative integers (latencies in
// microseconds), in the manner of HdrHistogram. Values below 64 have a
// bucket each, and every power-of-two range above is split into 32 equal
// buckets, so a reported percentile is within 1/32 (3.2 %) of the recorded
// value. Not thread-safe: each thread records into its own histogram, and
// the histograms are merged afterwards.
class Histogram {
 public:
  Histogram();

  void record(std::uint64_t value);
  void merge(const Histogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  // Returns the smallest bucket upper bound below which `percentile` per
  // cent of the values lie; 0 when the histogram is empty.
  std::uint64_t value_at_percentile(double percentile) const;

 private:
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t upper_bound_of(std::size_t index);

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace parley::bench
