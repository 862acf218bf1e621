// Acceptance models of speculative decoding (see acceptance.h for the models and what they ignore).
//
// Random draws per call, from the stream the caller passes (part of every seeded run's sequence):
//   DrawRequestAlpha  constant, positional, histogram: none (returns 0).
//                     per_request uniform: one UniformDouble, always (also when min == max);
//                     alpha = min + (max - min) U.
//                     per_request beta: two Gamma draws, X ~ Gamma(a, 1) then Y ~ Gamma(b, 1) with
//                     a = mean c, b = (1 - mean) c; alpha = X / (X + Y). Each Gamma is a
//                     Marsaglia-Tsang rejection loop (see workloads/random.h), so the raw count is
//                     variable but the two calls are fixed.
//   Accepted(k)       constant, per_request, positional: one UniformDouble per draft examined,
//                     draft i accepted when U < alpha_i, stopping at the first rejection, so
//                     min(a + 1, k) uniforms for a result a (at most k; alpha = 1 gives k after k
//                     draws, alpha = 0 gives 0 after one draw).
//                     histogram: exactly one UniformDouble (inversion of the cumulative probs).
//                     k <= 0: returns 0 and draws nothing.
#include "policies/speculative/acceptance.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "models/input_error.h"

namespace servesim {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  // Prefer the short form when it round-trips.
  char shorter[64];
  std::snprintf(shorter, sizeof(shorter), "%g", v);
  if (std::strtod(shorter, nullptr) == v || std::isnan(v)) return shorter;
  return buf;
}

double Clamp01(double v) {
  if (!(v >= 0.0)) return 0.0;  // also NaN
  return v > 1.0 ? 1.0 : v;
}

// Σ_{i=1..k} alpha^i by running product: exact k at alpha = 1, 0 at alpha = 0.
double GeometricExpected(int k, double alpha) {
  double sum = 0.0;
  double p = 1.0;
  for (int i = 1; i <= k; ++i) {
    p *= alpha;
    sum += p;
  }
  return sum;
}

// Draft i is accepted when U < alpha (U in [0, 1)); stops at the first rejection.
int GeometricAccepted(int k, double alpha, RngStream& rng) {
  int accepted = 0;
  while (accepted < k && UniformDouble(rng) < alpha) ++accepted;
  return accepted;
}

class ConstantModel : public AcceptanceModel {
 public:
  explicit ConstantModel(double alpha) : alpha_(alpha) {}
  double DrawRequestAlpha(RngStream&) const override { return 0.0; }
  int Accepted(int k, double, RngStream& rng) const override {
    return GeometricAccepted(k, alpha_, rng);
  }
  double ExpectedAccepted(int k, double) const override { return GeometricExpected(k, alpha_); }
  double NominalAlpha() const override { return alpha_; }

 private:
  double alpha_;
};

class PerRequestModel : public AcceptanceModel {
 public:
  // Uniform on [min, max].
  PerRequestModel(double min, double max) : beta_(false), min_(min), max_(max) {}
  // Beta with shapes a and b (mean a / (a + b)).
  static PerRequestModel Beta(double mean, double a, double b) {
    PerRequestModel m(0.0, 0.0);
    m.beta_ = true;
    m.mean_ = mean;
    m.a_ = a;
    m.b_ = b;
    return m;
  }

  double DrawRequestAlpha(RngStream& rng) const override {
    if (!beta_) return Clamp01(min_ + (max_ - min_) * UniformDouble(rng));
    const double x = Gamma(rng, a_, 1.0);
    const double y = Gamma(rng, b_, 1.0);
    // Both underflow to 0 only for vanishing concentrations; fall back to the mean there.
    if (!(x + y > 0.0)) return mean_;
    return Clamp01(x / (x + y));
  }
  int Accepted(int k, double request_alpha, RngStream& rng) const override {
    return GeometricAccepted(k, Clamp01(request_alpha), rng);
  }
  double ExpectedAccepted(int k, double request_alpha) const override {
    return GeometricExpected(k, Clamp01(request_alpha));
  }
  double NominalAlpha() const override { return beta_ ? mean_ : 0.5 * (min_ + max_); }

 private:
  bool beta_;
  double min_ = 0.0, max_ = 0.0;
  double mean_ = 0.0, a_ = 1.0, b_ = 1.0;
};

class PositionalModel : public AcceptanceModel {
 public:
  explicit PositionalModel(std::vector<double> alphas) : alphas_(std::move(alphas)) {}
  double DrawRequestAlpha(RngStream&) const override { return 0.0; }
  int Accepted(int k, double, RngStream& rng) const override {
    int accepted = 0;
    while (accepted < k && UniformDouble(rng) < AlphaAt(accepted)) ++accepted;
    return accepted;
  }
  double ExpectedAccepted(int k, double) const override {
    double sum = 0.0;
    double p = 1.0;
    for (int i = 0; i < k; ++i) {
      p *= AlphaAt(i);
      sum += p;
    }
    return sum;
  }
  double NominalAlpha() const override {
    double sum = 0.0;
    for (const double a : alphas_) sum += a;
    return sum / static_cast<double>(alphas_.size());
  }

 private:
  // The alpha of draft i + 1 (0-based index); drafts past the list use its last value.
  double AlphaAt(int i) const {
    return alphas_[std::min(static_cast<size_t>(i), alphas_.size() - 1)];
  }
  std::vector<double> alphas_;
};

class HistogramModel : public AcceptanceModel {
 public:
  // `probs` validated: non-negative, summing to 1 within 1e-6. They are renormalized by their sum
  // so sampling and ExpectedAccepted describe the same distribution.
  explicit HistogramModel(const std::vector<double>& probs) {
    double total = 0.0;
    for (const double p : probs) total += p;
    double cum = 0.0;
    for (size_t j = 0; j < probs.size(); ++j) {
      probs_.push_back(probs[j] / total);
      cum += probs_.back();
      cumulative_.push_back(cum);
      if (probs[j] > 0) last_positive_ = static_cast<int>(j);
    }
  }
  double DrawRequestAlpha(RngStream&) const override { return 0.0; }
  int Accepted(int k, double, RngStream& rng) const override {
    if (k <= 0) return 0;
    const double u = UniformDouble(rng);
    // The smallest j with u < P(a <= j); rounding that leaves the total a hair below 1 sends the
    // remainder to the last value with positive mass.
    int a = last_positive_;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    if (it != cumulative_.end()) a = static_cast<int>(it - cumulative_.begin());
    return std::min(a, k);
  }
  double ExpectedAccepted(int k, double) const override {
    if (k <= 0) return 0.0;
    double sum = 0.0;
    for (size_t j = 0; j < probs_.size(); ++j) {
      sum += static_cast<double>(std::min(static_cast<int>(j), k)) * probs_[j];
    }
    return sum;
  }
  // E[a | k = n - 1] / (n - 1): the per-draft rate with the whole list in play (0 when n = 1).
  double NominalAlpha() const override {
    const int n = static_cast<int>(probs_.size());
    if (n <= 1) return 0.0;
    return ExpectedAccepted(n - 1, 0.0) / static_cast<double>(n - 1);
  }

 private:
  std::vector<double> probs_;
  std::vector<double> cumulative_;
  int last_positive_ = 0;
};

}  // namespace

std::unique_ptr<AcceptanceModel> MakeAcceptanceModel(const AcceptanceSpec& spec,
                                                     const std::string& where) {
  const std::string prefix = where + ".acceptance.";
  auto fail = [&](const std::string& key, const std::string& expected, const std::string& found) {
    throw InputError(prefix + key + ": expected " + expected + ", found " + found);
  };
  auto check_probability = [&](const std::string& key, double v) {
    if (!(v >= 0.0 && v <= 1.0)) fail(key, "a probability in [0, 1]", Num(v));
  };

  if (spec.kind == "constant") {
    check_probability("alpha", spec.alpha);
    return std::make_unique<ConstantModel>(spec.alpha);
  }
  if (spec.kind == "per_request") {
    if (spec.dist == "uniform") {
      check_probability("min", spec.min);
      check_probability("max", spec.max);
      if (spec.min > spec.max) {
        fail("max", "a value >= min = " + Num(spec.min), Num(spec.max));
      }
      return std::make_unique<PerRequestModel>(spec.min, spec.max);
    }
    if (spec.dist == "beta") {
      if (!(spec.mean > 0.0 && spec.mean < 1.0)) {
        fail("mean", "a mean in (0, 1) exclusive", Num(spec.mean));
      }
      if (!(spec.concentration > 0.0) || !std::isfinite(spec.concentration)) {
        fail("concentration", "a finite number > 0 (a + b)", Num(spec.concentration));
      }
      const double a = spec.mean * spec.concentration;
      const double b = (1.0 - spec.mean) * spec.concentration;
      if (!(a > 0.0 && b > 0.0)) {
        fail("concentration",
             "a value large enough that mean * concentration and (1 - mean) * concentration are "
             "> 0",
             Num(spec.concentration));
      }
      return std::make_unique<PerRequestModel>(PerRequestModel::Beta(spec.mean, a, b));
    }
    const std::vector<std::string> dists = {"uniform", "beta"};
    fail("dist", "one of uniform, beta", "'" + spec.dist + "'" + DidYouMean(spec.dist, dists));
  }
  if (spec.kind == "positional") {
    if (spec.alphas.empty()) fail("alphas", "a non-empty list of probabilities", "an empty list");
    for (size_t i = 0; i < spec.alphas.size(); ++i) {
      check_probability("alphas[" + std::to_string(i) + "]", spec.alphas[i]);
    }
    return std::make_unique<PositionalModel>(spec.alphas);
  }
  if (spec.kind == "histogram") {
    if (spec.probs.empty()) {
      fail("probs", "a non-empty list of probabilities P(a = 0), P(a = 1), ...", "an empty list");
    }
    double total = 0.0;
    for (size_t i = 0; i < spec.probs.size(); ++i) {
      const double p = spec.probs[i];
      if (!(p >= 0.0) || !std::isfinite(p)) {
        fail("probs[" + std::to_string(i) + "]", "a finite probability >= 0", Num(p));
      }
      total += p;
    }
    if (!(std::fabs(total - 1.0) <= 1e-6)) {
      fail("probs", "probabilities summing to 1 (within 1e-6)", "a sum of " + Num(total));
    }
    return std::make_unique<HistogramModel>(spec.probs);
  }
  const std::vector<std::string> kinds = {"constant", "per_request", "positional", "histogram"};
  fail("kind", "one of constant, per_request, positional, histogram",
       "'" + spec.kind + "'" + DidYouMean(spec.kind, kinds));
  return nullptr;  // unreachable: fail throws
}

}  // namespace servesim
