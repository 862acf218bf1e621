// Latency and throughput metrics of a run, kept in memory bounded by the number of distinct
// values' magnitudes, not by the number of requests.
//
// Models: per-metric log-bucket histograms (relative resolution 2^-10, about 0.1 %) for
// quantiles, exact sums for means, counters. Quantiles therefore carry up to 0.1 % relative error;
// means are exact.
// Ignores: nothing of the request stream is stored (per-request rows stream to requests.csv).
#ifndef SERVESIM_SIM_METRICS_H_
#define SERVESIM_SIM_METRICS_H_

#include <cstdint>
#include <vector>

namespace servesim {

// Histogram of non-negative values with buckets read off the IEEE-754 bits: the binary exponent
// and the top 10 mantissa bits, so a bucket spans 2^-10 of its value (no log() per sample).
// Values below 2^-40 (~1e-12) share the lowest bucket; zero is counted exactly.
class LogHistogram {
 public:
  LogHistogram();
  void Add(double value);
  int64_t count() const { return count_; }
  double sum() const { return sum_; }
  double Mean() const { return count_ > 0 ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return max_; }
  // The q-quantile (0..1) with the nearest-rank rule, as the bucket's midpoint clamped to the
  // observed range (exact min and max at q = 0 and 1).
  double Quantile(double q) const;

 private:
  std::vector<int64_t> buckets_;
  int64_t zeros_ = 0;
  int64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_METRICS_H_
