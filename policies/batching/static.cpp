// Static (request-level) batching, as in FasterTransformer and Hugging Face transformers'
// generate() (the vLLM paper's FasterTransformer baseline, §6): a batch is formed only when the
// previous one has drained, runs as one rectangular tensor until its longest member ends, and
// only then are new requests admitted. Rules:
// - Formation (running empty): up to max_batch_size (max_num_seqs) waiting requests, FCFS, each
//   reserving KV for its maximum tokens (Admit with prompt + output; the contiguous allocator in
//   max_model_len mode reserves the model's maximum, as FasterTransformer does); formation stops
//   at the first that does not fit. With max_wait_ns > 0 and fewer than max_batch_size waiting, the
//   batch is not formed until the oldest waiting request has waited max_wait_ns (the plan is empty
//   with wake_at_ns set to that time).
// - Step 1 prefills every member, each padded to the longest prompt of the batch (pad_tokens).
//   Every later step decodes one token for each member with output left.
// - A member whose output has ended keeps its slot until the batch ends. With return_at_batch_end
//   (generate()'s semantics: one call returns the whole batch) it stays in `running` with
//   hold = true, scheduled with new_tokens 0 and pad_tokens 1 (priced, credited to no one), and
//   every member's hold is cleared in the batch's last step, so all complete together. Without it
//   the member completes as its own output ends and the engine drops it; its slot is still priced
//   as a padding decode (pad_decode_seqs, pad_context_tokens = the finished members' final
//   contexts), which the scheduler tracks without keeping pointers to completed sequences.
// Ignores: the padded positions' KV (members are priced at their own context), early exit of a
// batch whose remaining members all hit EOS (outputs are known lengths here).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "policies/batching/batch_scheduler.h"
#include "policies/batching/scheduler_yaml.h"

namespace servesim {
namespace {

class StaticScheduler final : public BatchScheduler {
 public:
  explicit StaticScheduler(const SchedulerOptions& o) : o_(o) {}

  void Schedule(ReplicaQueues& queues, KvAllocator& kv, int64_t now_ns, StepPlan& plan) override {
    if (queues.running.empty()) {
      slots_ = finished_slots_ = finished_context_ = finishing_slots_ = finishing_context_ = 0;
      if (!FormBatch(queues, kv, now_ns, plan)) return;
    } else {
      // Members whose last token the previous step computed have been completed and dropped by
      // the engine (never the case with return_at_batch_end: those are held).
      finished_slots_ += finishing_slots_;
      finished_context_ += finishing_context_;
      finishing_slots_ = finishing_context_ = 0;
      if (finished_slots_ != slots_ - static_cast<int64_t>(queues.running.size())) {
        throw std::logic_error("static: batch members left running other than as predicted");
      }
    }
    Step(queues, kv, plan);
    plan.pad_decode_seqs = finished_slots_;
    plan.pad_context_tokens = finished_context_;
  }

 private:
  // Whether a batch was formed; otherwise the plan stays empty (wake_at_ns set while waiting for
  // a fuller batch).
  bool FormBatch(ReplicaQueues& queues, KvAllocator& kv, int64_t now_ns, StepPlan& plan) {
    if (queues.waiting.empty()) return false;
    if (o_.max_wait_ns > 0 && static_cast<int64_t>(queues.waiting.size()) < o_.max_num_seqs) {
      const int64_t deadline = queues.waiting.front()->arrival_ns + o_.max_wait_ns;
      if (now_ns < deadline) {
        plan.wake_at_ns = deadline;
        return false;
      }
    }
    while (!queues.waiting.empty() &&
           static_cast<int64_t>(queues.running.size()) < o_.max_num_seqs) {
      Sequence* seq = queues.waiting.front();
      if (!kv.Admit(*seq, 0, seq->MaxTokens())) break;
      queues.waiting.pop_front();
      seq->status = SeqStatus::kRunning;
      seq->hold = o_.return_at_batch_end;
      queues.running.push_back(seq);
    }
    slots_ = static_cast<int64_t>(queues.running.size());
    return slots_ > 0;
  }

  // A member has work while its prompt is not computed or its output is not complete.
  static bool Active(const Sequence& seq) {
    return seq.computed < seq.prompt_tokens || seq.generated < seq.output_tokens;
  }

  // One step of the batch: active members compute everything they have not computed (the whole
  // prompt in step 1, one token after), padded to the longest of them; finished held members pad
  // one token. Clears every hold in the step after which no member has output left.
  void Step(ReplicaQueues& queues, KvAllocator& kv, StepPlan& plan) {
    int64_t longest = 0;
    for (const Sequence* seq : queues.running) {
      if (Active(*seq)) longest = std::max(longest, seq->Pending());
    }
    bool output_left = false;
    for (Sequence* seq : queues.running) {
      if (!Active(*seq)) {
        plan.seqs.push_back({seq, 0, 1});
        continue;
      }
      const int64_t wanted = seq->Pending();
      if (!kv.Reserve(*seq, seq->computed + wanted)) {
        throw std::logic_error("static: a request outgrew the KV it reserved at admission");
      }
      plan.seqs.push_back({seq, wanted, longest - wanted});
      // The step computes every known token, so it emits one if output remains.
      const int64_t generated_after =
          seq->generated + (seq->generated < seq->output_tokens ? 1 : 0);
      if (generated_after < seq->output_tokens) {
        output_left = true;
      } else if (!seq->hold) {
        ++finishing_slots_;
        finishing_context_ += seq->computed + wanted;
      }
    }
    if (!output_left) {
      for (Sequence* seq : queues.running) seq->hold = false;
    }
  }

  SchedulerOptions o_;
  int64_t slots_ = 0;              // members of the current batch (0: none)
  int64_t finished_slots_ = 0;     // members completed and dropped while the batch runs
  int64_t finished_context_ = 0;   // their summed final contexts
  int64_t finishing_slots_ = 0;    // members the current step completes
  int64_t finishing_context_ = 0;  // and their final contexts
};

}  // namespace

std::unique_ptr<BatchScheduler> MakeStaticScheduler(const SchedulerOptions& options) {
  return std::make_unique<StaticScheduler>(options);
}

}  // namespace servesim

// The descriptor (listed in policies/registry.cpp): keys with their defaults, parser, factory and
// capabilities.
namespace servesim {
namespace {

void ParseStatic(YamlMapReader& r, SchedulerOptions& so) {
  so.max_num_seqs = r.Int("max_batch_size", 8, 1, 1 << 20);
  so.max_num_batched_tokens = 0;  // no token budget: whole prompts
  so.max_wait_ns = static_cast<int64_t>(std::llround(r.Double("max_wait_ms", 0, 0, 1e9) * 1e6));
  so.return_at_batch_end = r.Bool("return_at_batch_end", true);
}

}  // namespace

const SchedulerDescriptor& StaticSchedulerDescriptor() {
  static const SchedulerDescriptor kDescriptor = {
      "static",
      "FasterTransformer / HF generate: padded batches that run until their longest member ends",
      {
          {"max_batch_size", "integer", "sequences", "8", "batch size cap"},
          {"max_wait_ms", "number", "ms", "0",
           "wait up to this long for a full batch before starting a smaller one"},
          {"return_at_batch_end", "bool", "", "true",
           "responses return when the whole batch ends (HF `generate`); false: each as its "
           "output ends (its slot still decodes padding)"},
      },
      ParseStatic,
      MakeStaticScheduler,
      {.kv_default = "contiguous", .preemption = "recompute only or never"},
  };
  return kDescriptor;
}

}  // namespace servesim
