#include "policies/registry.h"

namespace servesim {

const std::vector<ImplEntry>& Implementations() {
  static const std::vector<ImplEntry> kTable = {
      {"scheduler", "vllm_v1",
       "vLLM v1: running first, then waiting, one token budget, chunked prefill, recompute preemption"},
      {"kv_cache", "paged", "vLLM paged KV blocks allocated as sequences grow"},
      {"speculative", "none", "no speculative decoding"},
      {"offload", "none", "weights and KV resident in device memory"},
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

}  // namespace servesim
