#include "sim/app/confidence.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace servesim {
namespace {

// The continued fraction of the incomplete beta function (modified Lentz).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    for (int half = 0; half < 2; ++half) {
      d = 1 + aa * d;
      if (std::fabs(d) < kTiny) d = kTiny;
      c = 1 + aa / c;
      if (std::fabs(c) < kTiny) c = kTiny;
      d = 1 / d;
      h *= d * c;
      aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    }
    if (std::fabs(d * c - 1) < kEps) break;
  }
  return h;
}

// I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1.
double RegularizedBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry beyond.
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

}  // namespace

double StudentTCdf(double t, double dof) {
  const double tail = 0.5 * RegularizedBeta(dof / 2, 0.5, dof / (dof + t * t));
  return t >= 0 ? 1 - tail : tail;
}

double StudentTQuantile(double p, double dof) {
  if (p <= 0.5) return 0;
  // Bracket, then bisect: the cdf is increasing, and t(0.9999, 1) is about 3183.
  double lo = 0, hi = 1;
  while (StudentTCdf(hi, dof) < p && hi < 1e12) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (StudentTCdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

MeanCi MeanCi95(const std::vector<double>& values) {
  MeanCi r;
  // Equal values (a constant like kv_blocks) give exactly that value and 0, free of rounding.
  if (std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; })) {
    return {values[0], 0};
  }
  const auto n = static_cast<double>(values.size());
  for (const double v : values) r.mean += v;
  r.mean /= n;
  if (values.size() < 2 || !std::isfinite(r.mean)) {
    r.half_width = std::isfinite(r.mean) ? 0 : std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double ss = 0;
  for (const double v : values) ss += (v - r.mean) * (v - r.mean);
  const double sd = std::sqrt(ss / (n - 1));
  r.half_width = StudentTQuantile(0.975, n - 1) * sd / std::sqrt(n);
  return r;
}

}  // namespace servesim
