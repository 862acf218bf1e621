// Offload: where a model's weights and KV cache live across memory tiers, and what each forward
// pass must move into device memory. Answers "how many tokens/s will model M give on device D that
// cannot hold it?".
//
// Models: the weights as units in execution order (token embedding, each decoder layer, the head),
// each split between device memory and the offload tiers (device.offload_tiers, nearest first).
// Residency semantics:
//   pinned      a locked resident set; every pass streams exactly the non-resident bytes.
//   page_cache  the OS page cache of a memory-mapped model file (llama.cpp's mmap): whatever fits
//               is cached, LRU over units; the steady state of repeated sequential passes is
//               simulated, so a model larger than the cache misses every unit every pass (each
//               scan evicts what the next one needs first).
// A pass is a pipeline of two resources, the transfer channel and the compute device: unit i
// computes once it has loaded and unit i-1 has computed. With prefetch, up to `prefetch_depth`
// streamed units load ahead of the one computing, each holding a buffer of its streamed bytes
// (depth 1 = double buffering: step ~ sum of max(compute, load)); without, a unit's load starts
// when it is needed (step ~ sum of compute + load). Weight streams serve the whole batch once per
// pass (throughput mode amortizes them); KV held in host memory crosses the link every step for
// every sequence. A unit's reads are TierReadSeconds requests of `read_bytes`; transfers of one
// unit from several tiers are summed (they share the device's link).
// Optional, for exploring designs ("LLM in a Flash", PowerInfer): activation sparsity loads only
// a fraction f of the streamed FFN rows per token, as small bundles (one neuron's gate, up and down
// rows); a batch of n tokens needs the union, 1 - (1 - f)^n of them.
// Ignores: compute on the host (FlexGen's CPU attention: host-resident KV is moved, not attended
// in place), weight compression, the first pass's cold reads (steady state only), OS readahead
// heuristics beyond `read_bytes`, sparse savings in resident FFN compute, MoE expert-level
// streaming (a layer streams all its experts), contention between tensor-parallel devices or
// replicas for one host's memory and storage (each device streams its shard as if alone).
#ifndef SERVESIM_POLICIES_OFFLOAD_OFFLOAD_H_
#define SERVESIM_POLICIES_OFFLOAD_OFFLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "hardware/memory_plan.h"
#include "models/model_spec.h"

namespace servesim {

enum class Residency { kPinned, kPageCache };

// What the scenario's `offload` slot asks for (validated by the scenario loader).
struct OffloadOptions {
  std::string impl = "none";  // none | layers | flexgen (policies/registry.cpp)
  Residency residency = Residency::kPinned;
  // layers: the resident set is the first `resident_layers` units (embedding first, then decoder
  // layers, then the head), or whole units then part of the next filling `resident_bytes`; both
  // unset (-1): the largest set that fits the memory left after KV, activations, buffers and a
  // co-resident draft.
  int64_t resident_layers = -1;
  double resident_bytes = -1;
  // Memory kept for the KV cache when the resident set is sized by budget (tokens, per device).
  int64_t kv_reserve_tokens = 0;
  // flexgen: percentages of every unit's weights on device / host / disk, and of the KV cache on
  // device / host (FlexGen's wg, wc, wd and cg, cc).
  double weights_device_pct = 100, weights_host_pct = 0, weights_disk_pct = 0;
  double kv_device_pct = 100, kv_host_pct = 0;
  bool prefetch = true;
  int prefetch_depth = 1;
  double read_bytes = 2.0 * 1024 * 1024;  // one transfer request
  int io_depth = 1;                       // requests in flight
  // KV beyond the device's blocks spills to host memory (layers: bytes of host KV; 0 = none).
  double kv_host_bytes = 0;
  double ffn_load_fraction = 1.0;  // activation sparsity: share of FFN rows a token needs
};

// One weight unit of the plan, on one device.
struct WeightUnit {
  std::string name;              // "embedding", "layer 0", ..., "head"
  double bytes = 0;              // its weights
  double resident_bytes = 0;     // kept in device memory
  std::vector<double> streamed;  // bytes read from each offload tier per pass (index = tier)
  double ffn_streamed = 0;       // of the streamed bytes, FFN rows sparsity may skip
  bool lookup = false;           // the embedding: a pass reads only its tokens' rows
};

// The placement: which bytes live where, what a pass moves, and the memory it takes.
struct OffloadPlan {
  bool active = false;  // false: everything resident, no transfers (impl none, or nothing to move)
  std::string impl = "none";
  Residency residency = Residency::kPinned;
  std::vector<WeightUnit> units;          // execution order
  std::vector<MemoryTier> tiers;          // the device's offload tiers, for pricing
  double weight_bytes = 0;                // all units
  double resident_bytes = 0;              // pinned in device memory
  double page_cache_bytes = 0;            // page_cache: memory the cache may hold
  double buffer_bytes = 0;                // device memory for streamed units in flight
  std::vector<double> streamed_per_pass;  // bytes per pass from each tier (sparsity aside)
  bool prefetch = true;
  int prefetch_depth = 1;
  double read_bytes = 0;
  int io_depth = 1;
  double ffn_load_fraction = 1.0;
  double sparse_bundle_bytes = 0;  // one neuron's FFN rows (a sparse read)
  // KV: tokens that stay on the device before the rest spills to host (-1: no spill), or a fixed
  // share on host (flexgen); the host tier that holds it; KV bytes per token on one device.
  int64_t kv_device_tokens = -1;
  double kv_host_fraction = 0;
  int kv_tier = 0;
  double kv_bytes_per_token = 0;
  int64_t kv_host_blocks = 0;      // extra KV capacity in host memory, in blocks
  MemoryPlan memory;               // the device memory plan with this placement
  std::vector<std::string> notes;  // facts worth showing (what was placed where and why)
};

// Plans the placement for `model` on `device` (tp-sharded). `memory` carries the engine's memory
// options (utilization, profiling pass, block size, co-resident draft), which the plan completes
// with the resident weights and buffers. Throws InputError naming `source` when the placement
// cannot exist: a resident budget larger than memory, a model that fits nowhere (device and every
// tier together too small), a tier without bandwidth, no tier to stream from.
OffloadPlan PlanOffload(const ModelSpec& model, const DeviceSpec& device, MemoryPlanOptions memory,
                        const OffloadOptions& options, const std::string& source);

// A cost model that prices a step as the pipeline above around `inner` (which prices compute as
// if every weight were resident, and must outlive the result). Same contract as CostModel.
std::unique_ptr<CostModel> MakeOffloadCostModel(const CostModel& inner, const OffloadPlan& plan);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_OFFLOAD_OFFLOAD_H_
