#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::bench {
namespace {

constexpr int kSubBucketBits = 5;
constexpr std::uint64_t kSubBuckets = 1 << kSubBucketBits;
// Values below 2 * kSubBuckets map to themselves.
constexpr std::uint64_t kLinearLimit = 2 * kSubBuckets;
constexpr std::size_t kBucketCount =
    kLinearLimit + (64 - kSubBucketBits - 1) * static_cast<std::size_t>(kSubBuckets);

}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

std::size_t Histogram::index_of(std::uint64_t value) {
  if (value < kLinearLimit) return static_cast<std::size_t>(value);
  // The top kSubBucketBits + 1 bits select the bucket: the position of the
  // highest bit picks the power-of-two range, the next bits the sub-bucket.
  const int exponent = std::bit_width(value) - 1;
  const int shift = exponent - kSubBucketBits;
  const std::uint64_t sub_bucket = (value >> shift) - kSubBuckets;
  return static_cast<std::size_t>(kLinearLimit +
                                  static_cast<std::uint64_t>(shift - 1) * kSubBuckets + sub_bucket);
}

std::uint64_t Histogram::upper_bound_of(std::size_t index) {
  if (index < kLinearLimit) return index;
  const std::uint64_t offset = index - kLinearLimit;
  const int shift = static_cast<int>(offset / kSubBuckets) + 1;
  const std::uint64_t sub_bucket = offset % kSubBuckets + kSubBuckets;
  return ((sub_bucket + 1) << shift) - 1;
}

void Histogram::record(std::uint64_t value) {
  ++counts_[index_of(value)];
  ++count_;
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

void Histogram::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  max_ = 0;
}

std::uint64_t Histogram::value_at_percentile(double percentile) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<std::uint64_t>(
      std::ceil(std::clamp(percentile, 0.0, 100.0) / 100.0 * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= std::max<std::uint64_t>(wanted, 1)) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace parley::bench
