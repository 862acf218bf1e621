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
// Bookkeeping (the rules the engine follows through this class): before each Schedule every
// decoding request that is not held gets the step's drafts (GiveDrafts, capped so they never run
// past its output), and loses them after the step or an empty schedule (ClearDrafts); after a
// verify step the round's acceptance is drawn, the rejected slots are given back to the KV
// allocator and the accepted drafts plus the bonus token are emitted (FinishRound). Acceptance
// draws come from two scenario streams shared by every replica ("acceptance" per round,
// "acceptance_per_request" per request), so their order is the engine's event order.
// Ignores: the draft's own prefill of the prompt (small next to the target's; its KV is sized),
// tree attention (Medusa trees), draft-side preemption, token transfer between devices.
#ifndef SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_
#define SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "models/arithmetic.h"
#include "models/model_spec.h"
#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"
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

// Speculation's tallies over a run, every replica together.
struct SpecCounters {
  int64_t rounds = 0;    // verified rounds (one per speculating request per step)
  int64_t proposed = 0;  // drafts verified
  int64_t accepted = 0;  // drafts accepted
  int64_t emitted = 0;   // tokens emitted by rounds (accepted drafts + bonus tokens)
  double draft_s = 0;    // draft time on the steps' critical paths
  double verify_s = 0;   // verify steps' time
};

// What the replicas' speculators share: the acceptance streams and the counters.
struct SpecShared {
  explicit SpecShared(uint64_t scenario_seed)
      : accept_rng(MakeStream(scenario_seed, "acceptance")),
        request_alpha_rng(MakeStream(scenario_seed, "acceptance_per_request")) {}
  RngStream accept_rng;         // per-round acceptance draws
  RngStream request_alpha_rng;  // per-request acceptance rates
  SpecCounters counters;
};

// One per replica. Not thread-safe; deterministic given the shared streams.
class Speculator {
 public:
  // `shared` outlives the speculator.
  Speculator(const SpeculativeOptions& options, const CostModel& target, SpecShared& shared);

  // Draws a request's own acceptance rate at arrival (seq.spec_alpha; 0 for models without one).
  void DrawRequestAlpha(Sequence& seq) const {
    seq.spec_alpha = acceptance_->DrawRequestAlpha(shared_.request_alpha_rng);
  }

  // Before Schedule: every sequence of `running` that decodes and is not held gets this step's
  // draft count (DraftLength of how many such decode) in seq.spec_tokens, capped so its drafts
  // never run past its output (the bonus token is the last one). No allocation once warmed up.
  void GiveDrafts(const std::vector<Sequence*>& running);
  // After the step, or after a schedule that planned nothing: every sequence given drafts by the
  // last GiveDrafts (preempted ones included) loses them.
  void ClearDrafts();

  // The drafts a step verifies for `seq` scheduled with `new_tokens` (its computed not yet
  // credited): the tokens past its known ones while it holds drafts, else 0.
  static int64_t VerifiedDrafts(const Sequence& seq, int64_t new_tokens) {
    return seq.spec_tokens > 0 ? seq.computed + new_tokens - seq.Tokens() : 0;
  }

  // The draft passes of one step: BeginStep, AddRequest per speculating request (its drafts and
  // cached context; pass i covers the requests with more than i drafts), then DraftSeconds with
  // the step's verify pass cost (which also updates the draft/target cost ratio for adaptive k,
  // and counts the draft and verify time). With `pipelined`, a request whose previous round
  // accepted every draft had this round's drafts made during that round's verify pass
  // (`predrafted`): they cost the step nothing unless the drafting outlasts the time the verify
  // pass leaves the draft's device free (the whole verify on a separate device; on the target's
  // own device, the time its compute waits for streamed weights). Returns the draft time on the
  // step's critical path.
  void BeginStep() { shapes_used_ = hidden_used_ = 0; }
  void AddRequest(int drafts, int64_t context_tokens, bool predrafted = false);
  double DraftSeconds(const StepCost& verify);
  bool pipelined() const { return o_.pipelined; }

  // After a verify step credited `seq` (computed includes its `drafts` > 0) and it completed its
  // known tokens: draws how many drafts the target accepts, keeps KV valid for the last token and
  // the accepted drafts (the rejected slots go back through kv.Trim unless `trim_rejected` is
  // false: an up-front reservation keeps them), records whether all were accepted, counts the
  // round, and returns the tokens it emits (accepted + the bonus token, capped by its output).
  int64_t FinishRound(Sequence& seq, int64_t drafts, KvAllocator& kv, bool trim_rejected);

  const AcceptanceModel& acceptance() const { return *acceptance_; }

 private:
  enum class Kind { kDraftModel, kNgram, kDraftHeads };
  // Drafts per speculating request this step (0: no speculation) given how many requests decode.
  int DraftLength(int64_t decoding_seqs) const;
  // The round's outcome for a request with `drafts` verified drafts; updates the measured rate.
  int Accept(int drafts, double request_alpha);
  double PassesSeconds(const BatchShape* passes, int used) const;

  SpeculativeOptions o_;
  Kind kind_;  // o_.impl, decoded once (DraftSeconds runs every step)
  const CostModel& target_;
  SpecShared& shared_;
  std::unique_ptr<CostModel> draft_cost_;
  std::unique_ptr<AcceptanceModel> acceptance_;
  std::vector<Sequence*> given_;  // sequences given drafts for the current step
  BatchShape passes_[16];         // pass i's batch (k <= 16), drafted on the critical path
  BatchShape hidden_[16];         // pre-drafted during the previous verify (pipelined)
  int shapes_used_ = 0, hidden_used_ = 0;
  double accepted_sum_ = 0, proposed_sum_ = 0;  // for adaptive k
  double last_c_ = 0;                           // draft pass / verify pass, last step
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SPECULATIVE_SPECULATOR_H_
