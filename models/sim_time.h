// Simulated time: int64 nanoseconds below a horizon, and the only conversions into it.
//
// Models: every time the simulator holds (arrivals, step starts and ends, think times, limits)
// lies in [0, kHorizonNs]; 2^61 ns (about 73 years) leaves room for the sum of any two such times
// in an int64, so the event loop adds without checks. Conversions from doubles (user arithmetic:
// rates, time scales, bandwidths, read sizes) saturate at the horizon instead of overflowing; the
// engine stops at the first event at the horizon and reports `horizon_exceeded`. It sits at the
// bottom of the layering because workloads and the kernel both convert. Ignores: time before 0.
#ifndef SERVESIM_MODELS_SIM_TIME_H_
#define SERVESIM_MODELS_SIM_TIME_H_

#include <cstdint>

namespace servesim {

inline constexpr int64_t kHorizonNs = int64_t{1} << 61;
inline constexpr double kHorizonS = static_cast<double>(kHorizonNs) * 1e-9;  // ~2.3e9 s

// Nanoseconds (a double) to ticks, rounded to the nearest; NaN and negatives give 0, values at or
// beyond the horizon (and +inf) give kHorizonNs.
int64_t NsToTicks(double ns);

// a + b for times in [0, kHorizonNs], capped at the horizon.
inline int64_t AddTicks(int64_t a, int64_t b) {
  const int64_t sum = a + b;  // cannot overflow: both are at most 2^61
  return sum < kHorizonNs ? sum : kHorizonNs;
}

}  // namespace servesim

#endif  // SERVESIM_MODELS_SIM_TIME_H_
