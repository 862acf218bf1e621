#include "policies/registry.h"

#include <stdexcept>

#include "policies/batching/batch_scheduler.h"
#include "policies/kv/kv_allocator.h"

namespace servesim {

const std::vector<ImplEntry>& Implementations() {
  static const std::vector<ImplEntry> kTable = {
      {"scheduler", "vllm_v1",
       "vLLM v1: running first, then waiting, one token budget, chunked prefill, recompute "
       "preemption"},
      {"scheduler", "vllm_v0",
       "vLLM v0: prefill-first steps, FCFS, watermark, recompute or swap preemption"},
      {"scheduler", "sarathi",
       "Sarathi-Serve: stall-free chunked prefill: decodes, partial prefills, new prefills"},
      {"scheduler", "orca",
       "Orca: iteration-level, whole prompts mixed with decodes, max-tokens KV reservation"},
      {"scheduler", "static",
       "FasterTransformer / HF generate: padded batches that run until their longest member ends"},
      {"kv_cache", "paged",
       "vLLM paged KV blocks allocated as sequences grow; prefix caching, watermark, swap"},
      {"kv_cache", "contiguous",
       "one region per request reserved at admission (max length, exact, or power of two)"},
      {"speculative", "none", "no speculative decoding"},
      {"speculative", "draft_model",
       "a draft model on the target's device or another, k drafts per round, verified in one pass"},
      {"speculative", "ngram",
       "prompt lookup: drafts at (near) zero cost, acceptance as configured"},
      {"speculative", "draft_heads",
       "EAGLE/Medusa-style heads: each draft pass costs a fraction of a target decode step"},
      {"offload", "none", "weights and KV resident in device memory"},
      {"offload", "layers",
       "a resident set of layers (pinned, or the OS page cache's LRU), the rest streamed per pass "
       "from host memory or storage with prefetch; optional KV spill to host"},
      {"offload", "flexgen",
       "FlexGen-style fixed percentages of every layer's weights on device / host / disk and of "
       "the KV cache on device / host"},
      {"routing", "round_robin", "replicas in turn (most gateways' default)"},
      {"routing", "least_requests", "join the shortest queue: fewest outstanding requests"},
      {"routing", "least_tokens",
       "fewest outstanding tokens (prompt + output of the requests a replica holds)"},
      {"routing", "least_kv", "lowest KV-cache usage, then fewest outstanding requests"},
      {"routing", "random", "uniform, from the scenario's random stream \"routing\""},
      {"cost_model", "roofline", "calibrated per-operator roofline (hardware/cost_model.h)"},
      {"workload", "synthetic", "generated arrivals and lengths (workloads/workload_yaml.h)"},
      {"workload", "closed_loop", "N clients that each wait for a response, then think"},
      {"workload", "trace", "replay of an Azure / Mooncake / CSV / JSONL trace, streamed"},
  };
  return kTable;
}

std::vector<std::string> ImplNames(const std::string& slot) {
  std::vector<std::string> out;
  for (const auto& e : Implementations()) {
    if (slot == e.slot) out.emplace_back(e.name);
  }
  return out;
}

// The factories behind the names above. Names are validated by the scenario loader; an unknown
// one here is a programming error.
std::unique_ptr<BatchScheduler> MakeBatchScheduler(const SchedulerOptions& o) {
  if (o.impl == "vllm_v1") return MakeVllmV1Scheduler(o);
  if (o.impl == "vllm_v0") return MakeVllmV0Scheduler(o);
  if (o.impl == "sarathi") return MakeSarathiScheduler(o);
  if (o.impl == "orca") return MakeOrcaScheduler(o);
  if (o.impl == "static") return MakeStaticScheduler(o);
  throw std::logic_error("no scheduler named '" + o.impl + "'");
}

std::unique_ptr<KvAllocator> MakeKvAllocator(const KvOptions& o) {
  if (o.impl == "paged") {
    return o.prefix_caching ? MakePrefixCachingKvAllocator(o) : MakePagedKvAllocator(o);
  }
  if (o.impl == "contiguous") return MakeContiguousKvAllocator(o);
  throw std::logic_error("no KV allocator named '" + o.impl + "'");
}

}  // namespace servesim
