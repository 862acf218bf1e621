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
// - Shared prefix (optional, SharedPrefixSpec): N system prompts, prompt g of L_g tokens. Each
//   request draws, from its own stream "shared_prefix", one uniform number u (it carries a shared
//   prefix when u < share) and then a prompt g (uniform on 0..N-1, or Zipf with exponent zipf_s,
//   g = 0 the most popular), both drawn for every request whether it carries a prefix or not, so
//   changing `share` changes which requests carry one, never which prompt request i picks. A
//   carrying request gets prompt_tokens = L_g + its drawn prompt length (the cap max_prompt_tokens
//   applies to the drawn part only), prefix_hashes = {PrefixGroupHash} (one hash for the whole
//   shared prefix) and prefix_block_tokens = L_g: a prefix cache sees the L_g tokens as one block
//   of equal contents; the request's own tokens after it are not hashed, so they are never shared.
//   The hash depends on (stream_prefix, g, L_g), not on the seed: equal prompts in one source hash
//   equal, two sources with different stream prefixes never share.
//
// Random streams (named, from the scenario seed, see random.h): "arrivals" (gaps), "prompt_lengths"
// (prompt lengths, and the row of a joint empirical draw), "output_lengths", "think_time",
// "shared_prefix" (only drawn from when a shared prefix is configured, so the draws of a workload
// without one are unchanged).
// Changing one distribution never changes the draws of another. Request i gets the same lengths
// in open and closed loop for the same seed and distributions (lengths are drawn at emission).
//
// Memory: O(1) per open-loop source whatever num_requests is (nothing is pre-generated); O(clients)
// for closed loop; an empirical length file is held whole (it is a distribution, not a trace).
//
// Ignores: diurnal rate changes, multi-turn conversations (a conversation's growing shared history;
// only fixed system prompts are shared), per-client distributions.
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
#include <vector>

#include "workloads/random.h"
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

enum class PrefixPopularity { kUniform, kZipf };

// Shared system prompts (see "Shared prefix" above); off while prompts == 0.
struct SharedPrefixSpec {
  int64_t prompts = 0;          // N >= 1 when on
  std::vector<int64_t> tokens;  // L: one length for every prompt, or one per prompt (N of them)
  double share = 1.0;           // fraction of requests that carry a shared prefix, in [0, 1]
  PrefixPopularity popularity = PrefixPopularity::kUniform;
  double zipf_s = 1.0;  // zipf: P(g) ~ (g + 1)^-zipf_s, > 0

  bool enabled() const { return prompts > 0; }
  // L_g (g in [0, prompts)).
  int64_t Length(int64_t g) const {
    return tokens.size() == 1 ? tokens[0] : tokens[static_cast<size_t>(g)];
  }
};

// The check a SharedPrefixSpec must pass when enabled (InputError naming `where`.key otherwise):
// prompts >= 1, tokens one length or `prompts` lengths, each in [1, 2^31 - 1], share in [0, 1],
// zipf_s > 0 and finite.
void ValidateSharedPrefix(const SharedPrefixSpec& spec, const std::string& where);

// The prefix hash of shared prompt g of `length` tokens in the source with `stream_prefix`.
uint64_t PrefixGroupHash(const std::string& stream_prefix, int64_t g, int64_t length);

// Arrival times of one open-loop process, request after request ("Open loop" above): the first at
// t = 0, then a gap of `kind` each. Draws come from `rng` (the synthetic source passes its
// "arrivals" stream); trace formats without timestamps use it too (trace.h). rate_per_s must be
// positive (not read for burst), cv positive (gamma only): the callers validate them.
class ArrivalClock {
 public:
  ArrivalClock(ArrivalKind kind, double rate_per_s, double cv, RngStream rng);
  // The next request's arrival in integer ns (past the horizon: at it).
  int64_t Next();

 private:
  ArrivalKind kind_;
  double rate_per_s_;
  double gamma_shape_ = 1.0;
  double gamma_scale_s_ = 1.0;
  RngStream rng_;
  int64_t count_ = 0;
  int64_t last_ns_ = 0;
};

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
  SharedPrefixSpec shared_prefix;
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
  SharedPrefixSpec shared_prefix;
};

// Both validate their options (InputError naming `source`, e.g. "scenario.yaml: workload") and
// load empirical length files (InputError naming the file and line).
std::unique_ptr<Workload> MakeSyntheticWorkload(const SyntheticOptions& options, uint64_t seed,
                                                const std::string& source = "workload");
std::unique_ptr<Workload> MakeClosedLoopWorkload(const ClosedLoopOptions& options, uint64_t seed,
                                                 const std::string& source = "workload");

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_SYNTHETIC_H_
