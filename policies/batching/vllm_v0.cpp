// vLLM v0's scheduling rules, as in vllm/core/scheduler.py (Scheduler._schedule_default,
// _schedule_chunked_prefill, _schedule_prefills, _schedule_running, _schedule_swapped, _preempt; the
// v0 engine's last releases, with max_num_partial_prefills = 1; read for the rules, not copied).
//
// Default (chunked_prefill false, _schedule_default), one step is prefill-only or decode-only:
//  1. Only while `swapped` is empty (_schedule_default: "if not self.swapped"), prefills from
//     `waiting` FCFS (_schedule_prefills): each computes its whole prompt minus its cached prefix
//     (Tokens(): a recompute-preempted request re-prefills its generated tokens too), and KV for all
//     Tokens() is allocated at admission (block manager allocate(); the allocator applies the
//     watermark, can_allocate). Stop at the first that cannot get KV (AllocStatus.LATER), whose
//     tokens exceed the remaining max_num_batched_tokens, or once running + admitted reaches
//     max_num_seqs (SchedulingBudget.can_schedule, running pre-counted).
//  2. Only if no prefill was scheduled, every running sequence decodes in order
//     (_schedule_running, no token-budget check). A decode that cannot get its slot
//     (_can_append_slots) preempts the tail of running (running_queue.pop()), or itself when it is
//     the tail, until it fits (_preempt): by swap when swap space is configured (the user's
//     preemption_mode "swap"), else by recompute (free the KV, computed = 0, back to `waiting`).
//     Recompute victims re-enter `waiting` at the front after the step's prefill pass
//     (waiting.extendleft(preempted): the earliest-admitted victim ends first); swap victims join
//     the back of `swapped` in preemption order (swapped.extend(swapped_out)).
//  3. Only if nobody was preempted, `swapped` is resumed FCFS (_schedule_swapped): SwapIn (the
//     allocator applies the watermark, can_swap_in) plus the next slot; each rejoins the tail of
//     running and decodes this step, within max_num_seqs and the token budget; stop at the first
//     that does not fit.
//
// Chunked prefill (chunked_prefill true, _schedule_chunked_prefill), one token budget per step:
//  1. Running sequences in order (_schedule_running, enable_chunking): a decode asks 1 token, a
//     partial prefill min(rest of its tokens, budget left); the first that gets 0 (budget spent)
//     stops the pass, leaving it and the rest unscheduled. Preemption as in the default mode.
//  2. Only if nobody was preempted, swapped sequences FCFS (_schedule_swapped, not chunked: each
//     needs all its remaining tokens within the budget left, and a max_num_seqs slot; but see the
//     deviations).
//  3. New prefills from `waiting` FCFS (_schedule_prefills, enable_chunking), even while `swapped`
//     is non-empty and even after a preemption (neither is checked on this path): min(rest,
//     budget left) tokens, whole-sequence KV at admission, within max_num_seqs; stop at the first
//     that cannot get KV. This step's recompute victims are not yet in `waiting` here.
//  4. Running is reordered for the next step: the unscheduled remainder of step 1, then swapped-in
//     decodes, swapped-in prefills, scheduled decodes, scheduled prefills that finish their prompt
//     this step, the other prefills, and the new prefills (the order since vLLM 0.6, PR #7874,
//     plus _order_finishing_prefills_first).
//
// Deviations:
// - vLLM aborts the engine when a swap victim finds no host space (_swap_out RuntimeError); here the
//   victim is recomputed instead.
// - In chunked mode a swapped sequence resumes with all its remaining tokens (_schedule_swapped is
//   called without enable_chunking), so a swapped partial prefill whose rest exceeds the whole
//   budget would never resume (vLLM hangs); here that one case is chunked to the budget left.
// - vLLM's can_swap_in asks the watermark for the swapped blocks plus the next slot's block; here
//   SwapIn applies it to the swapped blocks and the next slot only needs a free block.
// - A request longer than max_num_batched_tokens (default mode) or than the KV cache is "ignored"
//   (finished unserved) by vLLM; here the engine rejects what can never fit in the cache, and vLLM's
//   config check (max_num_batched_tokens >= max_model_len without chunked prefill) must hold, or
//   such a request blocks the head of `waiting`.
// - Prefill vs decode is told from the counts (a decode has generated a token and has one left to
//   compute); vLLM tracks a stage flag, so a recompute prefill with one token left counts as a
//   decode here (same token count, only its place in the chunked reordering differs). Prefix-cache
//   chunks are not rounded down to whole blocks.
#include <algorithm>
#include <vector>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/preemption.h"
#include "policies/batching/scheduler_yaml.h"

namespace servesim {
namespace {

bool InDecode(const Sequence& seq) { return seq.Decoding(); }

class VllmV0Scheduler final : public BatchScheduler {
 public:
  explicit VllmV0Scheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t /*now_ns*/,
                StepPlan& plan) override {
    if (o_.chunked_prefill) {
      ScheduleChunked(queues, kv, plan);
    } else {
      ScheduleDefault(queues, kv, plan);
    }
    // waiting.extendleft(preempted): this step's recompute victims, the earliest admitted first.
    preemptor_.FinishSchedule(queues);
  }

 private:
  int64_t RunningCount(const ReplicaQueues& queues) const {
    return static_cast<int64_t>(queues.running.size());
  }

  void ScheduleDefault(ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan) {
    int64_t budget = o_.max_num_batched_tokens;
    bool prefilled = false;
    if (queues.swapped.empty()) {
      while (!queues.waiting.empty() && RunningCount(queues) < o_.max_num_seqs) {
        Sequence* seq = queues.waiting.front();
        const int64_t cached = kv.CachedPrefixTokens(*seq);
        const int64_t wanted = seq->Tokens() - cached;
        if (wanted <= 0 || wanted > budget) break;
        if (!kv.Admit(*seq, cached, seq->Tokens())) break;
        queues.waiting.pop_front();
        seq->status = SeqStatus::kRunning;
        queues.running.push_back(seq);
        plan.seqs.push_back({seq, wanted});
        budget -= wanted;
        prefilled = true;
      }
    }
    if (prefilled) return;

    size_t index = 0;
    while (index < queues.running.size()) {
      Sequence* seq = queues.running[index];
      const int64_t wanted = seq->Pending();
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
    SwapIn(queues, kv, plan, budget, nullptr, nullptr);
  }

  void ScheduleChunked(ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan) {
    int64_t budget = o_.max_num_batched_tokens;
    decodes_.clear();
    finishing_.clear();
    partial_.clear();
    swapped_decodes_.clear();
    swapped_prefills_.clear();
    admitted_.clear();

    size_t index = 0;
    while (index < queues.running.size()) {
      Sequence* seq = queues.running[index];
      if (budget <= 0) break;
      const int64_t wanted = std::min(seq->Pending(), budget);
      if (wanted <= 0) {  // nothing to compute (not seen in vLLM): keep its place, skip it
        decodes_.push_back(seq);
        ++index;
        continue;
      }
      const bool decode = InDecode(*seq);
      if (!preemptor_.ReserveOrPreemptTail(*seq, seq->computed + wanted, queues, kv, plan)) break;
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
      if (decode) {
        decodes_.push_back(seq);
      } else if (seq->computed + wanted >= seq->Tokens()) {
        finishing_.push_back(seq);
      } else {
        partial_.push_back(seq);
      }
      ++index;
    }
    const size_t end = queues.running.size();  // [index, end): left unscheduled by the budget

    if (plan.preempted == 0)
      SwapIn(queues, kv, plan, budget, &swapped_decodes_, &swapped_prefills_);

    while (!queues.waiting.empty() && budget > 0 && RunningCount(queues) < o_.max_num_seqs) {
      Sequence* seq = queues.waiting.front();
      const int64_t cached = kv.CachedPrefixTokens(*seq);
      const int64_t wanted = std::min(seq->Tokens() - cached, budget);
      if (wanted <= 0) break;
      if (!kv.Admit(*seq, cached, seq->Tokens())) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      queues.running.push_back(seq);
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
      admitted_.push_back(seq);
    }

    order_.clear();
    order_.insert(order_.end(), queues.running.begin() + static_cast<std::ptrdiff_t>(index),
                  queues.running.begin() + static_cast<std::ptrdiff_t>(end));
    for (const auto* part :
         {&swapped_decodes_, &swapped_prefills_, &decodes_, &finishing_, &partial_, &admitted_}) {
      order_.insert(order_.end(), part->begin(), part->end());
    }
    queues.running.assign(order_.begin(), order_.end());
  }

  // Resumes swapped sequences FCFS while each fits the budget, max_num_seqs and the KV cache. Each
  // computes all its remaining tokens (1 for a decode). With `decodes` / `prefills` set (chunked
  // mode) the resumed sequences are recorded there for the running-list reordering.
  void SwapIn(ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan, int64_t& budget,
              std::vector<Sequence*>* decodes, std::vector<Sequence*>* prefills) {
    while (!queues.swapped.empty() && RunningCount(queues) < o_.max_num_seqs) {
      Sequence* seq = queues.swapped.front();
      int64_t wanted = seq->Pending();
      // vLLM asks for all of a swapped prefill's rest at once, so one longer than the whole budget
      // would never resume; only that case is chunked to the budget left.
      if (decodes != nullptr && wanted > o_.max_num_batched_tokens) wanted = budget;
      if (wanted <= 0 || wanted > budget) break;
      // After SwapIn the sequence holds swapped_blocks; growing it to computed + wanted tokens then
      // succeeds iff the device has that many blocks free now.
      if (kv.BlocksFor(seq->computed + wanted) > kv.free_blocks()) break;
      const int64_t blocks = seq->swapped_blocks;
      const bool decode = InDecode(*seq);
      if (!kv.SwapIn(*seq)) break;
      if (!kv.Reserve(*seq, seq->computed + wanted)) {
        // Unreachable by the check above; undo rather than run a sequence without its slot.
        kv.SwapOut(*seq);
        break;
      }
      queues.swapped.pop_front();
      plan.swap_in_blocks += blocks;
      seq->status = SeqStatus::kRunning;
      queues.running.push_back(seq);
      plan.seqs.push_back({seq, wanted});
      budget -= wanted;
      if (decodes != nullptr) (decode ? decodes : prefills)->push_back(seq);
    }
  }

  SchedulerOptions o_;
  // Swap when the allocator has host space, else recompute; recompute victims rejoin `waiting`
  // after the step's prefill pass.
  Preemptor preemptor_{Preemptor::Mode::kSwapWhenPossible, Preemptor::Requeue::kAtScheduleEnd};
  // Scratch lists, reused across steps (no allocation once warmed up).
  std::vector<Sequence*> decodes_, finishing_, partial_, swapped_decodes_, swapped_prefills_,
      admitted_, order_;
};

}  // namespace

std::unique_ptr<BatchScheduler> MakeVllmV0Scheduler(const SchedulerOptions& options) {
  return std::make_unique<VllmV0Scheduler>(options);
}

}  // namespace servesim

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseVllmV0(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_num_seqs", 256, 1, 1 << 20);
  so.chunked_prefill = r.Bool("chunked_prefill", false);
  so.max_num_batched_tokens =
      r.Int("max_num_batched_tokens",
            so.chunked_prefill ? 512 : std::max<int64_t>(so.max_model_len, 2048), 1, 1 << 24);
  if (!so.chunked_prefill && so.max_num_batched_tokens < so.max_model_len) {
    r.Fail("scheduler.max_num_batched_tokens",
           "must be at least max_model_len (" + std::to_string(so.max_model_len) +
               ") without chunked prefill, or a long prompt could never be scheduled",
           std::to_string(so.max_num_batched_tokens));
  }
}

}  // namespace

const SchedulerDescriptor& VllmV0SchedulerDescriptor() {
  static const SchedulerDescriptor kDescriptor = {
      "vllm_v0",
      "vLLM v0: prefill-first steps, FCFS, watermark, recompute or swap preemption",
      {
          {"max_num_seqs", "integer", "sequences", "256", "running sequences per replica"},
          {"chunked_prefill", "bool", "", "false",
           "true: its chunked-prefill schedule (running, then swapped, then new prefills, one "
           "budget)"},
          {"max_num_batched_tokens", "integer", "tokens",
           "max(max_model_len, 2048); 512 with chunked prefill",
           "token budget per step (at least `max_model_len` without chunked prefill)"},
      },
      ParseVllmV0,
      MakeVllmV0Scheduler,
      {.prefix_caching = true,
       .preempts = true,
       .swap_preemption = true,
       .speculation = true,
       .decode_stretch_jump = true,
       .watermark_default = 0.01,
       .preemption = "recompute or swap"},
  };
  return kDescriptor;
}

}  // namespace servesim
