#include "policies/registry.h"

#include <algorithm>
#include <stdexcept>

#include "hardware/hardware_yaml.h"
#include "workloads/workload_yaml.h"

namespace servesim {
namespace {

template <typename Descriptor>
const Descriptor& Find(const std::vector<Descriptor>& table, const std::string& name,
                       const char* what) {
  for (const Descriptor& d : table) {
    if (name == d.name) return d;
  }
  throw std::logic_error(std::string("no ") + what + " named '" + name + "'");
}

template <typename Descriptor>
void AddEntries(std::vector<ImplEntry>& out, const char* slot,
                const std::vector<Descriptor>& table) {
  for (const Descriptor& d : table) out.push_back({slot, d.name, d.summary});
}

// The top-level key names of `slot_keys` and of the descriptor named `impl` in `table`.
template <typename Descriptor>
std::optional<std::vector<std::string>> KeysOf(const std::vector<Descriptor>& table,
                                               const std::vector<KeyDoc>& slot_keys,
                                               const std::string& impl) {
  for (const Descriptor& d : table) {
    if (impl != d.name) continue;
    std::vector<std::string> out;
    for (const std::vector<KeyDoc>* list : {&slot_keys, &d.keys}) {
      for (const KeyDoc& k : *list) {
        const std::string name = std::string(k.name).substr(0, std::string(k.name).find('.'));
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
      }
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<SchedulerDescriptor>& SchedulerDescriptors() {
  static const std::vector<SchedulerDescriptor> kTable = {
      VllmV1SchedulerDescriptor(),   // policies/batching/vllm_v1.cpp
      VllmV0SchedulerDescriptor(),   // policies/batching/vllm_v0.cpp
      SarathiSchedulerDescriptor(),  // policies/batching/sarathi.cpp
      OrcaSchedulerDescriptor(),     // policies/batching/orca.cpp
      StaticSchedulerDescriptor(),   // policies/batching/static.cpp
  };
  return kTable;
}

const std::vector<KvDescriptor>& KvDescriptors() {
  static const std::vector<KvDescriptor> kTable = {
      PagedKvDescriptor(),
      ContiguousKvDescriptor(),
  };
  return kTable;
}

const std::vector<SpeculativeDescriptor>& SpeculativeDescriptors() {
  static const std::vector<SpeculativeDescriptor> kTable = {
      NoSpeculationDescriptor(),
      DraftModelDescriptor(),
      NgramDescriptor(),
      DraftHeadsDescriptor(),
  };
  return kTable;
}

const std::vector<OffloadDescriptor>& OffloadDescriptors() {
  static const std::vector<OffloadDescriptor> kTable = {
      NoOffloadDescriptor(),
      LayersOffloadDescriptor(),
      FlexGenOffloadDescriptor(),
  };
  return kTable;
}

// Routers are classes private to policies/routing/router.cpp; MakeRouter dispatches there.
const std::vector<RoutingDescriptor>& RoutingDescriptors() {
  static const std::vector<RoutingDescriptor> kTable = {
      {"round_robin", "replicas in turn (most gateways' default)", {}, MakeRouter},
      {"least_requests",
       "join the shortest queue: fewest outstanding requests",
       {},
       MakeRouter,
       kReadsRequests},
      {"least_tokens",
       "fewest outstanding tokens (prompt + output of the requests a replica holds)",
       {},
       MakeRouter,
       kReadsTokens},
      {"least_kv",
       "lowest KV-cache usage, then fewest outstanding requests",
       {},
       MakeRouter,
       kReadsKvUsage | kReadsRequests},
      {"random", "uniform, from the scenario's random stream \"routing\"", {}, MakeRouter},
      {"vllm_dp",
       "vLLM's data-parallel balancer: least 4 x waiting + running requests (the default with "
       "hardware.data_parallel > 1)",
       {},
       MakeRouter,
       kReadsWaitingRunning},
  };
  return kTable;
}

const std::vector<CostModelDescriptor>& CostModelDescriptors() {
  static const std::vector<CostModelDescriptor> kTable = {
      {"roofline", "calibrated per-operator roofline (hardware/cost_model.h)", RooflineKeys(),
       ReadRooflineKeys},
      {"profiled",
       "measured kernel tables (an LLMServingSim profile bundle or Vidur's profiling CSVs), the "
       "roofline for what they lack (hardware/profiled_cost_model.h)",
       ProfiledKeys(), ReadProfiledKeys},
  };
  return kTable;
}

const std::vector<KeyDoc>& CostModelSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`roofline`",
       "prices each step (`hardware/cost_model.h`, `hardware/profiled_cost_model.h`)"},
  };
  return kKeys;
}

const std::vector<WorkloadDescriptor>& WorkloadDescriptors() {
  static const std::vector<WorkloadDescriptor> kTable = {
      {"synthetic", "generated arrivals and lengths (workloads/workload_yaml.h)"},
      {"closed_loop", "N clients that each wait for a response, then think"},
      {"trace", "replay of an Azure / Mooncake / CSV / JSONL trace, streamed"},
  };
  return kTable;
}

const std::vector<ImplEntry>& Implementations() {
  static const std::vector<ImplEntry> kTable = [] {
    std::vector<ImplEntry> out;
    AddEntries(out, "scheduler", SchedulerDescriptors());
    AddEntries(out, "kv_cache", KvDescriptors());
    AddEntries(out, "speculative", SpeculativeDescriptors());
    AddEntries(out, "offload", OffloadDescriptors());
    AddEntries(out, "routing", RoutingDescriptors());
    AddEntries(out, "cost_model", CostModelDescriptors());
    AddEntries(out, "workload", WorkloadDescriptors());
    return out;
  }();
  return kTable;
}

std::vector<std::string> ImplNames(const std::string& slot) {
  std::vector<std::string> out;
  for (const auto& e : Implementations()) {
    if (slot == e.slot) out.emplace_back(e.name);
  }
  return out;
}

const SchedulerDescriptor& FindScheduler(const std::string& name) {
  return Find(SchedulerDescriptors(), name, "scheduler");
}
const KvDescriptor& FindKvAllocator(const std::string& name) {
  return Find(KvDescriptors(), name, "KV allocator");
}
const SpeculativeDescriptor& FindSpeculator(const std::string& name) {
  return Find(SpeculativeDescriptors(), name, "speculator");
}
const OffloadDescriptor& FindOffloadPlanner(const std::string& name) {
  return Find(OffloadDescriptors(), name, "offload planner");
}
const RoutingDescriptor& FindRouter(const std::string& name) {
  return Find(RoutingDescriptors(), name, "router");
}
const CostModelDescriptor& FindCostModel(const std::string& name) {
  return Find(CostModelDescriptors(), name, "cost model");
}

std::optional<std::vector<std::string>> ImplKeyNames(const std::string& slot,
                                                     const std::string& impl) {
  if (slot == "scheduler") return KeysOf(SchedulerDescriptors(), SchedulerSlotKeys(), impl);
  if (slot == "kv_cache") return KeysOf(KvDescriptors(), KvSlotKeys(), impl);
  if (slot == "speculative") return KeysOf(SpeculativeDescriptors(), SpeculativeSlotKeys(), impl);
  if (slot == "offload") return KeysOf(OffloadDescriptors(), OffloadSlotKeys(), impl);
  if (slot == "routing") return KeysOf(RoutingDescriptors(), RoutingSlotKeys(), impl);
  if (slot == "cost_model") return KeysOf(CostModelDescriptors(), CostModelSlotKeys(), impl);
  if (slot == "workload") {
    const std::vector<std::string>& keys = WorkloadYamlKeys(impl);
    if (!keys.empty()) return keys;
  }
  return std::nullopt;
}

std::string OtherImplKeyHint(const std::string& slot, const std::string& impl,
                             const std::string& key) {
  // A key of `impl` itself that its reader left unread depends on another key (swap_space_gib
  // without preemption: swap): the plain "unknown key" message says more than a hint would.
  const auto own = ImplKeyNames(slot, impl);
  if (own && std::find(own->begin(), own->end(), key) != own->end()) return "";
  std::vector<std::string> takers;
  for (const std::string& name : ImplNames(slot)) {
    if (name == impl) continue;
    const auto keys = ImplKeyNames(slot, name);
    if (keys && std::find(keys->begin(), keys->end(), key) != keys->end()) takers.push_back(name);
  }
  if (takers.empty()) return "";
  return "a key of " + JoinNamesOr(takers) + ", not of " + impl + "; set " + slot + ".impl to " +
         (takers.size() == 1 ? takers.front() : "one of them");
}

std::string JoinNamesOr(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// The factories behind the names above, dispatched through the tables.
std::unique_ptr<BatchScheduler> MakeBatchScheduler(const SchedulerOptions& o) {
  return FindScheduler(o.impl).make(o);
}

std::unique_ptr<KvAllocator> MakeKvAllocator(const KvOptions& o) {
  return FindKvAllocator(o.impl).make(o);
}

}  // namespace servesim
