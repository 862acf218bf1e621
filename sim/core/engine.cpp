#include "sim/core/engine.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <limits>
#include <span>
#include <stdexcept>

#include "hardware/memory_plan.h"
#include "hardware/pipeline.h"
#include "hardware/profiled_cost_model.h"
#include "hardware/power_model.h"
#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/log.h"
#include "policies/registry.h"
#include "sim/core/kernel.h"
#include "sim/core/kv_handoff.h"
#include "sim/core/pipeline_stages.h"

namespace servesim {

namespace {

struct Replica {
  int32_t pool = 0;  // index into Impl::pools
  ReplicaQueues queues;
  std::unique_ptr<KvAllocator> kv;
  std::unique_ptr<BatchScheduler> scheduler;
  std::unique_ptr<CostModel> offload;  // wraps Impl::compute with the offload plan's transfers
  const CostModel* cost = nullptr;     // what prices the target's steps
  std::unique_ptr<Speculator> spec;    // null without speculative decoding
  StepPlan plan;
  BatchShape shape;                // the planned step's
  bool verifies = false;           // the planned step verifies speculative drafts
  bool loads = false;              // the planned step loads prefix blocks from the KV tiers
  double swap_s = 0, draft_s = 0;  // its swap transfers and draft passes
  // Lockstep group steps: whether this rank planned work, its price and its own duration.
  bool planned = false;
  StepCost group_cost;
  int64_t own_ticks = 0;
  bool busy = false;
  bool start_pending = false;
  int64_t step_start_ns = 0;
  int64_t step_done_ns = -1;  // when its last step completed (-1: none yet)
  // The last step recorded, so that a run cut inside it counts only the part it simulated.
  int64_t last_start_ns = 0, last_duration_ns = 0;
  double last_flops = 0, last_bytes = 0, last_usage = 0, last_waste = 0, last_joules = 0;
  int64_t busy_ns = 0;   // time in steps, exact (its devices idle the rest of the run)
  int32_t incoming = 0;  // requests handed to it that have not joined yet (kv_handoff.h)
  // Pipeline parallelism: the stages' schedule, the plans of the micro-batches in flight (a ring
  // from flight_head, oldest first) and the running requests hidden from the scheduler meanwhile.
  PipelineStages stages;
  std::vector<StepPlan> flight;
  size_t flight_head = 0;
  std::vector<Sequence*> hidden;
};

// One pool's shared parts: what prices its steps, its power, its router and its rules.
struct PoolState {
  PoolOptions opt;
  int32_t first = 0;  // engine-wide id of its first replica
  // Prices steps as if every weight were resident; stateless apart from an exact memo, so the
  // replicas share it (its tables would otherwise cost ~40 KB a replica).
  std::unique_ptr<CostModel> compute;
  PowerModel power;  // per device; unknown power prices every step at 0 J
  std::unique_ptr<Router> router;
  uint32_t route_reads = kReadsNothing;  // the LoadFields its router reads (kept current)
  bool jump_decodes = false;    // advance decode-only stretches in one go
  bool reserves_max = false;    // the scheduler reserves each request's maximum KV (orca)
  double swap_s_per_block = 0;  // host link transfer of one KV block on one device
  double swap_latency_s = 0;
  // Pipeline parallelism (opt.pp > 1): compute prices stage by stage.
  bool pipelined = false;
  const PipelineCostModel* pipeline_cost = nullptr;
  PipelineCost pipe_scratch;
  int64_t devices_per_replica = 1;  // tp x pp
  int64_t steps = 0;
  double step_j = 0, flops = 0, bytes = 0;
};

// A pool of the engine's own fields (a scenario without `pools`).
PoolOptions OwnPool(const EngineConfig& cfg) {
  PoolOptions p;
  p.device = cfg.device;
  p.cost = cfg.cost;
  p.replicas = cfg.replicas;
  p.pp = cfg.pp;
  p.kv = cfg.kv;
  p.scheduler = cfg.scheduler;
  p.routing = cfg.routing;
  return p;
}

int64_t InFlight(const ReplicaQueues& queues) {
  return static_cast<int64_t>(queues.waiting.size() + queues.running.size() +
                              queues.swapped.size());
}

struct Source {
  std::unique_ptr<Workload> workload;
  Request pending;
  bool has_pending = false;
};

}  // namespace

struct Engine::Impl {
  EngineConfig cfg;
  std::vector<Source> sources;
  std::vector<Replica> replicas;
  std::vector<PoolState> pools;          // in path order; replicas are numbered pool by pool
  std::unique_ptr<KvHandoffs> handoffs;  // a disaggregated path's requests between pools
  EventQueue events;
  std::deque<Sequence> pool;  // stable addresses; finished entries are reused
  std::vector<Sequence*> free_list;
  RunSummary s;
  const std::vector<EngineObserver*>* observers = nullptr;
  int64_t pulled = 0;
  std::vector<ReplicaLoad> loads;  // per replica, as its pool's router sees them
  int64_t first_arrival_ns = -1;
  int64_t last_finish_ns = 0;
  int64_t max_model_len = 0;
  SpecShared spec_shared{0};  // every replica's acceptance streams and counters
  // Completed sequences, reused only after their replica's running list dropped them.
  std::vector<Sequence*> pending_free;
  // JumpDecodeStretch's scratch (reused): each request's first block crossing, and the requests
  // sorted by its residue modulo the block size (counting sort: counts, fill cursors, order).
  std::vector<int64_t> jump_first, jump_count, jump_fill;
  std::vector<int32_t> jump_order;
  // Lockstep (cfg.lockstep): the group's step events target kGroupTarget.
  static constexpr int32_t kGroupTarget = -1;
  bool group_busy = false, group_start_pending = false;

  Impl(EngineConfig config, std::vector<std::unique_ptr<Workload>> workloads)
      : cfg(std::move(config)) {
    if (cfg.replicas < 1) throw InputError("hardware.replicas: expected a positive integer");
    if (cfg.kv.capacity_blocks < 1) {
      throw InputError("the KV cache has no room: " + std::to_string(cfg.kv.capacity_blocks) +
                       " blocks (weights and activations leave no memory; lower tp or raise "
                       "memory_utilization)");
    }
    max_model_len = cfg.max_model_len > 0 ? cfg.max_model_len : cfg.model.max_context;
    spec_shared = SpecShared(cfg.seed);
    for (auto& w : workloads) sources.push_back(Source{std::move(w), Request{}, false});
    if (cfg.serving.pools.empty()) {
      AddPool(OwnPool(cfg));
    } else {
      pools.reserve(cfg.serving.pools.size());
      for (const PoolOptions& p : cfg.serving.pools) AddPool(p);
    }
    if (cfg.serving.disaggregated()) MakeHandoffs();
    s.kv_blocks_per_replica = cfg.kv.capacity_blocks;
  }

  PoolState& PoolOf(const Replica& r) { return pools[static_cast<size_t>(r.pool)]; }

  // Adds pool `o` and its replicas (numbered after the pools before it).
  void AddPool(const PoolOptions& o) {
    const std::string who = o.name.empty() ? "" : "pools." + o.name + ": ";
    if (o.replicas < 1) throw InputError(who + "hardware.replicas: expected a positive integer");
    if (o.kv.capacity_blocks < 1) throw InputError(who + "the KV cache has no room");
    PoolState& p = pools.emplace_back();
    p.opt = o;
    p.first = static_cast<int32_t>(replicas.size());
    // Schedulers whose decode-only steps follow the stretch's rule declare it; speculation steps.
    const SchedulerCaps& caps = FindScheduler(o.scheduler.impl).caps;
    p.pipelined = o.pp > 1;
    // Pipeline micro-batches overlap, which a stretch of one batch at a time does not model.
    p.jump_decodes = cfg.jump_decode_stretches && caps.decode_stretch_jump &&
                     !cfg.speculative.enabled() && !cfg.lockstep && !p.pipelined;
    p.reserves_max = caps.reserves_max_length;
    p.router = MakeRouter(o.routing);
    if (o.replicas > 1) p.route_reads = FindRouter(o.routing.impl).reads;
    if (p.pipelined) {
      auto pipeline = std::make_unique<PipelineCostModel>(cfg.model, o.device, o.cost, o.pp);
      p.pipeline_cost = pipeline.get();
      p.compute = std::move(pipeline);
      s.pipeline.stages = o.pp;
    } else {
      p.compute = MakeCostModel(cfg.model, o.device, o.cost);
    }
    p.devices_per_replica = int64_t{o.cost.tp} * std::max(1, o.pp);
    p.power = PowerModel(o.device.power, o.device.PeakFlopsFor(cfg.model.activation_dtype),
                         o.device.memory.bandwidth_bytes_per_s);
    const size_t end = replicas.size() + static_cast<size_t>(o.replicas);
    replicas.resize(end);
    loads.resize(end);
    if (p.route_reads != kReadsNothing)
      p.router->Track(std::span<const ReplicaLoad>(loads).subspan(p.first, o.replicas));
    for (size_t i = static_cast<size_t>(p.first); i < end; ++i) {
      Replica& r = replicas[i];
      r.pool = static_cast<int32_t>(pools.size() - 1);
      r.kv = MakeKvAllocator(o.kv);
      r.scheduler = MakeBatchScheduler(o.scheduler);
      r.cost = p.compute.get();
      if (p.pipelined) {
        r.stages = PipelineStages(o.pp);
        r.flight.resize(static_cast<size_t>(o.pp));
      }
      if (cfg.offload.active) {  // per replica: page-cache residency is state
        r.offload = MakeOffloadCostModel(*p.compute, cfg.offload);
        r.cost = r.offload.get();
      }
      // Draft heads are priced against resident compute: they stay in device memory.
      if (cfg.speculative.enabled())
        r.spec = std::make_unique<Speculator>(cfg.speculative, *p.compute, spec_shared);
    }
    if (o.kv.swap_blocks > 0) {
      if (o.device.offload_tiers.empty()) {
        throw InputError("kv_cache.preemption: swap needs host memory, and device " +
                         o.device.name + " has no host tier");
      }
      const MemoryTier& host = o.device.offload_tiers.front();
      p.swap_s_per_block = KvBytesPerTokenPerDevice(cfg.model, o.cost.tp) *
                           static_cast<double>(o.kv.block_size) / host.bandwidth_bytes_per_s;
      p.swap_latency_s = host.latency_s;
    }
  }

  // The KV links of the prefill pool (pools[0]) to the decode pool (pools[1]).
  void MakeHandoffs() {
    const PoolState& pre = pools.at(0);
    const PoolState& dec = pools.at(1);
    handoffs = std::make_unique<KvHandoffs>(
        cfg.serving.transfer, KvBytesPerTokenPerDevice(cfg.model, pre.opt.cost.tp), pre.opt.cost.tp,
        static_cast<int>(cfg.model.num_layers), pre.first, pre.opt.replicas, dec.first,
        dec.opt.replicas);
  }

  void PullNext(int32_t index) {
    Source& src = sources[static_cast<size_t>(index)];
    if (src.has_pending) return;
    if (cfg.max_requests > 0 && pulled >= cfg.max_requests) return;
    const Pull p = src.workload->Next(src.pending);
    if (p != Pull::kRequest) return;
    src.has_pending = true;
    ++pulled;
    events.Push(src.pending.arrival_ns, Phase::kArrival, index);
  }

  Sequence* NewSequence() {
    if (!free_list.empty()) {
      Sequence* seq = free_list.back();
      free_list.pop_back();
      seq->Reset();
      return seq;
    }
    pool.emplace_back();
    return &pool.back();
  }

  // Reports a request that completed (finish_ns >= 0), was rejected or is still held at the end.
  void ReportRequest(const Sequence& seq, RequestStatus status, int replica, int64_t finish_ns) {
    if (observers->empty()) return;
    RequestRecord r;
    r.request_id = seq.request_id;
    r.replica = replica;
    r.status = status;
    r.arrival_ns = seq.arrival_ns;
    r.first_scheduled_ns = seq.first_scheduled_ns;
    r.first_token_ns = seq.first_token_ns;
    r.finish_ns = finish_ns;
    r.prompt_tokens = seq.prompt_tokens;
    r.output_tokens = seq.output_tokens;
    r.preemptions = seq.preemptions;
    for (EngineObserver* o : *observers) o->OnRequest(r);
  }

  void Reject(Sequence& seq, int64_t now, int64_t& counter) {
    ++s.rejected;
    ++counter;
    seq.status = SeqStatus::kFinished;
    ReportRequest(seq, RequestStatus::kRejected, -1, -1);
    NotifySource(seq, now);
    free_list.push_back(&seq);
  }

  // Tells the request's source it is done (closed-loop clients then issue their next request)
  // and pulls that source again if the engine holds none of its requests.
  void NotifySource(const Sequence& seq, int64_t now) {
    Request r;
    r.id = seq.request_id;
    r.client = seq.client;
    Source& src = sources[static_cast<size_t>(seq.source)];
    src.workload->OnComplete(r, now);
    if (!src.has_pending) PullNext(seq.source);
  }

  void Arrive(int32_t index, int64_t now) {
    Source& src = sources[static_cast<size_t>(index)];
    const Request& r = src.pending;
    src.has_pending = false;
    s.load.OnArrival(now, s.arrived, s.completed, s.rejected);
    ++s.arrived;
    if (first_arrival_ns < 0) first_arrival_ns = now;
    Sequence* seq = NewSequence();
    seq->request_id = r.id;
    seq->arrival_ns = r.arrival_ns;
    seq->prompt_tokens = r.prompt_tokens;
    seq->output_tokens = r.output_tokens;
    seq->source = index;
    seq->client = r.client;
    seq->prefix_hashes.assign(r.prefix_hashes.begin(), r.prefix_hashes.end());
    seq->prefix_block_tokens = r.prefix_block_tokens;
    // Every replica's speculator draws from the same model and stream; any one will do.
    if (cfg.speculative.enabled()) replicas.front().spec->DrawRequestAlpha(*seq);
    const int32_t rep_index = RouteIn(pools.front());
    Replica& rep = replicas[static_cast<size_t>(rep_index)];
    if (seq->MaxTokens() > max_model_len) {
      Reject(*seq, now, s.rejected_too_long);
    } else if (!rep.kv->CanEverFit(*seq) ||
               (handoffs && !replicas[static_cast<size_t>(pools[1].first)].kv->CanEverFit(*seq))) {
      Reject(*seq, now, s.rejected_kv);
    } else if (cfg.max_waiting > 0 &&
               static_cast<int64_t>(rep.queues.waiting.size()) >= cfg.max_waiting) {
      Reject(*seq, now, s.rejected_queue_full);
    } else {
      loads[static_cast<size_t>(rep_index)].outstanding_tokens +=
          seq->prompt_tokens + seq->output_tokens;
      rep.queues.waiting.push_back(seq);
      RefreshLoad(rep_index);
      WakeReplica(rep_index, now);
    }
    PullNext(index);
  }

  // Sums one replica's tier counters into the run's.
  void AddTierStats(const KvTiers& tiers) {
    const std::vector<KvTierStats>& st = tiers.stats();
    if (s.kv_tiers.empty()) {
      s.kv_tiers.resize(st.size());
      for (const KvTierSpec& spec : tiers.options().tiers) s.kv_tier_names.push_back(spec.name);
    }
    for (size_t t = 0; t < st.size(); ++t) {
      KvTierStats& sum = s.kv_tiers[t];
      sum.hit_tokens += st[t].hit_tokens;
      sum.resume_hit_tokens += st[t].resume_hit_tokens;
      sum.evicted_blocks += st[t].evicted_blocks;
      sum.bytes_in += st[t].bytes_in;
      sum.bytes_out += st[t].bytes_out;
      sum.load_s += st[t].load_s;
    }
  }

  // Brings replica `index`'s load up to date after its queues, KV cache or incoming handoffs
  // changed (every handler that changes them ends here), for a router that reads loads:
  // O(log replicas), no scan.
  void RefreshLoad(int32_t index) {
    const Replica& rep = replicas[static_cast<size_t>(index)];
    const PoolState& p = PoolOf(rep);
    if (p.route_reads == kReadsNothing) return;
    ReplicaLoad& load = loads[static_cast<size_t>(index)];
    // Request counts come from the queues (and requests on their way in); tokens are kept as
    // requests enter and finish.
    load.outstanding_requests = InFlight(rep.queues) + rep.incoming;
    load.waiting =
        static_cast<int64_t>(rep.queues.waiting.size() + rep.queues.swapped.size()) + rep.incoming;
    load.running = static_cast<int64_t>(rep.queues.running.size());
    if (p.route_reads & kReadsKvUsage) load.kv_usage = rep.kv->Usage();
    p.router->Update(index - p.first, load);
  }

  // The replica (engine-wide id) of pool `p` that its router picks.
  int32_t RouteIn(const PoolState& p) {
    const size_t first = static_cast<size_t>(p.first), n = static_cast<size_t>(p.opt.replicas);
    if (n == 1) return p.first;
    const int32_t r = p.router->Route(std::span<const ReplicaLoad>(loads).subspan(first, n));
    if (r < 0 || r >= static_cast<int32_t>(n))
      throw std::logic_error("router returned replica " + std::to_string(r));
    return p.first + r;
  }

  void WakeReplica(int32_t index, int64_t now) {
    if (cfg.lockstep) return WakeGroup(now);
    Replica& rep = replicas[static_cast<size_t>(index)];
    // A pipeline is busy while stage 0 is, and then a start is pending already.
    if (rep.start_pending || (rep.busy && !PoolOf(rep).pipelined)) return;
    rep.start_pending = true;
    events.Push(now, Phase::kStepStart, index);
  }

  void StartStep(int32_t index, int64_t now) {
    Replica& rep = replicas[static_cast<size_t>(index)];
    if (PoolOf(rep).pipelined) {
      StartMicroBatch(index, now);
      return RefreshLoad(index);
    }
    if (rep.busy) return;  // a timed wake-up that an earlier start overtook
    rep.start_pending = false;
    if (!PlanStep(rep, now)) {
      // Idle until an arrival wakes it, or until the time the scheduler asked for.
      if (rep.plan.wake_at_ns > now) events.Push(rep.plan.wake_at_ns, Phase::kStepStart, index);
      RefreshLoad(index);
      return;
    }
    const StepCost cost = rep.cost->PriceStep(rep.shape);
    const int64_t done_ns = CommitStep(index, now, cost, -1);
    events.Push(done_ns, Phase::kStepDone, index);
    RefreshLoad(index);
  }

  // Schedules the replica's next batch into rep.plan and its shape into rep.shape; false (and
  // drafts cleared) when there is nothing to run.
  bool PlanStep(Replica& rep, int64_t now) {
    rep.plan.Clear();
    // A step that starts as the previous one completes was planned, by an engine that plans one
    // step ahead, when that previous step started; after idling, now.
    rep.queues.planned_at_ns =
        !PoolOf(rep).pipelined && rep.step_done_ns == now ? rep.step_start_ns : now;
    if (rep.spec) rep.spec->GiveDrafts(rep.queues.running);
    rep.scheduler->Schedule(rep.queues, *rep.kv, now, rep.plan);
    const StepPlan& plan = rep.plan;
    s.preemptions += plan.preempted;
    KvTiers* tiers = rep.kv->tiers();
    if (plan.seqs.empty()) {
      if (tiers) tiers->EndStep();
      if (rep.spec) rep.spec->ClearDrafts();
      return false;
    }
    BatchShape& shape = rep.shape;
    shape = BatchShape{};
    if (rep.spec) rep.spec->BeginStep();
    rep.verifies = false;
    for (const ScheduledSeq& p : plan.seqs) {
      Sequence& seq = *p.seq;
      if (seq.first_scheduled_ns < 0) seq.first_scheduled_ns = now;
      const int64_t tokens = p.new_tokens + p.pad_tokens;
      const int64_t drafts = Speculator::VerifiedDrafts(seq, p.new_tokens);
      if (drafts > 0) {
        // The target verifies the last token and its drafts in one chunk (logits at each).
        shape.AddVerify(p.new_tokens, seq.computed);
        rep.spec->AddRequest(static_cast<int>(drafts), seq.computed, seq.spec_all_accepted);
        rep.verifies = true;
      } else if (tokens > 0) {
        shape.Add(tokens, seq.computed,
                  p.new_tokens == 0 || seq.computed + p.new_tokens >= seq.Tokens());
      }
    }
    for (int64_t i = 0; i < plan.pad_decode_seqs; ++i) {
      shape.Add(1, plan.pad_context_tokens / plan.pad_decode_seqs, true);
    }
    return true;
  }

  // The planned step's own duration: its price plus swap transfers and draft passes (kept in
  // rep.swap_s and rep.draft_s; the speculator counts its draft time here, once per step).
  int64_t OwnTicks(Replica& rep, const StepCost& cost) {
    const int64_t swap_blocks = rep.plan.swap_out_blocks + rep.plan.swap_in_blocks;
    const PoolState& p = pools[static_cast<size_t>(rep.pool)];
    rep.swap_s = swap_blocks > 0
                     ? p.swap_latency_s + p.swap_s_per_block * static_cast<double>(swap_blocks)
                     : 0;
    KvTiers* tiers = rep.kv->tiers();
    rep.loads = tiers && tiers->loading();
    const double compute_s = rep.loads ? PriceTierLoads(rep, *tiers, cost.seconds) : cost.seconds;
    // Draft passes run before the verify pass, on the same device or another (not overlapped).
    rep.draft_s = rep.verifies ? rep.spec->DraftSeconds(cost) : 0;
    return SecondsToTicks(compute_s + rep.swap_s + rep.draft_s);
  }

  // Records the planned step starting at `now` and marks the replica busy; returns when it (or
  // the decode stretch it starts) completes. `group_ticks` >= 0: a lockstep group step of that
  // length (no stretch).
  int64_t CommitStep(int32_t index, int64_t now, const StepCost& cost, int64_t group_ticks) {
    Replica& rep = replicas[static_cast<size_t>(index)];
    const StepPlan& plan = rep.plan;
    const BatchShape& shape = rep.shape;
    const int64_t duration = group_ticks >= 0 ? group_ticks : OwnTicks(rep, cost);
    s.swap_s += rep.swap_s;
    const int64_t swap_blocks = plan.swap_out_blocks + plan.swap_in_blocks;
    const int64_t batch = static_cast<int64_t>(plan.seqs.size()) + plan.pad_decode_seqs;
    SERVESIM_LOG_DEBUG(
        EngineLog(),
        "replica {} step at {:.6f} s: batch {}, prefill tokens {}, decode seqs {}, preempted {}",
        index, TicksToSeconds(now), batch, shape.prefill_tokens, shape.decode_seqs, plan.preempted);
    RecordStep(index, rep, now, duration, batch, shape, cost, rep.kv->Usage(),
               rep.kv->WastedFraction(), plan.preempted, swap_blocks, rep.draft_s);
    rep.busy = true;
    rep.step_start_ns = now;
    if (group_ticks >= 0) return now + duration;
    if (pools[static_cast<size_t>(rep.pool)].jump_decodes && swap_blocks == 0 && !rep.verifies &&
        !rep.loads) {
      return JumpDecodeStretch(index, now, duration, shape);
    }
    return now + duration;
  }

  // Lockstep (data parallel MoE): one group step event for all ranks.
  void WakeGroup(int64_t now) {
    if (group_busy || group_start_pending) return;
    group_start_pending = true;
    events.Push(now, Phase::kStepStart, kGroupTarget);
  }

  // Every rank plans; ranks without work run vLLM's dummy batch (one token, no context); each is
  // priced seeing the group's tokens; the group lasts as long as its slowest rank.
  void StartGroupStep(int64_t now) {
    group_start_pending = false;
    if (group_busy) return;
    int64_t group_tokens = 0, wake_ns = 0;
    int32_t planned = 0;
    for (Replica& rep : replicas) {
      rep.planned = PlanStep(rep, now);
      if (rep.planned) {
        ++planned;
        group_tokens += rep.shape.new_tokens;
      } else if (rep.plan.wake_at_ns > now && (wake_ns == 0 || rep.plan.wake_at_ns < wake_ns)) {
        wake_ns = rep.plan.wake_at_ns;
      }
    }
    if (planned == 0) {
      for (int32_t i = 0; i < static_cast<int32_t>(replicas.size()); ++i) RefreshLoad(i);
      if (wake_ns > now) events.Push(wake_ns, Phase::kStepStart, kGroupTarget);
      return;
    }
    const int64_t idle = static_cast<int64_t>(replicas.size()) - planned;
    group_tokens += idle;  // a dummy batch's one token each
    int64_t group_ticks = 0;
    for (Replica& rep : replicas) {
      if (rep.planned) {
        rep.shape.group_tokens = group_tokens;
        rep.group_cost = rep.cost->PriceStep(rep.shape);
        rep.own_ticks = OwnTicks(rep, rep.group_cost);
      } else {
        BatchShape dummy;
        dummy.Add(1, 0, true);
        dummy.group_tokens = group_tokens;
        rep.own_ticks = SecondsToTicks(rep.cost->PriceStep(dummy).seconds);
      }
      group_ticks = std::max(group_ticks, rep.own_ticks);
    }
    ++s.dp_group_steps;
    s.dp_dummy_steps += idle;
    for (int32_t i = 0; i < static_cast<int32_t>(replicas.size()); ++i) {
      Replica& rep = replicas[static_cast<size_t>(i)];
      RefreshLoad(i);
      if (!rep.planned) continue;
      s.dp_sync_wait_s += TicksToSeconds(group_ticks - rep.own_ticks);
      CommitStep(i, now, rep.group_cost, group_ticks);
    }
    group_busy = true;
    events.Push(now + group_ticks, Phase::kStepDone, kGroupTarget);
  }

  void FinishGroupStep(int64_t now) {
    group_busy = false;
    for (int32_t i = 0; i < static_cast<int32_t>(replicas.size()); ++i) {
      if (replicas[static_cast<size_t>(i)].busy) FinishStep(i, now);
    }
  }

  // The seconds of a step whose compute costs `compute_s` and that loads cached prefix blocks
  // from the KV tiers (kv_tiers.h: blocking or overlapped layer by layer), and what recomputing
  // the loaded tokens instead would have cost (the step's chunks grown by them).
  double PriceTierLoads(const Replica& rep, KvTiers& tiers, double compute_s) {
    const StepPlan& plan = rep.plan;
    BatchShape recompute;
    for (const ScheduledSeq& p : plan.seqs) {
      const Sequence& seq = *p.seq;
      const int64_t tokens = p.new_tokens + p.pad_tokens;
      const int64_t loaded = seq.tier_loaded_tokens;
      if (Speculator::VerifiedDrafts(seq, p.new_tokens) > 0) {
        recompute.AddVerify(p.new_tokens, seq.computed);
      } else if (tokens > 0) {
        recompute.Add(tokens + loaded, seq.computed - loaded,
                      p.new_tokens == 0 || seq.computed + p.new_tokens >= seq.Tokens());
      }
    }
    for (int64_t i = 0; i < plan.pad_decode_seqs; ++i) {
      recompute.Add(1, plan.pad_context_tokens / plan.pad_decode_seqs, true);
    }
    const double recompute_s = rep.cost->PriceStep(recompute).seconds;  // no offload: stateless
    const double load_s = tiers.EndStep();
    const KvTierOptions& o = tiers.options();
    const double step_s = StepSecondsWithLoad(o.load, compute_s, load_s, o.num_layers);
    ++s.kv_tier_load_steps;
    s.kv_tier_saved_s += recompute_s - step_s;
    return step_s;
  }

  // The metrics and outputs of a step that starts at `now`.
  // `accounted_ns` >= 0: the device time a pipeline micro-batch adds per device of the replica
  // (its stage times / pp), which busy time, time weights and energy count instead of `duration`.
  void RecordStep(int32_t index, Replica& rep, int64_t now, int64_t duration_ns, int64_t batch,
                  const BatchShape& shape, const StepCost& cost, double usage, double waste,
                  int64_t preempted, int64_t swap_blocks, double draft_s,
                  int64_t accounted_ns = -1) {
    const int64_t duration = accounted_ns >= 0 ? accounted_ns : duration_ns;
    rep.last_start_ns = now;
    rep.last_duration_ns = duration;
    rep.last_flops = cost.flops;
    rep.last_bytes = cost.bytes;
    rep.last_usage = usage;
    rep.last_waste = waste;
    // Every device of the replica runs the step (tensor parallelism shards it evenly).
    PoolState& pool = pools[static_cast<size_t>(rep.pool)];
    const double joules = pool.power.StepJoules(cost.flops, cost.bytes, TicksToSeconds(duration)) *
                          static_cast<double>(pool.devices_per_replica);
    rep.last_joules = joules;
    ++pool.steps;
    pool.step_j += joules;
    pool.flops += cost.flops;
    pool.bytes += cost.bytes;
    s.energy_step_j += joules;
    ++s.steps;
    s.busy_s += TicksToSeconds(duration);
    rep.busy_ns += duration;
    s.kv_usage_time_weighted += usage * TicksToSeconds(duration);
    s.kv_usage_peak = std::max(s.kv_usage_peak, usage);
    s.kv_waste_time_weighted += waste * TicksToSeconds(duration);
    s.batch_size_sum += static_cast<double>(batch);
    s.batch_size_peak = std::max(s.batch_size_peak, batch);
    s.tokens_per_step_sum += static_cast<double>(shape.new_tokens);
    s.tokens_per_step_peak = std::max(s.tokens_per_step_peak, shape.new_tokens);
    s.flops += cost.flops;
    s.bytes += cost.bytes;
    s.device_s += cost.device_s;
    if (cost.outside_s > 0) {
      ++s.outside_steps;
      s.outside_device_s += cost.outside_s;
    }
    s.offload_io_s += cost.io_s;
    s.offload_io_bytes += cost.io_bytes;
    s.offload_stall_s += cost.stall_s;
    for (size_t t = 0; t < kMaxOffloadTiers; ++t) {
      s.offload_tier_bytes[t] += cost.io_tier_bytes[t];
      s.offload_tier_s[t] += cost.io_tier_s[t];
    }
    if (observers->empty()) return;
    StepRecord r;
    r.replica = index;
    r.start_ns = now;
    r.duration_ns = duration_ns;
    r.batch = batch;
    r.prefill_tokens = shape.prefill_tokens;
    r.decode_seqs = shape.decode_seqs;
    r.new_tokens = shape.new_tokens;
    r.running = static_cast<int64_t>(rep.queues.running.size());
    r.waiting = static_cast<int64_t>(rep.queues.waiting.size());
    r.swapped = static_cast<int64_t>(rep.queues.swapped.size());
    r.kv_usage = usage;
    r.preempted = preempted;
    r.swap_blocks = swap_blocks;
    r.bound = cost.bound;
    r.draft_s = draft_s;
    r.io_s = cost.io_s;
    r.io_bytes = cost.io_bytes;
    r.stall_s = cost.stall_s;
    r.io_tier_bytes = cost.io_tier_bytes;
    r.energy_j = joules;
    for (EngineObserver* o : *observers) o->OnStep(r);
  }

  // Block crossings of a decode-only plan: request x needs a new block at step j >= jump_first[x]
  // with (j - jump_first[x]) % block_size == 0. Sorts the requests by jump_first % block_size
  // into jump_order (counting sort, plan order kept inside a residue; jump_count[r] .. [r + 1]
  // bounds residue r) so a step scans only its residue.
  void SortByBlockCrossing(const StepPlan& plan, int64_t bs) {
    const int64_t batch = static_cast<int64_t>(plan.seqs.size());
    jump_first.resize(static_cast<size_t>(batch));
    jump_count.assign(static_cast<size_t>(bs) + 1, 0);
    for (int64_t i = 0; i < batch; ++i) {
      const Sequence& seq = *plan.seqs[static_cast<size_t>(i)].seq;
      const int64_t first = seq.kv_blocks * bs - seq.computed;  // >= 1: step 0 already has room
      jump_first[static_cast<size_t>(i)] = first;
      ++jump_count[static_cast<size_t>(first % bs) + 1];
    }
    for (int64_t r = 0; r < bs; ++r) jump_count[r + 1] += jump_count[r];
    jump_order.resize(static_cast<size_t>(batch));
    jump_fill.assign(jump_count.begin(), jump_count.end() - 1);
    for (int64_t i = 0; i < batch; ++i) {
      const size_t r = static_cast<size_t>(jump_first[static_cast<size_t>(i)] % bs);
      jump_order[static_cast<size_t>(jump_fill[r]++)] = static_cast<int32_t>(i);
    }
  }

  // Advances a predictable stretch in one go (DESIGN.md: SplitwiseSim's contiguous iterations).
  // Step 0 (already started at `now`) decodes every running request of the replica, nothing waits
  // or is swapped out: then the next steps are the same batch one token further each (the rule
  // of every scheduler that declares SchedulerCaps::decode_stretch_jump, vllm_v1, vllm_v0,
  // sarathi and orca: running requests decode in order, a step preempts only when its
  // reservations do not fit), until a request would finish, a step would need more KV blocks than
  // are free (a preemption), or any other event (an arrival, another replica's step, the time
  // limit) comes first. Each step of the stretch is priced, its blocks reserved (in the
  // scheduler's order), and recorded exactly as stepping would; tokens and inter-token latencies are credited in bulk
  // (every request's latency in a step is that step's duration). Returns the completion time of
  // the last step started, whose StepDone the caller queues.
  int64_t JumpDecodeStretch(int32_t index, int64_t now, int64_t duration,
                            const BatchShape& shape0) {
    Replica& rep = replicas[static_cast<size_t>(index)];
    const StepPlan& plan = rep.plan;
    const int64_t end0 = now + duration;
    const int64_t batch = static_cast<int64_t>(plan.seqs.size());
    if (plan.preempted > 0 || plan.pad_decode_seqs > 0 || batch == 0 ||
        batch != static_cast<int64_t>(rep.queues.running.size()) || !rep.queues.waiting.empty() ||
        !rep.queues.swapped.empty()) {
      return end0;
    }
    int64_t min_left = std::numeric_limits<int64_t>::max();
    for (const ScheduledSeq& p : plan.seqs) {
      const Sequence& seq = *p.seq;
      if (p.new_tokens != 1 || p.pad_tokens != 0 || seq.computed + 1 != seq.Tokens() ||
          seq.first_token_ns < 0 || !seq.prefix_hashes.empty() || seq.hold) {
        return end0;
      }
      min_left = std::min(min_left, seq.output_tokens - seq.generated);
    }
    // Step j credits step j - 1's token; no request may finish inside the stretch.
    const int64_t last_j = min_left - 1;
    const int64_t limit =
        events.Empty() ? std::numeric_limits<int64_t>::max() : events.Top().time_ns;
    if (last_j < 1 || end0 >= limit || end0 >= kHorizonNs ||
        (cfg.max_time_ns > 0 && end0 > cfg.max_time_ns)) {
      return end0;
    }

    const int64_t bs = rep.kv->block_size();
    SortByBlockCrossing(plan, bs);

    const int64_t stored0 = rep.kv->stored_tokens();
    BatchShape shape = shape0;
    int64_t t = now, d = duration, started = 0;
    // KV usage and the room held change only when a step allocates blocks.
    double usage = rep.kv->Usage();
    double room = static_cast<double>(rep.kv->held_refs()) * static_cast<double>(bs);
    for (int64_t j = 1; j <= last_j; ++j) {
      const int64_t tj = t + d;
      if (tj >= limit || tj >= kHorizonNs || (cfg.max_time_ns > 0 && tj > cfg.max_time_ns)) break;
      const size_t r = static_cast<size_t>(j % bs);
      const int64_t lo = jump_count[r], hi = jump_count[r + 1];
      int64_t need = 0;
      for (int64_t k = lo; k < hi; ++k)
        need += j >= jump_first[static_cast<size_t>(jump_order[static_cast<size_t>(k)])];
      if (need > rep.kv->free_blocks()) break;  // stepping would preempt here
      // FinishStep of step j - 1 at tj: one token and one inter-token latency per request.
      if (j == 1) {
        for (const ScheduledSeq& p : plan.seqs)
          s.itl_s.Add(TicksToSeconds(tj - p.seq->last_token_ns));
      } else {
        s.itl_s.AddRepeated(TicksToSeconds(d), batch);
      }
      s.output_tokens += batch;
      // StartStep of step j at tj: the scheduler's reservations (only block crossings allocate).
      for (int64_t k = lo; k < hi; ++k) {
        const size_t i = static_cast<size_t>(jump_order[static_cast<size_t>(k)]);
        if (j < jump_first[i]) continue;
        Sequence& seq = *plan.seqs[i].seq;
        if (!rep.kv->Reserve(seq, seq.computed + j + 1))
          throw std::logic_error("decode stretch: a counted block was not free");
      }
      if (need > 0) {
        usage = rep.kv->Usage();
        room = static_cast<double>(rep.kv->held_refs()) * static_cast<double>(bs);
      }
      shape.context_tokens += batch;
      shape.causal_pairs += static_cast<double>(batch);
      shape.full_pairs += static_cast<double>(batch);
      shape.decode_context_tokens += batch;
      ++shape.decode_min_context;
      ++shape.decode_max_context;
      const StepCost cost = rep.cost->PriceStep(shape);
      const int64_t dj = SecondsToTicks(cost.seconds);
      // Stored tokens as the per-request reservations would leave them: one more per request.
      const double waste = room > 0 ? 1.0 - static_cast<double>(stored0 + j * batch) / room : 0.0;
      RecordStep(index, rep, tj, dj, batch, shape, cost, usage, waste, 0, 0, 0);
      s.events += 2;  // the StepDone and StepStart stepping would have processed
      ++s.jumped_steps;
      t = tj;
      d = dj;
      started = j;
    }
    if (started == 0) return end0;
    for (const ScheduledSeq& p : plan.seqs) {
      Sequence& seq = *p.seq;
      seq.computed += started;
      seq.generated += started;
      seq.last_token_ns = t;
      rep.kv->Reserve(seq, seq.computed + 1);  // stored tokens catch up; no block changes
    }
    rep.step_start_ns = t;
    return t + d;
  }

  // Pipeline parallelism: the next micro-batch enters stage 0 once that stage is free and fewer
  // than pp are in flight (sim/core/pipeline_stages.h), from the requests not in flight (vLLM v1
  // skips requests already scheduled); its stages are priced one by one and it completes after
  // the last stage. A start is kept pending while stage 0 is busy; a full pipeline waits for its
  // oldest micro-batch to complete.
  void StartMicroBatch(int32_t index, int64_t now) {
    Replica& rep = replicas[static_cast<size_t>(index)];
    rep.start_pending = false;
    if (!rep.stages.CanStart(now)) {
      if (rep.stages.in_flight() < rep.stages.stages()) {
        rep.start_pending = true;
        events.Push(rep.stages.first_free_ns(), Phase::kStepStart, index);
      }
      return;
    }
    HideInFlight(rep);
    const bool planned = PlanStep(rep, now);
    RestoreInFlight(rep);
    if (!planned) {
      if (rep.plan.wake_at_ns > now) events.Push(rep.plan.wake_at_ns, Phase::kStepStart, index);
      return;
    }
    PoolState& pool = PoolOf(rep);
    PipelineCost& pc = pool.pipe_scratch;
    pool.pipeline_cost->PriceStages(rep.shape, pc);
    std::array<int64_t, kMaxPipelineStages> ticks{};
    int64_t stage_ticks = 0;
    for (int st = 0; st < pc.stages; ++st) {
      ticks[static_cast<size_t>(st)] = SecondsToTicks(pc.stage_s[static_cast<size_t>(st)]);
      stage_ticks += ticks[static_cast<size_t>(st)];
    }
    const int64_t done = rep.stages.Place(now, ticks.data(), SecondsToTicks(pc.send_s));
    s.pipeline.send_bytes +=
        pc.send_bytes * static_cast<double>((pc.stages - 1) * pool.opt.cost.tp);
    ++s.pipeline.micro_batches;
    const StepPlan& plan = rep.plan;
    const int64_t batch = static_cast<int64_t>(plan.seqs.size()) + plan.pad_decode_seqs;
    RecordStep(index, rep, now, done - now, batch, rep.shape, pc.total, rep.kv->Usage(),
               rep.kv->WastedFraction(), plan.preempted, 0, 0, stage_ticks / pc.stages);
    for (const ScheduledSeq& p : plan.seqs) p.seq->in_flight = true;
    const size_t slot = (rep.flight_head + static_cast<size_t>(rep.stages.in_flight()) - 1) %
                        rep.flight.size();
    std::swap(rep.flight[slot], rep.plan);
    rep.busy = true;
    rep.step_start_ns = now;
    events.Push(done, Phase::kStepDone, index);
    rep.start_pending = true;
    events.Push(now + ticks[0], Phase::kStepStart, index);
  }

  // The oldest micro-batch in flight completes: its plan becomes rep.plan for FinishStep.
  void RetireMicroBatch(Replica& rep) {
    std::swap(rep.plan, rep.flight[rep.flight_head]);
    rep.flight_head = (rep.flight_head + 1) % rep.flight.size();
    rep.stages.Retire();
    for (const ScheduledSeq& p : rep.plan.seqs) p.seq->in_flight = false;
  }

  // Takes the running requests in flight out of the scheduler's view (counted in
  // in_flight_elsewhere), and puts them back in front (they were admitted before the rest).
  void HideInFlight(Replica& rep) {
    std::vector<Sequence*>& run = rep.queues.running;
    rep.hidden.clear();
    size_t kept = 0;
    for (Sequence* seq : run) {
      if (seq->in_flight) {
        rep.hidden.push_back(seq);
      } else {
        run[kept++] = seq;
      }
    }
    run.resize(kept);
    rep.queues.in_flight_elsewhere = static_cast<int64_t>(rep.hidden.size());
  }
  void RestoreInFlight(Replica& rep) {
    std::vector<Sequence*>& run = rep.queues.running;
    run.insert(run.begin(), rep.hidden.begin(), rep.hidden.end());
    rep.queues.in_flight_elsewhere = 0;
  }

  void FinishStep(int32_t index, int64_t now) {
    Replica& rep = replicas[static_cast<size_t>(index)];
    const bool pipelined = PoolOf(rep).pipelined;
    if (pipelined) RetireMicroBatch(rep);
    rep.busy = pipelined && rep.stages.in_flight() > 0;
    rep.step_done_ns = now;
    bool any_finished = false;
    for (const ScheduledSeq& p : rep.plan.seqs) {
      Sequence& seq = *p.seq;
      if (p.new_tokens > 0) {
        const int64_t drafts = Speculator::VerifiedDrafts(seq, p.new_tokens);
        seq.computed += p.new_tokens;
        // A prefill chunk short of the prompt's end emits nothing; a finished member kept for
        // padding emits nothing either.
        if (seq.computed >= seq.Tokens() && seq.generated < seq.output_tokens) {
          // A speculative round emits its accepted drafts and the target's bonus token. Orca
          // keeps its up-front reservation: rejected slots stay inside it.
          const int64_t emitted =
              drafts > 0 ? rep.spec->FinishRound(seq, drafts, *rep.kv,
                                                 !pools[static_cast<size_t>(rep.pool)].reserves_max)
                         : 1;
          seq.generated += emitted;
          s.output_tokens += emitted;
          // One inter-token sample per streamed chunk (a round's tokens arrive together, as
          // vllm bench serve measures them).
          if (seq.first_token_ns < 0) {
            seq.first_token_ns = now;
            s.input_tokens += seq.prompt_tokens;  // prompts processed (vLLM bench: of served ones)
          } else {
            s.itl_s.Add(TicksToSeconds(now - seq.last_token_ns));
          }
          seq.last_token_ns = now;
        }
      }
      if (seq.generated >= seq.output_tokens && !seq.hold && seq.status != SeqStatus::kFinished) {
        Complete(seq, index, now);
        any_finished = true;
      } else if (handoffs && rep.pool == 0 && seq.generated > 0 &&
                 seq.status == SeqStatus::kRunning) {
        HandOff(seq, index, now);
        any_finished = true;
      }
    }
    if (rep.spec) rep.spec->ClearDrafts();
    if (any_finished) {
      auto& run = rep.queues.running;
      run.erase(std::remove_if(run.begin(), run.end(),
                               [](const Sequence* seq) {
                                 return seq->status == SeqStatus::kFinished ||
                                        seq->status == SeqStatus::kHandedOff;
                               }),
                run.end());
    }
    if (handoffs && rep.pool == 1) AdmitHandoffs(index, now);
    RefreshLoad(index);
    WakeReplica(index, now);
  }

  // The prompt of `pseq` is done on prefill replica `from` and its first token out: it leaves the
  // running set (keeping its blocks until its KV has moved) and a copy heads for a decode
  // replica, which must first have room (kv_handoff.h).
  void HandOff(Sequence& pseq, int32_t from, int64_t now) {
    pseq.status = SeqStatus::kHandedOff;
    const int64_t tokens = pseq.prompt_tokens + pseq.output_tokens;
    loads[static_cast<size_t>(from)].outstanding_tokens -= tokens;
    Sequence* d = NewSequence();
    d->request_id = pseq.request_id;
    d->arrival_ns = pseq.arrival_ns;
    d->prompt_tokens = pseq.prompt_tokens;
    d->output_tokens = pseq.output_tokens;
    d->source = pseq.source;
    d->client = pseq.client;
    d->generated = pseq.generated;
    d->first_scheduled_ns = pseq.first_scheduled_ns;
    d->first_token_ns = pseq.first_token_ns;
    d->last_token_ns = pseq.last_token_ns;
    d->preemptions = pseq.preemptions;
    const int32_t to = RouteIn(pools[1]);
    loads[static_cast<size_t>(to)].outstanding_tokens += tokens;
    ++replicas[static_cast<size_t>(to)].incoming;
    handoffs->Add({&pseq, d, from, to, pseq.first_scheduled_ns, now, -1});
    AdmitHandoffs(to, now);
    RefreshLoad(to);
  }

  // Grants room on decode replica `to` to the requests waiting for it, in order, and starts
  // their transfers: blocks for the prompt and the token its first decode step computes (the
  // request's maximum under a scheduler that reserves it), the prompt counted as computed.
  void AdmitHandoffs(int32_t to, int64_t now) {
    Replica& rep = replicas[static_cast<size_t>(to)];
    const bool whole = pools[static_cast<size_t>(rep.pool)].reserves_max;
    std::deque<int32_t>& waiting = handoffs->Waiting(to);
    while (!waiting.empty()) {
      const int32_t slot = waiting.front();
      Sequence& d = *handoffs->at(slot).decode;
      if (!rep.kv->Admit(d, 0, whole ? d.MaxTokens() : d.Tokens())) break;
      d.computed = d.prompt_tokens;
      waiting.pop_front();
      events.Push(handoffs->Start(slot, now), Phase::kTransferDone, slot);
    }
  }

  // The KV of handoff `slot` has arrived: the prefill replica frees its blocks and the decode
  // copy joins its replica's running set.
  void FinishTransfer(int32_t slot, int64_t now) {
    const Handoff h = handoffs->at(slot);
    handoffs->Free(slot);
    replicas[static_cast<size_t>(h.from)].kv->Release(*h.prefill);
    h.prefill->status = SeqStatus::kFinished;
    free_list.push_back(h.prefill);
    Replica& to = replicas[static_cast<size_t>(h.to)];
    --to.incoming;
    h.decode->status = SeqStatus::kRunning;
    to.queues.running.push_back(h.decode);
    RefreshLoad(h.from);
    RefreshLoad(h.to);
    WakeReplica(h.from, now);
    WakeReplica(h.to, now);
  }

  void Complete(Sequence& seq, int32_t replica, int64_t now) {
    Replica& rep = replicas[static_cast<size_t>(replica)];
    rep.kv->Release(seq);
    seq.status = SeqStatus::kFinished;
    loads[static_cast<size_t>(replica)].outstanding_tokens -= seq.prompt_tokens + seq.output_tokens;
    ++s.completed;
    last_finish_ns = std::max(last_finish_ns, now);
    const double ttft = TicksToSeconds(seq.first_token_ns - seq.arrival_ns);
    const double e2e = TicksToSeconds(now - seq.arrival_ns);
    s.ttft_s.Add(ttft);
    s.e2e_s.Add(e2e);
    s.normalized_latency_sum_s += e2e / static_cast<double>(seq.output_tokens);
    s.queue_s.Add(TicksToSeconds(seq.first_scheduled_ns - seq.arrival_ns));
    double tpot = 0;
    if (seq.output_tokens > 1) {
      tpot = (e2e - ttft) / static_cast<double>(seq.output_tokens - 1);
      s.tpot_s.Add(tpot);
      if (tpot > 0) {
        s.decode_tok_per_s_sum += 1.0 / tpot;
        ++s.decode_requests;
      }
    }
    const bool good = (cfg.slo_ttft_s <= 0 || ttft <= cfg.slo_ttft_s) &&
                      (cfg.slo_tpot_s <= 0 || tpot <= cfg.slo_tpot_s) &&
                      (cfg.slo_e2e_s <= 0 || e2e <= cfg.slo_e2e_s);
    if (good) ++s.good_requests;
    ReportRequest(seq, RequestStatus::kCompleted, replica, now);
    NotifySource(seq, now);
    // The slot is reused only after the running list dropped it (FinishStep compacts first).
    pending_free.push_back(&seq);
  }

  void CheckInvariants() const {
#ifndef NDEBUG
    int64_t queued = handoffs ? handoffs->live() : 0;
    // Requests between pools: their tokens count at the decode replica, their blocks on both.
    std::vector<int64_t> moving_tokens(replicas.size(), 0), moving_blocks(replicas.size(), 0);
    if (handoffs) {
      handoffs->ForEach([&](const Handoff& h) {
        moving_tokens[static_cast<size_t>(h.to)] +=
            h.decode->prompt_tokens + h.decode->output_tokens;
        moving_blocks[static_cast<size_t>(h.to)] += h.decode->kv_blocks;
        moving_blocks[static_cast<size_t>(h.from)] += h.prefill->kv_blocks;
      });
    }
    for (size_t i = 0; i < replicas.size(); ++i) {
      const Replica& r = replicas[i];
      queued += InFlight(r.queues);
      int64_t tokens = moving_tokens[i];
      auto add = [&tokens](const auto& queue) {
        for (const Sequence* seq : queue) tokens += seq->prompt_tokens + seq->output_tokens;
      };
      add(r.queues.running);
      add(r.queues.waiting);
      add(r.queues.swapped);
      if (tokens != loads[i].outstanding_tokens) {
        throw std::logic_error(
            "invariant: the router's outstanding tokens differ from a "
            "replica's queues");
      }
      int64_t held = moving_blocks[i];
      for (const Sequence* seq : r.queues.running) held += seq->kv_blocks;
      for (const Sequence* seq : r.queues.waiting) held += seq->kv_blocks;
      for (const Sequence* seq : r.queues.swapped) {
        if (seq->kv_blocks != 0)
          throw std::logic_error("invariant: a swapped sequence holds blocks");
      }
      if (held != r.kv->held_refs() || r.kv->used_blocks() > r.kv->capacity_blocks()) {
        throw std::logic_error(
            "invariant: KV blocks held by sequences differ from the allocator's count");
      }
    }
    if (s.arrived != s.completed + s.rejected + queued) {
      throw std::logic_error("invariant: arrived != completed + rejected + in flight");
    }
#endif
  }

  // Steps still running at `end_ns` (the run stopped inside them) count only the part before it,
  // so utilization and time-weighted means stay within their meaning.
  void CutStepsAt(int64_t end_ns) {
    for (Replica& r : replicas) {
      const int64_t end = r.last_start_ns + r.last_duration_ns;
      if (!r.busy || end <= end_ns || r.last_duration_ns <= 0) continue;
      const int64_t cut_ns = end - std::max(end_ns, r.last_start_ns);
      const double cut = static_cast<double>(cut_ns) / static_cast<double>(r.last_duration_ns);
      s.flops -= r.last_flops * cut;
      s.bytes -= r.last_bytes * cut;
      s.busy_s -= TicksToSeconds(cut_ns);
      r.busy_ns -= cut_ns;
      s.energy_step_j -= r.last_joules * cut;
      PoolState& p = pools[static_cast<size_t>(r.pool)];
      p.step_j -= r.last_joules * cut;
      p.flops -= r.last_flops * cut;
      p.bytes -= r.last_bytes * cut;
      s.kv_usage_time_weighted -= r.last_usage * TicksToSeconds(cut_ns);
      s.kv_waste_time_weighted -= r.last_waste * TicksToSeconds(cut_ns);
    }
  }

  // Requests between pools when the run ended: in flight, on their decode replica.
  void ReportHandoffsAtEnd() {
    s.in_flight_at_end += handoffs->live();
    handoffs->ForEach(
        [this](const Handoff& h) { ReportRequest(*h.decode, RequestStatus::kInFlight, h.to, -1); });
    s.kv_transfer = std::move(handoffs->stats());
  }

  // Each pool's share of the run (s.pools), over `duration_ns`.
  void SummarizePools(int64_t duration_ns) {
    for (const PoolState& p : pools) {
      PoolStats& ps = s.pools.emplace_back();
      ps.name = p.opt.name;
      ps.device = p.opt.device.name;
      ps.replicas = p.opt.replicas;
      ps.tp = p.opt.cost.tp;
      ps.pp = p.opt.pp;
      ps.first_replica = p.first;
      ps.steps = p.steps;
      ps.step_j = p.step_j;
      ps.flops = p.flops;
      ps.bytes = p.bytes;
      ps.power_known = p.opt.device.power.max_w > 0;
      ps.price_per_device_hour_usd = p.opt.device.power.price_per_hour_usd;
      for (int32_t i = p.first; i < p.first + p.opt.replicas; ++i) {
        const int64_t busy = replicas[static_cast<size_t>(i)].busy_ns;
        ps.busy_s += TicksToSeconds(busy);
        ps.idle_j += p.power.IdleJoules(TicksToSeconds(duration_ns - busy)) *
                     static_cast<double>(p.devices_per_replica);
      }
    }
  }

  // Requests the sources would still have issued (see Workload::CountRemaining); a request
  // limit (simulation.max_requests) ends them where it cuts.
  void CountNotArrived() {
    constexpr int64_t kCountCap = 100'000'000;
    for (Source& src : sources) s.not_arrived += src.has_pending ? 1 : 0;
    if (cfg.max_requests > 0 && pulled >= cfg.max_requests) return;
    for (Source& src : sources) {
      const int64_t rest = src.workload->CountRemaining(kCountCap - s.not_arrived);
      if (rest < 0) {
        s.not_arrived_capped = true;
        return;
      }
      s.not_arrived += rest;
    }
  }

  RunSummary Run(const std::vector<EngineObserver*>& run_observers) {
    observers = &run_observers;
    const auto wall_start = std::chrono::steady_clock::now();
    for (int32_t i = 0; i < static_cast<int32_t>(sources.size()); ++i) PullNext(i);
    int64_t now = 0;
    while (!events.Empty()) {
      if (cfg.max_time_ns > 0 && events.Top().time_ns > cfg.max_time_ns) {
        s.truncated = true;
        break;
      }
      if (events.Top().time_ns >= kHorizonNs) {  // see models/sim_time.h
        s.truncated = s.horizon_exceeded = true;
        break;
      }
      const Event e = events.Pop();
      now = e.time_ns;
      ++s.events;
      switch (e.phase) {
        case Phase::kStepDone:
          if (e.target == kGroupTarget) {
            FinishGroupStep(now);
          } else {
            FinishStep(e.target, now);
          }
          for (Sequence* seq : pending_free) free_list.push_back(seq);
          pending_free.clear();
          break;
        case Phase::kArrival:
          Arrive(e.target, now);
          break;
        case Phase::kTransferDone:
          FinishTransfer(e.target, now);
          break;
        case Phase::kStepStart:
          if (e.target == kGroupTarget) {
            StartGroupStep(now);
          } else {
            StartStep(e.target, now);
          }
          break;
      }
      CheckInvariants();
      if ((s.events & 0xFFFF) == 0) {
        for (EngineObserver* o : *observers) o->OnProgress(TicksToSeconds(now), s.completed);
      }
    }
    for (size_t i = 0; i < replicas.size(); ++i) {
      const Replica& r = replicas[i];
      s.in_flight_at_end += InFlight(r.queues);
      // Requests the run ended with are reported too (status in_flight, no finish time).
      for (const Sequence* seq : r.queues.running) {
        if (seq->status != SeqStatus::kFinished)
          ReportRequest(*seq, RequestStatus::kInFlight, static_cast<int>(i), -1);
      }
      for (const Sequence* seq : r.queues.swapped) {
        ReportRequest(*seq, RequestStatus::kInFlight, static_cast<int>(i), -1);
      }
      for (const Sequence* seq : r.queues.waiting) {
        ReportRequest(*seq, RequestStatus::kInFlight, static_cast<int>(i), -1);
      }
      const KvStats& k = r.kv->stats();
      s.kv.prefix_query_tokens += k.prefix_query_tokens;
      s.kv.prefix_hit_tokens += k.prefix_hit_tokens;
      s.kv.resume_hit_tokens += k.resume_hit_tokens;
      s.kv.evicted_blocks += k.evicted_blocks;
      s.kv.swap_out_blocks += k.swap_out_blocks;
      s.kv.swap_in_blocks += k.swap_in_blocks;
      if (const KvTiers* t = r.kv->tiers()) AddTierStats(*t);
      if (PoolOf(r).pipelined) s.pipeline.Add(r.stages);
    }
    if (handoffs) ReportHandoffsAtEnd();
    for (const auto& src : sources) s.skipped_rows += src.workload->skipped_rows();
    const SpecCounters& spec = spec_shared.counters;
    s.spec_rounds = spec.rounds;
    s.spec_proposed = spec.proposed;
    s.spec_accepted = spec.accepted;
    s.spec_emitted = spec.emitted;
    s.spec_draft_s = spec.draft_s;
    s.spec_verify_s = spec.verify_s;
    // Events ran out with requests still held: no rule will ever schedule them.
    s.stalled = !s.truncated && s.in_flight_at_end > 0;
    // A time limit ends the run at the limit; the horizon at the last event before it.
    const int64_t end_ns = s.truncated && !s.horizon_exceeded ? cfg.max_time_ns : now;
    CutStepsAt(end_ns);
    CountNotArrived();
    if (first_arrival_ns >= 0) {
      const int64_t duration_ns = std::max(last_finish_ns, end_ns) - first_arrival_ns;
      s.duration_s = TicksToSeconds(duration_ns);
      // Devices draw idle power over the replica-time no step covered.
      for (const Replica& r : replicas) {
        const PoolState& p = pools[static_cast<size_t>(r.pool)];
        s.energy_idle_j += p.power.IdleJoules(TicksToSeconds(duration_ns - r.busy_ns)) *
                           static_cast<double>(p.devices_per_replica);
      }
      if (!cfg.serving.pools.empty()) SummarizePools(duration_ns);
    }
    s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return std::move(s);
  }
};

Engine::Engine(EngineConfig config, std::vector<std::unique_ptr<Workload>> sources)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(sources))) {}
Engine::~Engine() = default;
RunSummary Engine::Run(const std::vector<EngineObserver*>& observers) {
  return impl_->Run(observers);
}

}  // namespace servesim
