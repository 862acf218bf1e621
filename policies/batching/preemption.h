// Preemption of running sequences when the KV cache runs out: one mechanism, one contract, for
// every batch scheduler that preempts (vLLM v1, vLLM v0, Sarathi-Serve).
//
// Models: a sequence that cannot get the KV slots it asks for preempts the tail of `running`
// (the latest admitted first; vLLM's running_queue.pop()) until it fits, or until it is itself the
// tail and is preempted. A victim is preempted by
//  - recompute (PreemptionMode.RECOMPUTE): its KV is released, computed = 0 (it re-prefills its
//    prompt and its generated tokens), status kPreempted; it returns to the front of `waiting`;
//  - swap (PreemptionMode.SWAP, only with Mode::kSwapWhenPossible and an allocator with host
//    space): kv.SwapOut, status kSwapped, back of `swapped` in preemption order, its blocks added
//    to plan.swap_out_blocks; a swap that finds no host space falls back to recompute.
// Either way seq.preemptions and plan.preempted count it.
// Queue order: recompute victims end at the front of `waiting`, each pushed to the front in
// preemption order, so the last preempted (the earliest admitted) is first (vLLM v0's
// waiting.extendleft(preempted); v1 and Sarathi push each at once, which orders them the same).
// When they enter `waiting` is the one rule schedulers differ on: Requeue::kAtOnce puts each there
// as it is preempted (the rest of this Schedule sees it: Sarathi may re-admit it in the same step),
// Requeue::kAtScheduleEnd holds them until FinishSchedule (vLLM v0: this step's victims are not
// admitted by this step's prefill pass).
// Ignores: victim choice other than the tail (priorities), partial KV release.
#ifndef SERVESIM_POLICIES_BATCHING_PREEMPTION_H_
#define SERVESIM_POLICIES_BATCHING_PREEMPTION_H_

#include <cstdint>
#include <vector>

#include "policies/batching/batch_scheduler.h"

namespace servesim {

class Preemptor {
 public:
  enum class Mode { kRecompute, kSwapWhenPossible };
  enum class Requeue { kAtOnce, kAtScheduleEnd };

  Preemptor(Mode mode, Requeue requeue) : mode_(mode), requeue_(requeue) {}

  // Grows `seq` (a member of queues.running) to `tokens` tokens of KV, preempting the tail of
  // queues.running (Preempt) until the reservation succeeds. Returns false when `seq` itself was
  // the tail and got preempted (it has then left `running`).
  bool ReserveOrPreemptTail(Sequence& seq, int64_t tokens, ReplicaQueues& queues, KvAllocator& kv,
                            StepPlan& plan);

  // Preempts `victim`, already removed from queues.running, by swap or recompute as above.
  void Preempt(Sequence& victim, ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan);

  // With Requeue::kAtScheduleEnd, puts the recompute victims held since the last call at the
  // front of queues.waiting; a no-op with kAtOnce. Call at the end of every Schedule.
  void FinishSchedule(ReplicaQueues& queues);

 private:
  Mode mode_;
  Requeue requeue_;
  std::vector<Sequence*> held_;  // kAtScheduleEnd: recompute victims in preemption order (reused)
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_BATCHING_PREEMPTION_H_
