#include "workloads/random.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

namespace servesim {
namespace {

// The golden values below were printed by tests/workloads/random_golden.py, an independent
// Python transcription of the reference algorithms that first checks itself against the published
// xoshiro256** and SplitMix64 vectors. Continuous draws are compared to 1e-12 relative (exact on
// glibc, where Python's math module and the C++ code call the same functions).

constexpr double kRel = 1e-12;

TEST_CASE("random: published vectors of SplitMix64, xoshiro256** and FNV-1a", "[workloads]") {
  uint64_t sm = 0;
  CHECK(SplitMix64Next(sm) == 0xE220A8397B1DCDAFULL);
  CHECK(SplitMix64Next(sm) == 0x6E789E6AA1B965F4ULL);
  CHECK(SplitMix64Next(sm) == 0x06C45D188009454FULL);
  CHECK(SplitMix64Next(sm) == 0xF88BB8A8724C81ECULL);
  uint64_t sm2 = 1234567;  // the reference splitmix64.c, seed 1234567
  CHECK(SplitMix64Next(sm2) == 6457827717110365317ULL);
  CHECK(SplitMix64Next(sm2) == 3203168211198807973ULL);

  // xoshiro256** from the state {1, 2, 3, 4} (the reference implementation's outputs, as pinned
  // by rand_xoshiro's tests).
  RngStream x = RngStream::FromState({1, 2, 3, 4});
  const uint64_t expected[] = {11520ULL,
                               0ULL,
                               1509978240ULL,
                               1215971899390074240ULL,
                               1216172134540287360ULL,
                               607988272756665600ULL,
                               16172922978634559625ULL,
                               8476171486693032832ULL,
                               10595114339597558777ULL,
                               2904607092377533576ULL};
  for (const uint64_t e : expected) CHECK(x.NextU64() == e);

  CHECK(Fnv1a64("") == 0xCBF29CE484222325ULL);
  CHECK(Fnv1a64("a") == 0xAF63DC4C8601EC8CULL);
  CHECK(Fnv1a64("arrivals") == 0xB10BC22CA203CC53ULL);
  CHECK_THROWS_AS(RngStream::FromState({0, 0, 0, 0}), std::invalid_argument);
}

TEST_CASE("random: seeding and named streams (golden)", "[workloads]") {
  RngStream r(42);
  CHECK(r.state()[0] == 0xBDD732262FEB6E95ULL);
  CHECK(r.state()[1] == 0x28EFE333B266F103ULL);
  CHECK(r.state()[2] == 0x47526757130F9F52ULL);
  CHECK(r.state()[3] == 0x581CE1FF0E4AE394ULL);
  // Also the first outputs of another project's SplitMix64-seeded xoshiro256** for seed 42.
  CHECK(r.NextU64() == 0x15780B2E0C2EC716ULL);
  CHECK(r.NextU64() == 0x6104D9866D113A7EULL);
  CHECK(r.NextU64() == 0xAE17533239E499A1ULL);
  CHECK(r.NextU64() == 0xECB8AD4703B360A1ULL);

  RngStream a = MakeStream(42, "arrivals");
  CHECK(a.NextU64() == 0xA00EE8818062BD90ULL);
  CHECK(a.NextU64() == 0xD7C5A57A54B7C7F2ULL);
  CHECK(a.NextU64() == 0xAD2F4FB3FE786DF7ULL);
  CHECK(a.NextU64() == 0x1C76211DF81DF7FBULL);

  // Streams differ by name and by seed; the same (seed, name) replays.
  RngStream p = MakeStream(42, "prompt_lengths"), o = MakeStream(42, "output_lengths");
  RngStream a43 = MakeStream(43, "arrivals"), again = MakeStream(42, "arrivals");
  const uint64_t first = again.NextU64();
  CHECK(first == 0xA00EE8818062BD90ULL);
  CHECK(p.NextU64() != first);
  CHECK(o.NextU64() != first);
  CHECK(a43.NextU64() != first);
  RngStream copy = again;
  CHECK(copy.NextU64() == again.NextU64());
}

// Each distribution draws from a fresh MakeStream(42, "golden").
RngStream Golden() { return MakeStream(42, "golden"); }

TEST_CASE("random: golden draws of every distribution", "[workloads]") {
  SECTION("uniform double") {
    RngStream r = Golden();
    for (double e : {0.8478607813021396, 0.5298243051143127, 0.7975385030459132, 0.8095774815224116,
                     0.8789156675263112}) {
      CHECK(UniformDouble(r) == e);  // exact: integer arithmetic and a power of two
    }
  }
  SECTION("uniform int") {
    RngStream r = Golden();
    for (int64_t e : {1, 1, 2, 1, 3, 6, 2, 4}) CHECK(UniformInt(r, 1, 6) == e);
    RngStream big = Golden();
    for (int64_t e :
         {842722153911LL, 360416088267LL, 654529116224LL, 609392646959LL, 381134178929LL}) {
      CHECK(UniformInt(big, -5, 1'000'000'000'000LL) == e);
    }
    RngStream idx = Golden();
    for (size_t e : {6, 2, 2, 3, 5, 3, 0, 1}) CHECK(EmpiricalIndex(idx, 7) == e);
  }
  SECTION("exponential") {
    RngStream r = Golden();
    for (double e : {3.765918529683671, 1.509297670450389, 3.1944110980249922, 3.317019788606142,
                     4.2225360271171235}) {
      CHECK(Exponential(r, 2.0) == Approx(e).epsilon(kRel));
    }
  }
  SECTION("normal") {
    RngStream r = Golden();
    for (double e : {4.280126767521779, 11.960595867317108, 4.051556901888665, 7.718662389683525,
                     6.912543719133056}) {
      CHECK(Normal(r, 10.0, 3.0) == Approx(e).epsilon(kRel));
    }
  }
  SECTION("lognormal") {
    RngStream r = Golden();
    for (double e : {1.0477948307909717, 3.768835161117628, 1.00862984120476, 1.8585136678162464,
                     1.6248637290007049}) {
      CHECK(LogNormal(r, 1.0, 0.5) == Approx(e).epsilon(kRel));
    }
  }
  SECTION("gamma, shape >= 1 and the shape < 1 boost") {
    RngStream r = Golden();
    for (double e : {0.7950695226559403, 9.492294383511851, 2.4580302439160455, 1.4442973810325987,
                     3.8298953337418684}) {
      CHECK(Gamma(r, 2.5, 2.0) == Approx(e).epsilon(kRel));
    }
    RngStream s = Golden();
    for (double e : {0.0029499780202189, 0.0182018254467258, 0.24975435485395753,
                     0.6368294281446936, 1.604382690305124}) {
      CHECK(Gamma(s, 0.5, 1.0) == Approx(e).epsilon(kRel));
    }
  }
  SECTION("zipf") {
    RngStream r = Golden();
    const ZipfSampler z(1000, 1.1);
    for (int64_t e : {1, 10, 2, 2, 1, 9, 83, 13}) CHECK(z.Sample(r) == e);
    RngStream r1 = Golden();
    const ZipfSampler z1(10, 1.0);
    for (int64_t e : {1, 2, 1, 1, 1, 2, 5, 3}) CHECK(z1.Sample(r1) == e);
  }
}

struct Moments {
  double mean = 0;
  double var = 0;
};

template <typename Draw>
Moments Measure(int n, Draw draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double v = draw();
    sum += v;
    sum2 += v * v;
  }
  Moments m;
  m.mean = sum / n;
  m.var = sum2 / n - m.mean * m.mean;
  return m;
}

constexpr int kDraws = 100'000;

// Checks a sample mean within 5 standard errors and the variance within `var_tol` relative.
void CheckMoments(const Moments& m, double mean, double var, double var_tol) {
  const double se = std::sqrt(var / kDraws);
  CHECK(std::fabs(m.mean - mean) < 5 * se);
  CHECK(m.var == Approx(var).epsilon(var_tol));
}

TEST_CASE("random: moments over 1e5 draws match the analytic values", "[workloads]") {
  RngStream r = MakeStream(7, "statistics");
  SECTION("uniform double") {
    const Moments m = Measure(kDraws, [&] {
      const double u = UniformDouble(r);
      REQUIRE(u >= 0.0);
      REQUIRE(u < 1.0);
      return u;
    });
    CheckMoments(m, 0.5, 1.0 / 12, 0.02);
  }
  SECTION("uniform int: moments and a chi-square over the faces") {
    std::vector<int> counts(6, 0);
    const Moments m = Measure(kDraws, [&] {
      const int64_t v = UniformInt(r, 1, 6);
      REQUIRE(v >= 1);
      REQUIRE(v <= 6);
      ++counts[static_cast<size_t>(v - 1)];
      return static_cast<double>(v);
    });
    CheckMoments(m, 3.5, 35.0 / 12, 0.02);
    double chi2 = 0;
    const double expect = kDraws / 6.0;
    for (int c : counts) chi2 += (c - expect) * (c - expect) / expect;
    CHECK(chi2 < 20.5);  // chi-square, 5 degrees of freedom, p = 0.001
    // Degenerate and extreme ranges.
    CHECK(UniformInt(r, 5, 5) == 5);
    const int64_t full = UniformInt(r, INT64_MIN, INT64_MAX);
    (void)full;
    CHECK_THROWS_AS(UniformInt(r, 2, 1), std::invalid_argument);
  }
  SECTION("exponential") {
    CheckMoments(Measure(kDraws, [&] { return Exponential(r, 2.0); }), 2.0, 4.0, 0.04);
  }
  SECTION("normal") {
    CheckMoments(Measure(kDraws, [&] { return Normal(r, 10.0, 3.0); }), 10.0, 9.0, 0.03);
  }
  SECTION("lognormal, and its parameters from the mean and std of the values") {
    const double mean = std::exp(1.0 + 0.125);
    const double var = (std::exp(0.25) - 1) * std::exp(2.0 + 0.25);
    CheckMoments(Measure(kDraws, [&] { return LogNormal(r, 1.0, 0.5); }), mean, var, 0.05);
    const LogNormalParams p = LogNormalFromMeanStd(1000.0, 500.0);
    CHECK(std::exp(p.mu + p.sigma * p.sigma / 2) == Approx(1000.0));
    CheckMoments(Measure(kDraws, [&] { return LogNormal(r, p.mu, p.sigma); }), 1000.0,
                 500.0 * 500.0, 0.06);
  }
  SECTION("gamma") {
    CheckMoments(Measure(kDraws, [&] { return Gamma(r, 2.5, 2.0); }), 5.0, 10.0, 0.04);
    CheckMoments(Measure(kDraws, [&] { return Gamma(r, 0.5, 1.0); }), 0.5, 0.5, 0.05);
    CheckMoments(Measure(kDraws, [&] { return Gamma(r, 1.0 / 9, 1.8); }), 0.2, 0.36, 0.08);
  }
  SECTION("zipf: frequencies against the probability mass function") {
    const ZipfSampler z(10, 1.2);
    std::vector<int> counts(10, 0);
    for (int i = 0; i < kDraws; ++i) {
      const int64_t k = z.Sample(r);
      REQUIRE(k >= 1);
      REQUIRE(k <= 10);
      ++counts[static_cast<size_t>(k - 1)];
    }
    double norm = 0;
    for (int k = 1; k <= 10; ++k) norm += std::pow(k, -1.2);
    double chi2 = 0;
    for (int k = 1; k <= 10; ++k) {
      const double expect = kDraws * std::pow(k, -1.2) / norm;
      chi2 += (counts[k - 1] - expect) * (counts[k - 1] - expect) / expect;
    }
    CHECK(chi2 < 27.9);  // 9 degrees of freedom, p = 0.001

    const ZipfSampler big(1000, 0.8);
    double mean = 0, mean2 = 0, h = 0;
    for (int k = 1; k <= 1000; ++k) h += std::pow(k, -0.8);
    for (int k = 1; k <= 1000; ++k) {
      mean += k * std::pow(k, -0.8) / h;
      mean2 += double(k) * k * std::pow(k, -0.8) / h;
    }
    CheckMoments(Measure(kDraws, [&] { return static_cast<double>(big.Sample(r)); }), mean,
                 mean2 - mean * mean, 0.03);
    // A huge support needs no table.
    const ZipfSampler huge(1'000'000'000, 1.5);
    for (int i = 0; i < 1000; ++i) {
      const int64_t k = huge.Sample(r);
      REQUIRE(k >= 1);
      REQUIRE(k <= 1'000'000'000);
    }
    CHECK(ZipfSampler(1, 2.0).Sample(r) == 1);
    CHECK_THROWS_AS(ZipfSampler(0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(ZipfSampler(10, 0.0), std::invalid_argument);
  }
  SECTION("empirical picks every element equally often") {
    const std::vector<int> values = {10, 20, 30, 40};
    std::vector<int> counts(4, 0);
    for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(Empirical(r, values) / 10 - 1)];
    for (int c : counts) CHECK(std::abs(c - kDraws / 4) < 5 * std::sqrt(kDraws * 0.25 * 0.75));
  }
}

}  // namespace
}  // namespace servesim
