#include "hardware/memory_plan.h"

#include <algorithm>
#include <cmath>

#include "models/arithmetic.h"

namespace servesim {

double KvBytesPerTokenPerDevice(const ModelSpec& m, int tp, int pp) {
  const int64_t p = std::max(1, tp);
  const int64_t kv_heads = m.num_kv_heads % p == 0 ? m.num_kv_heads / p : 1;
  const int64_t layers = m.num_layers / std::max(1, pp);
  return 2.0 * static_cast<double>(layers * kv_heads * m.head_dim) * m.KvBytesPerElement();
}

double WeightBytesPerDevice(const ModelSpec& m, int tp, int dp, int pp) {
  const int t = std::max(1, tp), d = std::max(1, dp);
  if (pp > 1) {
    const WeightLayout w = WeightBytesLayout(m);
    const double layers = static_cast<double>(m.num_layers / pp);
    return (layers * w.layer + std::max(w.embedding, w.head)) / t;
  }
  if (d == 1) return WeightBytes(m) / t;
  const double experts = RoutedExpertWeightBytes(m);
  return (WeightBytes(m) - experts) / t + experts / (static_cast<double>(t) * d);
}

double NonTorchBytes(int tp) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  return (tp > 1 ? 0.55 : 0.13) * kGiB;
}

MemoryPlan PlanMemory(const ModelSpec& model, const DeviceSpec& device,
                      const MemoryPlanOptions& o) {
  MemoryPlan p;
  const int tp = std::max(1, o.tp);
  p.device_bytes = device.memory.capacity_bytes;
  p.usable_bytes = p.device_bytes * o.memory_utilization;
  const int pp = std::max(1, o.pp);
  p.weight_bytes = WeightBytesPerDevice(model, tp, o.dp, pp);
  p.expert_weight_bytes = RoutedExpertWeightBytes(model) / (tp * std::max(1, o.dp));
  p.activation_bytes =
      o.vllm_profile
          ? ActivationWorkingSetBytes(model, o.profile_tokens, o.profile_logit_tokens, tp)
          : ForwardLogitsWorkingSetBytes(model, o.profile_tokens, o.profile_logit_tokens, tp);
  p.non_torch_bytes =
      o.non_torch_bytes >= 0 ? o.non_torch_bytes : (o.vllm_profile ? NonTorchBytes(tp) : 0.0);
  p.cuda_graph_bytes = o.cuda_graph_bytes;
  p.reserve_bytes = p.non_torch_bytes + p.cuda_graph_bytes;
  p.draft_weight_bytes = o.draft_weight_bytes;
  p.resident_weight_bytes = o.resident_weight_bytes < 0
                                ? p.weight_bytes
                                : std::min(p.weight_bytes, o.resident_weight_bytes);
  p.offload_buffer_bytes = o.offload_buffer_bytes;
  const double on_device = p.resident_weight_bytes + p.offload_buffer_bytes;
  p.kv_budget_bytes =
      p.usable_bytes - on_device - p.draft_weight_bytes - p.activation_bytes - p.reserve_bytes;
  p.kv_bytes_per_token = KvBytesPerTokenPerDevice(model, tp, pp) + o.draft_kv_bytes_per_token;
  p.weights_fit = on_device + p.draft_weight_bytes <= p.usable_bytes;
  const double block_bytes =
      p.kv_bytes_per_token * static_cast<double>(std::max<int64_t>(1, o.block_size_tokens));
  p.kv_blocks =
      p.kv_budget_bytes > 0 ? static_cast<int64_t>(std::floor(p.kv_budget_bytes / block_bytes)) : 0;
  p.kv_token_capacity = p.kv_blocks * o.block_size_tokens;
  return p;
}

int64_t MaxConcurrentSequences(const MemoryPlan& plan, int64_t tokens_per_seq, int64_t block_size) {
  const int64_t per_seq =
      BlocksFor(std::max<int64_t>(1, tokens_per_seq), std::max<int64_t>(1, block_size));
  return plan.kv_blocks / per_seq;
}

}  // namespace servesim
