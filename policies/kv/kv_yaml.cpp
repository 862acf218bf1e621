#include "policies/kv/kv_yaml.h"

#include <string>

#include "models/yaml_scalar.h"
#include "policies/registry.h"

namespace servesim {
namespace {

void ParsePaged(YamlMapReader& /*reader*/, KvOptions& /*options*/) {}

std::unique_ptr<KvAllocator> MakePaged(const KvOptions& o) {
  return o.prefix_caching ? MakePrefixCachingKvAllocator(o) : MakePagedKvAllocator(o);
}

void ParseContiguous(YamlMapReader& r, KvOptions& ko) {
  const std::string reserve = r.String("reserve", "max_model_len");
  if (reserve == "max_model_len") {
    ko.reserve = ContiguousReserve::kMaxModelLen;
  } else if (reserve == "request_max") {
    ko.reserve = ContiguousReserve::kRequestMax;
  } else if (reserve == "pow2") {
    ko.reserve = ContiguousReserve::kPow2;
  } else {
    r.Fail("kv_cache.reserve", "expected max_model_len, request_max or pow2", "'" + reserve + "'",
           r.Get("reserve"));
  }
}

// One entry of kv_cache.tiers: {name, capacity_gib, bandwidth_gbps, latency_us, eviction}.
KvTierSpec ReadKvTier(const YAML::Node& node, const std::string& file, size_t i) {
  const std::string key = "kv_cache.tiers[" + std::to_string(i) + "]";
  YamlMapReader t(node, file, key);
  if (!node.IsMap()) t.Fail(key, "expected a mapping", DescribeYamlNode(node), node);
  KvTierSpec tier;
  tier.name = t.String("name", "tier" + std::to_string(i));
  tier.capacity_bytes = t.Double("capacity_gib", 0, 0, 1e9, true) * 1073741824.0;
  tier.bandwidth_bytes_per_s = t.Double("bandwidth_gbps", 0, 0, 1e6, true) * 1e9;
  tier.latency_s = t.Double("latency_us", 0, 0, 1e9) * 1e-6;
  const std::string eviction = t.OneOf("eviction", "lru", {"lru", "fifo"}, "eviction policy");
  tier.eviction = eviction == "fifo" ? TierEviction::kFifo : TierEviction::kLru;
  t.Finish();  // a misspelt key first, then what is missing
  for (const char* k : {"capacity_gib", "bandwidth_gbps"}) {
    if (!t.Has(k)) t.Fail(key + "." + k, "required (a positive number)", "", node);
  }
  return tier;
}

// kv_cache.tiers and kv_cache.tier_load; tiers hold evicted prefix blocks, so they need prefix
// caching.
void ReadKvTiers(YamlMapReader& kv, KvOptions& ko) {
  const YAML::Node list = kv.Get("tiers");
  const YAML::Node load = kv.Get("tier_load");
  if (!list) {
    if (load) kv.Fail("kv_cache.tier_load", "needs kv_cache.tiers", DescribeYamlNode(load), load);
    return;
  }
  if (!list.IsSequence() || list.size() == 0 || list.size() > 4) {
    kv.Fail("kv_cache.tiers",
            "expected a list of 1 to 4 tiers {name, capacity_gib, bandwidth_gbps, latency_us, "
            "eviction}, nearest first",
            DescribeYamlNode(list), list);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    ko.tiers.tiers.push_back(ReadKvTier(list[i], kv.file(), i));
  }
  const std::string mode =
      kv.OneOf("tier_load", "layerwise", {"layerwise", "blocking"}, "tier load mode");
  ko.tiers.load = mode == "blocking" ? TierLoad::kBlocking : TierLoad::kLayerwise;
  ko.tiers.block_tokens = ko.block_size;
  if (!ko.prefix_caching) {
    kv.Fail("kv_cache.tiers",
            "needs kv_cache.prefix_caching: true (tiers hold evicted prefix blocks)",
            "prefix_caching: false", list);
  }
}

}  // namespace

const KvDescriptor& PagedKvDescriptor() {
  static const KvDescriptor kDescriptor = {
      "paged",
      "vLLM paged KV blocks allocated as sequences grow; prefix caching, watermark, swap",
      {},
      ParsePaged,
      MakePaged,
      {.prefix_caching = true},
  };
  return kDescriptor;
}

const KvDescriptor& ContiguousKvDescriptor() {
  static const KvDescriptor kDescriptor = {
      "contiguous",
      "one region per request reserved at admission (max length, exact, or power of two)",
      {
          {"reserve", "name", "", "`max_model_len`",
           "region per request: `max_model_len` (FasterTransformer, Orca-Max), `request_max` "
           "(prompt + output, Orca-Oracle), `pow2` (Orca-Pow2)"},
      },
      ParseContiguous,
      MakeContiguousKvAllocator,
      {},
  };
  return kDescriptor;
}

const std::vector<KeyDoc>& KvSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`paged` (the scheduler's: `contiguous` for `orca`, `static`)",
       "KV allocator"},
      {"block_size", "integer", "tokens", "16",
       "paged block size (for `contiguous`, the unit of `hardware.kv_blocks`)"},
      {"watermark", "number", "fraction of blocks",
       "the scheduler's: 0.01 for `vllm_v0`, "
       "`sarathi`; else 0",
       "blocks kept free when admitting a request"},
      {"prefix_caching", "bool", "", "the scheduler's: true for `vllm_v1` over `paged`, else false",
       "reuse cached KV blocks: prompts with equal prefix hashes (Mooncake traces, "
       "`workload.shared_prefix`) share them; every full block is also cached for its own "
       "request, so one resumed after a recompute preemption skips what is still cached; "
       "`paged` under `vllm_v1`, `vllm_v0`, `sarathi` only"},
      {"preemption", "name", "", "`recompute`",
       "`recompute` (drop KV, prefill prompt + generated again) or `swap` (`vllm_v0` only: KV to "
       "host memory over the device's host link, priced in the step)"},
      {"swap_space_gib", "number", "GiB", "4",
       "with `preemption: swap`: host swap space per replica (vLLM's `swap_space`)"},
      {"tiers", "list", "", "none",
       "tiers below the device prefix cache, nearest first, at most 4 (host DRAM, SSD, a remote "
       "pool): `[{name, capacity_gib, bandwidth_gbps, latency_us, eviction}]`, eviction `lru` "
       "(default) or `fifo`; blocks "
       "the device cache evicts go down the tiers, a prefix hit in a tier is loaded back, priced "
       "latency + bytes / bandwidth per step; capacity and bandwidth per replica; needs "
       "`prefix_caching`"},
      {"tier_load", "name", "", "`layerwise`",
       "with `tiers`: `layerwise` (load overlapped with the step's compute layer by layer, as "
       "LMCache) or `blocking` (load, then compute)"},
  };
  return kKeys;
}

const KvDescriptor& ReadKvSlot(YamlMapReader& kv, const SchedulerCaps& scheduler,
                               int64_t max_model_len, KvOptions& ko, KvSlotSettings& settings) {
  ko.impl = kv.OneOf("impl", scheduler.kv_default, ImplNames("kv_cache"), "implementation");
  const KvDescriptor& d = FindKvAllocator(ko.impl);
  ko.block_size = kv.Int("block_size", 16, 1, 4096);
  ko.max_model_len = max_model_len;
  settings.watermark = kv.Double("watermark", scheduler.watermark_default, 0, 1);
  ko.prefix_caching =
      kv.Bool("prefix_caching", scheduler.prefix_caching_default && d.caps.prefix_caching);
  const std::string preemption = kv.String("preemption", "recompute");
  settings.swap = preemption == "swap";
  if (settings.swap) {
    settings.swap_space_gib = kv.Double("swap_space_gib", 4, 0, 1e6, true);
  } else if (preemption != "recompute") {
    kv.Fail("kv_cache.preemption", "expected recompute or swap", "'" + preemption + "'",
            kv.Get("preemption"));
  }
  d.parse(kv, ko);
  ReadKvTiers(kv, ko);
  if (ko.prefix_caching && !d.caps.prefix_caching) {
    kv.Fail("kv_cache.prefix_caching",
            "needs paged blocks (impl: " +
                JoinNamesOr(NamesWhere(
                    KvDescriptors(), [](const KvDescriptor& k) { return k.caps.prefix_caching; })) +
                ")",
            "true");
  }
  return d;
}

}  // namespace servesim
