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
// link (device.offload_tiers[0]) to the step that swaps. With an offload plan, steps are priced
// by the weight/KV streaming pipeline of policies/offload/ (draft models stay resident). Ignores:
// network and tokenization
// latency, detokenization, routing cost.
#ifndef SERVESIM_SIM_ENGINE_H_
#define SERVESIM_SIM_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
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
#include "sim/metrics.h"
#include "workloads/workload.h"

namespace servesim {

struct EngineConfig {
  ModelSpec model;
  DeviceSpec device;
  CostModelOptions cost;
  int replicas = 1;
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
  // Advance decode-only stretches in one jump (vllm_v1 without speculation); outputs are
  // identical either way, false only to check that.
  bool jump_decode_stretches = true;
  // Goodput SLOs (0: not set).
  double slo_ttft_s = 0;
  double slo_tpot_s = 0;
  double slo_e2e_s = 0;
};

// Everything summary.json reports.
struct RunSummary {
  int64_t arrived = 0, completed = 0, rejected = 0, in_flight_at_end = 0;
  int64_t rejected_too_long = 0, rejected_kv = 0, rejected_queue_full = 0;
  int64_t preemptions = 0;
  KvStats kv;         // summed over replicas
  double swap_s = 0;  // step time spent moving swapped KV
  // Speculative decoding: rounds (a request verifying drafts in a step), drafts proposed and
  // accepted, tokens emitted by those rounds, step time of draft passes and of steps that verify.
  int64_t spec_rounds = 0, spec_proposed = 0, spec_accepted = 0, spec_emitted = 0;
  double spec_draft_s = 0, spec_verify_s = 0;
  // Offload: transfer-channel busy time, bytes moved, compute time spent waiting on transfers.
  double offload_io_s = 0, offload_io_bytes = 0, offload_stall_s = 0;
  int64_t skipped_rows = 0;
  bool truncated = false;  // stopped by max_time before the workload drained
  // Events ran out while requests were still held (no scheduler rule would ever run them: a
  // configuration dead end); summary.json then has "stalled": true and the CLI warns.
  bool stalled = false;
  double duration_s = 0;  // first arrival to last completion (makespan)
  int64_t input_tokens = 0, output_tokens = 0;
  int64_t good_requests = 0;
  LogHistogram ttft_s, tpot_s, itl_s, e2e_s, queue_s;
  double normalized_latency_sum_s = 0;  // Σ e2e / output tokens (the vLLM paper's metric)
  double kv_usage_time_weighted = 0;    // integral of usage over busy time
  double kv_usage_peak = 0;
  double kv_waste_time_weighted = 0;  // integral of WastedFraction over busy time
  double busy_s = 0;                  // summed over replicas
  int64_t steps = 0;
  double batch_size_sum = 0, tokens_per_step_sum = 0;
  int64_t batch_size_peak = 0, tokens_per_step_peak = 0;
  double flops = 0, bytes = 0;  // per device, summed over steps
  int64_t kv_blocks_per_replica = 0;
  int64_t events = 0;
  int64_t jumped_steps = 0;  // steps advanced inside decode stretches (not in summary.json)
  double wall_s = 0;
};

// What a step did, for observers (timeline traces, reports). Times in ns of simulated time.
struct StepRecord {
  int32_t replica = 0;
  int64_t start_ns = 0, duration_ns = 0;
  int64_t batch = 0;           // sequences in the step (padding included)
  int64_t prefill_tokens = 0;  // of new_tokens, in prompt chunks
  int64_t decode_seqs = 0;
  int64_t new_tokens = 0;
  int64_t running = 0, waiting = 0, swapped = 0;  // the replica's queues after scheduling
  double kv_usage = 0;                            // fraction of KV blocks in use
  int64_t preempted = 0, swap_blocks = 0;
  Bound bound = Bound::kMemory;
  double draft_s = 0;  // speculative draft passes inside the step
  double io_s = 0;     // offload transfers inside the step
};

// A request that completed or was rejected (replica -1, times -1 where it never got there).
struct RequestRecord {
  int64_t request_id = 0;
  int32_t replica = -1;
  bool completed = false;
  int64_t arrival_ns = 0, first_scheduled_ns = -1, first_token_ns = -1, finish_ns = -1;
  int64_t prompt_tokens = 0, output_tokens = 0, preemptions = 0;
};

struct EngineOutputs {
  std::ostream* requests_csv = nullptr;  // one row per finished or rejected request
  std::ostream* steps_csv = nullptr;     // one row per step
  // Observers, called in simulated-time order of events (a step when it starts, a request when
  // it completes or is rejected). Null: not called.
  std::function<void(const StepRecord&)> on_step;
  std::function<void(const RequestRecord&)> on_request;
  std::function<void(double sim_s, int64_t completed)> progress;  // called now and then
};

class Engine {
 public:
  Engine(EngineConfig config, std::vector<std::unique_ptr<Workload>> sources);
  ~Engine();
  RunSummary Run(const EngineOutputs& outputs);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes summary.json (vLLM-bench names plus servesim's own fields and a `sim` block). With
// `wall_clock` the sim block adds wall_seconds and steps_per_second, the only fields that differ
// between two runs of the same scenario and seed.
std::string SummaryJson(const RunSummary& s, const EngineConfig& config, bool wall_clock);

}  // namespace servesim

#endif  // SERVESIM_SIM_ENGINE_H_
