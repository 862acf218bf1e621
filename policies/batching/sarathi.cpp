// Sarathi-Serve's stall-free batching (Agrawal et al., OSDI'24), as in sarathi-serve's
// sarathi/core/scheduler/sarathi_scheduler.py (SarathiScheduler._schedule, static chunk size), with
// the KV rules of sarathi/core/block_space_manager/base_block_space_manager.py and
// vllm_block_space_manager.py and the preemption of scheduler/base_scheduler.py (read for the
// rules, not copied). One token budget per step, chunk_size (= max_num_batched_tokens):
//  1. Running sequences whose prompt is fully computed decode 1 token each, in running order, with
//     no budget check (decodes always run: no stall behind a prefill); each counts against the
//     budget. A decode short of its slot (append_slot) preempts the tail of the not-yet-visited
//     running sequences by recompute (_preempt: KV freed, computed = 0, inserted at the front of
//     `waiting` at once), or itself when none is left. Running sequences still in their prompt are
//     set aside in this pass and are never victims.
//  2. Those partial prefills, in order, compute min(rest of the prompt, budget left); their KV was
//     allocated whole at admission.
//  3. New requests from `waiting` FCFS (a recompute victim's prompt includes its generated tokens,
//     reset_for_recompute): stop at the first that cannot get KV for all its tokens (can_allocate:
//     the allocator applies the watermark; allocate() takes every block of the sequence), when
//     running reaches max_num_seqs, or when no budget is left; each computes min(rest, budget
//     left). Admission is not skipped in a step that preempted (_schedule has no such check):
//     this step's victims, already at the front of `waiting`, are tried first.
//  4. Running becomes the decodes, then the partial prefills, then the new requests.
// Deviations:
// - Sarathi's can_append_slot asks for a free block before every decode, even one whose last block
//   still has room; with no block free it preempts needlessly, and a lone sequence that fills the
//   cache exactly preempts itself and is re-admitted forever (a livelock). Here a decode preempts
//   only when Reserve cannot give it its slot (vLLM's can_append_slots).
// - Prefill vs decode is told from the counts (a decode has generated a token and has one left to
//   compute); Sarathi tracks prompt_processing_finished, so a recompute prefill with one token left
//   counts as a decode here (same token count, visited in pass 1 instead of 2).
// Ignores: the dynamic chunk-size schedule, pipeline-parallel micro-batches (is_paused), requests
// arriving in the future (the engine queues only arrived ones), prompt-length ignoring (the engine
// rejects).
#include <algorithm>
#include <vector>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/preemption.h"
#include "policies/batching/scheduler_yaml.h"

namespace servesim {
namespace {

bool InDecode(const Sequence& seq) { return seq.Decoding(); }

class SarathiScheduler final : public BatchScheduler {
 public:
  explicit SarathiScheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t /*now_ns*/,
                StepPlan& plan) override {
    const int64_t chunk = o_.max_num_batched_tokens;
    int64_t batched = 0;
    decodes_.clear();
    prefills_.clear();
    admitted_.clear();

    size_t index = 0;
    while (index < queues.running.size()) {
      Sequence* seq = queues.running[index];
      ++index;
      if (!InDecode(*seq)) {
        prefills_.push_back(seq);
        continue;
      }
      // 1 token, plus its drafts in a speculative round (lookahead slots).
      const int64_t wanted = seq->Pending();
      if (!preemptor_.ReserveOrPreemptTail(*seq, seq->computed + wanted, queues, kv, plan)) break;
      plan.seqs.push_back({seq, wanted});
      batched += wanted;
      decodes_.push_back(seq);
    }

    for (Sequence* seq : prefills_) {
      const int64_t wanted = std::min(seq->Pending(), chunk - batched);
      if (wanted <= 0) continue;
      // Covered by the whole-prompt allocation at admission; a shortfall would be a foreign
      // allocator's, and the sequence then waits a step.
      if (!kv.Reserve(*seq, seq->computed + wanted)) continue;
      plan.seqs.push_back({seq, wanted});
      batched += wanted;
    }

    while (!queues.waiting.empty()) {
      Sequence* seq = queues.waiting.front();
      if (static_cast<int64_t>(decodes_.size() + prefills_.size() + admitted_.size()) >=
          o_.max_num_seqs) {
        break;
      }
      const int64_t cached = kv.CachedPrefixTokens(*seq);
      const int64_t wanted = std::min(seq->Tokens() - cached, chunk - batched);
      if (wanted <= 0) break;
      if (!kv.Admit(*seq, cached, seq->Tokens())) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      plan.seqs.push_back({seq, wanted});
      batched += wanted;
      admitted_.push_back(seq);
    }

    queues.running.clear();
    queues.running.insert(queues.running.end(), decodes_.begin(), decodes_.end());
    queues.running.insert(queues.running.end(), prefills_.begin(), prefills_.end());
    queues.running.insert(queues.running.end(), admitted_.begin(), admitted_.end());
  }

 private:
  SchedulerOptions o_;
  // Recompute only (_preempt); victims enter `waiting` at once, so this step's admission sees them.
  Preemptor preemptor_{Preemptor::Mode::kRecompute, Preemptor::Requeue::kAtOnce};
  // Scratch lists, reused across steps (no allocation once warmed up).
  std::vector<Sequence*> decodes_, prefills_, admitted_;
};

}  // namespace

std::unique_ptr<BatchScheduler> MakeSarathiScheduler(const SchedulerOptions& options) {
  return std::make_unique<SarathiScheduler>(options);
}

}  // namespace servesim

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseSarathi(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_num_seqs", 128, 1, 1 << 20);
  so.max_num_batched_tokens = r.Int("chunk_size", 512, 1, 1 << 24);
}

}  // namespace

const SchedulerDescriptor& SarathiSchedulerDescriptor() {
  static const SchedulerDescriptor kDescriptor = {
      "sarathi",
      "Sarathi-Serve: stall-free chunked prefill: decodes, partial prefills, new prefills",
      {
          {"max_num_seqs", "integer", "sequences", "128", "running sequences per replica"},
          {"chunk_size", "integer", "tokens", "512",
           "per-step token budget (at least `kv_cache.block_size`)"},
      },
      ParseSarathi,
      MakeSarathiScheduler,
      {.prefix_caching = true,
       .preempts = true,
       .speculation = true,
       .decode_stretch_jump = true,
       .chunk_at_least_block = true,
       .watermark_default = 0.01,
       .preemption = "recompute only or never"},
  };
  return kDescriptor;
}

}  // namespace servesim
