#include "sim/config/scenario.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/model_yaml.h"
#include "models/yaml_reader.h"
#include "models/yaml_scalar.h"
#include "policies/offload/offload.h"
#include "policies/registry.h"
#include "policies/speculative/acceptance.h"
#include "workloads/workload_yaml.h"

namespace servesim {
namespace {

// Scenario files are a few kilobytes; anything this large is not one (and yaml-cpp would hold
// the whole tree in memory).
constexpr std::uintmax_t kMaxYamlBytes = 16u << 20;

// The slot's `impl:` name, checked against the registry.
std::string ReadImpl(YamlMapReader& r, const std::string& slot, const std::string& def) {
  return r.OneOf("impl", def, ImplNames(slot), "implementation");
}

void ApplyOverride(YAML::Node& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError("--set " + assignment + ": expected key.path=value");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& p : parts) {
    if (p.empty()) throw InputError("--set " + assignment + ": empty key in '" + path + "'");
  }
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw InputError("--set " + assignment + ": value is not valid YAML: " + e.msg);
  }
  // Walk down with fresh handles: yaml-cpp nodes are references, so operator= on a child handle
  // would rebind it instead of assigning into the tree.
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = chain.back()[parts[i]];
    if (next && !next.IsMap() && !next.IsNull()) {
      throw InputError("--set " + assignment + ": '" + parts[i] +
                       "' is not a mapping (its value is a scalar)");
    }
    chain.push_back(next);
  }
  chain.back()[parts.back()] = parsed;
}

}  // namespace

Scenario LoadScenario(const std::string& path, const std::vector<std::string>& overrides) {
  Scenario sc;
  sc.path = path;
  sc.base_dir = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a directory; expected a scenario YAML file");
  CheckInputFileSize(path, kMaxYamlBytes, "scenario file");
  try {
    sc.root = YAML::LoadFile(path);
    CheckDuplicateKeys(sc.root, path, "");
  } catch (const YAML::BadFile&) {
    throw InputError(path + ": cannot open scenario file");
  } catch (const YAML::Exception& e) {
    throw InputError(path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!sc.root || sc.root.IsNull())
    throw InputError(path + ": empty scenario; expected a mapping with model, hardware, workload");
  if (!sc.root.IsMap())
    throw InputError(path + ": expected a mapping of top-level keys, found a " +
                     (sc.root.IsSequence() ? std::string("list") : "scalar"));
  for (const auto& o : overrides) ApplyOverride(sc.root, o);

  YamlMapReader top(sc.root, path, "");
  sc.seed = static_cast<uint64_t>(top.Int("seed", 0, 0, std::numeric_limits<int64_t>::max()));
  if (!top.Has("model"))
    top.Fail("model", "required (a preset name, {preset: ...} or {hf_config: ...})", "");
  EngineConfig& e = sc.engine;
  e.model = ModelSpecFromYaml(top.Get("model"), path + ": model", sc.base_dir);

  YamlMapReader hw(top.Get("hardware"), path, "hardware");
  if (!top.Has("hardware") || !hw.Has("device"))
    hw.Fail("hardware.device", "required (servesim list devices)", "");
  e.device = DevicePresetOrThrow(hw.String("device", ""), path + ": hardware.device");
  e.device.memory.capacity_bytes =
      hw.Double("memory_gib", e.device.memory.capacity_bytes / 1073741824.0, 0, 1e6, true) *
      1073741824.0;
  e.device.memory.bandwidth_bytes_per_s =
      hw.Double("memory_bandwidth_gbps", e.device.memory.bandwidth_bytes_per_s / 1e9, 0, 1e6,
                true) *
      1e9;
  e.device.peak.bf16 = e.device.peak.fp16 =
      hw.Double("bf16_tflops", e.device.peak.bf16 / 1e12, 0, 1e6, true) * 1e12;
  if (hw.Has("offload_tiers")) {
    // Replaces the preset's tiers (nearest first): host memory over its link, then storage.
    const YAML::Node list = hw.Get("offload_tiers");
    if (!list.IsSequence()) {
      hw.Fail("hardware.offload_tiers",
              "expected a list of {name, capacity_gb, bandwidth_gbps, latency_us}",
              DescribeYamlNode(list), list);
    }
    e.device.offload_tiers.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string key = "hardware.offload_tiers[" + std::to_string(i) + "]";
      YamlMapReader t(list[i], path, key);
      if (!list[i].IsMap()) t.Fail(key, "expected a mapping", DescribeYamlNode(list[i]), list[i]);
      MemoryTier tier;
      const bool preset = t.Has("preset");
      if (preset) tier = TierPresetOrThrow(t.String("preset", ""), path + ": " + key + ".preset");
      tier.name = t.String("name", preset ? tier.name : "tier" + std::to_string(i));
      tier.capacity_bytes = t.Double("capacity_gb", tier.capacity_bytes / 1e9, 0, 1e9, true) * 1e9;
      tier.bandwidth_bytes_per_s =
          t.Double("bandwidth_gbps", tier.bandwidth_bytes_per_s / 1e9, 0, 1e6, true) * 1e9;
      tier.latency_s = t.Double("latency_us", tier.latency_s * 1e6, 0, 1e9) * 1e-6;
      t.Finish();  // a misspelt key first, then what is missing
      for (const char* k : {"capacity_gb", "bandwidth_gbps"}) {
        if (!preset && !t.Has(k)) {
          t.Fail(key + "." + k, "required (a positive number) unless a preset is given", "",
                 list[i]);
        }
      }
      e.device.offload_tiers.push_back(tier);
    }
  }
  e.cost.tp = static_cast<int>(hw.Int("tp", 1, 1, 1024));
  e.replicas = static_cast<int>(hw.Int("replicas", 1, 1, 100000));
  ValidateTensorParallel(e.model, e.cost.tp, path + ": hardware.tp");
  MemoryPlanOptions mem;
  mem.tp = e.cost.tp;
  mem.memory_utilization = hw.Double("memory_utilization", 0.9, 0, 1, true);
  const int64_t explicit_blocks = hw.Int("kv_blocks", 0, 0, int64_t{1} << 40);
  hw.Finish();

  YamlMapReader sched(top.Get("scheduler"), path, "scheduler");
  SchedulerOptions& so = e.scheduler;
  so.impl = ReadImpl(sched, "scheduler", "vllm_v1");
  so.max_model_len = sched.Int("max_model_len", e.model.max_context, 1, e.model.max_context);
  // Defaults follow each engine's own (vLLM EngineArgs / SchedulerConfig, Sarathi-Serve's config).
  if (so.impl == "vllm_v1") {
    so.max_num_seqs = sched.Int("max_num_seqs", 256, 1, 1 << 20);
    so.max_num_batched_tokens = sched.Int("max_num_batched_tokens", 8192, 1, 1 << 24);
    so.long_prefill_token_threshold = sched.Int("long_prefill_token_threshold", 0, 0, 1 << 24);
    so.chunked_prefill = sched.Bool("chunked_prefill", true);
    if (!so.chunked_prefill && so.max_num_batched_tokens < so.max_model_len) {
      // vLLM refuses this too: a prompt longer than the budget would wait forever.
      sched.Fail("scheduler.max_num_batched_tokens",
                 "must be at least max_model_len (" + std::to_string(so.max_model_len) +
                     ") with chunked_prefill: false, or a long prompt could never be scheduled",
                 std::to_string(so.max_num_batched_tokens));
    }
  } else if (so.impl == "vllm_v0") {
    so.max_num_seqs = sched.Int("max_num_seqs", 256, 1, 1 << 20);
    so.chunked_prefill = sched.Bool("chunked_prefill", false);
    so.max_num_batched_tokens =
        sched.Int("max_num_batched_tokens",
                  so.chunked_prefill ? 512 : std::max<int64_t>(so.max_model_len, 2048), 1, 1 << 24);
    if (!so.chunked_prefill && so.max_num_batched_tokens < so.max_model_len) {
      sched.Fail("scheduler.max_num_batched_tokens",
                 "must be at least max_model_len (" + std::to_string(so.max_model_len) +
                     ") without chunked prefill, or a long prompt could never be scheduled",
                 std::to_string(so.max_num_batched_tokens));
    }
  } else if (so.impl == "sarathi") {
    so.max_num_seqs = sched.Int("max_num_seqs", 128, 1, 1 << 20);
    so.max_num_batched_tokens = sched.Int("chunk_size", 512, 1, 1 << 24);
  } else if (so.impl == "orca" || so.impl == "static") {
    so.max_num_seqs = sched.Int("max_batch_size", so.impl == "orca" ? 256 : 8, 1, 1 << 20);
    so.max_num_batched_tokens = 0;  // no token budget: whole prompts
    if (so.impl == "static") {
      so.max_wait_ns =
          static_cast<int64_t>(std::llround(sched.Double("max_wait_ms", 0, 0, 1e9) * 1e6));
      so.return_at_batch_end = sched.Bool("return_at_batch_end", true);
    }
  }
  sched.Finish();
  e.max_model_len = so.max_model_len;

  YamlMapReader kv(top.Get("kv_cache"), path, "kv_cache");
  KvOptions& ko = e.kv;
  ko.impl =
      ReadImpl(kv, "kv_cache", so.impl == "orca" || so.impl == "static" ? "contiguous" : "paged");
  ko.block_size = kv.Int("block_size", 16, 1, 4096);
  ko.max_model_len = so.max_model_len;
  const bool v0_like = so.impl == "vllm_v0" || so.impl == "sarathi";
  const double watermark = kv.Double("watermark", v0_like ? 0.01 : 0.0, 0, 1);
  ko.prefix_caching = kv.Bool("prefix_caching", so.impl == "vllm_v1" && ko.impl == "paged");
  const std::string preemption = kv.String("preemption", "recompute");
  double swap_space_gib = 0;
  if (preemption == "swap") {
    swap_space_gib = kv.Double("swap_space_gib", 4, 0, 1e6, true);
  } else if (preemption != "recompute") {
    kv.Fail("kv_cache.preemption", "expected recompute or swap", "'" + preemption + "'",
            kv.Get("preemption"));
  }
  if (ko.impl == "contiguous") {
    const std::string reserve = kv.String("reserve", "max_model_len");
    if (reserve == "max_model_len") {
      ko.reserve = ContiguousReserve::kMaxModelLen;
    } else if (reserve == "request_max") {
      ko.reserve = ContiguousReserve::kRequestMax;
    } else if (reserve == "pow2") {
      ko.reserve = ContiguousReserve::kPow2;
    } else {
      kv.Fail("kv_cache.reserve", "expected max_model_len, request_max or pow2",
              "'" + reserve + "'", kv.Get("reserve"));
    }
    if (ko.prefix_caching)
      kv.Fail("kv_cache.prefix_caching", "needs paged blocks (impl: paged)", "true");
  }
  if (ko.prefix_caching && so.impl != "vllm_v1" && so.impl != "vllm_v0" && so.impl != "sarathi") {
    kv.Fail("kv_cache.prefix_caching",
            "scheduler " + so.impl +
                " does not look up cached prefixes; use vllm_v1, vllm_v0 or "
                "sarathi",
            "true");
  }
  if (preemption == "swap" && so.impl != "vllm_v0") {
    kv.Fail("kv_cache.preemption",
            "swap is vLLM v0's; scheduler " + so.impl +
                (so.impl == "vllm_v1" ? " preempts by recompute only"
                                      : " preempts by recompute only or never"),
            "swap");
  }
  if (so.impl == "sarathi" && so.max_num_batched_tokens < ko.block_size) {
    sched.Fail("scheduler.chunk_size",
               "must be at least kv_cache.block_size (" + std::to_string(ko.block_size) +
                   "): a chunk fills at least one KV block",
               std::to_string(so.max_num_batched_tokens));
  }
  kv.Finish();
  mem.block_size_tokens = ko.block_size;
  mem.profile_tokens = so.max_num_batched_tokens > 0 ? so.max_num_batched_tokens : so.max_model_len;
  mem.profile_logit_tokens = std::min(so.max_num_seqs, mem.profile_tokens);

  YamlMapReader spec(top.Get("speculative"), path, "speculative");
  SpeculativeOptions& sp = e.speculative;
  sp.impl = ReadImpl(spec, "speculative", "none");
  int draft_tp = 1;
  if (sp.enabled()) {
    if (so.impl == "static") {
      spec.Fail("speculative.impl",
                "needs a continuous-batching scheduler (vllm_v1, vllm_v0, sarathi or orca); "
                "static batches decode in lockstep",
                "'" + sp.impl + "' with scheduler static");
    }
    sp.k = static_cast<int>(spec.Int("k", 4, 1, 16));
    sp.disable_by_batch_size = spec.Int("disable_by_batch_size", 0, 0, 1 << 20);
    sp.adaptive_k = spec.Bool("adaptive_k", false);
    YamlMapReader acc(spec.Get("acceptance"), path, "speculative.acceptance");
    AcceptanceSpec& as = sp.acceptance;
    as.kind = acc.String("kind", "constant");
    if (as.kind == "constant") {
      as.alpha = acc.Double("alpha", 0.7, 0, 1);
    } else if (as.kind == "per_request") {
      as.dist = acc.String("dist", "uniform");
      if (as.dist == "uniform") {
        as.min = acc.Double("min", 0.5, 0, 1);
        as.max = acc.Double("max", 0.9, 0, 1);
      } else if (as.dist == "beta") {
        as.mean = acc.Double("mean", 0.7, 0, 1, true);
        as.concentration = acc.Double("concentration", 10, 0, 1e9, true);
      } else {
        acc.Fail("speculative.acceptance.dist", "expected uniform or beta", "'" + as.dist + "'",
                 acc.Get("dist"));
      }
    } else if (as.kind == "positional" || as.kind == "histogram") {
      const std::string key = as.kind == "positional" ? "alphas" : "probs";
      const YAML::Node list = acc.Get(key);
      if (!list || !list.IsSequence() || list.size() == 0) {
        acc.Fail("speculative.acceptance." + key, "expected a non-empty list of numbers",
                 list ? DescribeYamlNode(list) : "nothing", list);
      }
      std::vector<double>& out = as.kind == "positional" ? as.alphas : as.probs;
      for (const auto& item : list) {
        const std::optional<double> v = YamlToDouble(item);
        if (!v) {
          acc.Fail("speculative.acceptance." + key, "expected a number", DescribeYamlNode(item),
                   item);
        }
        out.push_back(*v);
      }
    } else {
      acc.Fail("speculative.acceptance.kind",
               "expected constant, per_request, positional or histogram", "'" + as.kind + "'",
               acc.Get("kind"));
    }
    acc.Finish();
    // Probability ranges, sums and min <= max are checked where the model is built.
    MakeAcceptanceModel(as, path + ": speculative");
    if (sp.impl == "draft_model") {
      if (!spec.Has("draft"))
        spec.Fail("speculative.draft", "required for draft_model (a model preset or mapping)", "");
      sp.draft = ModelSpecFromYaml(spec.Get("draft"), path + ": speculative.draft", sc.base_dir);
      if (sp.draft.vocab_size != e.model.vocab_size) {
        spec.Fail("speculative.draft",
                  "the draft's vocabulary (" + std::to_string(sp.draft.vocab_size) +
                      " tokens) differs from the target's (" + std::to_string(e.model.vocab_size) +
                      "): its tokens could not be verified; pick a draft of the same family",
                  sp.draft.name);
      }
      const std::string draft_device = spec.String("draft_device", "");
      sp.draft_on_target_device = draft_device.empty();
      if (!sp.draft_on_target_device) {
        sp.draft_device = DevicePresetOrThrow(draft_device, path + ": speculative.draft_device");
      }
      draft_tp = static_cast<int>(spec.Int("draft_tp", 1, 1, 1024));
      sp.pipelined = spec.Bool("pipelined", false);
      // On a shared device drafting can overlap only a verify pass that waits for streamed
      // weights (offload); checked once the offload slot is read.
      ValidateTensorParallel(sp.draft, draft_tp, path + ": speculative.draft_tp");
    } else if (sp.impl == "ngram") {
      sp.ngram_round_s = spec.Double("round_ms", 0, 0, 1e6) * 1e-3;
    } else if (sp.impl == "draft_heads") {
      sp.heads_cost_fraction = spec.Double("cost_fraction", 0.1, 0, 10, true);
    }
  }
  spec.Finish();
  YamlMapReader off(top.Get("offload"), path, "offload");
  OffloadOptions oo;
  oo.impl = ReadImpl(off, "offload", "none");
  if (oo.impl != "none") {
    oo.io_depth = static_cast<int>(off.Int("io_depth", 1, 1, 1024));
    oo.ffn_load_fraction = off.Double("ffn_load_fraction", 1.0, 0, 1, true);
    oo.kv_reserve_tokens = off.Int("kv_reserve_tokens", so.max_model_len, 0, int64_t{1} << 40);
  }
  if (oo.impl == "layers") {
    const std::string residency = off.String("residency", "pinned");
    if (residency != "pinned" && residency != "page_cache") {
      off.Fail("offload.residency", "expected pinned or page_cache", "'" + residency + "'",
               off.Get("residency"));
    }
    oo.residency = residency == "pinned" ? Residency::kPinned : Residency::kPageCache;
    oo.resident_layers = off.Int("resident_layers", -1, 0, e.model.num_layers);
    if (off.Has("resident_gb")) oo.resident_bytes = off.Double("resident_gb", 0, 0, 1e9) * 1e9;
    if (oo.resident_layers >= 0 && oo.resident_bytes >= 0) {
      off.Fail("offload.resident_layers", "give either resident_layers or resident_gb, not both",
               "both");
    }
    if (oo.residency == Residency::kPageCache &&
        (oo.resident_layers >= 0 || oo.resident_bytes >= 0)) {
      off.Fail("offload.residency",
               "page_cache has no pinned resident set (the LRU decides what stays); drop "
               "resident_layers / resident_gb or use pinned",
               "page_cache");
    }
    // Page faults block the thread that takes them: no prefetch unless asked (readahead).
    oo.prefetch = off.Bool("prefetch", oo.residency == Residency::kPinned);
    oo.prefetch_depth = static_cast<int>(off.Int("prefetch_depth", 1, 1, 64));
    // Pinned streaming reads whole tensors (large preads); page faults read a readahead window.
    oo.read_bytes =
        off.Double("read_kib", oo.residency == Residency::kPinned ? 16384 : 2048, 0, 1e9, true) *
        1024.0;
    oo.kv_host_bytes = off.Double("kv_host_gib", 0, 0, 1e9) * 1073741824.0;
  } else if (oo.impl == "flexgen") {
    auto percents = [&](const std::string& key, size_t n, std::vector<double> def) {
      const YAML::Node list = off.Get(key);
      if (!list) return def;
      if (!list.IsSequence() || list.size() != n) {
        off.Fail("offload." + key,
                 "expected a list of " + std::to_string(n) + " percentages summing to 100",
                 DescribeYamlNode(list), list);
      }
      std::vector<double> out;
      double sum = 0;
      for (const auto& item : list) {
        const std::optional<double> v = YamlToDouble(item);
        if (!v || !std::isfinite(*v) || *v < 0 || *v > 100) {
          off.Fail("offload." + key, "expected percentages in [0, 100]", DescribeYamlNode(item),
                   item);
        }
        out.push_back(*v);
        sum += *v;
      }
      if (std::fabs(sum - 100) > 1e-6) {
        off.Fail("offload." + key, "expected percentages summing to 100",
                 "a sum of " + std::to_string(sum), list);
      }
      return out;
    };
    const std::vector<double> w = percents("weights", 3, {100, 0, 0});
    const std::vector<double> kvp = percents("kv_cache", 2, {100, 0});
    oo.weights_device_pct = w[0];
    oo.weights_host_pct = w[1];
    oo.weights_disk_pct = w[2];
    oo.kv_device_pct = kvp[0];
    oo.kv_host_pct = kvp[1];
    oo.prefetch = true;
    oo.prefetch_depth = 1;
    oo.read_bytes = off.Double("read_kib", 16384, 0, 1e9, true) * 1024.0;
  }
  off.Finish();
  if (sp.pipelined && sp.draft_on_target_device && oo.impl == "none") {
    spec.Fail("speculative.pipelined",
              "needs the draft on its own device (set speculative.draft_device) or an offloaded "
              "target: on a shared device drafting can only overlap a verify pass that waits for "
              "streamed weights",
              "true");
  }

  YamlMapReader cm(top.Get("cost_model"), path, "cost_model");
  ReadImpl(cm, "cost_model", "roofline");
  e.cost.ideal = cm.Bool("ideal", false);
  sc.runtime_name = cm.String("runtime", "cuda-graphs");
  e.cost.runtime = RuntimeProfileOrThrow(sc.runtime_name, path + ": cost_model.runtime").overheads;
  if (e.cost.ideal) e.cost.runtime = RuntimeOverheads{0, 0, 0, true};
  const std::string attention = cm.String("attention", "flash");
  if (attention != "flash" && attention != "naive") {
    cm.Fail("cost_model.attention", "expected flash or naive", "'" + attention + "'");
  }
  e.cost.attention = attention == "flash" ? AttentionImpl::kFlash : AttentionImpl::kNaive;
  cm.Finish();
  sp.draft_cost = e.cost;
  sp.draft_cost.tp = draft_tp;

  YamlMapReader route(top.Get("routing"), path, "routing");
  e.routing.impl = ReadImpl(route, "routing", "round_robin");
  route.Finish();

  YamlMapReader simr(top.Get("simulation"), path, "simulation");
  const double max_time_s = simr.Double("max_time_s", 0, 0, 1e9);
  e.max_time_ns = static_cast<int64_t>(std::llround(max_time_s * 1e9));
  e.max_requests = simr.Int("max_requests", 0, 0, int64_t{1} << 50);
  e.max_waiting = simr.Int("max_waiting", 0, 0, int64_t{1} << 40);
  e.jump_decode_stretches = simr.Bool("jump_decode_stretches", true);
  simr.Finish();

  YamlMapReader outr(top.Get("output"), path, "output");
  sc.write_requests_csv = outr.Bool("requests_csv", true);
  sc.write_steps_csv = outr.Bool("steps_csv", true);
  sc.wall_clock = outr.Bool("wall_clock", true);
  sc.write_trace_json = outr.Bool("trace_json", false);
  sc.trace_max_steps = outr.Int("trace_max_steps", 200000, 0, int64_t{1} << 40);
  sc.trace_requests = outr.Int("trace_requests", 1000, 0, int64_t{1} << 40);
  sc.write_report_html = outr.Bool("report_html", false);
  YamlMapReader slo(outr.Get("slo"), path, "output.slo");
  e.slo_ttft_s = slo.Double("ttft_ms", 0, 0, 1e12) * 1e-3;
  e.slo_tpot_s = slo.Double("tpot_ms", 0, 0, 1e12) * 1e-3;
  e.slo_e2e_s = slo.Double("e2e_ms", 0, 0, 1e12) * 1e-3;
  slo.Finish();
  outr.Finish();

  if (!top.Has("workload"))
    top.Fail("workload", "required ({impl: synthetic|closed_loop|trace, ...})", "");
  top.Get("workload");
  top.Finish();

  e.seed = sc.seed;
  e.routing.seed = sc.seed;
  if (sp.impl == "draft_model") {
    const double draft_weights = WeightBytes(sp.draft) / draft_tp;
    if (CountParams(sp.draft).Total() > CountParams(e.model).Total()) {
      sc.warnings.push_back(path + ": speculative.draft: the draft " + sp.draft.name +
                            " is larger than the target " + e.model.name +
                            "; speculation cannot pay off");
    }
    if (sp.draft_on_target_device) {
      // The draft shares the target's devices: its weights and its KV (kept for the same tokens,
      // in lockstep with the target's blocks) come out of the KV budget.
      mem.draft_weight_bytes = draft_weights;
      mem.draft_kv_bytes_per_token = KvBytesPerTokenPerDevice(sp.draft, draft_tp);
    } else if (draft_weights > sp.draft_device.memory.capacity_bytes) {
      throw InputError(path + ": speculative.draft: the draft's weights (" +
                       std::to_string(draft_weights / 1073741824.0) + " GiB) do not fit on " +
                       sp.draft_device.name);
    }
  }
  e.offload = PlanOffload(e.model, e.device, mem, oo, path);
  sc.memory = e.offload.memory;
  e.kv.capacity_blocks =
      explicit_blocks > 0 ? explicit_blocks : sc.memory.kv_blocks + e.offload.kv_host_blocks;
  e.kv.watermark_blocks =
      static_cast<int64_t>(watermark * static_cast<double>(e.kv.capacity_blocks));
  if (preemption == "swap") {
    if (e.device.offload_tiers.empty() || e.device.unified_memory) {
      throw InputError(path + ": kv_cache.preemption: swap needs host memory over a link, and " +
                       e.device.name + " has none");
    }
    const double host_bytes = e.device.offload_tiers.front().capacity_bytes;
    if (swap_space_gib * 1073741824.0 > host_bytes) {
      throw InputError(path + ": kv_cache.swap_space_gib: " + std::to_string(swap_space_gib) +
                       " GiB exceeds the host memory of " + e.device.name + " (" +
                       std::to_string(host_bytes / 1073741824.0) + " GiB)");
    }
    e.kv.swap_blocks = static_cast<int64_t>(swap_space_gib * 1073741824.0 /
                                            (sc.memory.kv_bytes_per_token * ko.block_size));
    if (e.kv.swap_blocks < 1) {
      throw InputError(path + ": kv_cache.swap_space_gib: " + std::to_string(swap_space_gib) +
                       " GiB holds no KV block");
    }
  }
  if (!sc.memory.weights_fit && explicit_blocks == 0) {
    const std::string draft =
        sc.memory.draft_weight_bytes > 0
            ? " + the co-resident draft's " +
                  std::to_string(sc.memory.draft_weight_bytes / 1073741824.0) + " GiB"
            : "";
    throw InputError(path + ": hardware: the weights of " + e.model.name + " (" +
                     std::to_string(sc.memory.resident_weight_bytes / 1073741824.0) +
                     " GiB per device" + draft + ") do not fit in " +
                     std::to_string(sc.memory.usable_bytes / 1073741824.0) +
                     " GiB usable; raise tp or memory_utilization, pick a larger device, or "
                     "stream weights from a slower tier (offload.impl: layers)");
  }
  if (e.kv.capacity_blocks < 1) {
    throw InputError(path +
                     ": hardware: no memory left for the KV cache after weights and activations; "
                     "raise tp or memory_utilization, or set kv_blocks");
  }
  return sc;
}

std::vector<std::unique_ptr<Workload>> MakeScenarioWorkloads(const Scenario& sc) {
  std::vector<std::unique_ptr<Workload>> out;
  out.push_back(MakeWorkload(sc.root["workload"], sc.path + ": workload", sc.base_dir, sc.seed));
  return out;
}

}  // namespace servesim
