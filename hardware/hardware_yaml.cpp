#include "hardware/hardware_yaml.h"

#include <cstdio>

#include "hardware/pipeline.h"
#include "hardware/presets.h"
#include "models/yaml_scalar.h"

namespace servesim {
namespace {

// hardware.offload_tiers: replaces the preset's tiers (nearest first): host memory over its link,
// then storage.
std::vector<MemoryTier> ReadOffloadTiers(YamlMapReader& hw) {
  const std::string& path = hw.file();
  const YAML::Node list = hw.Get("offload_tiers");
  if (!list.IsSequence()) {
    hw.Fail("hardware.offload_tiers",
            "expected a list of {name, capacity_gb, bandwidth_gbps, latency_us}",
            DescribeYamlNode(list), list);
  }
  if (list.size() > kMaxOffloadTiers) {
    hw.Fail("hardware.offload_tiers",
            "expected at most " + std::to_string(kMaxOffloadTiers) +
                " tiers (host memory, storage, ...)",
            std::to_string(list.size()) + " tiers", list);
  }
  std::vector<MemoryTier> tiers;
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
        t.Fail(key + "." + k, "required (a positive number) unless a preset is given", "", list[i]);
      }
    }
    tiers.push_back(tier);
  }
  return tiers;
}

// data_parallel, expert_parallel, all2all_backend and the checks between them and the model.
void ReadDataParallel(YamlMapReader& hw, const ModelSpec& model, HardwareOptions& h) {
  h.data_parallel = static_cast<int>(hw.Int("data_parallel", 1, 1, 1024));
  h.expert_parallel = hw.Bool("expert_parallel", false);
  const std::string backend = hw.OneOf("all2all_backend", "allgather_reducescatter",
                                       All2AllBackendNames(), "all-to-all backend");
  All2AllBackendFromName(backend, h.all2all);
  const int dp = h.data_parallel;
  if (dp > 1 && h.replicas > 1) {
    hw.Fail("hardware.data_parallel",
            "excludes hardware.replicas > 1 (DP ranks are the replicas: set one of them)",
            std::to_string(dp) + " with replicas " + std::to_string(h.replicas));
  }
  if (h.expert_parallel && !model.IsMoe()) {
    hw.Fail("hardware.expert_parallel",
            "needs a mixture-of-experts model; " + model.name + " is dense", "true");
  }
  if (!model.IsMoe()) return;
  const int64_t ranks = static_cast<int64_t>(dp) * h.tp;
  if (h.expert_parallel && model.num_experts % ranks != 0) {
    hw.Fail("hardware.data_parallel",
            "data_parallel x tp must divide the " + std::to_string(model.num_experts) +
                " experts of " + model.name + " (expert parallelism holds whole experts)",
            std::to_string(dp) + " x tp " + std::to_string(h.tp) + " = " + std::to_string(ranks));
  }
  if (!h.expert_parallel && dp > 1 && model.moe_intermediate_size % ranks != 0) {
    hw.Fail("hardware.data_parallel",
            "data_parallel x tp must divide moe_intermediate_size " +
                std::to_string(model.moe_intermediate_size) + " of " + model.name +
                " (without expert_parallel every device holds a slice of each expert)",
            std::to_string(dp) + " x tp " + std::to_string(h.tp) + " = " + std::to_string(ranks));
  }
}

std::vector<std::string> LinkKindNames() {
  std::vector<std::string> names;
  for (const auto& k : LinkKinds()) names.push_back(k.name);
  return names;
}

// hardware.interconnect: a link kind (`pcie-switch`), or {kind, bandwidth_gbps, latency_us} over
// the preset's link. A kind of another medium (NVLink vs PCIe) needs its own bandwidth.
Interconnect ReadInterconnect(YamlMapReader& hw, const Interconnect& preset) {
  const std::string key = "hardware.interconnect";
  const YAML::Node node = hw.Get("interconnect");
  Interconnect link = preset;
  if (node.IsScalar()) {
    const std::string kind = hw.OneOf("interconnect", "", LinkKindNames(), "link kind");
    link = WithKind(preset, LinkKindOrThrow(kind, key));
  } else if (node.IsMap()) {
    YamlMapReader m(node, hw.file(), key);
    if (m.Has("kind")) {
      link = WithKind(preset, LinkKindOrThrow(m.OneOf("kind", "", LinkKindNames(), "link kind"),
                                              key + ".kind"));
    }
    if (m.Has("bandwidth_gbps"))
      link.bandwidth_bytes_per_s = m.Double("bandwidth_gbps", 0, 0, 1e6, true) * 1e9;
    if (m.Has("latency_us"))
      SetSmallMessageLatency(link, m.Double("latency_us", 0, 0, 1e6, true) * 1e-6);
    m.Finish({"kind", "bandwidth_gbps", "latency_us"});
    if (m.Has("kind") && !m.Has("bandwidth_gbps") && link.kind != LinkKind::kNone &&
        !SameMedium(link.kind, preset.kind)) {
      m.Fail(key + ".bandwidth_gbps",
             "required when the kind changes the medium (device link '" +
                 std::string(LinkKindName(preset.kind)) + "', kind '" +
                 std::string(LinkKindName(link.kind)) + "')",
             "", node);
    }
    if (!m.Has("kind") && !m.Has("bandwidth_gbps") && !m.Has("latency_us")) {
      m.Fail(key, "expected at least one of kind, bandwidth_gbps, latency_us", "{}", node);
    }
  } else {
    hw.Fail(key, "expected a link kind or {kind, bandwidth_gbps, latency_us}",
            DescribeYamlNode(node), node);
  }
  if (node.IsScalar() && link.kind != LinkKind::kNone && !SameMedium(link.kind, preset.kind)) {
    hw.Fail(key,
            "kind '" + std::string(LinkKindName(link.kind)) +
                "' is not the medium of device link '" + std::string(LinkKindName(preset.kind)) +
                "'; give {kind: " + std::string(LinkKindName(link.kind)) + ", bandwidth_gbps: N}",
            "", node);
  }
  if (link.kind == LinkKind::kNone) link.bandwidth_bytes_per_s = 0;
  if (link.kind != LinkKind::kNone && !(link.bandwidth_bytes_per_s > 0)) {
    hw.Fail(key, "a link needs bandwidth_gbps > 0", "", node);
  }
  return link;
}

// hardware.idle_power_w, max_power_w, price_per_hour_usd: per-field overrides of the preset's
// power figures (hardware/power_model.h); idle must not exceed max, and idle needs a max.
void ReadPower(YamlMapReader& hw, DeviceSpec& d) {
  DevicePower& p = d.power;
  p.idle_w = hw.Double("idle_power_w", p.idle_w, 0, 1e6);
  p.max_w = hw.Double("max_power_w", p.max_w, 0, 1e6);
  p.price_per_hour_usd = hw.Double("price_per_hour_usd", p.price_per_hour_usd, 0, 1e6);
  if (p.max_w == 0 && p.idle_w > 0) {
    hw.Fail("hardware.max_power_w",
            "required (W, > 0) with idle_power_w: device " + d.name + " has no power figures", "",
            hw.Get("idle_power_w"));
  }
  if (p.idle_w > p.max_w) {
    char found[96];
    std::snprintf(found, sizeof(found), "idle %g W > max %g W", p.idle_w, p.max_w);
    hw.Fail(hw.Has("idle_power_w") ? "hardware.idle_power_w" : "hardware.max_power_w",
            "idle power at most max power", found,
            hw.Has("idle_power_w") ? hw.Get("idle_power_w") : hw.Get("max_power_w"));
  }
}

}  // namespace

const std::vector<KeyDoc>& HardwareKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"device", "name", "", "required", "device preset (`servesim list devices`)"},
      {"memory_gib", "number", "GiB", "preset", "device memory (per-field override)"},
      {"memory_bandwidth_gbps", "number", "GB/s", "preset",
       "device memory bandwidth (per-field override)"},
      {"bf16_tflops", "number", "TFLOP/s", "preset", "bf16 (and fp16) peak (per-field override)"},
      {"offload_tiers", "list", "", "preset",
       "replaces the device's slower tiers, nearest first, at most 4: `[{name, capacity_gb, "
       "bandwidth_gbps, "
       "latency_us}]` or `[{preset: ufs-4.0, capacity_gb: 256}]` (`servesim list tiers`); "
       "bandwidth is the effective read rate into device memory"},
      {"interconnect", "name or map", "", "preset",
       "link between the tensor-parallel devices: a kind (`nvlink`, `nvswitch`, "
       "`infinity-fabric`, `pcie-switch`, `pcie-host-bridge`, `cross-socket`, `none`; `servesim "
       "list devices` shows each preset's) or `{kind, bandwidth_gbps, latency_us}` over the "
       "preset's link: raw GB/s per direction, and the time of a tiny 2-device all-reduce "
       "(hardware/collectives.h)"},
      {"tp", "integer", "devices", "1", "tensor-parallel degree per replica"},
      {"pp", "integer", "stages", "1",
       "pipeline-parallel stages per replica (vLLM's `--pipeline-parallel-size`): each stage "
       "holds num_layers / pp consecutive layers on its own `tp` devices (a replica spans tp x pp "
       "devices); must divide the layers; up to pp micro-batches in flight"},
      {"replicas", "integer", "", "1", "identical replicas behind one load balancer (`routing`)"},
      {"memory_utilization", "number", "fraction", "0.9",
       "of device memory for weights + activations + KV (vLLM's `gpu_memory_utilization`)"},
      {"kv_blocks", "integer", "blocks", "computed",
       "KV blocks per replica; overrides the memory plan"},
      {"data_parallel", "integer", "ranks", "1",
       "vLLM's `--data-parallel-size`: ranks of `tp` devices, each its own scheduler and KV cache "
       "(requests balanced by `routing`, default `vllm_dp`); a MoE model's experts spread over "
       "all data_parallel x tp devices and the ranks step in lockstep; a dense model's ranks are "
       "independent replicas (excludes `replicas`)"},
      {"expert_parallel", "bool", "", "false",
       "vLLM's `--enable-expert-parallel` (MoE only): each of the data_parallel x tp devices "
       "holds num_experts / (data_parallel x tp) whole experts instead of a slice of each"},
      {"all2all_backend", "name", "", "`allgather_reducescatter`",
       "token exchange around each MoE layer when data_parallel > 1: "
       "`allgather_reducescatter` (vLLM's default) or `all_to_all` (DeepEP / pplx-style)"},
      {"idle_power_w", "number", "W", "preset",
       "power of a device with no step running (per-field override; energy in summary.json)"},
      {"max_power_w", "number", "W", "preset",
       "power at full activity, the board limit (TDP) (per-field override; 0: no energy figures)"},
      {"price_per_hour_usd", "number", "USD/device-hour", "preset",
       "price of one device for an hour, busy or idle (per-field override; 0: no dollar "
       "figures)"},
  };
  return kKeys;
}

HardwareOptions ReadHardware(YamlMapReader& hw, const ModelSpec& model) {
  const std::string& path = hw.file();
  if (!hw.Has("device")) hw.Fail("hardware.device", "required (servesim list devices)", "");
  HardwareOptions h;
  h.device = DevicePresetOrThrow(hw.String("device", ""), path + ": hardware.device");
  DeviceSpec& d = h.device;
  d.memory.capacity_bytes =
      hw.Double("memory_gib", d.memory.capacity_bytes / 1073741824.0, 0, 1e6, true) * 1073741824.0;
  d.memory.bandwidth_bytes_per_s =
      hw.Double("memory_bandwidth_gbps", d.memory.bandwidth_bytes_per_s / 1e9, 0, 1e6, true) * 1e9;
  d.peak.bf16 = d.peak.fp16 = hw.Double("bf16_tflops", d.peak.bf16 / 1e12, 0, 1e6, true) * 1e12;
  if (hw.Has("offload_tiers")) d.offload_tiers = ReadOffloadTiers(hw);
  if (hw.Has("interconnect")) d.interconnect = ReadInterconnect(hw, d.interconnect);
  h.tp = static_cast<int>(hw.Int("tp", 1, 1, 1024));
  h.replicas = static_cast<int>(hw.Int("replicas", 1, 1, 100000));
  ValidateTensorParallel(model, h.tp, path + ": hardware.tp");
  h.pp = static_cast<int>(hw.Int("pp", 1, 1, kMaxPipelineStages));
  ValidatePipelineParallel(model, h.pp, path + ": hardware.pp");
  h.memory_utilization = hw.Double("memory_utilization", 0.9, 0, 1, true);
  h.kv_blocks = hw.Int("kv_blocks", 0, 0, int64_t{1} << 40);
  ReadDataParallel(hw, model, h);
  ReadPower(hw, d);
  hw.Finish();
  return h;
}

const std::vector<KeyDoc>& RooflineKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"ideal", "bool", "", "false", "textbook roofline: peaks, no overheads"},
      {"runtime", "name", "", "the device's",
       "engine overhead profile (`servesim list runtimes`); default `cuda-graphs`, `llama.cpp` on "
       "Apple, phone and Jetson presets"},
      {"attention", "name", "", "`flash`", "`flash` or `naive`"},
  };
  return kKeys;
}

void ReadRooflineKeys(YamlMapReader& cm, CostModelOptions& cost, std::string& runtime_name) {
  cost.ideal = cm.Bool("ideal", false);
  runtime_name = cm.String("runtime", runtime_name.empty() ? "cuda-graphs" : runtime_name);
  cost.runtime = RuntimeProfileOrThrow(runtime_name, cm.file() + ": cost_model.runtime").overheads;
  if (cost.ideal) cost.runtime = RuntimeOverheads{0, 0, 0, true};
  const std::string attention = cm.String("attention", "flash");
  if (attention != "flash" && attention != "naive") {
    cm.Fail("cost_model.attention", "expected flash or naive", "'" + attention + "'");
  }
  cost.attention = attention == "flash" ? AttentionImpl::kFlash : AttentionImpl::kNaive;
}

const std::vector<KeyDoc>& ProfiledKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"profile", "string", "", "required",
       "kernel tables of the scenario's model on its GPU, relative to the scenario file: the "
       "folder of an LLMServingSim profile bundle (`meta.yaml`, `tp<N>/`; `hardware.tp` picks "
       "`tp<N>/`), or Vidur's profiling CSVs: a folder of `<model>_ops.csv` and `attention*.csv` "
       "(the rows of the model's shape at `hardware.tp`) or one `*_ops.csv`"},
      {"format", "name", "", "detected",
       "`llmservingsim` or `vidur`; default: `vidur` when `profile` holds `*_ops.csv` and no "
       "`meta.yaml`"},
      {"runtime", "name", "", "`cuda-graphs`",
       "engine overhead profile (`servesim list runtimes`)"},
  };
  return kKeys;
}

void ReadProfiledKeys(YamlMapReader& cm, CostModelOptions& cost, std::string& runtime_name) {
  if (!cm.Has("profile")) cm.Fail("cost_model.profile", "required (a profile bundle folder)", "");
  cost.profile_dir = cm.String("profile", "");
  if (cost.profile_dir.empty())
    cm.Fail("cost_model.profile", "expected a profile bundle folder", "''", cm.Get("profile"));
  if (cm.Has("format"))
    cost.profile_format = cm.OneOf("format", "", {"llmservingsim", "vidur"}, "profile format");
  runtime_name = cm.String("runtime", "cuda-graphs");
  cost.runtime = RuntimeProfileOrThrow(runtime_name, cm.file() + ": cost_model.runtime").overheads;
}

}  // namespace servesim
