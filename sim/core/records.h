// What the engine reports: a record per step, a record per request, the run's summary, and the
// observer interface through which outputs (sim/output/) receive them.
//
// Observers see records in simulated-time order of events (a step when it starts, a request when
// it completes or is rejected, requests still held at the end after the last event). They must
// not call back into the engine. Ignores: per-token events (a decode stretch reports each of its
// steps, but tokens only in bulk).
#ifndef SERVESIM_SIM_CORE_RECORDS_H_
#define SERVESIM_SIM_CORE_RECORDS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "policies/kv/kv_allocator.h"
#include "sim/core/load_check.h"
#include "sim/core/metrics.h"
#include "sim/core/pipeline_stages.h"

namespace servesim {

// One instance pool's share of a run with `pools` (sim/core/pool.h).
struct PoolStats {
  std::string name;
  std::string device;
  int replicas = 0, tp = 0, pp = 1;
  int64_t first_replica = 0;  // its replicas' ids are first_replica .. + replicas - 1
  int64_t steps = 0;
  double busy_s = 0;  // summed over its replicas
  double flops = 0, bytes = 0;
  double step_j = 0, idle_j = 0;
  bool power_known = false;
  double price_per_device_hour_usd = 0;
};

// KV transfers from a prefill pool to a decode pool (sim/core/kv_handoff.h).
struct KvTransferStats {
  std::string link;
  std::string mode;
  int64_t links = 0;  // one per prefill replica
  int64_t transfers = 0;
  double bytes = 0;          // all devices' shards
  double link_busy_s = 0;    // summed over links
  LogHistogram transfer_s;   // latency + bytes / bandwidth of each transfer
  LogHistogram room_wait_s;  // prefill end to room on the decode replica
  LogHistogram link_wait_s;  // room granted to the transfer's start (the link busy with others)
  LogHistogram handoff_s;    // prefill end to joining the decode replica's running set
};

// Everything summary.json reports.
struct RunSummary {
  int64_t arrived = 0, completed = 0, rejected = 0, in_flight_at_end = 0;
  // Requests the sources still held when the run stopped early (time limit, horizon), so that
  // requested = arrived + not_arrived; capped: there were more than the engine counts (1e8).
  int64_t not_arrived = 0;
  bool not_arrived_capped = false;
  int64_t rejected_too_long = 0, rejected_kv = 0, rejected_queue_full = 0;
  int64_t preemptions = 0;
  KvStats kv;         // summed over replicas
  double swap_s = 0;  // step time spent moving swapped KV
  // KV tiers below the device cache (empty without kv_cache.tiers): per tier, summed over
  // replicas; the steps that loaded from a tier, and what they saved: Σ (the step's price with
  // the loaded tokens recomputed - its price with the load).
  std::vector<std::string> kv_tier_names;
  std::vector<KvTierStats> kv_tiers;
  int64_t kv_tier_load_steps = 0;
  double kv_tier_saved_s = 0;
  // Speculative decoding: rounds (a request verifying drafts in a step), drafts proposed and
  // accepted, tokens emitted by those rounds, step time of draft passes and of steps that verify.
  int64_t spec_rounds = 0, spec_proposed = 0, spec_accepted = 0, spec_emitted = 0;
  double spec_draft_s = 0, spec_verify_s = 0;
  // Offload: transfer-channel busy time, bytes moved, compute time spent waiting on transfers.
  double offload_io_s = 0, offload_io_bytes = 0, offload_stall_s = 0;
  // The transfers split by offload tier (index = device.offload_tiers): bytes, channel time.
  std::array<double, kMaxOffloadTiers> offload_tier_bytes{}, offload_tier_s{};
  int64_t skipped_rows = 0;
  bool truncated = false;  // stopped by max_time (or the horizon) before the workload drained
  // Stopped at the simulation horizon (models/sim_time.h): an arrival or a step end beyond it.
  bool horizon_exceeded = false;
  // Events ran out while requests were still held (no scheduler rule would ever run them: a
  // configuration dead end); summary.json then has "stalled": true and the CLI warns.
  bool stalled = false;
  double duration_s = 0;  // first arrival to last completion (makespan)
  int64_t input_tokens = 0, output_tokens = 0;
  int64_t good_requests = 0;
  // Per request with a decode phase (output > 1 token): Σ decode tokens / decode time (= 1 / TPOT).
  double decode_tok_per_s_sum = 0;
  int64_t decode_requests = 0;
  LoadTracker load;  // N(t) at arrivals, for the overload / short-run verdict (load_check.h)
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
  // Energy of all devices (hardware/power_model.h; 0 when the device's power is unknown): during
  // steps, and at idle power over the replica-time between steps (first arrival to the end).
  double energy_step_j = 0, energy_idle_j = 0;
  int64_t kv_blocks_per_replica = 0;
  int64_t events = 0;
  int64_t jumped_steps = 0;  // steps advanced inside decode stretches (not in summary.json)
  // Data parallel MoE in lockstep (EngineConfig::lockstep): group steps, dummy steps run by idle
  // ranks, and the rank-seconds that ranks with work sat waiting for the group's slowest rank.
  int64_t dp_group_steps = 0, dp_dummy_steps = 0;
  double dp_sync_wait_s = 0;
  // Pipeline parallelism (hardware.pp > 1; stages 1 without): stage occupancy over all replicas.
  PipelineTotals pipeline;
  // Device time of all steps, and of it the share priced outside measured kernel data (profiled
  // cost model: StepCost::outside_s) with the count of steps that had any.
  double device_s = 0, outside_device_s = 0;
  int64_t outside_steps = 0;
  double wall_s = 0;
  // Only in runs with `pools`: each pool's share, and the KV transfers of a disaggregated path.
  std::vector<PoolStats> pools;
  KvTransferStats kv_transfer;
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
  double draft_s = 0;   // speculative draft passes inside the step
  double io_s = 0;      // offload transfers inside the step: channel busy time,
  double io_bytes = 0;  // the bytes it moved,
  double stall_s = 0;   // and the time compute sat waiting for them
  // io_bytes split by offload tier (index = device.offload_tiers; unused entries 0).
  std::array<double, kMaxOffloadTiers> io_tier_bytes{};
  double energy_j = 0;  // all devices of the replica over the step (0: power unknown)
};

enum class RequestStatus : uint8_t { kCompleted, kRejected, kInFlight };

// A request that completed, was rejected (replica -1), or was still held when the run ended;
// times -1 where it never got there.
struct RequestRecord {
  int64_t request_id = 0;
  int32_t replica = -1;
  RequestStatus status = RequestStatus::kCompleted;
  int64_t arrival_ns = 0, first_scheduled_ns = -1, first_token_ns = -1, finish_ns = -1;
  int64_t prompt_tokens = 0, output_tokens = 0, preemptions = 0;
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void OnStep(const StepRecord& step) { (void)step; }
  virtual void OnRequest(const RequestRecord& request) { (void)request; }
  // Called now and then (every 65,536 events) for progress displays.
  virtual void OnProgress(double sim_s, int64_t completed) {
    (void)sim_s;
    (void)completed;
  }
};

// An observer made of callbacks, for tests and one-off uses; an unset callback does nothing.
struct CallbackObserver : EngineObserver {
  std::function<void(const StepRecord&)> on_step;
  std::function<void(const RequestRecord&)> on_request;
  std::function<void(double sim_s, int64_t completed)> on_progress;
  void OnStep(const StepRecord& step) override {
    if (on_step) on_step(step);
  }
  void OnRequest(const RequestRecord& request) override {
    if (on_request) on_request(request);
  }
  void OnProgress(double sim_s, int64_t completed) override {
    if (on_progress) on_progress(sim_s, completed);
  }
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_RECORDS_H_
