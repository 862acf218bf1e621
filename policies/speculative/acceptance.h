// Acceptance models of speculative decoding: how many of a round's k drafted tokens the target
// accepts.
//
// Models (Leviathan et al. 2023; vLLM's spec-decode metrics): a round proposes k draft tokens; the
// target verifies them in one pass and accepts a prefix of a = 0..k of them, then emits one more
// token of its own (the bonus), so a round emits a + 1 tokens. Kinds:
//   constant    each draft is accepted with probability alpha given the ones before it were
//   per_request each request draws its own alpha once (uniform on [min, max], or beta with a mean
//               and a concentration a + b), then as constant
//   positional  draft i (1-based) is accepted with probability alphas[i-1] given the ones before
//               it were; drafts past the list use its last value
//   histogram   P(a = j) given directly for j = 0..n-1 (probabilities summing to 1); with k < n-1
//               drafts the mass of a > k collapses onto k
// Ignores: token contents, temperature, the dependence of acceptance on context or position in the
// output.
#ifndef SERVESIM_POLICIES_SPECULATIVE_ACCEPTANCE_H_
#define SERVESIM_POLICIES_SPECULATIVE_ACCEPTANCE_H_

#include <memory>
#include <string>
#include <vector>

#include "workloads/random.h"

namespace servesim {

struct AcceptanceSpec {
  std::string kind = "constant";          // constant | per_request | positional | histogram
  double alpha = 0.7;                     // constant
  std::string dist = "uniform";           // per_request: uniform | beta
  double min = 0.5, max = 0.9;            // per_request uniform
  double mean = 0.7, concentration = 10;  // per_request beta: a = mean c, b = (1 - mean) c
  std::vector<double> alphas;             // positional
  std::vector<double> probs;              // histogram
};

class AcceptanceModel {
 public:
  virtual ~AcceptanceModel() = default;
  // The per-request value the engine stores on a sequence when it arrives (its alpha for
  // per_request; models without one return 0 and draw nothing).
  virtual double DrawRequestAlpha(RngStream& rng) const = 0;
  // Accepted drafts (0..k, k >= 1) of one round for a request whose stored value is `request_alpha`.
  virtual int Accepted(int k, double request_alpha, RngStream& rng) const = 0;
  // E[accepted drafts] of a round of k drafts (for adaptive k, reports and tests).
  virtual double ExpectedAccepted(int k, double request_alpha) const = 0;
  // A per-token acceptance rate summarizing the model (for reports): alpha, the mean alpha, ...
  virtual double NominalAlpha() const = 0;
};

// Validates the spec (alphas in [0, 1], probabilities summing to 1 within 1e-6, min <= max, ...)
// and throws InputError naming `where` and the key.
std::unique_ptr<AcceptanceModel> MakeAcceptanceModel(const AcceptanceSpec& spec,
                                                     const std::string& where);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SPECULATIVE_ACCEPTANCE_H_
