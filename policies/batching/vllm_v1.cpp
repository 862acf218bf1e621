// vLLM v1's scheduling rules, as in vLLM 0.19's vllm/v1/core/sched/scheduler.py (Scheduler.schedule)
// and vllm/v1/engine/core.py (step_with_batch_queue), read for the rules, not copied. Rule by rule:
//  1. One token budget per step (max_num_batched_tokens); no prefill or decode phase: every request
//     asks for the tokens it has not computed yet (1 for a decode, the rest of the prompt for a
//     prefill, prompt + generated tokens for a resumed one), capped by long_prefill_token_threshold
//     (0: off; vLLM sets it only with max_num_partial_prefills > 1) and by the remaining budget.
//  2. Running requests first, in running order; one that asks for nothing this step is skipped
//     (continue, not break).
//  3. KV slots for a running request: when allocate_slots fails, the tail of the running list is
//     preempted (recompute: KV freed, computed = 0, status preempted, prepended to waiting) until it
//     fits or the request is itself the tail and preempted; then the running pass stops.
//  4. Waiting requests only in a step that preempted nobody, FCFS, while the running list (scheduled
//     this step or not) is below max_num_seqs and budget remains. A request's prefix-cache hits
//     count as computed (at most num_tokens - 1: one token is always recomputed); a resumed request
//     re-hits its own cached blocks. With chunked prefill off, a request whose (threshold-capped)
//     remainder exceeds the budget stops admission. Admission stops at the first request that
//     cannot get KV slots (break, not skip).
//  5. Async scheduling (vLLM's default since late 2025, on in 0.19; key async_scheduling): the
//     engine core plans step k + 1 as soon as step k is launched, so step k + 1 admits only requests
//     that had arrived when step k started (ReplicaQueues::planned_at_ns); a request arriving during
//     a step waits one more step than under synchronous scheduling. When that early plan would be
//     empty, vLLM plans again once step k's output is in, with everything that arrived by then:
//     here, admission is retried with every waiting request visible. The overlap of the next
//     step's CPU work with this step's device time is the cost model's (runtime cuda-graphs).
// Not here, each for a reason: max_num_partial_prefills / max_long_partial_prefills are vLLM v0's
// (the v1 scheduler has no such limit); the priority policy (FCFS only); the max_model_len - 1 cap on
// a running request's tokens (speculative tokens only; drafts are the speculator's); encoder, LoRA,
// structured-output and KV-connector skips; under async scheduling vLLM frees a finished request's
// blocks one step later than here (it processes step k's output after planning step k + 1).
#include <algorithm>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/preemption.h"
#include "policies/batching/scheduler_yaml.h"

namespace servesim {
namespace {

class VllmV1Scheduler final : public BatchScheduler {
 public:
  explicit VllmV1Scheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t now_ns, StepPlan& plan) override {
    int64_t budget = o_.max_num_batched_tokens;
    size_t index = 0;
    while (index < queues.running.size() && budget > 0) {
      Sequence* seq = queues.running[index];
      const int64_t wanted = Cap(seq->Pending(), budget);
      if (wanted <= 0) {
        ++index;
        continue;
      }
      if (!preemptor_.ReserveOrPreemptTail(*seq, seq->computed + wanted, queues, kv, plan)) break;
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
      ++index;
    }
    if (plan.preempted > 0) return;
    // Rule 5: the plan formed one step ahead sees the arrivals up to planned_at_ns; an empty one is
    // formed again with all of them.
    const int64_t visible_ns = o_.async_scheduling ? queues.planned_at_ns : now_ns;
    budget = AdmitWaiting(queues, kv, visible_ns, budget, plan);
    if (plan.seqs.empty() && visible_ns < now_ns) AdmitWaiting(queues, kv, now_ns, budget, plan);
  }

 private:
  // Rule 4 over the waiting requests that arrived by `visible_ns`; returns the budget left.
  int64_t AdmitWaiting(ReplicaQueues& queues, KvAllocator& kv, int64_t visible_ns, int64_t budget,
                       StepPlan& plan) const {
    while (!queues.waiting.empty() && budget > 0 &&
           static_cast<int64_t>(queues.running.size()) + queues.in_flight_elsewhere <
               o_.max_num_seqs) {
      Sequence* seq = queues.waiting.front();
      if (seq->arrival_ns > visible_ns) break;
      // Prefix-cache hits count as computed; the threshold, the whole-prompt check and the budget
      // apply to the rest (vLLM v1 num_new_tokens = num_tokens - num_computed_tokens).
      const int64_t cached = kv.CachedPrefixTokens(*seq);
      int64_t wanted = seq->Tokens() - cached;
      if (o_.long_prefill_token_threshold > 0)
        wanted = std::min(wanted, o_.long_prefill_token_threshold);
      if (!o_.chunked_prefill && wanted > budget) break;
      wanted = std::min(wanted, budget);
      if (wanted <= 0 || !kv.Admit(*seq, cached, cached + wanted)) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      queues.running.push_back(seq);
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
    }
    return budget;
  }

  int64_t Cap(int64_t tokens, int64_t budget) const {
    if (o_.long_prefill_token_threshold > 0)
      tokens = std::min(tokens, o_.long_prefill_token_threshold);
    return std::min(tokens, budget);
  }

  SchedulerOptions o_;
  // Recompute only; victims enter `waiting` at once (no admission follows a preemption anyway).
  Preemptor preemptor_{Preemptor::Mode::kRecompute, Preemptor::Requeue::kAtOnce};
};

}  // namespace

std::unique_ptr<BatchScheduler> MakeVllmV1Scheduler(const SchedulerOptions& options) {
  return std::make_unique<VllmV1Scheduler>(options);
}

}  // namespace servesim

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseVllmV1(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_num_seqs", 256, 1, 1 << 20);
  so.max_num_batched_tokens = r.Int("max_num_batched_tokens", 8192, 1, 1 << 24);
  so.long_prefill_token_threshold = r.Int("long_prefill_token_threshold", 0, 0, 1 << 24);
  so.chunked_prefill = r.Bool("chunked_prefill", true);
  so.async_scheduling = r.Bool("async_scheduling", true);
  if (!so.chunked_prefill && so.max_num_batched_tokens < so.max_model_len) {
    // vLLM refuses this too: a prompt longer than the budget would wait forever.
    r.Fail("scheduler.max_num_batched_tokens",
           "must be at least max_model_len (" + std::to_string(so.max_model_len) +
               ") with chunked_prefill: false, or a long prompt could never be scheduled",
           std::to_string(so.max_num_batched_tokens));
  }
}

}  // namespace

const SchedulerDescriptor& VllmV1SchedulerDescriptor() {
  static const SchedulerDescriptor kDescriptor = {
      "vllm_v1",
      "vLLM v1: running first, then waiting, one token budget, chunked prefill, recompute "
      "preemption",
      {
          {"max_num_seqs", "integer", "sequences", "256", "running sequences per replica"},
          {"max_num_batched_tokens", "integer", "tokens", "8192", "token budget per step"},
          {"long_prefill_token_threshold", "integer", "tokens", "0 (off)",
           "cap on one request's prefill chunk"},
          {"chunked_prefill", "bool", "", "true",
           "false: admit a prompt only when all of it fits the budget (which must then be at "
           "least `max_model_len`)"},
          {"async_scheduling", "bool", "", "true",
           "plan each step while the previous one runs (vLLM's default): a request that arrives "
           "during a step is admitted one step later; false: vLLM's --no-async-scheduling"},
      },
      ParseVllmV1,
      MakeVllmV1Scheduler,
      {.prefix_caching = true,
       .prefix_caching_default = true,
       .preempts = true,
       .speculation = true,
       .decode_stretch_jump = true,
       .pipeline = true,
       .preemption = "recompute only"},
  };
  return kDescriptor;
}

}  // namespace servesim
