// Synthetic request sources: open-loop arrival processes and closed-loop clients, with length
// distributions for prompts and outputs.
//
// Models:
// - Open loop: the first request arrives at t = 0 (as a trace's first row does); each later one a
//   gap after the previous: exponential (Poisson process, mean 1/rate), gamma (mean 1/rate,
//   coefficient of variation cv: shape 1/cv^2), constant (request i at exactly i/rate, computed
//   from i so nothing drifts), or burst (all at t = 0). Gaps are rounded to integer nanoseconds
//   one by one and summed as integers.
// - Lengths: fixed, uniform integer [min, max], normal (rounded), lognormal (rounded), zipf over
//   [1, n], or empirical (rows of a *_lengths.csv file). Every length is clipped to >= 1 and to the
//   cap (max_prompt_tokens / max_output_tokens) when one is set: clipped, not redrawn, so the
//   number of draws per request never depends on the values.
// - Closed loop: `clients` clients each issue a request at t = 0, wait for its completion
//   (OnComplete), think (fixed, or exponential with that mean), then issue the next one at
//   finish + think. Next() yields the pending request with the earliest arrival (ties by client
//   id) and answers kBlocked while none is pending but some are in flight.
//
// Random streams (named, from the scenario seed, see random.h): "arrivals" (gaps), "prompt_lengths"
// (prompt lengths, and the row of a joint empirical draw), "output_lengths", "think_time".
// Changing one distribution never changes the draws of another. Request i gets the same lengths
// in open and closed loop for the same seed and distributions (lengths are drawn at emission).
//
// Memory: O(1) per open-loop source whatever num_requests is (nothing is pre-generated); O(clients)
// for closed loop; an empirical length file is held whole (it is a distribution, not a trace).
//
// Ignores: diurnal rate changes, multi-turn conversations with shared prefixes (no prefix_hashes),
// per-client distributions.
//
// Ordering (closed loop): with fixed think times, and OnComplete called in non-decreasing finish
// time, requests become due in the order they are emitted. With exponential think times a
// completion can make a request due before one already emitted (when the engine holds one pending
// arrival per source); to keep the Workload contract (non-decreasing arrival_ns) such a request is
// emitted at the arrival time of the last emitted one, i.e. slightly late.
#ifndef SERVESIM_WORKLOADS_SYNTHETIC_H_
#define SERVESIM_WORKLOADS_SYNTHETIC_H_

#include <cstdint>
#include <memory>
#include <string>

#include "workloads/workload.h"

namespace servesim {

enum class ArrivalKind { kPoisson, kGamma, kConstant, kBurst };
const char* ArrivalKindName(ArrivalKind kind);

enum class LengthKind { kFixed, kUniform, kNormal, kLognormal, kZipf, kEmpirical };
const char* LengthKindName(LengthKind kind);

// One length distribution; only the fields of its kind are read.
struct LengthSpec {
  LengthKind kind = LengthKind::kFixed;
  int64_t value = 1;            // fixed
  int64_t min = 1, max = 1;     // uniform, inclusive
  double mean = 0, stddev = 0;  // normal; lognormal when use_mu_sigma is false (of the lengths)
  bool use_mu_sigma = false;    // lognormal: mu/sigma of the underlying normal instead
  double mu = 0, sigma = 0;     // lognormal
  int64_t n = 1;                // zipf: support [1, n]
  double s = 1.0;               // zipf exponent (> 0)
  // empirical: a CSV with header num_prefill_tokens,num_decode_tokens[,...]; the prompt takes the
  // first column, the output the second. When prompt and output name the same file, one row is
  // drawn per request (from "prompt_lengths") and gives both, keeping their correlation.
  std::string path;
};

// The check a LengthSpec must pass (InputError naming `where` otherwise).
void ValidateLengthSpec(const LengthSpec& spec, const std::string& where);

struct SyntheticOptions {
  ArrivalKind arrival = ArrivalKind::kPoisson;
  double rate_per_s = 1.0;  // poisson, gamma, constant
  double cv = 1.0;          // gamma: coefficient of variation of the gaps
  LengthSpec prompt;
  LengthSpec output;
  int64_t max_prompt_tokens = 0;  // 0 = no cap
  int64_t max_output_tokens = 0;  // 0 = no cap
  // Limits: at least one must be set. num_requests < 0 = none; duration_s < 0 = none (requests
  // arriving at or after duration_s are not issued).
  int64_t num_requests = -1;
  double duration_s = -1;
  std::string stream_prefix;  // prepended to the stream names (for several sources in a scenario)
};

struct ClosedLoopOptions {
  int32_t clients = 1;
  double think_time_s = 0;  // fixed think time, or the mean when think_exponential
  bool think_exponential = false;
  LengthSpec prompt;
  LengthSpec output;
  int64_t max_prompt_tokens = 0;
  int64_t max_output_tokens = 0;
  // Limits: at least one must be set (< 0 = none). requests_per_client: each client stops after
  // that many; num_requests: all clients together; duration_s: no request arrives at or after it.
  int64_t requests_per_client = -1;
  int64_t num_requests = -1;
  double duration_s = -1;
  std::string stream_prefix;
};

// Both validate their options (InputError naming `source`, e.g. "scenario.yaml: workload") and
// load empirical length files (InputError naming the file and line).
std::unique_ptr<Workload> MakeSyntheticWorkload(const SyntheticOptions& options, uint64_t seed,
                                                const std::string& source = "workload");
std::unique_ptr<Workload> MakeClosedLoopWorkload(const ClosedLoopOptions& options, uint64_t seed,
                                                 const std::string& source = "workload");

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_SYNTHETIC_H_
