// The one visible table of pluggable implementations: every `impl:` name a scenario may use, per
// slot, each with its descriptor (name, one-line summary, documented keys, parser, factory,
// capabilities). `servesim list policies` prints the flat view (Implementations()); the scenario
// loader, the engine and the key docs ask the descriptors, so no code outside an
// implementation's own file and this table compares an implementation's name.
//
// Adding an implementation: its file (rules and descriptor) and one line in its slot's table in
// registry.cpp. No static-initialization self-registration (it drops out of static libraries).
#ifndef SERVESIM_POLICIES_REGISTRY_H_
#define SERVESIM_POLICIES_REGISTRY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "models/yaml_reader.h"
#include "policies/batching/scheduler_yaml.h"
#include "policies/kv/kv_yaml.h"
#include "policies/offload/offload_yaml.h"
#include "policies/routing/routing_yaml.h"
#include "policies/speculative/speculative_yaml.h"

namespace servesim {

struct ImplEntry {
  const char* slot;  // "scheduler", "kv_cache", "speculative", "offload", "routing", "cost_model",
                     // "workload"
  const char* name;
  const char* description;
};

// Every slot's implementations in table order (slots in the order above).
const std::vector<ImplEntry>& Implementations();

// Names registered for `slot`, in table order.
std::vector<std::string> ImplNames(const std::string& slot);

// The cost model slot (hardware/cost_model.h prices steps; the engine builds the roofline).
struct CostModelDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;
  // Reads its keys into `cost` and the runtime profile's name; the caller calls Finish.
  void (*parse)(YamlMapReader& reader, CostModelOptions& cost, std::string& runtime_name);
};

// Keys of the cost_model slot itself (every cost model takes them).
const std::vector<KeyDoc>& CostModelSlotKeys();

// Workloads describe their own keys (workloads/workload_yaml.h); listed here for the names.
struct WorkloadDescriptor {
  const char* name;
  const char* summary;
};

// Each slot's table, in the order `impl:` names are listed and documented.
const std::vector<SchedulerDescriptor>& SchedulerDescriptors();
const std::vector<KvDescriptor>& KvDescriptors();
const std::vector<SpeculativeDescriptor>& SpeculativeDescriptors();
const std::vector<OffloadDescriptor>& OffloadDescriptors();
const std::vector<RoutingDescriptor>& RoutingDescriptors();
const std::vector<CostModelDescriptor>& CostModelDescriptors();
const std::vector<WorkloadDescriptor>& WorkloadDescriptors();

// The descriptor named `name` in its slot. Names are validated by the slot readers; an unknown
// one here is a programming error (std::logic_error).
const SchedulerDescriptor& FindScheduler(const std::string& name);
const KvDescriptor& FindKvAllocator(const std::string& name);
const SpeculativeDescriptor& FindSpeculator(const std::string& name);
const OffloadDescriptor& FindOffloadPlanner(const std::string& name);
const RoutingDescriptor& FindRouter(const std::string& name);
const CostModelDescriptor& FindCostModel(const std::string& name);

// The keys the implementation `impl` of `slot` takes at the top of the slot's mapping: the
// slot's own keys and the implementation's, from their descriptors (a nested key such as
// "acceptance.alpha" by its first part), in documentation order. nullopt when `slot` has no
// implementation table (hardware, model) or no implementation named `impl`.
std::optional<std::vector<std::string>> ImplKeyNames(const std::string& slot,
                                                     const std::string& impl);

// For a `key` of `slot` that `impl` does not take but other implementations do: "a key of A or
// B, not of IMPL; set SLOT.impl to one of them" (for YamlMapReader::Finish); "" otherwise.
std::string OtherImplKeyHint(const std::string& slot, const std::string& impl,
                             const std::string& key);

// OtherImplKeyHint bound to a slot and its implementation, for YamlMapReader::Finish.
inline std::function<std::string(const std::string&)> OtherImplKeys(std::string slot,
                                                                     std::string impl) {
  return [slot = std::move(slot), impl = std::move(impl)](const std::string& key) {
    return OtherImplKeyHint(slot, impl, key);
  };
}

// The names of `table`'s descriptors for which `pred` holds, in table order.
template <typename Descriptor, typename Pred>
std::vector<std::string> NamesWhere(const std::vector<Descriptor>& table, Pred pred) {
  std::vector<std::string> out;
  for (const Descriptor& d : table) {
    if (pred(d)) out.emplace_back(d.name);
  }
  return out;
}

// "a", "a or b", "a, b or c" (for messages).
std::string JoinNamesOr(const std::vector<std::string>& names);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_REGISTRY_H_
