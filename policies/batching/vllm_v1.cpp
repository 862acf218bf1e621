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
#include "policies/batching/scheduler_yaml.h"

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

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseVllmV1(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_num_seqs", 256, 1, 1 << 20);
  so.max_num_batched_tokens = r.Int("max_num_batched_tokens", 8192, 1, 1 << 24);
  so.long_prefill_token_threshold = r.Int("long_prefill_token_threshold", 0, 0, 1 << 24);
  so.chunked_prefill = r.Bool("chunked_prefill", true);
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
      },
      ParseVllmV1,
      MakeVllmV1Scheduler,
      {.prefix_caching = true,
       .prefix_caching_default = true,
       .preempts = true,
       .speculation = true,
       .decode_stretch_jump = true,
       .preemption = "recompute only"},
  };
  return kDescriptor;
}

}  // namespace servesim
