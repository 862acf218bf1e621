// Deterministic random numbers: one scenario seed, independent named streams, in-house
// distributions.
//
// Models: a xoshiro256** 1.0 generator (Blackman & Vigna) whose four state words are seeded by
// SplitMix64, and the distributions the workloads need, written out here because the standard
// library's are implementation-defined (libstdc++ and libc++ draw different numbers from the same
// engine). Streams are derived from (scenario seed, stream name): the name is hashed with 64-bit
// FNV-1a (never std::hash, whose values are unspecified), so adding a stream or drawing more from
// one never shifts another.
//
// Determinism: the raw 64-bit outputs, UniformDouble, UniformInt and Empirical are exact integer
// arithmetic and identical everywhere. The continuous distributions call log, exp, sqrt, cos, pow,
// log1p and expm1; they are bit-identical for the same C math library (glibc on our machines and
// CI), which is what "same seed -> byte-identical outputs" is checked against.
//
// Ignores: cryptographic quality, jump-ahead (streams come from hashing names, not from jumps).
#ifndef SERVESIM_WORKLOADS_RANDOM_H_
#define SERVESIM_WORKLOADS_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace servesim {

// Advances a SplitMix64 state and returns its next output (Steele, Lea & Flood 2014; the reference
// splitmix64.c). From state 0 the outputs are 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ...
uint64_t SplitMix64Next(uint64_t& state);

// 64-bit FNV-1a of the bytes of `text` (offset basis 0xCBF29CE484222325, prime 0x100000001B3).
uint64_t Fnv1a64(std::string_view text);

// One xoshiro256** generator. Copyable: a copy replays the same sequence.
class RngStream {
 public:
  // The four state words are the first four SplitMix64 outputs from `seed`.
  explicit RngStream(uint64_t seed);
  // A generator in exactly this state (not all zero), e.g. the reference test state {1, 2, 3, 4}.
  static RngStream FromState(const std::array<uint64_t, 4>& state);

  // The next raw 64-bit output.
  uint64_t NextU64();
  const std::array<uint64_t, 4>& state() const { return s_; }

 private:
  RngStream() = default;
  std::array<uint64_t, 4> s_{};
};

// The stream `stream_name` of the scenario seeded with `scenario_seed`: the SplitMix64 seed of the
// stream is SplitMix64Next(scenario_seed) XOR Fnv1a64(stream_name). Names used by the workloads:
// "arrivals", "prompt_lengths", "output_lengths", "think_time".
RngStream MakeStream(uint64_t scenario_seed, std::string_view stream_name);

// ---- Distributions. Each takes the stream it draws from; the number of raw draws per call is
// stated because it is part of the golden sequences.

// Uniform on [0, 1): the top 53 bits of one raw output times 2^-53.
double UniformDouble(RngStream& rng);

// Uniform integer in [lo, hi] (lo <= hi), without modulo bias: raw outputs below 2^64 mod range
// are rejected (rarely more than one draw), the rest reduced modulo the range.
int64_t UniformInt(RngStream& rng, int64_t lo, int64_t hi);

// Exponential with mean `mean` (> 0): -mean * log(1 - U), one draw.
double Exponential(RngStream& rng, double mean);

// Normal by Box-Muller, two draws per value (the sine partner is discarded so no state hides
// between calls): mean + stddev * sqrt(-2 log(1 - U1)) * cos(2 pi U2).
double Normal(RngStream& rng, double mean, double stddev);

// exp(Normal(mu, sigma)): mu and sigma are those of the underlying normal.
double LogNormal(RngStream& rng, double mu, double sigma);

// The (mu, sigma) of the lognormal whose own mean and standard deviation are `mean` (> 0) and
// `stddev` (>= 0): sigma^2 = ln(1 + stddev^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
struct LogNormalParams {
  double mu = 0.0;
  double sigma = 0.0;
};
LogNormalParams LogNormalFromMeanStd(double mean, double stddev);

// Gamma with shape k > 0 and scale theta > 0 (mean k theta, variance k theta^2), by Marsaglia &
// Tsang (2000): d = k - 1/3, c = 1/sqrt(9d); repeat x = Normal(0, 1), v = (1 + c x)^3 (redraw x
// while 1 + c x <= 0), U; accept d v if U < 1 - 0.0331 x^4 or log U < x^2/2 + d (1 - v + log v).
// For k < 1 it draws G ~ Gamma(k + 1) first and then returns G * (1 - U)^(1/k) (the boost).
double Gamma(RngStream& rng, double shape, double scale);

// Zipf on {1, ..., n}: P(k) proportional to k^-s, for any n >= 1 and s > 0, in O(1) memory and
// O(1) expected time by rejection-inversion (Hoermann & Derflinger 1996, as in Apache Commons RNG's
// RejectionInversionZipfSampler); one draw per attempt, the acceptance rate is above 90 % for all
// n and s. No table: n may be 10^9.
class ZipfSampler {
 public:
  ZipfSampler(int64_t n, double s);
  int64_t Sample(RngStream& rng) const;
  int64_t n() const { return n_; }
  double s() const { return s_; }

 private:
  double H(double x) const;
  double HIntegral(double x) const;
  double HIntegralInverse(double x) const;

  int64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double squeeze_;
};

// An index into a list of `size` (> 0) items, each equally likely: UniformInt(0, size - 1).
size_t EmpiricalIndex(RngStream& rng, size_t size);

// One element of `values` (non-empty), each equally likely.
template <typename T>
const T& Empirical(RngStream& rng, const std::vector<T>& values) {
  return values[EmpiricalIndex(rng, values.size())];
}

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_RANDOM_H_
