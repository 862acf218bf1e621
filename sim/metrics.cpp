#include "sim/metrics.h"

#include <algorithm>
#include <cmath>

namespace servesim {
namespace {
constexpr double kGrowth = 1.001;
}

LogHistogram::LogHistogram(double min_value, double max_value)
    : min_value_(min_value), log_min_(std::log(min_value)), inv_log_growth_(1.0 / std::log(kGrowth)) {
  const double span = std::log(max_value / min_value) * inv_log_growth_;
  buckets_.assign(static_cast<size_t>(std::ceil(span)) + 2, 0);
}

void LogHistogram::Add(double value) {
  if (!(value >= 0)) value = 0;  // NaN or negative never reaches here from the engine; be safe
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
    return;
  }
  const double pos = (std::log(value) - log_min_) * inv_log_growth_;
  const size_t i = pos < 0 ? 0 : std::min(buckets_.size() - 1, static_cast<size_t>(pos) + 1);
  ++buckets_[i];
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
    if (seen >= rank) {
      if (i == 0) return min_value_;
      const double lo = min_value_ * std::pow(kGrowth, static_cast<double>(i - 1));
      return std::clamp(lo * std::sqrt(kGrowth), min_, max_);
    }
  }
  return max_;
}

}  // namespace servesim
