#include "policies/offload/offload_yaml.h"

#include <cmath>
#include <optional>
#include <string>

#include "models/yaml_scalar.h"
#include "policies/registry.h"

namespace servesim {
namespace {

void ParseNone(YamlMapReader&, const OffloadContext&, OffloadOptions&) {}

void ParseLayers(YamlMapReader& off, const OffloadContext& ctx, OffloadOptions& oo) {
  const std::string residency = off.String("residency", "pinned");
  if (residency != "pinned" && residency != "page_cache") {
    off.Fail("offload.residency", "expected pinned or page_cache", "'" + residency + "'",
             off.Get("residency"));
  }
  oo.residency = residency == "pinned" ? Residency::kPinned : Residency::kPageCache;
  oo.resident_layers = off.Int("resident_layers", -1, 0, ctx.num_layers);
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
  // Reads are at least a 512-byte sector: smaller ones would only multiply request latencies.
  oo.read_bytes =
      off.Double("read_kib", oo.residency == Residency::kPinned ? 16384 : 2048, 0.5, 1e9) * 1024.0;
  oo.kv_host_bytes = off.Double("kv_host_gib", 0, 0, 1e9) * 1073741824.0;
}

// A list of `n` percentages summing to 100 at `key`, or `def` when absent.
std::vector<double> Percents(YamlMapReader& off, const std::string& key, size_t n,
                             std::vector<double> def) {
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
      off.Fail("offload." + key, "expected percentages in [0, 100]", DescribeYamlNode(item), item);
    }
    out.push_back(*v);
    sum += *v;
  }
  if (std::fabs(sum - 100) > 1e-6) {
    off.Fail("offload." + key, "expected percentages summing to 100",
             "a sum of " + std::to_string(sum), list);
  }
  return out;
}

void ParseFlexGen(YamlMapReader& off, const OffloadContext&, OffloadOptions& oo) {
  const std::vector<double> w = Percents(off, "weights", 3, {100, 0, 0});
  const std::vector<double> kvp = Percents(off, "kv_cache", 2, {100, 0});
  oo.weights_device_pct = w[0];
  oo.weights_host_pct = w[1];
  oo.weights_disk_pct = w[2];
  oo.kv_device_pct = kvp[0];
  oo.kv_host_pct = kvp[1];
  oo.prefetch = true;
  oo.prefetch_depth = 1;
  oo.read_bytes = off.Double("read_kib", 16384, 0.5, 1e9) * 1024.0;
}

}  // namespace

const OffloadDescriptor& NoOffloadDescriptor() {
  static const OffloadDescriptor kDescriptor = {
      "none", "weights and KV resident in device memory", {}, ParseNone, {}};
  return kDescriptor;
}

const OffloadDescriptor& LayersOffloadDescriptor() {
  static const OffloadDescriptor kDescriptor = {
      "layers",
      "a resident set of layers (pinned, or the OS page cache's LRU), the rest streamed per pass "
      "from host memory or storage with prefetch; optional KV spill to host",
      {
          {"residency", "name", "", "`pinned`",
           "`pinned` (locked resident set: a pass streams only the non-resident bytes) or "
           "`page_cache` (memory-mapped file: the OS page cache's LRU over units decides; a model "
           "larger than the cache streams whole every pass)"},
          {"resident_layers", "integer", "layers", "by budget",
           "pinned: the embedding and the first N decoder layers stay resident (N = num_layers: "
           "everything)"},
          {"resident_gb", "number", "GB", "by budget",
           "pinned: bytes kept resident, whole units in execution order then part of the next; "
           "exclusive with `resident_layers`. Neither: the largest set that fits after "
           "activations, a co-resident draft, the KV reserve and the streaming buffers"},
          {"prefetch", "bool", "", "true for pinned, false for page_cache",
           "load the next streamed units while the current one computes (page faults block "
           "without it)"},
          {"prefetch_depth", "integer", "units", "1",
           "streamed units loading ahead (each holds a buffer: depth + 1 buffers of the largest "
           "streamed unit)"},
          {"read_kib", "number", "KiB", "16384 pinned, 2048 page_cache",
           "size of one read request (at least 0.5: a 512-byte sector); each pays the tier's "
           "latency"},
          {"kv_host_gib", "number", "GiB", "0",
           "KV blocks beyond the device's in host memory (tier 0); the excess over the device's "
           "KV crosses the link every step"},
      },
      ParseLayers,
      {.offloads = true},
  };
  return kDescriptor;
}

const OffloadDescriptor& FlexGenOffloadDescriptor() {
  static const OffloadDescriptor kDescriptor = {
      "flexgen",
      "FlexGen-style fixed percentages of every layer's weights on device / host / disk and of "
      "the KV cache on device / host",
      {
          {"weights", "list", "%", "`[100, 0, 0]`",
           "every unit's weights on device / host (tier 0) / disk (last tier), summing to 100"},
          {"kv_cache", "list", "%", "`[100, 0]`",
           "the KV cache on device / host; host KV crosses the link every step"},
          {"read_kib", "number", "KiB", "16384",
           "size of one read request (at least 0.5: a 512-byte sector); each pays the tier's "
           "latency"},
      },
      ParseFlexGen,
      {.offloads = true},
  };
  return kDescriptor;
}

const std::vector<KeyDoc>& OffloadSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`none`", "where weights and KV live; see \"Offload\" below"},
      {"io_depth", "integer", "requests", "1",
       "all but `none`: read requests in flight (hides latency: small reads need depth)"},
      {"ffn_load_fraction", "number", "fraction", "1",
       "all but `none`: optional activation sparsity (\"LLM in a Flash\", PowerInfer): share of "
       "streamed FFN rows one token needs, read as one-neuron bundles; a batch of n tokens needs "
       "1 − (1 − f)^n of them"},
      {"kv_reserve_tokens", "integer", "tokens", "`scheduler.max_model_len`",
       "all but `none`: memory kept for the KV cache before the resident set is sized"},
  };
  return kKeys;
}

const OffloadDescriptor& ReadOffloadSlot(YamlMapReader& off, const OffloadContext& ctx,
                                         OffloadOptions& oo) {
  oo.impl = off.OneOf("impl", "none", ImplNames("offload"), "implementation");
  const OffloadDescriptor& d = FindOffloadPlanner(oo.impl);
  if (d.caps.offloads) {
    oo.io_depth = static_cast<int>(off.Int("io_depth", 1, 1, 1024));
    oo.ffn_load_fraction = off.Double("ffn_load_fraction", 1.0, 0, 1, true);
    oo.kv_reserve_tokens = off.Int("kv_reserve_tokens", ctx.max_model_len, 0, int64_t{1} << 40);
  }
  d.parse(off, ctx, oo);
  off.Finish({}, OtherImplKeys("offload", oo.impl));
  return d;
}

}  // namespace servesim
