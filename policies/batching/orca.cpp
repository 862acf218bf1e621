// Orca's iteration-level scheduling (Yu et al., OSDI'22, Algorithm 1; the vLLM paper's Orca-Max,
// Orca-Pow2 and Orca-Oracle baselines in §6 are this scheduler over the contiguous allocator's
// max_model_len, pow2 and request_max reserve modes). Rules: the batch is re-formed every
// iteration; every running request computes in it (a request whose prompt is not computed yet
// computes all of it at once, a decode computes one token); then waiting requests are admitted
// FCFS while the batch has fewer than max_batch_size (max_num_seqs) requests, each reserving KV
// for its maximum tokens up front (Orca's n_slots accounting: prompt + max output), stopping at
// the first whose reservation does not fit; an admitted request computes its whole prompt in the
// same iteration, alongside the decodes. There is no token budget (max_num_batched_tokens is
// ignored) and no preemption: the up-front reservation guarantees growth, so a failed Reserve is
// a programming error. Ignores: Orca's pipeline-parallel batch interleaving across workers, and
// its selective batching (priced by the cost model, not scheduled here).
#include <stdexcept>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/scheduler_yaml.h"

namespace servesim {
namespace {

class OrcaScheduler final : public BatchScheduler {
 public:
  explicit OrcaScheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t /*now_ns*/,
                StepPlan& plan) override {
    for (Sequence* seq : queues.running) {
      const int64_t wanted = seq->Pending();
      if (wanted <= 0) continue;
      if (!kv.Reserve(*seq, seq->computed + wanted)) {
        throw std::logic_error("orca: a request outgrew the KV it reserved at admission");
      }
      plan.seqs.push_back({seq, wanted});
    }
    while (!queues.waiting.empty() &&
           static_cast<int64_t>(queues.running.size()) < o_.max_num_seqs) {
      Sequence* seq = queues.waiting.front();
      if (!kv.Admit(*seq, 0, seq->MaxTokens())) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      queues.running.push_back(seq);
      const int64_t wanted = seq->Pending();
      if (wanted > 0) plan.seqs.push_back({seq, wanted});
    }
  }

 private:
  SchedulerOptions o_;
};

}  // namespace

std::unique_ptr<BatchScheduler> MakeOrcaScheduler(const SchedulerOptions& options) {
  return std::make_unique<OrcaScheduler>(options);
}

}  // namespace servesim

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseOrca(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_batch_size", 256, 1, 1 << 20);
  so.max_num_batched_tokens = 0;  // no token budget: whole prompts
}

}  // namespace

const SchedulerDescriptor& OrcaSchedulerDescriptor() {
  static const SchedulerDescriptor kDescriptor = {
      "orca",
      "Orca: iteration-level, whole prompts mixed with decodes, max-tokens KV reservation",
      {
          {"max_batch_size", "integer", "sequences", "256", "batch size cap"},
      },
      ParseOrca,
      MakeOrcaScheduler,
      {.speculation = true,
       .decode_stretch_jump = true,
       .reserves_max_length = true,
       .kv_default = "contiguous",
       .preemption = "recompute only or never"},
  };
  return kDescriptor;
}

}  // namespace servesim
