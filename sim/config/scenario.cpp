#include "sim/config/scenario.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "hardware/hardware_yaml.h"
#include "hardware/profiled_cost_model.h"
#include "models/arithmetic.h"
#include "models/format_number.h"
#include "models/input_error.h"
#include "models/model_yaml.h"
#include "models/yaml_reader.h"
#include "models/yaml_scalar.h"
#include "policies/registry.h"
#include "sim/config/pools_yaml.h"
#include "workloads/workload_yaml.h"

namespace servesim {
namespace {

// One override, split: the key path and the parsed value.
struct ParsedOverride {
  std::vector<std::string> parts;
  YAML::Node value;
};

ParsedOverride ParseOverride(const Override& o) {
  const std::string& assignment = o.assignment;
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(o.origin + ": expected key.path=value");
  const std::string path = assignment.substr(0, eq);
  ParsedOverride out;
  size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    out.parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& p : out.parts) {
    if (p.empty()) throw InputError(o.origin + ": empty key in '" + path + "'");
  }
  try {
    out.value = LoadYamlText(assignment.substr(eq + 1), o.origin + ": value");
  } catch (const YAML::Exception& e) {
    throw InputError(o.origin + ": value is not valid YAML: " + e.msg);
  }
  return out;
}

std::string JoinKeys(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? "." : "") + parts[i];
  return out;
}

// Writes `o` into `root`; returns what it wrote, for messages.
OverriddenKey ApplyOverride(YAML::Node& root, const Override& o, const ParsedOverride& p) {
  // Walk down with fresh handles: yaml-cpp nodes are references, so operator= on a child handle
  // would rebind it instead of assigning into the tree.
  std::vector<YAML::Node> chain{root};
  size_t created = p.parts.size();  // the first part that the file (so far) does not hold
  for (size_t i = 0; i < p.parts.size(); ++i) {
    YAML::Node next = chain.back()[p.parts[i]];
    if (created == p.parts.size() && (!next || next.IsNull())) created = i;
    if (i + 1 == p.parts.size()) break;
    if (next && !next.IsMap() && !next.IsNull()) {
      throw InputError(o.origin + ": '" + p.parts[i] +
                       "' is not a mapping (its value is a scalar)");
    }
    chain.push_back(next);
  }
  chain.back()[p.parts.back()] = p.value;
  return {JoinKeys(p.parts, std::min(created + 1, p.parts.size())),
          JoinKeys(p.parts, p.parts.size()), o.origin, false};
}

// The scalar `root[slot].impl`, or "" when there is none.
std::string ImplOf(const YAML::Node& root, const std::string& slot) {
  const YAML::Node node = root[slot];
  if (!node || !node.IsMap() || !node["impl"] || !node["impl"].IsScalar()) return "";
  return node["impl"].Scalar();
}

// The keys of `slot` that the overrides set: each one of SLOT.KEY=..., every key of SLOT={...}.
std::set<std::string> KeysSetFor(const std::string& slot, const std::vector<ParsedOverride>& all) {
  std::set<std::string> out;
  for (const ParsedOverride& p : all) {
    if (p.parts.front() != slot) continue;
    if (p.parts.size() > 1) {
      out.insert(p.parts[1]);
    } else if (p.value.IsMap()) {
      for (const auto& kv : p.value) {
        if (kv.first.IsScalar()) out.insert(kv.first.Scalar());
      }
    }
  }
  return out;
}

// The keys `impl` of `slot` takes; for an absent or unknown implementation, those any of the
// slot's implementations takes.
std::vector<std::string> KeysOfOldImpl(const std::string& slot, const std::string& impl) {
  if (auto keys = ImplKeyNames(slot, impl)) return *keys;
  std::vector<std::string> out;
  for (const std::string& name : ImplNames(slot)) {
    for (const std::string& k : ImplKeyNames(slot, name).value_or(std::vector<std::string>{})) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    }
  }
  return out;
}

// `SLOT.impl=NAME` replacing the file's implementation: drops from the slot the keys of the old
// implementation that NAME does not take and that no override set; returns the warning, or "".
std::string DropKeysOfReplacedImpl(YAML::Node& root, const std::string& slot,
                                   const std::string& file_impl, const Override& replacing,
                                   const std::vector<ParsedOverride>& all) {
  const std::string impl = ImplOf(root, slot);
  const auto accepted = ImplKeyNames(slot, impl);
  if (impl == file_impl || !accepted) return "";  // an unknown name: the slot's reader says so
  const std::vector<std::string> old_keys = KeysOfOldImpl(slot, file_impl);
  const std::set<std::string> set_here = KeysSetFor(slot, all);
  auto has = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  std::vector<std::string> dropped;
  for (const auto& kv : root[slot]) {
    if (!kv.first.IsScalar()) continue;
    const std::string key = kv.first.Scalar();
    if (!has(*accepted, key) && has(old_keys, key) && !set_here.count(key)) dropped.push_back(key);
  }
  if (dropped.empty()) return "";
  std::string list;
  for (const std::string& key : dropped) {
    root[slot].remove(key);
    list += (list.empty() ? "" : ", ") + slot + "." + key;
  }
  const std::string whose = file_impl.empty() ? "" : " of " + file_impl;
  return replacing.origin + ": dropped " + list + " (key" + (dropped.size() > 1 ? "s" : "") +
         whose + " that " + impl + " does not take)";
}

// The tree (a file's, or one built from flags), with the overrides applied (and the slots they
// replace trimmed).
YAML::Node LoadRoot(YAML::Node root, const std::string& path,
                    const std::vector<Override>& overrides, Scenario& sc) {
  if (!root || root.IsNull())
    throw InputError(path + ": empty scenario; expected a mapping with model, hardware, workload");
  if (!root.IsMap())
    throw InputError(path + ": expected a mapping of top-level keys, found a " +
                     (root.IsSequence() ? std::string("list") : "scalar"));
  std::vector<ParsedOverride> parsed;
  for (const Override& o : overrides) parsed.push_back(ParseOverride(o));
  // slot -> (the file's implementation, the last override of SLOT.impl)
  std::map<std::string, std::pair<std::string, const Override*>> replaced;
  for (size_t i = 0; i < overrides.size(); ++i) {
    const std::vector<std::string>& parts = parsed[i].parts;
    if (parts.size() != 2 || parts[1] != "impl") continue;
    const auto [it, first] = replaced.try_emplace(parts[0], ImplOf(root, parts[0]), nullptr);
    it->second.second = &overrides[i];
  }
  for (size_t i = 0; i < overrides.size(); ++i) {
    sc.overridden.push_back(ApplyOverride(root, overrides[i], parsed[i]));
  }
  for (const auto& [slot, from] : replaced) {
    const std::string warning =
        DropKeysOfReplacedImpl(root, slot, from.first, *from.second, parsed);
    if (!warning.empty()) sc.warnings.push_back(warning);
  }
  return root;
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '[' || c == ']';
}

// `message` ("FILE[:LINE]: KEY: rest", as every reader of the scenario writes them) rephrased as
// "ORIGIN: [KEY: ]rest" when KEY is one the last override covering it wrote: the file's line
// would point at a key the user did not write there. Other messages are returned unchanged.
std::string NameOverride(const std::string& message, const std::string& file,
                         const std::vector<OverriddenKey>& overridden) {
  if (overridden.empty() || message.rfind(file + ":", 0) != 0) return message;
  size_t i = file.size() + 1;
  if (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) {
    while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) ++i;
    if (message.compare(i, 1, ":") != 0) return message;
    ++i;
  }
  if (message.compare(i, 1, " ") != 0) return message;
  const size_t key_begin = ++i;
  while (i < message.size() && IsKeyChar(message[i])) ++i;
  if (i == key_begin || message.compare(i, 2, ": ") != 0) return message;
  const std::string key = message.substr(key_begin, i - key_begin);
  const std::string rest = message.substr(i + 2);
  for (auto o = overridden.rbegin(); o != overridden.rend(); ++o) {
    const bool covers =
        key == o->root || key.rfind(o->root + ".", 0) == 0 || key.rfind(o->root + "[", 0) == 0;
    if (!covers) continue;
    // The origin names the key already when it is the one the override set ("--set KEY=...").
    const bool named = key == o->path && (o->origin_names_key ||
                                          o->origin.find(" " + key + "=") != std::string::npos);
    return o->origin + ": " + (named ? "" : key + ": ") + rest;
  }
  return message;
}

// What the slot readers return that the cross-slot checks and the memory plan need.
struct SlotReads {
  HardwareOptions hardware;
  MemoryPlanOptions memory;
  const SchedulerDescriptor* scheduler = nullptr;
  KvSlotSettings kv;
  OffloadOptions offload;
};

// Scheduler and KV cache, and the checks between them (phrased through the scheduler's and the
// allocator's capabilities).
void ReadBatching(YamlMapReader& top, Scenario& sc, SlotReads& reads) {
  EngineConfig& e = sc.engine;
  YamlMapReader sched(top.Get("scheduler"), sc.path, "scheduler");
  SchedulerOptions& so = e.scheduler;
  const SchedulerDescriptor& sd = ReadSchedulerSlot(sched, e.model.max_context, so);
  reads.scheduler = &sd;
  e.max_model_len = so.max_model_len;

  YamlMapReader kv(top.Get("kv_cache"), sc.path, "kv_cache");
  KvOptions& ko = e.kv;
  ReadKvSlot(kv, sd.caps, so.max_model_len, ko, reads.kv);
  if (ko.prefix_caching && !sd.caps.prefix_caching) {
    kv.Fail("kv_cache.prefix_caching",
            "scheduler " + so.impl + " does not look up cached prefixes; use " +
                JoinNamesOr(NamesWhere(SchedulerDescriptors(),
                                       [](const auto& d) { return d.caps.prefix_caching; })),
            "true");
  }
  if (reads.kv.swap && !sd.caps.swap_preemption) {
    kv.Fail("kv_cache.preemption",
            "swap is vLLM v0's; scheduler " + so.impl + " preempts by " + sd.caps.preemption,
            "swap");
  }
  if (sd.caps.chunk_at_least_block && so.max_num_batched_tokens < ko.block_size) {
    sched.Fail("scheduler.chunk_size",
               "must be at least kv_cache.block_size (" + std::to_string(ko.block_size) +
                   "): a chunk fills at least one KV block",
               std::to_string(so.max_num_batched_tokens));
  }
  kv.Finish({}, OtherImplKeys("kv_cache", ko.impl));
  MemoryPlanOptions& mem = reads.memory;
  mem.block_size_tokens = ko.block_size;
  mem.profile_tokens = so.max_num_batched_tokens > 0 ? so.max_num_batched_tokens : so.max_model_len;
  mem.profile_logit_tokens = std::min(so.max_num_seqs, mem.profile_tokens);
}

// Speculative decoding and offload, and the checks between them and the scheduler.
void ReadSpeculationAndOffload(YamlMapReader& top, Scenario& sc, SlotReads& reads) {
  EngineConfig& e = sc.engine;
  YamlMapReader spec(top.Get("speculative"), sc.path, "speculative");
  SpeculativeOptions& sp = e.speculative;
  const SpeculativeDescriptor& spd = ReadSpeculativeImpl(spec, sp);
  if (spd.caps.drafts && !reads.scheduler->caps.speculation) {
    spec.Fail("speculative.impl",
              "needs a continuous-batching scheduler (" +
                  JoinNamesOr(NamesWhere(SchedulerDescriptors(),
                                         [](const auto& d) { return d.caps.speculation; })) +
                  "); " + e.scheduler.impl + " batches decode in lockstep",
              "'" + sp.impl + "' with scheduler " + e.scheduler.impl);
  }
  ReadSpeculativeKeys(spec, spd, SpeculativeContext{&e.model, sc.base_dir}, sp);

  YamlMapReader off(top.Get("offload"), sc.path, "offload");
  const OffloadDescriptor& od = ReadOffloadSlot(
      off, OffloadContext{e.scheduler.max_model_len, e.model.num_layers}, reads.offload);
  if (sp.pipelined && sp.draft_on_target_device && !od.caps.offloads) {
    spec.Fail("speculative.pipelined",
              "needs the draft on its own device (set speculative.draft_device) or an offloaded "
              "target: on a shared device drafting can only overlap a verify pass that waits for "
              "streamed weights",
              "true");
  }
}

// cost_model, routing, simulation, output, and the workload's presence.
void ReadRest(YamlMapReader& top, Scenario& sc) {
  EngineConfig& e = sc.engine;
  YamlMapReader cm(top.Get("cost_model"), sc.path, "cost_model");
  const std::string cost_model =
      cm.OneOf("impl", "roofline", ImplNames("cost_model"), "implementation");
  sc.runtime_name = e.device.default_runtime;  // the cost model's default runtime profile
  FindCostModel(cost_model).parse(cm, e.cost, sc.runtime_name);
  cm.Finish();
  if (!e.cost.profile_dir.empty()) {
    const std::filesystem::path dir(e.cost.profile_dir);
    const std::string resolved =
        dir.is_absolute() || sc.base_dir.empty() ? dir.string() : sc.base_dir + "/" + dir.string();
    e.cost.profile = LoadProfileFor(resolved, e.model, e.cost.tp, sc.path + ": cost_model.profile",
                                    e.cost.profile_format);
    // A bundle's tables are one rank's kernels: a MoE model's lockstep DP groups (experts sharded,
    // all-to-all around each MoE layer) are not in them.
    if (e.lockstep)
      throw InputError(sc.path + ": cost_model.impl: profiled prices one rank of a MoE model; " +
                       "expected hardware.data_parallel 1 with it, found " +
                       std::to_string(e.cost.dp));
  }
  const int draft_tp = e.speculative.draft_cost.tp;
  e.speculative.draft_cost = e.cost;
  e.speculative.draft_cost.tp = draft_tp;
  e.speculative.draft_cost.dp = 1;  // a draft model is its rank's own, not data parallel
  e.speculative.draft_cost.expert_parallel = false;
  e.speculative.draft_cost.profile.reset();  // drafts are priced by the roofline

  YamlMapReader route(top.Get("routing"), sc.path, "routing");
  ReadRoutingSlot(route, e.routing, e.cost.dp > 1);

  YamlMapReader simr(top.Get("simulation"), sc.path, "simulation");
  const double max_time_s = simr.Double("max_time_s", 0, 0, 1e9);
  e.max_time_ns = static_cast<int64_t>(std::llround(max_time_s * 1e9));
  e.max_requests = simr.Int("max_requests", 0, 0, int64_t{1} << 50);
  e.max_waiting = simr.Int("max_waiting", 0, 0, int64_t{1} << 40);
  e.jump_decode_stretches = simr.Bool("jump_decode_stretches", true);
  simr.Finish();

  YamlMapReader outr(top.Get("output"), sc.path, "output");
  sc.write_requests_csv = outr.Bool("requests_csv", true);
  sc.write_steps_csv = outr.Bool("steps_csv", true);
  sc.wall_clock = outr.Bool("wall_clock", true);
  sc.write_trace_json = outr.Bool("trace_json", false);
  sc.trace_max_steps = outr.Int("trace_max_steps", 200000, 0, int64_t{1} << 40);
  sc.trace_requests = outr.Int("trace_requests", 1000, 0, int64_t{1} << 40);
  sc.write_report_html = outr.Bool("report_html", false);
  YamlMapReader slo(outr.Get("slo"), sc.path, "output.slo");
  e.slo_ttft_s = slo.Double("ttft_ms", 0, 0, 1e12) * 1e-3;
  e.slo_tpot_s = slo.Double("tpot_ms", 0, 0, 1e12) * 1e-3;
  e.slo_e2e_s = slo.Double("e2e_ms", 0, 0, 1e12) * 1e-3;
  slo.Finish();
  outr.Finish();

  if (!top.Has("workload"))
    top.Fail("workload", "required ({impl: synthetic|closed_loop|trace, ...})", "");
  top.Get("workload");
  top.Finish();
}

// A draft model's memory: on the target's devices it comes out of the KV budget; on its own
// device it must fit there.
void PlanDraftMemory(Scenario& sc, MemoryPlanOptions& mem) {
  const EngineConfig& e = sc.engine;
  const SpeculativeOptions& sp = e.speculative;
  if (!FindSpeculator(sp.impl).caps.draft_model) return;
  const int draft_tp = sp.draft_cost.tp;
  const double draft_weights = WeightBytes(sp.draft) / draft_tp;
  if (CountParams(sp.draft).Total() > CountParams(e.model).Total()) {
    sc.warnings.push_back(sc.path + ": speculative.draft: the draft " + sp.draft.name +
                          " is larger than the target " + e.model.name +
                          "; speculation cannot pay off");
  }
  if (sp.draft_on_target_device) {
    // The draft shares the target's devices: its weights and its KV (kept for the same tokens,
    // in lockstep with the target's blocks) come out of the KV budget.
    mem.draft_weight_bytes = draft_weights;
    mem.draft_kv_bytes_per_token = KvBytesPerTokenPerDevice(sp.draft, draft_tp);
  } else if (draft_weights > sp.draft_device.memory.capacity_bytes) {
    throw InputError(sc.path + ": speculative.draft: the draft's weights (" +
                     std::to_string(draft_weights / 1073741824.0) + " GiB) do not fit on " +
                     sp.draft_device.name);
  }
}

// Swap space in blocks, once the KV bytes per token are known.
void PlanSwap(Scenario& sc, const SlotReads& reads) {
  EngineConfig& e = sc.engine;
  const std::string& path = sc.path;
  const double swap_space_gib = reads.kv.swap_space_gib;
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
                                          (sc.memory.kv_bytes_per_token * e.kv.block_size));
  if (e.kv.swap_blocks < 1) {
    throw InputError(path + ": kv_cache.swap_space_gib: " + std::to_string(swap_space_gib) +
                     " GiB holds no KV block");
  }
}

// The KV tiers' block size and layer count, and that each tier holds a block and can be indexed.
void PlanKvTiers(Scenario& sc) {
  EngineConfig& e = sc.engine;
  KvTierOptions& t = e.kv.tiers;
  if (!t.enabled()) return;
  if (e.offload.active) {
    throw InputError(sc.path +
                     ": kv_cache.tiers: not with an offload plan (offload: " + e.offload.impl +
                     "); the tiers price their loads apart from the offload "
                     "pipeline");
  }
  t.block_bytes = KvBytesPerTokenPerDevice(e.model, e.cost.tp) * static_cast<double>(e.cost.tp) *
                  static_cast<double>(e.kv.block_size);
  t.num_layers = static_cast<int>(e.model.num_layers);
  for (size_t i = 0; i < t.tiers.size(); ++i) {
    const int64_t blocks = t.CapacityBlocks(i);
    const std::string key = "kv_cache.tiers[" + std::to_string(i) + "].capacity_gib";
    const std::string gib = FormatNumber(t.tiers[i].capacity_bytes / 1073741824.0);
    if (blocks < 1) {
      throw InputError(sc.path + ": " + key + ": " + gib + " GiB holds no KV block of " +
                       FormatNumber(t.block_bytes / 1048576.0) + " MiB");
    }
    if (blocks > std::numeric_limits<int32_t>::max()) {
      throw InputError(sc.path + ": " + key + ": " + gib + " GiB is " + std::to_string(blocks) +
                       " KV blocks, over the 2^31 - 1 a tier indexes");
    }
  }
}

// What the simulator itself may hold: per-replica state is a few KB, except the prefix cache's
// per-block tables; a scenario whose tables exceed the budget is refused before it runs.
constexpr int64_t kSimulatorMemoryBudgetBytes = int64_t{16} << 30;

void CheckSimulatorMemory(const Scenario& sc) {
  const EngineConfig& e = sc.engine;
  if (!e.kv.prefix_caching) return;
  const double bytes = static_cast<double>(PrefixCacheTableBytes(e.kv.capacity_blocks) +
                                           KvTiers::TableBytes(e.kv.tiers)) *
                       static_cast<double>(e.replicas);
  if (bytes <= static_cast<double>(kSimulatorMemoryBudgetBytes)) return;
  throw InputError(sc.path + ": hardware.replicas: " + std::to_string(e.replicas) + " replicas x " +
                   std::to_string(e.kv.capacity_blocks) + " KV blocks" +
                   (e.kv.tiers.enabled() ? " (and their kv_cache.tiers)" : "") + " need " +
                   FormatNumber(std::round(bytes / 1048576.0)) +
                   " MiB of prefix-cache tables, over the simulator's budget of " +
                   std::to_string(kSimulatorMemoryBudgetBytes >> 20) +
                   " MiB; lower replicas or set kv_cache.prefix_caching: false");
}

// The memory plan: offload placement, KV capacity, watermark and swap in blocks, and whether the
// weights fit at all.
void PlanScenarioMemory(Scenario& sc, SlotReads& reads) {
  EngineConfig& e = sc.engine;
  const std::string& path = sc.path;
  MemoryPlanOptions& mem = reads.memory;
  PlanDraftMemory(sc, mem);
  e.offload = PlanOffload(e.model, e.device, mem, reads.offload, path);
  sc.memory = e.offload.memory;
  const int64_t explicit_blocks = reads.hardware.kv_blocks;
  sc.kv_blocks_override = explicit_blocks;
  e.kv.capacity_blocks =
      explicit_blocks > 0 ? explicit_blocks : sc.memory.kv_blocks + e.offload.kv_host_blocks;
  e.kv.planned_blocks = explicit_blocks > 0 ? sc.memory.kv_blocks + e.offload.kv_host_blocks : 0;
  e.kv.watermark_blocks =
      static_cast<int64_t>(reads.kv.watermark * static_cast<double>(e.kv.capacity_blocks));
  if (reads.kv.swap) PlanSwap(sc, reads);
  PlanKvTiers(sc);
  CheckSimulatorMemory(sc);
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
}

// Pipeline stages (hardware.pp > 1) with the features they do not combine with yet.
void CheckPipeline(const Scenario& sc, const SlotReads& reads) {
  const EngineConfig& e = sc.engine;
  if (e.pp <= 1) return;
  const std::string what = sc.path + ": hardware.pp=" + std::to_string(e.pp) + ": ";
  auto fail = [&](const std::string& why) { throw InputError(what + why); };
  if (!reads.scheduler->caps.pipeline) {
    fail("scheduler " + e.scheduler.impl + " does not schedule pipeline micro-batches; use " +
         JoinNamesOr(NamesWhere(SchedulerDescriptors(),
                                [](const auto& d) { return d.caps.pipeline; })));
  }
  if (e.cost.dp > 1) fail("not with hardware.data_parallel > 1");
  if (e.speculative.enabled()) fail("not with speculative decoding");
  if (e.offload.active) fail("not with an offload plan (offload: " + e.offload.impl + ")");
  if (reads.kv.swap) fail("not with kv_cache.preemption: swap");
  if (e.kv.tiers.enabled()) fail("not with kv_cache.tiers");
  if (!e.cost.profile_dir.empty()) fail("not with cost_model.impl profiled (whole-model tables)");
  if (!(e.device.interconnect.bandwidth_bytes_per_s > 0)) {
    fail("device " + e.device.name +
         " has no link between pipeline stages (link kind none; set hardware.interconnect)");
  }
}

void ReadScenario(YAML::Node root, const std::vector<Override>& overrides, Scenario& sc);
void ReadPooledScenario(Scenario& sc);

// Loads the scenario `root` into `sc`, whose path and base_dir are set (sc.overridden fills in as
// the overrides apply, for the caller's messages).
void ReadScenario(YAML::Node root, const std::vector<Override>& overrides, Scenario& sc) {
  const std::string& path = sc.path;
  sc.root = LoadRoot(root, path, overrides, sc);
  if (sc.root["pools"] || sc.root["serving"]) return ReadPooledScenario(sc);

  YamlMapReader top(sc.root, path, "");
  sc.seed = static_cast<uint64_t>(top.Int("seed", 0, 0, std::numeric_limits<int64_t>::max()));
  if (!top.Has("model"))
    top.Fail("model", "required (a preset name, {preset: ...} or {hf_config: ...})", "");
  EngineConfig& e = sc.engine;
  e.model = ModelSpecFromYaml(top.Get("model"), path + ": model", sc.base_dir);

  SlotReads reads;
  YamlMapReader hw(top.Get("hardware"), path, "hardware");
  reads.hardware = ReadHardware(hw, e.model);
  e.device = reads.hardware.device;
  e.cost.tp = reads.hardware.tp;
  e.pp = reads.hardware.pp;
  e.replicas = reads.hardware.replicas;
  e.cost.dp = reads.hardware.data_parallel;
  e.cost.expert_parallel = reads.hardware.expert_parallel;
  e.cost.all2all = reads.hardware.all2all;
  if (e.cost.dp > 1) e.replicas = e.cost.dp;  // DP ranks are the replicas
  e.lockstep = e.cost.dp > 1 && e.model.IsMoe();
  reads.memory.tp = e.cost.tp;
  reads.memory.pp = e.pp;
  reads.memory.dp = e.model.IsMoe() ? e.cost.dp : 1;
  reads.memory.memory_utilization = reads.hardware.memory_utilization;

  ReadBatching(top, sc, reads);
  ReadSpeculationAndOffload(top, sc, reads);
  ReadRest(top, sc);

  e.seed = sc.seed;
  e.routing.seed = sc.seed;
  PlanScenarioMemory(sc, reads);
  CheckPipeline(sc, reads);
}

// Pool `name` read as a single-pool scenario: the root's keys with the pool's slots in place of
// the top-level ones.
Scenario ReadPool(const Scenario& sc, const std::string& name, const YAML::Node& pool) {
  const std::string key = "pools." + name;
  YamlMapReader pr(pool, sc.path, key);
  YAML::Node tree(YAML::NodeType::Map);
  for (const auto& kv : sc.root) {
    const std::string k = kv.first.Scalar();
    if (k != "pools" && k != "serving") tree[k] = kv.second;
  }
  for (const std::string& slot : PoolSlots()) {
    if (!pr.Has(slot)) continue;
    const YAML::Node v = pr.Get(slot);
    if (slot == "model" && YAML::Dump(v) != YAML::Dump(sc.root["model"])) {
      pr.Fail(key + ".model",
              "every pool serves the scenario's model (" + YAML::Dump(sc.root["model"]) + ")",
              YAML::Dump(v), v);
    }
    tree[slot] = v;
  }
  pr.Finish();
  Scenario sub;
  sub.path = sc.path;
  sub.base_dir = sc.base_dir;
  try {
    ReadScenario(tree, {}, sub);
  } catch (const InputError& e) {
    throw InputError(PoolMessage(e.what(), sc.path, name));
  }
  const EngineConfig& e = sub.engine;
  const char* refused = e.speculative.enabled() ? "speculative decoding"
                        : e.offload.active      ? "an offload plan"
                        : e.cost.dp > 1         ? "data_parallel ranks"
                        : e.pp > 1              ? "pipeline parallelism (hardware.pp > 1)"
                                                : nullptr;
  if (refused)
    throw InputError(sc.path + ": " + key + ": " + refused + " is not supported inside pools");
  return sub;
}

std::string ImplOfPath(YamlMapReader& serving) {
  return serving.Has("path") ? serving.String("path", "") : "colocated";
}

// The pool `serving.KEY` names, read (and appended to `subs`).
PoolOptions NamedPool(YamlMapReader& serving, const char* key, const YAML::Node& pools,
                      Scenario& sc, std::vector<Scenario>& subs) {
  const std::string what = std::string("serving.") + key;
  std::string name;
  if (serving.Has(key)) {
    name = serving.String(key, "");
  } else if (std::string(key) == "pool" && pools && pools.IsMap() && pools.size() == 1) {
    name = pools.begin()->first.Scalar();  // colocated: the only pool
  } else {
    serving.Fail(what, "required with serving.path " + ImplOfPath(serving), "");
  }
  if (!pools || !pools.IsMap() || !pools[name]) {
    std::string defined;
    if (pools && pools.IsMap()) {
      for (const auto& kv : pools) defined += (defined.empty() ? "" : ", ") + kv.first.Scalar();
    }
    serving.Fail(what,
                 "no pool named '" + name +
                     "' in pools (defined: " + (defined.empty() ? "none" : defined) + ")",
                 name);
  }
  subs.push_back(ReadPool(sc, name, pools[name]));
  const EngineConfig& e = subs.back().engine;
  PoolOptions p;
  p.name = name;
  p.device = e.device;
  p.cost = e.cost;
  p.replicas = e.replicas;
  p.pp = e.pp;
  p.kv = e.kv;
  p.scheduler = e.scheduler;
  p.routing = e.routing;
  return p;
}

// A decode pool must hold a request of max_model_len tokens (vLLM refuses to start otherwise).
void CheckDecodePool(const Scenario& sc, const PoolOptions& p, int64_t max_model_len) {
  const int64_t tokens = p.kv.capacity_blocks * p.kv.block_size;
  if (tokens >= max_model_len) return;
  throw InputError(sc.path + ": pools." + p.name + ": its KV cache holds " +
                   std::to_string(tokens) + " tokens, fewer than one request of max_model_len (" +
                   std::to_string(max_model_len) +
                   "); raise tp or memory_utilization, or lower scheduler.max_model_len");
}

// A scenario with `pools`/`serving`: each pool the path names is read as a single-pool
// scenario; the first one's settings stand for the run's (seed, workload, outputs, SLOs).
void ReadPooledScenario(Scenario& sc) {
  YamlMapReader top(sc.root, sc.path, "");
  const YAML::Node pools = top.Get("pools");
  YamlMapReader serving(top.Get("serving"), sc.path, "serving");
  std::vector<std::string> names;
  for (const ServingPathDescriptor& d : ServingPaths()) names.push_back(d.name);
  const std::string path_name = serving.OneOf("path", "colocated", names, "serving path");
  const ServingPathDescriptor* path = nullptr;
  for (const ServingPathDescriptor& d : ServingPaths()) {
    if (d.name == path_name) path = &d;
  }
  ServingOptions so;
  so.path = path->path;
  std::vector<Scenario> subs;
  for (const char* key : path->pool_keys) {
    so.pools.push_back(NamedPool(serving, key, pools, sc, subs));
  }
  if (path->transfers_kv) {
    if (!serving.Has("kv_transfer"))
      serving.Fail("serving.kv_transfer", "required with path " + path_name, "");
    YamlMapReader kt(serving.Get("kv_transfer"), sc.path, "serving.kv_transfer");
    so.transfer = ReadKvTransfer(kt);
    CheckDecodePool(sc, so.pools.back(),
                    subs.back().engine.max_model_len > 0 ? subs.back().engine.max_model_len
                                                         : subs.back().engine.model.max_context);
  }
  serving.Finish();
  const YAML::Node root = sc.root;
  const std::vector<OverriddenKey> overridden = sc.overridden;
  std::vector<std::string> warnings = sc.warnings;
  for (const Scenario& sub : subs)
    warnings.insert(warnings.end(), sub.warnings.begin(), sub.warnings.end());
  sc = subs.front();
  sc.root = root;
  sc.overridden = overridden;
  sc.warnings = warnings;
  sc.engine.serving = so;
}

}  // namespace

std::vector<Override> FlagOverrides(const std::string& flag,
                                    const std::vector<std::string>& assignments) {
  std::vector<Override> out;
  for (const std::string& a : assignments) out.push_back({a, flag + " " + a});
  return out;
}

Scenario LoadScenario(const std::string& path, const std::vector<std::string>& overrides) {
  return LoadScenarioWithOrigins(path, FlagOverrides("--set", overrides));
}

Scenario LoadScenarioWithOrigins(const std::string& path, const std::vector<Override>& overrides) {
  Scenario sc;
  sc.path = path;
  sc.base_dir = std::filesystem::path(path).parent_path().string();
  try {
    ReadScenario(LoadYamlFile(path, "scenario file"), overrides, sc);
  } catch (const InputError& e) {
    throw InputError(NameOverride(e.what(), path, sc.overridden));
  }
  return sc;
}

Scenario LoadScenarioTree(const YAML::Node& root, const std::string& name,
                          const std::string& base_dir, const std::vector<OverriddenKey>& origins,
                          const std::vector<Override>& overrides) {
  Scenario sc;
  sc.path = name;
  sc.base_dir = base_dir;
  sc.overridden = origins;
  try {
    ReadScenario(YAML::Clone(root), overrides, sc);
  } catch (const InputError& e) {
    throw InputError(NameOverride(e.what(), name, sc.overridden));
  }
  return sc;
}

std::vector<std::unique_ptr<Workload>> MakeScenarioWorkloads(const Scenario& sc) {
  std::vector<std::unique_ptr<Workload>> out;
  try {
    out.push_back(MakeWorkload(sc.root["workload"], sc.path + ": workload", sc.base_dir, sc.seed));
  } catch (const InputError& e) {
    throw InputError(NameOverride(e.what(), sc.path, sc.overridden));
  }
  return out;
}

}  // namespace servesim
