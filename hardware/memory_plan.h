// How device memory divides between weights, activations and the KV cache, the way serving
// engines size it (vLLM: total * gpu_memory_utilization - weights - peak activations of a
// profiling pass - framework reserve = KV cache, in whole blocks).
//
// Models: per-device shares under tensor parallelism (weights sharded, KV heads split or
// replicated); with an offload plan (policies/offload/), only the resident share of the weights and
// the streaming buffers occupy device memory. Ignores: fragmentation, CUDA graph pools beyond the
// fixed reserve.
#ifndef SERVESIM_HARDWARE_MEMORY_PLAN_H_
#define SERVESIM_HARDWARE_MEMORY_PLAN_H_

#include <cstdint>

#include "hardware/device_spec.h"
#include "models/model_spec.h"

namespace servesim {

struct MemoryPlanOptions {
  int tp = 1;
  // Data parallel MoE: the routed experts spread over dp x tp devices (whole experts with expert
  // parallelism, slices without: the same bytes per device); the rest is per DP rank over tp.
  int dp = 1;
  double memory_utilization = 0.9;     // fraction of device memory the engine may use
  int64_t profile_tokens = 8192;       // tokens of the activation-profiling forward pass
  int64_t profile_logit_tokens = 256;  // sequences whose logits that pass computes
  double framework_reserve_bytes = 0;  // CUDA context, graphs, allocator slack
  int64_t block_size_tokens = 16;      // KV block granularity
  // A co-resident draft model (speculative decoding): its weights and its KV per token on this
  // device, allocated in lockstep with the target's blocks.
  double draft_weight_bytes = 0;
  double draft_kv_bytes_per_token = 0;
  // Offload: the target's weights kept in device memory (< 0: all of them) and the buffers that
  // hold streamed weights while they load and compute.
  double resident_weight_bytes = -1;
  double offload_buffer_bytes = 0;
};

struct MemoryPlan {
  double device_bytes = 0;           // capacity of one device
  double usable_bytes = 0;           // device_bytes * utilization
  double weight_bytes = 0;           // on one device (all of the model's share)
  double expert_weight_bytes = 0;    // of those, the routed experts' (MoE)
  double resident_weight_bytes = 0;  // of those, kept in device memory (== weight_bytes unless
                                     // offloaded)
  double offload_buffer_bytes = 0;   // device memory for streamed weights in flight
  double draft_weight_bytes = 0;     // a co-resident draft model's, on one device
  double activation_bytes = 0;       // peak working set of the profiling pass, one device
  double reserve_bytes = 0;
  double kv_budget_bytes = 0;     // what is left for the KV cache (may be negative)
  double kv_bytes_per_token = 0;  // on one device (target + co-resident draft)
  int64_t kv_blocks = 0;          // whole blocks that fit
  int64_t kv_token_capacity = 0;  // kv_blocks * block size
  bool weights_fit = false;
};

// Precondition: model validated, ValidateTensorParallel(model, tp) passed.
MemoryPlan PlanMemory(const ModelSpec& model, const DeviceSpec& device,
                      const MemoryPlanOptions& options);

// Weight bytes on one device: everything / tp, except a MoE model's routed experts / (dp x tp).
double WeightBytesPerDevice(const ModelSpec& model, int tp, int dp);

// KV bytes of one token on one of `tp` devices.
double KvBytesPerTokenPerDevice(const ModelSpec& model, int tp);

// Blocks one sequence of `tokens` tokens occupies.
inline int64_t BlocksFor(int64_t tokens, int64_t block_size) {
  return (tokens + block_size - 1) / block_size;
}

// Sequences of `tokens_per_seq` tokens that fit in the plan's KV blocks at once (0 if none).
int64_t MaxConcurrentSequences(const MemoryPlan& plan, int64_t tokens_per_seq, int64_t block_size);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_MEMORY_PLAN_H_
