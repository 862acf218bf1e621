#include "sim/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace servesim {

double LogHistogram::BucketMid(size_t i) {
  const int e = static_cast<int>(static_cast<int64_t>(i) / kBucketsPerOctave) + kMinExponent;
  const double m = static_cast<double>(static_cast<int64_t>(i) % kBucketsPerOctave) + 0.5;
  return std::ldexp(1.0 + m / static_cast<double>(kBucketsPerOctave), e);
}

LogHistogram::LogHistogram()
    : buckets_(static_cast<size_t>((kMaxExponent - kMinExponent + 1) * kBucketsPerOctave), 0) {}

void LogHistogram::AddSlow(double value) {
  if (!(value >= 0) || !std::isfinite(value)) value = 0;  // never produced by the engine
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  sum_ += value;
  if (value == 0) {
    ++zeros_;
  } else {
    ++buckets_[BucketOf(value)];
  }
}

double LogHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  // Nearest rank: the smallest value with at least ceil(q * n) values at or below it.
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = zeros_;
  if (seen >= rank) return 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(BucketMid(i), min_, max_);
  }
  return max_;
}

}  // namespace servesim
