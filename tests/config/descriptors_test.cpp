// Every registered implementation is described completely (summary, documented keys, parser,
// factory where its slot has one), the flat `list policies` view agrees with the slot tables, and
// no code outside a slot's own folder and the registry compares an implementation's name.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/hardware_yaml.h"
#include "models/presets.h"
#include "policies/registry.h"

namespace servesim {
namespace {

void CheckKeys(const std::string& who, const std::vector<KeyDoc>& keys) {
  std::set<std::string> seen;
  for (const KeyDoc& k : keys) {
    INFO(who << " key " << (k.name ? k.name : "(null)"));
    REQUIRE(k.name != nullptr);
    CHECK(std::string(k.name).size() > 0);
    CHECK(seen.insert(k.name).second);  // each key once
    REQUIRE(k.type != nullptr);
    CHECK(std::string(k.type).size() > 0);
    REQUIRE(k.unit != nullptr);
    REQUIRE(k.default_text != nullptr);
    CHECK(std::string(k.default_text).size() > 0);
    REQUIRE(k.doc != nullptr);
    CHECK(std::string(k.doc).size() > 0);
  }
}

template <typename Descriptor>
void CheckCommon(const char* slot, const std::vector<Descriptor>& table) {
  REQUIRE(!table.empty());
  std::vector<std::string> names;
  for (const Descriptor& d : table) {
    INFO(slot << " " << d.name);
    CHECK(std::string(d.name).size() > 0);
    CHECK(std::string(d.summary).size() > 0);
    names.emplace_back(d.name);
  }
  CHECK(ImplNames(slot) == names);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
}

}  // namespace

TEST_CASE("every registered implementation has a complete descriptor", "[config][registry]") {
  CheckCommon("scheduler", SchedulerDescriptors());
  CheckKeys("scheduler", SchedulerSlotKeys());
  for (const SchedulerDescriptor& d : SchedulerDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.parse != nullptr);
    CHECK(d.make != nullptr);
    CHECK(std::string(d.caps.preemption).size() > 0);
    CHECK(FindKvAllocator(d.caps.kv_default).name == std::string(d.caps.kv_default));
  }
  CheckCommon("kv_cache", KvDescriptors());
  CheckKeys("kv_cache", KvSlotKeys());
  for (const KvDescriptor& d : KvDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.parse != nullptr);
    CHECK(d.make != nullptr);
  }
  CheckCommon("speculative", SpeculativeDescriptors());
  CheckKeys("speculative", SpeculativeSlotKeys());
  for (const SpeculativeDescriptor& d : SpeculativeDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.parse != nullptr);
  }
  CheckCommon("offload", OffloadDescriptors());
  CheckKeys("offload", OffloadSlotKeys());
  for (const OffloadDescriptor& d : OffloadDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.parse != nullptr);
  }
  CheckCommon("routing", RoutingDescriptors());
  CheckKeys("routing", RoutingSlotKeys());
  for (const RoutingDescriptor& d : RoutingDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.make != nullptr);
  }
  CheckCommon("cost_model", CostModelDescriptors());
  for (const CostModelDescriptor& d : CostModelDescriptors()) {
    CheckKeys(d.name, d.keys);
    CHECK(d.parse != nullptr);
  }
  CheckCommon("workload", WorkloadDescriptors());
  // The flat view lists every slot's table, nothing else.
  size_t total = 0;
  for (const char* slot :
       {"scheduler", "kv_cache", "speculative", "offload", "routing", "cost_model", "workload"}) {
    total += ImplNames(slot).size();
  }
  CHECK(Implementations().size() == total);
}

TEST_CASE("capabilities match the messages built from them", "[config][registry]") {
  CHECK(JoinNamesOr({}) == "");
  CHECK(JoinNamesOr({"a"}) == "a");
  CHECK(JoinNamesOr({"a", "b"}) == "a or b");
  CHECK(JoinNamesOr({"a", "b", "c"}) == "a, b or c");
  // Every scheduler that swaps also preempts, and prefix caching by default needs the lookup.
  for (const SchedulerDescriptor& d : SchedulerDescriptors()) {
    INFO(d.name);
    if (d.caps.swap_preemption) CHECK(d.caps.preempts);
    if (d.caps.prefix_caching_default) CHECK(d.caps.prefix_caching);
    if (d.caps.reserves_max_length) CHECK_FALSE(d.caps.preempts);
  }
}

// The folders whose files may compare a slot's implementation names (besides the registry).
const std::map<std::string, std::string>& SlotFolders() {
  static const std::map<std::string, std::string> kFolders = {
      {"scheduler", "policies/batching/"},      {"kv_cache", "policies/kv/"},
      {"speculative", "policies/speculative/"}, {"offload", "policies/offload/"},
      {"routing", "policies/routing/"},         {"cost_model", "hardware/"},
  };
  return kFolders;
}

TEST_CASE("no code outside an implementation's own folder and the registry compares its name",
          "[config][registry]") {
  // name -> folders allowed to compare it (a name may be registered in several slots: none).
  std::map<std::string, std::vector<std::string>> allowed;
  for (const auto& [slot, folder] : SlotFolders()) {
    for (const std::string& name : ImplNames(slot)) allowed[name].push_back(folder);
  }
  const std::filesystem::path root(SERVESIM_SOURCE_DIR);
  std::vector<std::string> offences;
  for (const char* dir : {"models", "hardware", "workloads", "policies", "sim"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cpp") continue;
      const std::string rel = std::filesystem::relative(entry.path(), root).generic_string();
      if (rel == "policies/registry.cpp" || rel == "policies/registry.h") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (const auto& [name, folders] : allowed) {
        bool own = false;
        for (const std::string& f : folders) own = own || rel.rfind(f, 0) == 0;
        if (own) continue;
        const std::regex compare("(==|!=)\\s*\"" + name + "\"|\"" + name + "\"\\s*(==|!=)");
        if (std::regex_search(s, compare)) offences.push_back(rel + " compares '" + name + "'");
      }
    }
  }
  for (const std::string& o : offences) UNSCOPED_INFO(o);
  CHECK(offences.empty());
}

}  // namespace servesim

namespace servesim {
namespace {

// Every key a reader reads with its defaults is documented in `docs` (as "name" or, for keys of a
// nested map, "map.name").
void CheckReadKeysDocumented(const std::string& who, const std::set<std::string>& read,
                             const std::vector<std::vector<KeyDoc>>& docs) {
  for (const std::string& key : read) {
    bool documented = false;
    for (const auto& list : docs) {
      for (const KeyDoc& k : list) {
        const std::string name = k.name;
        documented = documented || name == key || name.rfind(key + ".", 0) == 0;
      }
    }
    INFO(who << " reads '" << key << "'");
    CHECK(documented);
  }
}

}  // namespace

TEST_CASE("every key a slot reader reads is documented by its descriptor", "[config][registry]") {
  const YAML::Node absent;
  for (const SchedulerDescriptor& d : SchedulerDescriptors()) {
    YamlMapReader r(YAML::Load("{impl: " + std::string(d.name) + "}"), "test", "scheduler");
    SchedulerOptions o;
    CHECK(&ReadSchedulerSlot(r, 4096, o) == &FindScheduler(d.name));
    CheckReadKeysDocumented(d.name, r.read_keys(), {SchedulerSlotKeys(), d.keys});
  }
  for (const KvDescriptor& d : KvDescriptors()) {
    YamlMapReader r(YAML::Load("{impl: " + std::string(d.name) + ", preemption: swap}"), "test",
                    "kv_cache");
    KvOptions o;
    KvSlotSettings settings;
    ReadKvSlot(r, FindScheduler("vllm_v0").caps, 4096, o, settings);
    CheckReadKeysDocumented(d.name, r.read_keys(), {KvSlotKeys(), d.keys});
  }
  for (const OffloadDescriptor& d : OffloadDescriptors()) {
    YamlMapReader r(YAML::Load("{impl: " + std::string(d.name) + "}"), "test", "offload");
    OffloadOptions o;
    ReadOffloadSlot(r, OffloadContext{4096, 32}, o);
    CheckReadKeysDocumented(d.name, r.read_keys(), {OffloadSlotKeys(), d.keys});
  }
  const ModelSpec target = ModelPresetOrThrow("llama-3.1-8b", "test");
  for (const SpeculativeDescriptor& d : SpeculativeDescriptors()) {
    const std::string draft = d.caps.draft_model ? ", draft: llama-3.2-1b" : "";
    YamlMapReader r(YAML::Load("{impl: " + std::string(d.name) + draft + "}"), "test",
                    "speculative");
    SpeculativeOptions o;
    ReadSpeculativeKeys(r, ReadSpeculativeImpl(r, o), SpeculativeContext{&target, ""}, o);
    CheckReadKeysDocumented(d.name, r.read_keys(), {SpeculativeSlotKeys(), d.keys});
  }
  for (const CostModelDescriptor& d : CostModelDescriptors()) {
    // `profile` is required by the profiled cost model; the roofline leaves it unread.
    YamlMapReader r(YAML::Load("{profile: bundle}"), "test", "cost_model");
    CostModelOptions cost;
    std::string runtime;
    d.parse(r, cost, runtime);
    CheckReadKeysDocumented(d.name, r.read_keys(), {d.keys});
  }
  YamlMapReader hw(YAML::Load("{device: h100-sxm}"), "test", "hardware");
  ReadHardware(hw, target);
  CheckReadKeysDocumented("hardware", hw.read_keys(), {HardwareKeys()});
  YamlMapReader route(absent, "test", "routing");
  RoutingOptions ro;
  ReadRoutingSlot(route, ro);
  CheckReadKeysDocumented("routing", route.read_keys(), {RoutingSlotKeys()});
}

}  // namespace servesim
