#include "sim/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace servesim {
namespace {

constexpr int kMantissaBits = 10;
constexpr int kMinExponent = -40;  // 2^-40 s ~ 1 ps
constexpr int kMaxExponent = 40;   // 2^40 s ~ 35,000 years
constexpr int64_t kBucketsPerOctave = int64_t{1} << kMantissaBits;

// Bucket of a positive finite value: (exponent - min) * 1024 + top mantissa bits.
size_t BucketOf(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  if (exponent < kMinExponent) return 0;
  const int e = std::min(exponent, kMaxExponent);
  const uint64_t mantissa = exponent > kMaxExponent ? kBucketsPerOctave - 1 : (bits >> (52 - kMantissaBits)) & (kBucketsPerOctave - 1);
  return static_cast<size_t>((e - kMinExponent) * kBucketsPerOctave + static_cast<int64_t>(mantissa));
}

double BucketMid(size_t i) {
  const int e = static_cast<int>(static_cast<int64_t>(i) / kBucketsPerOctave) + kMinExponent;
  const double m = static_cast<double>(static_cast<int64_t>(i) % kBucketsPerOctave) + 0.5;
  return std::ldexp(1.0 + m / static_cast<double>(kBucketsPerOctave), e);
}

}  // namespace

LogHistogram::LogHistogram()
    : buckets_(static_cast<size_t>((kMaxExponent - kMinExponent + 1) * kBucketsPerOctave), 0) {}

void LogHistogram::Add(double value) {
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
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = zeros_;
  if (seen >= rank) return 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(BucketMid(i), min_, max_);
  }
  return max_;
}

}  // namespace servesim
