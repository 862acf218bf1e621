// The serving engine: replicas that batch requests step by step, driven by the event kernel.
//
// Models: N identical replicas (each a model on `tp` devices with its own KV cache, batch
// scheduler and cost model), requests routed at arrival by policies/routing (round-robin by
// default; load-aware balancers see each replica's outstanding work), one step event per busy
// replica, lazily pulled arrivals (one pending arrival per source). A step's tokens are credited
// when it completes: a chunk that completes the known tokens emits one output token (the prompt's
// last chunk emits the first token); each decode emits one. Requests longer than the model context,
// or whose full length can never fit in the replica's KV cache, or that arrive to a full queue, are
// rejected and counted. Swap preemption adds the transfer of the swapped blocks over the host
// link (device.offload_tiers[0]) to the step that swaps. With KV tiers below the prefix cache,
// a step that admits a prefix found in a tier adds its load (blocking, or overlapped with the
// step's compute layer by layer: policies/kv/kv_tiers.h). With an offload plan, steps are priced
// by the weight/KV streaming pipeline of policies/offload/ (draft models stay resident). Data
// parallel MoE (`lockstep`): the replicas are DP ranks whose MoE layers exchange tokens, so they
// step together as vLLM's do: a group step starts when any rank has work, every rank with work
// plans its batch, a rank without runs a dummy batch of one token, every rank is priced seeing
// the group's tokens, and the group step lasts as long as its slowest rank (decode stretches are
// not jumped). Ignores: network and tokenization latency, detokenization, routing cost, the
// padding of every rank's batch to the largest (CUDA-graph sizes across DP ranks).
// Pools (EngineConfig::serving, sim/core/pool.h): each pool has its own cost model, power model,
// router and per-replica policies; on a disaggregated path a request's prefill replica hands it
// to a decode replica once its first token is out (sim/core/kv_handoff.h).
#ifndef SERVESIM_SIM_CORE_ENGINE_H_
#define SERVESIM_SIM_CORE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "models/model_spec.h"
#include "policies/batching/batch_scheduler.h"
#include "policies/kv/kv_allocator.h"
#include "policies/offload/offload.h"
#include "policies/routing/router.h"
#include "policies/speculative/speculator.h"
#include "sim/core/metrics.h"
#include "sim/core/pool.h"
#include "sim/core/records.h"
#include "workloads/workload.h"

namespace servesim {

struct EngineConfig {
  ModelSpec model;
  DeviceSpec device;
  CostModelOptions cost;
  int replicas = 1;
  int pp = 1;                  // pipeline stages per replica (hardware/pipeline.h)
  KvOptions kv;                // per replica (capacity_blocks, block size, prefix caching, swap)
  SchedulerOptions scheduler;  // per replica
  SpeculativeOptions speculative;  // per replica
  OffloadPlan offload;             // per replica (inactive: everything resident)
  RoutingOptions routing;          // which replica an arrival joins
  uint64_t seed = 0;               // the scenario seed (acceptance draws)
  int64_t max_model_len = 0;       // 0: the model's max context
  int64_t max_time_ns = 0;         // 0: no limit; events after it are not processed
  int64_t max_requests = 0;        // 0: no limit on requests pulled from the sources
  int64_t max_waiting = 0;         // 0: unbounded queue; else arrivals to a full queue are rejected
  // Advance decode-only stretches in one jump (vllm_v1, vllm_v0, sarathi, orca; not with speculation);
  // outputs are identical either way, false only to check that.
  bool jump_decode_stretches = true;
  // DP ranks of a MoE model step in lockstep (hardware.data_parallel > 1; cost.dp == replicas).
  bool lockstep = false;
  // Goodput SLOs (0: not set).
  double slo_ttft_s = 0;
  double slo_tpot_s = 0;
  double slo_e2e_s = 0;
  // Instance pools and the request path (sim/core/pool.h); no pools: the fields above are the
  // one pool. With pools, the fields above are the first pool's.
  ServingOptions serving;
  bool HasSlo() const { return slo_ttft_s > 0 || slo_tpot_s > 0 || slo_e2e_s > 0; }
};

class Engine {
 public:
  Engine(EngineConfig config, std::vector<std::unique_ptr<Workload>> sources);
  ~Engine();
  // Runs to the end (or the time limit). Each observer sees every step and request record, in
  // simulated-time order, and progress now and then; observers are not owned.
  RunSummary Run(const std::vector<EngineObserver*>& observers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_ENGINE_H_
