#include "sim/output/summary_json.h"

#include <limits>

#include "sim/core/energy.h"
#include "sim/core/load_check.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();  // written as null

// "load": the overload / short-run verdict (sim/core/load_check.h).
void LoadObject(const RunSummary& s, JsonWriter& j) {
  const LoadVerdict v = CheckRunLoad(s);
  j.Key("load").BeginObject();
  j.Field("status", LoadStatusName(v.status)).Field("arrival_rate_per_s", v.arrival_rate_per_s);
  j.Field("service_rate_per_s", v.service_rate_per_s.value_or(kNull));
  j.Field("queue_growth_per_s", v.queue_growth_per_s);
  j.Key("messages").BeginArray();
  for (const std::string& m : v.messages) j.String(m);
  j.EndArray().EndObject();
}

// Preemption, KV usage, prefix cache and swap counters.
void KvFields(const RunSummary& s, const EngineConfig& cfg, JsonWriter& j) {
  j.Field("preemptions", s.preemptions);
  j.Field("kv_blocks", s.kv_blocks_per_replica);
  // hardware.kv_blocks overrode the memory plan: its figure beside the one used.
  if (cfg.kv.planned_blocks > 0) j.Field("kv_blocks_planned", cfg.kv.planned_blocks);
  j.Field("kv_usage_mean", s.busy_s > 0 ? s.kv_usage_time_weighted / s.busy_s : 0.0);
  j.Field("kv_usage_peak", s.kv_usage_peak);
  j.Field("kv_wasted_fraction_mean", s.busy_s > 0 ? s.kv_waste_time_weighted / s.busy_s : 0.0);
  j.Field("prefix_cache_hit_rate", s.kv.prefix_query_tokens > 0
                                       ? static_cast<double>(s.kv.prefix_hit_tokens) /
                                             static_cast<double>(s.kv.prefix_query_tokens)
                                       : 0.0);
  j.Field("prefix_cache_hit_tokens", s.kv.prefix_hit_tokens)
      .Field("prefix_cache_resume_hit_tokens", s.kv.resume_hit_tokens)
      .Field("prefix_cache_evicted_blocks", s.kv.evicted_blocks);
  j.Field("swap_out_blocks", s.kv.swap_out_blocks).Field("swap_in_blocks", s.kv.swap_in_blocks);
  j.Field("swap_seconds", s.swap_s);
}

// KV tiers (only with kv_cache.tiers): per tier, hits (first admissions; hit_rate over the
// prompt tokens looked up), bytes written in and read out, priced load time, evictions; the
// device's own hits; and the step time the loads saved over recomputing the loaded tokens.
void KvTierFields(const RunSummary& s, JsonWriter& j) {
  const double query = static_cast<double>(s.kv.prefix_query_tokens);
  auto rate = [query](int64_t tokens) {
    return query > 0 ? static_cast<double>(tokens) / query : 0.0;
  };
  int64_t tier_hits = 0;
  j.Key("kv_tiers").BeginArray();
  for (size_t t = 0; t < s.kv_tiers.size(); ++t) {
    const KvTierStats& k = s.kv_tiers[t];
    tier_hits += k.hit_tokens;
    j.BeginObject().Field("name", s.kv_tier_names[t]).Field("hit_tokens", k.hit_tokens);
    j.Field("hit_rate", rate(k.hit_tokens)).Field("resume_hit_tokens", k.resume_hit_tokens);
    j.Field("bytes_in", k.bytes_in).Field("bytes_out", k.bytes_out);
    j.Field("load_seconds", k.load_s).Field("evicted_blocks", k.evicted_blocks).EndObject();
  }
  j.EndArray();
  const int64_t device_hits = s.kv.prefix_hit_tokens - tier_hits;
  j.Field("kv_device_hit_tokens", device_hits).Field("kv_device_hit_rate", rate(device_hits));
  j.Field("kv_tier_load_steps", s.kv_tier_load_steps);
  j.Field("kv_tier_saved_step_seconds", s.kv_tier_saved_s);
}

// Speculative decoding: rounds, acceptance and time shares.
void SpeculativeFields(const RunSummary& s, JsonWriter& j) {
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  const double rounds = static_cast<double>(s.spec_rounds);
  j.Field("spec_rounds", s.spec_rounds).Field("spec_drafts_proposed", s.spec_proposed);
  j.Field("spec_drafts_accepted", s.spec_accepted);
  j.Field("spec_acceptance_rate",
          ratio(static_cast<double>(s.spec_accepted), static_cast<double>(s.spec_proposed)));
  // Tokens a round emits, the bonus token included.
  j.Field("spec_mean_accepted_length", ratio(static_cast<double>(s.spec_emitted), rounds));
  // Emitted tokens per verified slot: emitted / Σ (drafts + 1).
  j.Field("spec_system_efficiency", ratio(static_cast<double>(s.spec_emitted),
                                          static_cast<double>(s.spec_proposed) + rounds));
  j.Field("spec_draft_time_share", ratio(s.spec_draft_s, s.busy_s));
  j.Field("spec_verify_time_share", ratio(s.spec_verify_s, s.busy_s));
}

// Offload: the placement's resident and streamed bytes, I/O totals and per-tier figures.
void OffloadFields(const RunSummary& s, const OffloadPlan& o, JsonWriter& j) {
  double streamed = 0;
  for (double b : o.streamed_per_pass) streamed += b;
  j.Field("offload_resident_weight_bytes", o.resident_bytes)
      .Field("offload_streamed_bytes_per_pass", streamed);
  j.Field("offload_io_bytes", s.offload_io_bytes).Field("offload_io_seconds", s.offload_io_s);
  // Share of busy time compute sat waiting for transfers.
  j.Field("offload_stall_share", s.busy_s > 0 ? s.offload_stall_s / s.busy_s : 0.0);
  j.Field("offload_kv_host_blocks", o.kv_host_blocks);
  // Per offload tier, nearest first: what was read from it and the channel time it took.
  j.Key("offload_tiers").BeginArray();
  for (size_t t = 0; t < o.tiers.size() && t < kMaxOffloadTiers; ++t) {
    j.BeginObject().Field("name", o.tiers[t].name);
    j.Field("io_bytes", s.offload_tier_bytes[t]).Field("io_seconds", s.offload_tier_s[t]);
    j.EndObject();
  }
  j.EndArray();
}

// Data parallel / expert parallel MoE (hardware.data_parallel > 1 or expert_parallel): the
// layout of the experts on each device and what lockstep cost.
void DataParallelFields(const RunSummary& s, const EngineConfig& cfg, JsonWriter& j) {
  const CostModelOptions& c = cfg.cost;
  const int ranks = cfg.model.IsMoe() ? c.dp * c.tp : c.tp;
  j.Key("data_parallel").BeginObject();
  j.Field("ranks", c.dp).Field("expert_parallel", c.expert_parallel);
  j.Field("all2all_backend", std::string(All2AllBackendName(c.all2all)));
  j.Field("lockstep", cfg.lockstep);
  if (cfg.model.IsMoe()) {
    // Whole experts per device with expert parallelism; otherwise a slice of each.
    j.Field("experts_per_device",
            c.expert_parallel ? cfg.model.num_experts / ranks : cfg.model.num_experts);
    j.Field("expert_weight_bytes_per_device", RoutedExpertWeightBytes(cfg.model) / ranks);
  }
  j.Field("group_steps", s.dp_group_steps).Field("dummy_steps", s.dp_dummy_steps);
  // Share of the ranks' busy time spent waiting for the group's slowest rank.
  j.Field("sync_wait_share", s.busy_s > 0 ? s.dp_sync_wait_s / s.busy_s : 0.0);
  j.EndObject();
}

// Pipeline parallelism (hardware.pp > 1): the stages' occupancy (sim/core/pipeline_stages.h).
void PipelineFields(const RunSummary& s, JsonWriter& j) {
  const PipelineTotals& p = s.pipeline;
  j.Key("pipeline").BeginObject();
  j.Field("stages", p.stages).Field("micro_batches", p.micro_batches);
  j.Field("bubble_share", p.BubbleShare());
  j.Field("mean_micro_batches_in_flight", p.MeanInFlight());
  j.Field("activation_bytes_sent", p.send_bytes);
  j.EndObject();
}

// "energy": joules, power and dollars of every device (sim/core/energy.h); the energy fields when
// the device has power figures, the dollar fields when it has a price.
void EnergyObject(const RunSummary& s, const EngineConfig& cfg, JsonWriter& j) {
  const EnergyReport e = ComputeEnergy(s, cfg);
  if (!e.known && !e.priced) return;
  j.Key("energy").BeginObject();
  j.Field("devices", e.devices);
  if (e.known) {
    j.Field("idle_power_w", cfg.device.power.idle_w).Field("max_power_w", cfg.device.power.max_w);
    j.Field("joules", e.joules).Field("kwh", e.kwh);
    j.Field("step_joules", e.step_joules).Field("idle_joules", e.idle_joules);
    j.Field("idle_share", e.idle_share);
    j.Field("mean_power_w", e.mean_power_w)
        .Field("mean_power_per_device_w", e.mean_power_per_device_w);
    j.Field("joules_per_output_token", e.joules_per_output_token);
    j.Field("kwh_per_million_tokens", e.kwh_per_million_tokens);
    j.Field("tokens_per_joule", e.tokens_per_joule);
  }
  if (e.priced) {
    j.Field("price_per_device_hour_usd", cfg.device.power.price_per_hour_usd);
    j.Field("usd", e.usd).Field("usd_per_million_tokens", e.usd_per_million_tokens);
    j.Field("tokens_per_dollar", e.tokens_per_dollar);
  }
  j.EndObject();
}

// "pools" (each pool's replicas, busy share, energy) and, on a disaggregated path,
// "kv_transfer": only in runs with `pools`.
void PoolFields(const RunSummary& s, JsonWriter& j) {
  const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
  j.Key("pools").BeginArray();
  for (const PoolStats& p : s.pools) {
    j.BeginObject().Field("name", p.name).Field("device", p.device);
    j.Field("replicas", p.replicas).Field("tp", p.tp).Field("first_replica", p.first_replica);
    j.Field("steps", p.steps);
    j.Field("busy_share", p.busy_s / (dur * static_cast<double>(p.replicas)));
    if (p.power_known) j.Field("joules", p.step_j + p.idle_j).Field("idle_joules", p.idle_j);
    j.EndObject();
  }
  j.EndArray();
  const KvTransferStats& k = s.kv_transfer;
  if (k.links == 0) return;
  auto ms = [&j](const char* name, const LogHistogram& h) {
    j.Field(std::string("mean_") + name + "_ms", h.Mean() * 1e3);
    j.Field(std::string("p99_") + name + "_ms", h.Quantile(0.99) * 1e3);
  };
  j.Key("kv_transfer").BeginObject();
  j.Field("link", k.link).Field("mode", k.mode).Field("links", k.links);
  j.Field("transfers", k.transfers).Field("bytes", k.bytes);
  ms("transfer", k.transfer_s);
  ms("room_wait", k.room_wait_s);
  ms("link_wait", k.link_wait_s);
  ms("handoff", k.handoff_s);
  j.Field("link_utilization", k.link_busy_s / (dur * static_cast<double>(k.links)));
  j.EndObject();
}

}  // namespace

std::string SummaryJson(const RunSummary& s, const EngineConfig& cfg, bool wall_clock) {
  JsonWriter j;
  const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
  j.BeginObject();
  j.Field("completed", s.completed).Field("duration", s.duration_s);
  j.Field("total_input_tokens", s.input_tokens).Field("total_output_tokens", s.output_tokens);
  j.Field("request_throughput", static_cast<double>(s.completed) / dur);
  j.Field("output_throughput", static_cast<double>(s.output_tokens) / dur);
  j.Field("total_token_throughput", static_cast<double>(s.input_tokens + s.output_tokens) / dur);
  // Goodput and attainment only mean something against an SLO: null without one.
  const bool slo = cfg.HasSlo();
  j.Field("request_goodput", slo ? static_cast<double>(s.good_requests) / dur : kNull);
  j.Field("slo_attainment", slo && s.completed > 0 ? static_cast<double>(s.good_requests) /
                                                         static_cast<double>(s.completed)
                                                   : kNull);
  j.Field("mean_decode_tok_per_s_per_request",
          s.decode_requests > 0 ? s.decode_tok_per_s_sum / static_cast<double>(s.decode_requests)
                                : 0.0);
  auto stats = [&](const char* name, const LogHistogram& h) {
    auto key = [name](const char* prefix) {
      std::string k(prefix);
      k.append(name).append("_ms");
      return k;
    };
    j.Field(key("mean_"), h.Mean() * 1e3);
    j.Field(key("median_"), h.Quantile(0.5) * 1e3);
    j.Field(key("p90_"), h.Quantile(0.9) * 1e3);
    j.Field(key("p95_"), h.Quantile(0.95) * 1e3);
    j.Field(key("p99_"), h.Quantile(0.99) * 1e3);
  };
  stats("ttft", s.ttft_s);
  stats("tpot", s.tpot_s);
  stats("itl", s.itl_s);
  stats("e2el", s.e2e_s);
  stats("queue", s.queue_s);
  j.Field(
      "mean_normalized_latency_ms",
      s.completed > 0 ? s.normalized_latency_sum_s / static_cast<double>(s.completed) * 1e3 : 0.0);
  j.Field("arrived", s.arrived).Field("rejected", s.rejected);
  // Conservation: requested = arrived + not_arrived (null when more were left than counted).
  if (s.not_arrived_capped) {
    j.Field("requested", kNull);
  } else {
    j.Field("requested", s.arrived + s.not_arrived);
  }
  j.Field("not_arrived", s.not_arrived);
  j.Field("rejected_too_long", s.rejected_too_long).Field("rejected_kv_capacity", s.rejected_kv);
  j.Field("rejected_queue_full", s.rejected_queue_full)
      .Field("in_flight_at_end", s.in_flight_at_end);
  j.Field("truncated", s.truncated).Field("horizon_exceeded", s.horizon_exceeded);
  j.Field("skipped_rows", s.skipped_rows);
  if (s.stalled) j.Field("stalled", true);  // only then: a scheduling dead end, see engine.h
  LoadObject(s, j);
  if (slo) {
    j.Field("good_requests", s.good_requests);
  } else {
    j.Field("good_requests", kNull);
  }
  KvFields(s, cfg, j);
  if (!s.kv_tiers.empty()) KvTierFields(s, j);
  if (cfg.speculative.enabled()) SpeculativeFields(s, j);
  if (cfg.offload.active) OffloadFields(s, cfg.offload, j);
  if (cfg.cost.dp > 1 || cfg.cost.expert_parallel) DataParallelFields(s, cfg, j);
  if (!s.pools.empty()) PoolFields(s, j);
  if (cfg.pp > 1) PipelineFields(s, j);
  const double steps = s.steps > 0 ? static_cast<double>(s.steps) : 1.0;
  j.Field("mean_batch_size", s.batch_size_sum / steps).Field("peak_batch_size", s.batch_size_peak);
  j.Field("mean_tokens_per_step", s.tokens_per_step_sum / steps)
      .Field("peak_tokens_per_step", s.tokens_per_step_peak);
  // Model FLOPs / bandwidth utilization over the makespan, per device.
  const double devices_time = dur * static_cast<double>(cfg.replicas);
  double flops_capacity = devices_time * cfg.device.PeakFlopsFor(cfg.model.activation_dtype);
  double bytes_capacity = devices_time * cfg.device.memory.bandwidth_bytes_per_s;
  if (!s.pools.empty()) {  // every pool's replicas at their own device's peaks
    flops_capacity = bytes_capacity = 0;
    for (const PoolOptions& p : cfg.serving.pools) {
      const double pool_time = dur * static_cast<double>(p.replicas);
      flops_capacity += pool_time * p.device.PeakFlopsFor(cfg.model.activation_dtype);
      bytes_capacity += pool_time * p.device.memory.bandwidth_bytes_per_s;
    }
  }
  j.Field("mfu", s.flops / flops_capacity);
  j.Field("mbu", s.bytes / bytes_capacity);
  EnergyObject(s, cfg, j);
  j.Key("sim").BeginObject();
  j.Field("events", s.events).Field("steps", s.steps);
  if (cfg.cost.profile) {  // only then: roofline runs keep their bytes
    j.Key("cost_model").BeginObject();
    j.Field("impl", "profiled").Field("profile", cfg.cost.profile_dir);
    if (cfg.cost.profile->format == ProfileFormat::kVidur) j.Field("format", "vidur");
    j.Field("outside_steps", s.outside_steps).Field("outside_device_s", s.outside_device_s);
    j.Field("outside_share", s.device_s > 0 ? s.outside_device_s / s.device_s : 0.0);
    j.EndObject();
  }
  if (wall_clock) {  // the only field that differs between identical runs
    j.Field("wall_seconds", s.wall_s)
        .Field("steps_per_second", s.wall_s > 0 ? static_cast<double>(s.steps) / s.wall_s : 0.0);
  }
  j.EndObject();
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace servesim
