#include "policies/batching/preemption.h"

namespace servesim {

bool Preemptor::ReserveOrPreemptTail(Sequence& seq, int64_t tokens, ReplicaQueues& queues,
                                     KvAllocator& kv, StepPlan& plan) {
  while (!kv.Reserve(seq, tokens)) {
    Sequence* victim = queues.running.back();
    queues.running.pop_back();
    Preempt(*victim, queues, kv, plan);
    if (victim == &seq) return false;
  }
  return true;
}

void Preemptor::Preempt(Sequence& victim, ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan) {
  ++victim.preemptions;
  ++plan.preempted;
  if (mode_ == Mode::kSwapWhenPossible && kv.swap_enabled() && kv.SwapOut(victim)) {
    victim.status = SeqStatus::kSwapped;
    queues.swapped.push_back(&victim);
    plan.swap_out_blocks += victim.swapped_blocks;
    return;
  }
  kv.Release(victim);
  victim.computed = 0;
  victim.status = SeqStatus::kPreempted;
  if (requeue_ == Requeue::kAtOnce) {
    queues.waiting.push_front(&victim);
  } else {
    held_.push_back(&victim);
  }
}

void Preemptor::FinishSchedule(ReplicaQueues& queues) {
  for (Sequence* victim : held_) queues.waiting.push_front(victim);
  held_.clear();
}

}  // namespace servesim
