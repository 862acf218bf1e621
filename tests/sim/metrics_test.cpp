// Quantiles of the log-bucket histogram against exact order statistics computed in the test.
#include "sim/core/metrics.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace servesim {

TEST_CASE("histogram quantiles are within 0.1 percent of the exact nearest-rank values", "[sim]") {
  LogHistogram h;
  std::vector<double> values;
  // A deterministic spread over six decades (1 us .. 1 s), as latencies are.
  for (int i = 1; i <= 20000; ++i) {
    const double v = 1e-6 * std::pow(10.0, 6.0 * std::fmod(i * 0.6180339887, 1.0));
    values.push_back(v);
    h.Add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999}) {
    const double exact = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    INFO("q " << q);
    CHECK(h.Quantile(q) == Approx(exact).epsilon(1e-3));
  }
  CHECK(h.Quantile(0) == values.front());
  CHECK(h.Quantile(1) == values.back());
  double sum = 0;
  for (double v : values) sum += v;
  CHECK(h.Mean() == Approx(sum / values.size()).epsilon(1e-12));
}

TEST_CASE("histogram handles zeros, one value, and empty", "[sim]") {
  LogHistogram empty;
  CHECK(empty.Quantile(0.5) == 0);
  LogHistogram h;
  h.Add(0);
  h.Add(0);
  h.Add(0.25);
  CHECK(h.Quantile(0.5) == 0);
  CHECK(h.Quantile(0.99) == 0.25);  // clamped to the observed maximum
  CHECK(h.count() == 3);
}

}  // namespace servesim
