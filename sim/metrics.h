// Latency and throughput metrics of a run, kept in memory bounded by the number of distinct
// values' magnitudes, not by the number of requests.
//
// Models: per-metric log-bucket histograms (relative resolution 0.1 %) for quantiles, exact sums
// for means, counters. Quantiles therefore carry up to 0.1 % relative error; means are exact.
// Ignores: nothing of the request stream is stored (per-request rows stream to requests.csv).
#ifndef SERVESIM_SIM_METRICS_H_
#define SERVESIM_SIM_METRICS_H_

#include <cstdint>
#include <vector>

namespace servesim {

// Histogram of positive values with geometric buckets: bucket i covers
// [min * g^i, min * g^(i+1)), g = 1.001. Values below min land in an underflow bucket (reported as
// min); zero is counted separately and exactly.
class LogHistogram {
 public:
  LogHistogram(double min_value = 1e-9, double max_value = 1e7);
  void Add(double value);
  int64_t count() const { return count_; }
  double sum() const { return sum_; }
  double Mean() const { return count_ > 0 ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return max_; }
  // The q-quantile (0..1) with the nearest-rank rule, as the bucket's geometric center (exact min
  // and max at q = 0 and 1).
  double Quantile(double q) const;

 private:
  double min_value_;
  double log_min_;
  double inv_log_growth_;
  std::vector<int64_t> buckets_;
  int64_t zeros_ = 0;
  int64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_METRICS_H_
