// vLLM v1's scheduling rules, as in vllm/v1/core/sched/scheduler.py (read for the rules, not
// copied): one token budget per step; running requests first, in order, each asking for every token
// it has not computed yet (1 for a decode, the rest of the prompt for a chunked prefill), capped by
// long_prefill_token_threshold and the remaining budget; a request that cannot get KV slots preempts
// the tail of the running list (recompute: its KV is freed and it restarts from token 0 at the front
// of waiting) until it fits or is itself the victim. Waiting requests are admitted FCFS only in a
// step that preempted nobody, while the running list is below max_num_seqs and budget remains;
// admission stops at the first request that cannot get KV.
#include <algorithm>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/preemption.h"

namespace servesim {
namespace {

class VllmV1Scheduler final : public BatchScheduler {
 public:
  explicit VllmV1Scheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t /*now_ns*/,
                StepPlan& plan) override {
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
    while (!queues.waiting.empty() && budget > 0 &&
           static_cast<int64_t>(queues.running.size()) < o_.max_num_seqs) {
      Sequence* seq = queues.waiting.front();
      // Prefix-cache hits count as computed; the whole-prompt check and the budget apply to the
      // rest (vLLM v1 num_new_tokens = num_tokens - num_computed_tokens).
      const int64_t cached = kv.CachedPrefixTokens(*seq);
      const int64_t remaining = seq->Tokens() - cached;
      if (!o_.chunked_prefill && remaining > budget) break;
      const int64_t wanted = Cap(remaining, budget);
      if (wanted <= 0 || !kv.Admit(*seq, cached, cached + wanted)) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      queues.running.push_back(seq);
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
    }
  }

 private:
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
