#include "policies/speculative/acceptance.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "models/input_error.h"
#include "workloads/random.h"

namespace servesim {
namespace {

// Statistical tolerance. The accepted count a of one round lies in 0..k, and for every model here
// P(a >= i) = S(i) is known exactly (constant: alpha^i; positional: Π_{j<=i} alpha_j; histogram:
// Σ_{j>=i} p_j for i <= k; per_request: E[alpha^i] over the request distribution). Then
//   E[a] = Σ_{i=1..k} S(i),   E[a^2] = Σ_{i=1..k} (2i - 1) S(i),   Var = E[a^2] - E[a]^2,
// and the sample mean of N independent rounds has standard error sqrt(Var / N). We accept
// |sample mean - E[a]| <= 5 standard errors: a correct implementation fails that for about 6e-7
// of seeds (normal tail), and the seed is fixed, so the test is deterministic; a bias above 5 SE
// (about 0.018 tokens for alpha = 0.8, k = 4, N = 200,000) is caught.
constexpr int kRounds = 200000;
constexpr double kSigmas = 5.0;
constexpr uint64_t kSeed = 20240607;

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

Moments FromSurvival(int k, const std::function<double(int)>& survival) {
  double m1 = 0.0;
  double m2 = 0.0;
  for (int i = 1; i <= k; ++i) {
    m1 += survival(i);
    m2 += (2.0 * i - 1.0) * survival(i);
  }
  return {m1, m2 - m1 * m1};
}

double Tolerance(const Moments& m, int n) { return kSigmas * std::sqrt(m.variance / n); }

double SampleMeanAccepted(const AcceptanceModel& model, int k, double request_alpha, RngStream& rng,
                          int rounds = kRounds) {
  double sum = 0.0;
  for (int r = 0; r < rounds; ++r) sum += model.Accepted(k, request_alpha, rng);
  return sum / rounds;
}

// True when `after` is `before` advanced by exactly `n` UniformDouble draws (n raw outputs).
bool AdvancedBy(RngStream before, const RngStream& after, int n) {
  for (int i = 0; i < n; ++i) UniformDouble(before);
  return before.state() == after.state();
}

AcceptanceSpec Constant(double alpha) {
  AcceptanceSpec s;
  s.kind = "constant";
  s.alpha = alpha;
  return s;
}

AcceptanceSpec Positional(std::vector<double> alphas) {
  AcceptanceSpec s;
  s.kind = "positional";
  s.alphas = std::move(alphas);
  return s;
}

AcceptanceSpec Histogram(std::vector<double> probs) {
  AcceptanceSpec s;
  s.kind = "histogram";
  s.probs = std::move(probs);
  return s;
}

AcceptanceSpec PerRequestUniform(double min, double max) {
  AcceptanceSpec s;
  s.kind = "per_request";
  s.dist = "uniform";
  s.min = min;
  s.max = max;
  return s;
}

AcceptanceSpec PerRequestBeta(double mean, double concentration) {
  AcceptanceSpec s;
  s.kind = "per_request";
  s.dist = "beta";
  s.mean = mean;
  s.concentration = concentration;
  return s;
}

TEST_CASE("acceptance constant: ExpectedAccepted matches hand-computed values", "[acceptance]") {
  const auto m = MakeAcceptanceModel(Constant(0.8), "spec");
  // alpha = 0.8, k = 4: 0.8 + 0.64 + 0.512 + 0.4096.
  CHECK(m->ExpectedAccepted(4, 0.0) == Approx(2.3616).epsilon(1e-12));
  // With the bonus token: (1 - 0.8^5) / (1 - 0.8) = (1 - 0.32768) / 0.2 = 3.3616 (REFERENCES.md
  // section 4, Leviathan et al.), and the closed form alpha (1 - alpha^k) / (1 - alpha).
  CHECK(m->ExpectedAccepted(4, 0.0) + 1.0 == Approx(3.3616).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(4, 0.0) + 1.0 ==
        Approx((1.0 - std::pow(0.8, 5)) / (1.0 - 0.8)).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(4, 0.0) == Approx(0.8 * (1 - std::pow(0.8, 4)) / 0.2).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(1, 0.0) == Approx(0.8).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(2, 0.0) == Approx(1.44).epsilon(1e-12));
  // request_alpha is ignored by the constant model.
  CHECK(m->ExpectedAccepted(4, 0.1) == Approx(2.3616).epsilon(1e-12));
  CHECK(m->NominalAlpha() == 0.8);
  RngStream rng = MakeStream(kSeed, "acceptance");
  const RngStream before = rng;
  CHECK(m->DrawRequestAlpha(rng) == 0.0);
  CHECK(rng.state() == before.state());  // draws nothing
}

TEST_CASE("acceptance constant: sample mean matches ExpectedAccepted; min(a+1, k) draws",
          "[acceptance]") {
  const double alpha = 0.8;
  const auto m = MakeAcceptanceModel(Constant(alpha), "spec");
  for (const int k : {1, 4, 7}) {
    RngStream rng = MakeStream(kSeed, "acceptance");
    const Moments exact = FromSurvival(k, [&](int i) { return std::pow(alpha, i); });
    REQUIRE(exact.mean == Approx(m->ExpectedAccepted(k, 0.0)).epsilon(1e-12));
    const double sample = SampleMeanAccepted(*m, k, 0.0, rng);
    INFO("k = " << k << ", tolerance " << Tolerance(exact, kRounds));
    CHECK(sample == Approx(exact.mean).margin(Tolerance(exact, kRounds)));
  }
  // Each call examines drafts one uniform at a time and stops at the first rejection.
  RngStream rng = MakeStream(kSeed, "acceptance");
  for (int r = 0; r < 2000; ++r) {
    const RngStream before = rng;
    const int a = m->Accepted(4, 0.0, rng);
    REQUIRE(a >= 0);
    REQUIRE(a <= 4);
    REQUIRE(AdvancedBy(before, rng, std::min(a + 1, 4)));
  }
}

TEST_CASE("acceptance positional: alphas [0.9, 0.7, 0.5]", "[acceptance]") {
  const std::vector<double> alphas = {0.9, 0.7, 0.5};
  const auto m = MakeAcceptanceModel(Positional(alphas), "spec");
  CHECK(m->ExpectedAccepted(1, 0.0) == Approx(0.9).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(2, 0.0) == Approx(0.9 + 0.63).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(3, 0.0) == Approx(0.9 + 0.63 + 0.315).epsilon(1e-12));  // 1.845
  // Drafts past the list use its last value 0.5: + 0.1575 + 0.07875 = 2.08125.
  CHECK(m->ExpectedAccepted(5, 0.0) == Approx(2.08125).epsilon(1e-12));
  CHECK(m->NominalAlpha() == Approx(0.7).epsilon(1e-12));

  auto survival = [&](int i) {
    double p = 1.0;
    for (int j = 1; j <= i; ++j) p *= alphas[std::min<size_t>(j, alphas.size()) - 1];
    return p;
  };
  for (const int k : {3, 5}) {
    RngStream rng = MakeStream(kSeed, "acceptance");
    const Moments exact = FromSurvival(k, survival);
    REQUIRE(exact.mean == Approx(m->ExpectedAccepted(k, 0.0)).epsilon(1e-12));
    const double sample = SampleMeanAccepted(*m, k, 0.0, rng);
    INFO("k = " << k << ", tolerance " << Tolerance(exact, kRounds));
    CHECK(sample == Approx(exact.mean).margin(Tolerance(exact, kRounds)));
  }
  RngStream rng = MakeStream(kSeed, "acceptance");
  for (int r = 0; r < 2000; ++r) {
    const RngStream before = rng;
    const int a = m->Accepted(5, 0.0, rng);
    REQUIRE(AdvancedBy(before, rng, std::min(a + 1, 5)));
  }
}

TEST_CASE("acceptance histogram: probs with k smaller than the list; one draw per call",
          "[acceptance]") {
  // P(a = 0..3) = 0.1, 0.2, 0.3, 0.4.
  const std::vector<double> probs = {0.1, 0.2, 0.3, 0.4};
  const auto m = MakeAcceptanceModel(Histogram(probs), "spec");
  // k = 2: a = 3 collapses onto 2: 0 * 0.1 + 1 * 0.2 + 2 * (0.3 + 0.4) = 1.6.
  CHECK(m->ExpectedAccepted(2, 0.0) == Approx(1.6).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(1, 0.0) == Approx(0.9).epsilon(1e-12));
  // k = 3 (the whole list): 0.2 + 0.6 + 1.2 = 2.0; more drafts change nothing.
  CHECK(m->ExpectedAccepted(3, 0.0) == Approx(2.0).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(8, 0.0) == Approx(2.0).epsilon(1e-12));
  // E[a | k = n - 1] / (n - 1) = 2.0 / 3.
  CHECK(m->NominalAlpha() == Approx(2.0 / 3.0).epsilon(1e-12));

  const int k = 2;
  const Moments exact = FromSurvival(k, [&](int i) {
    double s = 0.0;
    for (size_t j = i; j < probs.size(); ++j) s += probs[j];
    return s;
  });
  REQUIRE(exact.mean == Approx(1.6).epsilon(1e-12));
  RngStream rng = MakeStream(kSeed, "acceptance");
  std::vector<int> counts(k + 1, 0);
  for (int r = 0; r < kRounds; ++r) {
    const RngStream before = rng;
    const int a = m->Accepted(k, 0.0, rng);
    REQUIRE(a >= 0);
    REQUIRE(a <= k);
    REQUIRE(AdvancedBy(before, rng, 1));
    ++counts[a];
  }
  double sum = 0.0;
  for (int a = 0; a <= k; ++a) sum += a * counts[a];
  const double sample = sum / kRounds;
  INFO("tolerance " << Tolerance(exact, kRounds));
  CHECK(sample == Approx(exact.mean).margin(Tolerance(exact, kRounds)));
  // Frequencies: each a binomial proportion, 5 SE of sqrt(p (1 - p) / N).
  const std::vector<double> collapsed = {0.1, 0.2, 0.7};
  for (int a = 0; a <= k; ++a) {
    const double p = collapsed[a];
    CHECK(static_cast<double>(counts[a]) / kRounds ==
          Approx(p).margin(kSigmas * std::sqrt(p * (1 - p) / kRounds)));
  }
}

TEST_CASE("acceptance per_request uniform: mean alpha, one draw per request", "[acceptance]") {
  const auto m = MakeAcceptanceModel(PerRequestUniform(0.5, 0.9), "spec");
  CHECK(m->NominalAlpha() == Approx(0.7).epsilon(1e-12));
  // Given the request's alpha, as constant.
  CHECK(m->ExpectedAccepted(4, 0.8) == Approx(2.3616).epsilon(1e-12));
  CHECK(m->ExpectedAccepted(2, 0.6) == Approx(0.6 + 0.36).epsilon(1e-12));

  RngStream rng = MakeStream(kSeed, "acceptance");
  double sum_alpha = 0.0;
  double sum_accepted = 0.0;
  const int k = 4;
  for (int r = 0; r < kRounds; ++r) {
    const RngStream before = rng;
    const double alpha = m->DrawRequestAlpha(rng);
    REQUIRE(AdvancedBy(before, rng, 1));
    REQUIRE(alpha >= 0.5);
    REQUIRE(alpha <= 0.9);
    sum_alpha += alpha;
    sum_accepted += m->Accepted(k, alpha, rng);  // one round per request
  }
  // Uniform on [0.5, 0.9]: mean 0.7, variance 0.4^2 / 12.
  const double alpha_se = std::sqrt(0.16 / 12.0 / kRounds);
  CHECK(sum_alpha / kRounds == Approx(0.7).margin(kSigmas * alpha_se));
  // E[alpha^i] = (0.9^(i+1) - 0.5^(i+1)) / ((i + 1) 0.4).
  const Moments exact = FromSurvival(
      k, [](int i) { return (std::pow(0.9, i + 1) - std::pow(0.5, i + 1)) / ((i + 1) * 0.4); });
  INFO("mixture mean " << exact.mean << ", tolerance " << Tolerance(exact, kRounds));
  CHECK(sum_accepted / kRounds == Approx(exact.mean).margin(Tolerance(exact, kRounds)));
}

TEST_CASE("acceptance per_request beta: mean alpha, two Gamma draws per request", "[acceptance]") {
  // (mean, concentration): shapes above 1 (a = 7, b = 3) and below 1 (a = 0.24, b = 0.56, the
  // boosted Gamma path).
  for (const auto& [mean, c] : std::vector<std::pair<double, double>>{{0.7, 10.0}, {0.3, 0.8}}) {
    const auto m = MakeAcceptanceModel(PerRequestBeta(mean, c), "spec");
    CHECK(m->NominalAlpha() == mean);
    RngStream rng = MakeStream(kSeed, "acceptance");
    double sum = 0.0;
    for (int r = 0; r < kRounds; ++r) {
      RngStream replay = rng;
      const double alpha = m->DrawRequestAlpha(rng);
      REQUIRE(alpha >= 0.0);
      REQUIRE(alpha <= 1.0);
      if (r < 1000) {  // exactly X ~ Gamma(a, 1) then Y ~ Gamma(b, 1), alpha = X / (X + Y)
        const double x = Gamma(replay, mean * c, 1.0);
        const double y = Gamma(replay, (1 - mean) * c, 1.0);
        REQUIRE(alpha == x / (x + y));
        REQUIRE(replay.state() == rng.state());
      }
      sum += alpha;
    }
    // Beta variance: mean (1 - mean) / (c + 1).
    const double se = std::sqrt(mean * (1 - mean) / (c + 1) / kRounds);
    INFO("mean " << mean << ", concentration " << c << ", tolerance " << kSigmas * se);
    CHECK(sum / kRounds == Approx(mean).margin(kSigmas * se));
  }
}

TEST_CASE("acceptance edge cases: alpha = 0 gives 0, alpha = 1 gives k", "[acceptance]") {
  RngStream rng = MakeStream(kSeed, "acceptance");
  const auto one = MakeAcceptanceModel(Constant(1.0), "spec");
  const auto zero = MakeAcceptanceModel(Constant(0.0), "spec");
  const auto pos_one = MakeAcceptanceModel(Positional({1.0}), "spec");
  const auto pos_zero = MakeAcceptanceModel(Positional({1.0, 0.0}), "spec");
  const auto per_req = MakeAcceptanceModel(PerRequestUniform(0.0, 1.0), "spec");
  for (int k = 1; k <= 8; ++k) {
    CHECK(one->ExpectedAccepted(k, 0.0) == k);
    CHECK(zero->ExpectedAccepted(k, 0.0) == 0.0);
    CHECK(pos_one->ExpectedAccepted(k, 0.0) == k);
    CHECK(pos_zero->ExpectedAccepted(k, 0.0) == 1.0);
    CHECK(per_req->ExpectedAccepted(k, 1.0) == k);
    CHECK(per_req->ExpectedAccepted(k, 0.0) == 0.0);
    for (int r = 0; r < 1000; ++r) {
      REQUIRE(one->Accepted(k, 0.0, rng) == k);
      REQUIRE(zero->Accepted(k, 0.0, rng) == 0);
      REQUIRE(pos_one->Accepted(k, 0.0, rng) == k);
      REQUIRE(pos_zero->Accepted(k, 0.0, rng) == 1);
      REQUIRE(per_req->Accepted(k, 1.0, rng) == k);
      REQUIRE(per_req->Accepted(k, 0.0, rng) == 0);
    }
  }
  // alpha = 0 still examines (and draws for) the first draft; alpha = 1 draws k.
  RngStream before = rng;
  CHECK(zero->Accepted(5, 0.0, rng) == 0);
  CHECK(AdvancedBy(before, rng, 1));
  before = rng;
  CHECK(one->Accepted(5, 0.0, rng) == 5);
  CHECK(AdvancedBy(before, rng, 5));
  // k <= 0: nothing to accept, nothing drawn.
  before = rng;
  CHECK(one->Accepted(0, 0.0, rng) == 0);
  CHECK(one->ExpectedAccepted(0, 0.0) == 0.0);
  CHECK(rng.state() == before.state());

  // Histogram degenerate lists: all mass on a = 0, or on a = 2 with fewer drafts.
  const auto h0 = MakeAcceptanceModel(Histogram({1.0}), "spec");
  CHECK(h0->ExpectedAccepted(3, 0.0) == 0.0);
  CHECK(h0->NominalAlpha() == 0.0);
  const auto h2 = MakeAcceptanceModel(Histogram({0.0, 0.0, 1.0}), "spec");
  CHECK(h2->ExpectedAccepted(1, 0.0) == 1.0);
  CHECK(h2->ExpectedAccepted(4, 0.0) == 2.0);
  CHECK(h2->NominalAlpha() == 1.0);
  for (int r = 0; r < 1000; ++r) {
    REQUIRE(h0->Accepted(3, 0.0, rng) == 0);
    REQUIRE(h2->Accepted(1, 0.0, rng) == 1);
    REQUIRE(h2->Accepted(4, 0.0, rng) == 2);
  }
  // per_request uniform with min = max: that alpha, still one draw.
  const auto fixed = MakeAcceptanceModel(PerRequestUniform(1.0, 1.0), "spec");
  before = rng;
  CHECK(fixed->DrawRequestAlpha(rng) == 1.0);
  CHECK(AdvancedBy(before, rng, 1));
}

void CheckRejected(const AcceptanceSpec& spec, const std::string& key) {
  INFO("expected an InputError naming " << key);
  try {
    MakeAcceptanceModel(spec, "scenario.speculative");
    FAIL("no InputError");
  } catch (const InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("scenario.speculative.acceptance." + key + ": expected ", 0) == 0);
    CHECK(message.find(", found ") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("acceptance validation: InputError naming the key", "[acceptance]") {
  const double nan = std::nan("");
  CheckRejected(Constant(-0.1), "alpha");
  CheckRejected(Constant(1.5), "alpha");
  CheckRejected(Constant(nan), "alpha");
  CheckRejected(Positional({}), "alphas");
  CheckRejected(Positional({0.9, 1.2}), "alphas[1]");
  CheckRejected(Positional({nan}), "alphas[0]");
  CheckRejected(Histogram({}), "probs");
  CheckRejected(Histogram({0.5, 0.4}), "probs");
  CheckRejected(Histogram({0.5, 0.6}), "probs");
  CheckRejected(Histogram({1.2, -0.2}), "probs[1]");
  CheckRejected(Histogram({0.5, nan}), "probs[1]");
  CheckRejected(PerRequestUniform(0.8, 0.6), "max");
  CheckRejected(PerRequestUniform(-0.1, 0.6), "min");
  CheckRejected(PerRequestUniform(0.1, 1.1), "max");
  CheckRejected(PerRequestUniform(nan, 0.5), "min");
  CheckRejected(PerRequestBeta(0.0, 10), "mean");
  CheckRejected(PerRequestBeta(1.0, 10), "mean");
  CheckRejected(PerRequestBeta(nan, 10), "mean");
  CheckRejected(PerRequestBeta(0.5, 0.0), "concentration");
  CheckRejected(PerRequestBeta(0.5, -1.0), "concentration");
  CheckRejected(PerRequestBeta(0.5, INFINITY), "concentration");
  AcceptanceSpec bad_dist = PerRequestUniform(0.5, 0.9);
  bad_dist.dist = "betta";
  CheckRejected(bad_dist, "dist");
  AcceptanceSpec bad_kind;
  bad_kind.kind = "constnat";
  CheckRejected(bad_kind, "kind");
  try {
    MakeAcceptanceModel(bad_kind, "scenario.speculative");
  } catch (const InputError& e) {
    const std::string message = e.what();
    for (const char* kind : {"constant", "per_request", "positional", "histogram", "'constnat'"}) {
      CHECK(message.find(kind) != std::string::npos);
    }
  }
  // Within 1e-6 of 1 is accepted; the defaults are valid for every kind.
  CHECK_NOTHROW(MakeAcceptanceModel(Histogram({0.5, 0.5 + 5e-7}), "spec"));
  CHECK_NOTHROW(MakeAcceptanceModel(AcceptanceSpec{}, "spec"));
  CHECK_NOTHROW(MakeAcceptanceModel(PerRequestBeta(0.7, 10), "spec"));
}

TEST_CASE("acceptance determinism: same seed gives the same draws", "[acceptance]") {
  const std::vector<AcceptanceSpec> specs = {Constant(0.6), Positional({0.9, 0.7, 0.5}),
                                             Histogram({0.1, 0.2, 0.3, 0.4}),
                                             PerRequestUniform(0.4, 0.9), PerRequestBeta(0.6, 5)};
  for (const AcceptanceSpec& spec : specs) {
    const auto m1 = MakeAcceptanceModel(spec, "spec");
    const auto m2 = MakeAcceptanceModel(spec, "spec");
    auto run = [](const AcceptanceModel& m, uint64_t seed) {
      RngStream rng = MakeStream(seed, "acceptance");
      std::vector<double> out;
      for (int r = 0; r < 500; ++r) {
        const double alpha = m.DrawRequestAlpha(rng);
        out.push_back(alpha);
        for (int k = 1; k <= 5; ++k) out.push_back(m.Accepted(k, alpha, rng));
      }
      return out;
    };
    INFO("kind " << spec.kind << " " << spec.dist);
    const std::vector<double> a = run(*m1, kSeed);
    CHECK(a == run(*m2, kSeed));
    CHECK(a != run(*m1, kSeed + 1));
  }
}

}  // namespace
}  // namespace servesim
