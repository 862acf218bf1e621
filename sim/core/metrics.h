// Latency and throughput metrics of a run, kept in memory bounded by the number of distinct
// values' magnitudes, not by the number of requests.
//
// Models: per-metric log-bucket histograms (relative resolution 2^-10, about 0.1 %) for
// quantiles, exact sums for means, counters. Quantiles therefore carry up to 0.1 % relative error;
// means are exact.
// Ignores: nothing of the request stream is stored (per-request rows stream to requests.csv).
#ifndef SERVESIM_SIM_CORE_METRICS_H_
#define SERVESIM_SIM_CORE_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace servesim {

// Histogram of non-negative values with buckets read off the IEEE-754 bits: the binary exponent
// and the top 10 mantissa bits, so a bucket spans 2^-10 of its value (no log() per sample).
// Values below 2^-40 (~1e-12) share the lowest bucket; zero is counted exactly.
class LogHistogram {
 public:
  LogHistogram();
  // Inline: the engine adds one inter-token latency per emitted token.
  void Add(double value) {
    if (!(value > 0) || !(value <= kMaxFinite)) {
      AddSlow(value);
      return;
    }
    if (count_ == 0) {
      min_ = max_ = value;
    } else {
      if (value < min_) min_ = value;
      if (value > max_) max_ = value;
    }
    ++count_;
    sum_ += value;
    ++buckets_[BucketOf(value)];
  }
  // Exactly `n` calls of Add(value), in fewer instructions (the sum still adds one at a time so
  // the result is bitwise the same).
  void AddRepeated(double value, int64_t n) {
    if (n <= 0) return;
    if (!(value > 0) || !(value <= kMaxFinite)) {
      for (int64_t i = 0; i < n; ++i) AddSlow(value);
      return;
    }
    if (count_ == 0) {
      min_ = max_ = value;
    } else {
      if (value < min_) min_ = value;
      if (value > max_) max_ = value;
    }
    count_ += n;
    for (int64_t i = 0; i < n; ++i) sum_ += value;
    buckets_[BucketOf(value)] += n;
  }
  int64_t count() const { return count_; }
  double sum() const { return sum_; }
  double Mean() const { return count_ > 0 ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return max_; }
  // The q-quantile (0..1) with the nearest-rank rule, as the bucket's midpoint clamped to the
  // observed range (exact min and max at q = 0 and 1).
  double Quantile(double q) const;

 private:
  static constexpr double kMaxFinite = 1.7976931348623157e308;
  static constexpr int kMantissaBits = 10;
  static constexpr int kMinExponent = -40;  // 2^-40 s ~ 1 ps
  static constexpr int kMaxExponent = 40;   // 2^40 s ~ 35,000 years
  static constexpr int64_t kBucketsPerOctave = int64_t{1} << kMantissaBits;

  // Bucket of a positive finite value: (exponent - min) * 1024 + top mantissa bits.
  static size_t BucketOf(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
    if (exponent < kMinExponent) return 0;
    const int e = exponent < kMaxExponent ? exponent : kMaxExponent;
    const uint64_t mantissa = exponent > kMaxExponent
                                  ? kBucketsPerOctave - 1
                                  : (bits >> (52 - kMantissaBits)) & (kBucketsPerOctave - 1);
    return static_cast<size_t>((e - kMinExponent) * kBucketsPerOctave +
                               static_cast<int64_t>(mantissa));
  }
  static double BucketMid(size_t i);
  void AddSlow(double value);  // zero, negative, NaN, inf

  std::vector<int64_t> buckets_;
  int64_t zeros_ = 0;
  int64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_METRICS_H_
