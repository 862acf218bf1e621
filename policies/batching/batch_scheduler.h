// Batch schedulers: given a replica's queues and its KV allocator, decide the next step.
//
// Contract: Schedule() fills `plan` (cleared by the caller) with the sequences to compute this step
// and how many new tokens each computes, reserving their KV through `kv` before it returns; it may
// preempt running sequences (releasing their KV, resetting `computed` for recompute, moving them to
// the front of `waiting`) and admit waiting ones into `running`. It must not allocate once the
// queues' capacity is reached (plan vectors are reused). A plan with no sequences means "idle until
// something changes". Ignores: speculative tokens (added by the speculative-decoding issue).
#ifndef SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_
#define SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"

namespace servesim {

struct ReplicaQueues {
  std::deque<Sequence*> waiting;   // FCFS; preempted sequences go back to the front
  std::vector<Sequence*> running;  // admission order; the tail is preempted first
};

struct ScheduledSeq {
  Sequence* seq = nullptr;
  int64_t new_tokens = 0;
};

struct StepPlan {
  std::vector<ScheduledSeq> seqs;
  int64_t preempted = 0;  // sequences preempted while forming this plan
  void Clear() {
    seqs.clear();
    preempted = 0;
  }
};

class BatchScheduler {
 public:
  virtual ~BatchScheduler() = default;
  virtual void Schedule(ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan) = 0;
};

// vLLM v1 (vllm/v1/core/sched/scheduler.py): running first, then waiting, under one token budget.
struct VllmV1Options {
  int64_t max_num_seqs = 256;
  int64_t max_num_batched_tokens = 8192;
  int64_t long_prefill_token_threshold = 0;  // 0: no cap on one request's chunk
  bool chunked_prefill = true;               // false: admit only when the whole prompt fits
  int64_t max_model_len = 0;                 // 0: no cap
};
std::unique_ptr<BatchScheduler> MakeVllmV1Scheduler(const VllmV1Options& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_
