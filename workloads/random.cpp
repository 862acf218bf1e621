#include "workloads/random.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace servesim {
namespace {

constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t SplitMix64Next(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a64(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

RngStream::RngStream(uint64_t seed) {
  uint64_t sm = seed;
  for (uint64_t& word : s_) word = SplitMix64Next(sm);
}

RngStream RngStream::FromState(const std::array<uint64_t, 4>& state) {
  if (state[0] == 0 && state[1] == 0 && state[2] == 0 && state[3] == 0) {
    throw std::invalid_argument("RngStream::FromState: the all-zero state is not allowed");
  }
  RngStream rng;
  rng.s_ = state;
  return rng;
}

uint64_t RngStream::NextU64() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

RngStream MakeStream(uint64_t scenario_seed, std::string_view stream_name) {
  uint64_t sm = scenario_seed;
  return RngStream(SplitMix64Next(sm) ^ Fnv1a64(stream_name));
}

double UniformDouble(RngStream& rng) {
  return static_cast<double>(rng.NextU64() >> 11) * 0x1.0p-53;
}

int64_t UniformInt(RngStream& rng, int64_t lo, int64_t hi) {
  if (lo > hi) {
    throw std::invalid_argument("UniformInt: lo " + std::to_string(lo) + " > hi " +
                                std::to_string(hi));
  }
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (range == 0) return static_cast<int64_t>(rng.NextU64());  // the full 64-bit range
  const uint64_t limit = (0 - range) % range;                  // 2^64 mod range
  uint64_t r = rng.NextU64();
  while (r < limit) r = rng.NextU64();
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % range);
}

double Exponential(RngStream& rng, double mean) {
  if (!(mean > 0)) throw std::invalid_argument("Exponential: mean must be > 0");
  return -mean * std::log(1.0 - UniformDouble(rng));
}

double Normal(RngStream& rng, double mean, double stddev) {
  const double u1 = UniformDouble(rng);
  const double u2 = UniformDouble(rng);
  const double r = std::sqrt(-2.0 * std::log(1.0 - u1));
  return mean + stddev * (r * std::cos(2.0 * std::numbers::pi * u2));
}

double LogNormal(RngStream& rng, double mu, double sigma) {
  return std::exp(Normal(rng, mu, sigma));
}

LogNormalParams LogNormalFromMeanStd(double mean, double stddev) {
  if (!(mean > 0) || !(stddev >= 0)) {
    throw std::invalid_argument("LogNormalFromMeanStd: needs mean > 0 and stddev >= 0");
  }
  LogNormalParams p;
  const double var_log = std::log1p((stddev / mean) * (stddev / mean));
  p.sigma = std::sqrt(var_log);
  p.mu = std::log(mean) - 0.5 * var_log;
  return p;
}

double Gamma(RngStream& rng, double shape, double scale) {
  if (!(shape > 0) || !(scale > 0)) throw std::invalid_argument("Gamma: shape, scale must be > 0");
  if (shape < 1.0) {
    const double g = Gamma(rng, shape + 1.0, 1.0);
    const double u = 1.0 - UniformDouble(rng);  // (0, 1]
    return scale * g * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = 0.0;
    double v = 0.0;
    do {
      x = Normal(rng, 0.0, 1.0);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = UniformDouble(rng);
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return scale * d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return scale * d * v;
  }
}

// ---- Zipf by rejection-inversion. With h(x) = x^-s and H(x) = (x^(1-s) - 1) / (1 - s) its
// integral (log x at s = 1), a point u is drawn uniformly in (H(1.5) - 1, H(n + 0.5)], mapped back
// with H^-1 and rounded to k; k is accepted when it lies under the hat, which the squeeze decides
// without further evaluation for most draws.

namespace {

// log1p(x) / x, continuous at 0.
double Helper1(double x) {
  return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

// expm1(x) / x, continuous at 0.
double Helper2(double x) {
  return std::fabs(x) > 1e-8 ? std::expm1(x) / x
                             : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

}  // namespace

ZipfSampler::ZipfSampler(int64_t n, double s) : n_(n), s_(s) {
  if (n < 1) throw std::invalid_argument("ZipfSampler: n must be >= 1");
  if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument("ZipfSampler: s must be > 0");
  h_integral_x1_ = HIntegral(1.5) - 1.0;
  h_integral_n_ = HIntegral(static_cast<double>(n) + 0.5);
  squeeze_ = 2.0 - HIntegralInverse(HIntegral(2.5) - H(2.0));
}

double ZipfSampler::H(double x) const { return std::exp(-s_ * std::log(x)); }

double ZipfSampler::HIntegral(double x) const {
  const double log_x = std::log(x);
  return Helper2((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::HIntegralInverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // rounding guard; the exact value never goes below -1
  return std::exp(Helper1(t) * x);
}

int64_t ZipfSampler::Sample(RngStream& rng) const {
  while (true) {
    const double u = h_integral_n_ + UniformDouble(rng) * (h_integral_x1_ - h_integral_n_);
    const double x = HIntegralInverse(u);
    // Round to the nearest integer and clamp to [1, n] in double, so no cast can overflow.
    const double rounded = std::floor(x + 0.5);
    const int64_t k = rounded < 1.0                       ? 1
                      : rounded > static_cast<double>(n_) ? n_
                                                          : static_cast<int64_t>(rounded);
    const double kd = static_cast<double>(k);
    if (kd - x <= squeeze_ || u >= HIntegral(kd + 0.5) - H(kd)) return k;
  }
}

size_t EmpiricalIndex(RngStream& rng, size_t size) {
  if (size == 0) throw std::invalid_argument("Empirical: empty list");
  return static_cast<size_t>(UniformInt(rng, 0, static_cast<int64_t>(size) - 1));
}

}  // namespace servesim
