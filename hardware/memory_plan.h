// How device memory divides between weights, activations and the KV cache, the way vLLM 0.19's
// v1 worker sizes it (vllm/v1/worker/gpu_worker.py determine_available_memory, read for the rule):
//   available = total x gpu_memory_utilization
//               - (weights + torch peak increase of the profiling pass + non-torch increase
//                  + CUDA graph pool where the engine deducts it)
//   num_gpu_blocks = available // (block_size x KV bytes per token over all layers)
// The profiling pass is a forward over max_num_batched_tokens tokens spread over
// min(max_num_seqs, max_num_batched_tokens) dummy requests, then the sampler over those requests
// (models/arithmetic.h ActivationWorkingSetBytes). Non-torch memory is what CUDA reports in use
// beyond torch's allocator since the engine started (cuBLAS workspace, NCCL and custom all-reduce
// buffers); the CUDA context itself precedes that baseline and is not deducted. The CUDA graph
// pool is deducted only by vLLM >= 0.21 (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS became default
// there); for 0.19 it lives in the 1 - gpu_memory_utilization slack, so it is 0 here.
//
// Models: per-device shares under tensor parallelism (weights sharded, KV heads split or
// replicated); with an offload plan (policies/offload/), only the resident share of the weights and
// the streaming buffers occupy device memory. Ignores: fragmentation, the driver's reservation
// (CUDA's total is ~0.6 % below nvidia-smi's memory.total, which the presets carry).
#ifndef SERVESIM_HARDWARE_MEMORY_PLAN_H_
#define SERVESIM_HARDWARE_MEMORY_PLAN_H_

#include <cstdint>

#include "hardware/device_spec.h"
#include "models/model_spec.h"

namespace servesim {

struct MemoryPlanOptions {
  int tp = 1;
  // Pipeline stages (hardware/pipeline.h): a device holds num_layers / pp layers' weights and KV;
  // the plan is the heaviest stage's (the embedding table or the LM head beside its layers), as
  // vLLM sizes the KV cache by the worker with the least room.
  int pp = 1;
  // Data parallel MoE: the routed experts spread over dp x tp devices (whole experts with expert
  // parallelism, slices without: the same bytes per device); the rest is per DP rank over tp.
  int dp = 1;
  double memory_utilization = 0.9;     // fraction of device memory the engine may use
  int64_t profile_tokens = 8192;       // tokens of the activation-profiling forward pass
  int64_t profile_logit_tokens = 256;  // sequences whose logits that pass computes
  // Non-torch memory (< 0: NonTorchBytes(tp)) and a CUDA graph pool the engine deducts (vLLM 0.19:
  // none).
  double non_torch_bytes = -1;
  double cuda_graph_bytes = 0;
  // false: an engine other than vLLM (offload planners): the profiling pass is the forward with
  // two fp32 copies of its logits (ForwardLogitsWorkingSetBytes), no non-torch reserve.
  bool vllm_profile = true;
  int64_t block_size_tokens = 16;  // KV block granularity
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
  double activation_bytes = 0;       // torch peak increase of the profiling pass, one device
  double non_torch_bytes = 0;        // cuBLAS / NCCL / all-reduce buffers
  double cuda_graph_bytes = 0;       // a graph pool deducted from the KV budget
  double reserve_bytes = 0;          // non_torch_bytes + cuda_graph_bytes
  double kv_budget_bytes = 0;        // what is left for the KV cache (may be negative)
  double kv_bytes_per_token = 0;     // on one device (target + co-resident draft)
  int64_t kv_blocks = 0;             // whole blocks that fit
  int64_t kv_token_capacity = 0;     // kv_blocks * block size
  bool weights_fit = false;
};

// Precondition: model validated, ValidateTensorParallel(model, tp) passed.
MemoryPlan PlanMemory(const ModelSpec& model, const DeviceSpec& device,
                      const MemoryPlanOptions& options);

// Weight bytes on one device: everything / tp, except a MoE model's routed experts / (dp x tp).
// With pp > 1 stages (dp 1): (num_layers / pp layers + the larger of the embedding table and the
// LM head with the final norm) / tp, the heaviest stage.
double WeightBytesPerDevice(const ModelSpec& model, int tp, int dp, int pp = 1);
// Non-torch memory vLLM v1 deducts on one device: 0.13 GiB alone, 0.55 GiB under tensor parallelism
// (NCCL communicators and custom all-reduce buffers). Measured by vLLM's own profiler on H100s
// (llm-d/llm-d-benchmark config_explorer/empirical-vllm-memory-results.md: 0.13 GiB for five models
// at TP 1, 0.55 GiB for Llama-3.3-70B at TP 2); taken as device-independent.
double NonTorchBytes(int tp);

// KV bytes of one token on one of `tp` devices of a stage holding num_layers / pp layers.
double KvBytesPerTokenPerDevice(const ModelSpec& model, int tp, int pp = 1);

// Blocks one sequence of `tokens` tokens occupies.
inline int64_t BlocksFor(int64_t tokens, int64_t block_size) {
  return (tokens + block_size - 1) / block_size;
}

// Sequences of `tokens_per_seq` tokens that fit in the plan's KV blocks at once (0 if none).
int64_t MaxConcurrentSequences(const MemoryPlan& plan, int64_t tokens_per_seq, int64_t block_size);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_MEMORY_PLAN_H_
