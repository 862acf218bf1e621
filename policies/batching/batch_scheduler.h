// Batch schedulers: given a replica's queues and its KV allocator, decide the next step.
//
// Contract: Schedule(queues, kv, now_ns, plan) fills `plan` (cleared by the caller) with the
// sequences to compute this step and how many new tokens each computes, having reserved their KV
// through `kv` before it returns. It may preempt running sequences (only through
// policies/batching/preemption.h: recompute or swap), swap sequences back in, and admit
// waiting ones into `running` (Admit, status kRunning). The engine credits each entry's
// `new_tokens` when the step completes; `pad_tokens` are priced but credited to no one (static
// batching's padding), as are the plan's pad_decode_seqs (finished members still occupying a
// slot). A plan with no sequences means idle until an arrival or a completion, or until
// `wake_at_ns` when that is set. It must not allocate once the queues' capacity is reached (plan
// vectors are reused). Ignores: speculative tokens (added by the speculative-decoding issue).
#ifndef SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_
#define SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"

namespace servesim {

struct ReplicaQueues {
  std::deque<Sequence*> waiting;  // FCFS; recompute-preempted sequences go back to the front
  // In the scheduler's order (admission order unless its source reorders); the tail is preempted
  // first.
  std::vector<Sequence*> running;
  std::deque<Sequence*> swapped;  // swap-preempted, KV in host memory; resumed FCFS
  // When an engine that plans one step ahead (vLLM's async scheduling) would have formed this
  // step's plan: the start of the step that just completed, or the scheduling time itself when
  // the replica was idle. Set by the engine before each Schedule.
  int64_t planned_at_ns = 0;
  // Pipeline parallelism: running requests left out of `running` while they are in flight in an
  // earlier micro-batch (vLLM v1 skips requests already scheduled); they still count toward the
  // running-set cap. 0 without pipeline parallelism.
  int64_t in_flight_elsewhere = 0;
};

struct ScheduledSeq {
  Sequence* seq = nullptr;
  int64_t new_tokens = 0;  // computed and credited
  int64_t pad_tokens = 0;  // computed alongside (padding) and credited to no one
};

struct StepPlan {
  std::vector<ScheduledSeq> seqs;
  int64_t preempted = 0;           // sequences preempted while forming this plan
  int64_t swap_out_blocks = 0;     // KV blocks moved device -> host before the step
  int64_t swap_in_blocks = 0;      // and host -> device
  int64_t pad_decode_seqs = 0;     // slots of finished requests still decoding padding
  int64_t pad_context_tokens = 0;  // their summed context
  int64_t wake_at_ns = -1;         // with an empty plan: try again at this time
  void Clear() {
    seqs.clear();
    preempted = swap_out_blocks = swap_in_blocks = pad_decode_seqs = pad_context_tokens = 0;
    wake_at_ns = -1;
  }
};

class BatchScheduler {
 public:
  virtual ~BatchScheduler() = default;
  virtual void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t now_ns, StepPlan& plan) = 0;
};

// The parameters of every scheduler in one struct; each implementation reads its own (documented
// in scenarios/README.md) and the scenario loader rejects keys the chosen one does not take.
struct SchedulerOptions {
  std::string impl = "vllm_v1";
  int64_t max_num_seqs = 256;                // running-set cap (static/orca: max_batch_size)
  int64_t max_num_batched_tokens = 8192;     // per-step token budget (sarathi: chunk_size)
  int64_t long_prefill_token_threshold = 0;  // vllm_v1: 0 = no cap on one request's chunk
  bool chunked_prefill = true;      // vllm_v1: false = admit only when the whole prompt fits;
                                    // vllm_v0: true = its chunked-prefill scheduling
  int64_t max_model_len = 0;        // 0: no cap
  int64_t max_wait_ns = 0;          // static: wait up to this long for a full batch
  bool return_at_batch_end = true;  // static: responses return when the batch drains
  bool async_scheduling = false;    // vllm_v1: plan each step while the previous one runs (the
                                    // scenario key's default is true, as in vLLM 0.19)
};

// vLLM v1 (vllm/v1/core/sched/scheduler.py): running first, then waiting, one token budget.
std::unique_ptr<BatchScheduler> MakeVllmV1Scheduler(const SchedulerOptions& options);
// vLLM v0 (vllm/core/scheduler.py): prefill-first, or its chunked-prefill variant.
std::unique_ptr<BatchScheduler> MakeVllmV0Scheduler(const SchedulerOptions& options);
// Sarathi-Serve: decodes, then partial prefills, then new prefills, within chunk_size.
std::unique_ptr<BatchScheduler> MakeSarathiScheduler(const SchedulerOptions& options);
// Orca: iteration-level, whole prompts mixed with decodes, max-tokens KV reservation.
std::unique_ptr<BatchScheduler> MakeOrcaScheduler(const SchedulerOptions& options);
// Static batching (FasterTransformer / HF generate): a batch runs until its longest member ends.
std::unique_ptr<BatchScheduler> MakeStaticScheduler(const SchedulerOptions& options);
// Dispatches on options.impl (names in policies/registry.cpp).
std::unique_ptr<BatchScheduler> MakeBatchScheduler(const SchedulerOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_BATCHING_BATCH_SCHEDULER_H_
