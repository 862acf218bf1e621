// Scenario files: the YAML tree users write, validated and turned into an engine configuration.
//
// Top-level keys (scenarios/README.md documents each key with unit and default):
//   seed, model, hardware, workload, scheduler, kv_cache, speculative, offload, cost_model,
//   simulation, output
// Each pluggable slot is {impl: name, ...params}; unknown keys and impl names are errors with the
// nearest valid name suggested; `--set a.b.c=value` overrides any key before validation.
// Loading is orchestration: each slot's reader lives beside what it configures (hardware/
// hardware_yaml.h, policies/*/*_yaml.h) and is reached through the registry's descriptors; the
// checks across slots (asked of the implementations' capabilities) and the memory plan stay here.
#ifndef SERVESIM_SIM_CONFIG_SCENARIO_H_
#define SERVESIM_SIM_CONFIG_SCENARIO_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hardware/memory_plan.h"
#include "sim/core/engine.h"

namespace servesim {

// One override of a scenario key: "a.b.c=value" (the value is YAML) and the command-line text it
// came from ("--set a.b.c=value", "--slo p99_ttft_ms=500"), which messages about the keys it wrote
// name instead of a line of the file.
struct Override {
  std::string assignment;
  std::string origin;
};

// `assignments` given to `flag` ("--set", "--vary"): each named "FLAG ASSIGNMENT" in messages.
std::vector<Override> FlagOverrides(const std::string& flag,
                                    const std::vector<std::string>& assignments);

// A key an override wrote: a message about `root` or a key under it names `origin`.
struct OverriddenKey {
  std::string root;  // the shallowest key the override created or replaced
  std::string path;  // the key it set
  std::string origin;
  // A message about `path` itself reads "ORIGIN: ..." without the key: the origin (a flag such
  // as "--tp") stands for it. Otherwise only "--set KEY=..." origins drop the key.
  bool origin_names_key = false;
};

struct Scenario {
  std::string path;      // the file, for messages
  std::string base_dir;  // relative paths inside resolve against it
  YAML::Node root;       // after overrides
  uint64_t seed = 0;
  EngineConfig engine;
  MemoryPlan memory;
  int64_t kv_blocks_override = 0;  // hardware.kv_blocks (0: the plan's kv_blocks are used)
  std::string runtime_name;
  bool write_requests_csv = true;
  bool write_steps_csv = true;
  bool wall_clock = true;
  bool write_trace_json = false;          // DIR/trace.json (Chrome trace events)
  int64_t trace_max_steps = 200000;       // step slices written before the trace stops (0: no cap)
  int64_t trace_requests = 1000;          // requests drawn as lifecycles (0: none)
  bool write_report_html = false;         // DIR/report.html
  std::vector<std::string> warnings;      // questionable but accepted settings, one line each
  std::vector<OverriddenKey> overridden;  // what the overrides wrote, in order, for messages
};

// Reads `path`, applies `overrides` in order and validates everything except the workload, which
// MakeScenarioWorkloads builds. Throws InputError; a message about a key an override wrote reads
// "ORIGIN: ..." (e.g. "--set scheduler.chunk_size=abc: expected an integer, found 'abc'").
//
// An override `SLOT.impl=NAME` that changes the file's implementation of a slot replaces it: the
// keys of the old implementation that NAME does not take are dropped (Scenario::warnings says
// which); the slot's shared keys, keys no implementation takes (typos stay errors) and keys
// overridden too are kept.
Scenario LoadScenarioWithOrigins(const std::string& path, const std::vector<Override>& overrides);

// A scenario given as a tree instead of a file (`servesim run --model ... --device ...` builds
// one from flags): `name` stands for the file in messages, relative paths resolve against
// `base_dir`, and a message about a key of `origins` names its origin (the flag that wrote it)
// instead; `overrides` then apply as to a file. The same validation as a file's.
Scenario LoadScenarioTree(const YAML::Node& root, const std::string& name,
                          const std::string& base_dir, const std::vector<OverriddenKey>& origins,
                          const std::vector<Override>& overrides);

// The same with every override from --set ("a.b.c=value").
Scenario LoadScenario(const std::string& path, const std::vector<std::string>& overrides = {});

// The workload sources of a loaded scenario (traces are opened here).
std::vector<std::unique_ptr<Workload>> MakeScenarioWorkloads(const Scenario& scenario);

}  // namespace servesim

#endif  // SERVESIM_SIM_CONFIG_SCENARIO_H_
