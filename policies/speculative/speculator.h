// Speculative decoding inside the batching server: who drafts, how many tokens, at what cost, and
// how many the target accepts.
//
// Models (Leviathan et al. 2023; vLLM's spec decode): a decoding request in a speculative round
// asks the batch scheduler for 1 + k tokens (its last token and k drafts, counted against the
// token budget and reserved as KV lookahead slots). Before the target's verify pass, the drafter
// runs k passes batched over the speculating requests; the verify pass is priced by the target's
// cost model as a chunk of k + 1 tokens with causal attention over the cached context and logits
// at every position. The target accepts a prefix of a drafts (AcceptanceModel) and emits a + 1
// tokens; the rejected slots go back to the KV allocator. Implementations:
//   draft_model  a draft ModelSpec priced by its own roofline cost model, on the target's device
//                (sharing it, its weights and KV taking the target's memory) or on another device
//   ngram        prompt lookup: no draft model, a fixed CPU cost per round (default 0)
//   draft_heads  EAGLE/Medusa-style heads: each draft pass costs a fraction of a target decode
//                step of the same requests
// k is fixed, or shrinks with load: no speculation while more than disable_by_batch_size requests
// decode (vLLM's speculative_disable_by_batch_size), and with adaptive_k the k maximizing expected
// tokens per unit time, (1 − α^(k+1)) / (1 − α) / (k c + 1), for the measured acceptance α
// (running mean) and the draft/target cost ratio c at this batch.
// Pipelined (a draft on another device): while the target verifies round r, the draft already
// drafts round r + 1 assuming every draft is accepted; a request whose round accepted them all
// starts its next round with drafts ready, anyone else's are wasted and drafted again.
// Ignores: the draft's own prefill of the prompt (small next to the target's; its KV is sized),
// tree attention (Medusa trees), draft-side preemption, token transfer between devices.
#ifndef SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_
#define SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "models/arithmetic.h"
#include "models/model_spec.h"
#include "policies/speculative/acceptance.h"
#include "workloads/random.h"

namespace servesim {

struct SpeculativeOptions {
  std::string impl = "none";          // none | draft_model | ngram | draft_heads
  int k = 4;                          // drafts per round (the maximum with adaptive_k)
  int64_t disable_by_batch_size = 0;  // 0: never disabled
  bool adaptive_k = false;
  AcceptanceSpec acceptance;
  // draft_model
  ModelSpec draft;
  bool draft_on_target_device = true;
  DeviceSpec draft_device;  // when not on the target's device
  bool pipelined = false;   // draft on another device keeps drafting during the verify
  CostModelOptions draft_cost;
  // ngram
  double ngram_round_s = 0;
  // draft_heads
  double heads_cost_fraction = 0.1;
  bool enabled() const { return impl != "none"; }
};

// One per replica. Not thread-safe; deterministic given the RNG stream it is handed.
class Speculator {
 public:
  Speculator(const SpeculativeOptions& options, const CostModel& target);

  // Drafts per speculating request this step (0: no speculation) given how many requests decode.
  int DraftLength(int64_t decoding_seqs) const;
  // The draft passes of one step: BeginStep, AddRequest per speculating request (its drafts and
  // cached context; pass i covers the requests with more than i drafts), then DraftSeconds with
  // the step's verify time (which also updates the draft/target cost ratio for adaptive k).
  // With `pipelined`, a request whose previous round accepted every draft had this round's drafts
  // made during that round's verify pass (`predrafted`): they cost the step nothing unless the
  // drafting outlasts `hide_s`, the time the verify pass leaves the draft's device free (the
  // whole verify on a separate device; on the target's own device, the time its compute waits
  // for streamed weights). Returns the draft time on the step's critical path.
  void BeginStep() { shapes_used_ = hidden_used_ = 0; }
  void AddRequest(int drafts, int64_t context_tokens, bool predrafted = false);
  double DraftSeconds(double verify_s, double hide_s);
  bool pipelined() const { return o_.pipelined; }
  // The round's outcome for a request with `drafts` verified drafts; updates the measured rate.
  int Accept(int drafts, double request_alpha, RngStream& rng);
  double DrawRequestAlpha(RngStream& rng) const { return acceptance_->DrawRequestAlpha(rng); }
  const AcceptanceModel& acceptance() const { return *acceptance_; }

 private:
  enum class Kind { kDraftModel, kNgram, kDraftHeads };
  SpeculativeOptions o_;
  Kind kind_;  // o_.impl, decoded once (DraftSeconds runs every step)
  const CostModel& target_;
  std::unique_ptr<CostModel> draft_cost_;
  std::unique_ptr<AcceptanceModel> acceptance_;
  double PassesSeconds(const BatchShape* passes, int used) const;
  BatchShape passes_[16];  // pass i's batch (k <= 16), drafted on the critical path
  BatchShape hidden_[16];  // pre-drafted during the previous verify (pipelined)
  int shapes_used_ = 0, hidden_used_ = 0;
  double accepted_sum_ = 0, proposed_sum_ = 0;  // for adaptive k
  double last_c_ = 0;                           // draft pass / verify pass, last step
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_
