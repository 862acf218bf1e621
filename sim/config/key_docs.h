// The key tables of scenarios/README.md, rendered from the descriptors: every key of the
// hardware mapping and of each pluggable slot (scheduler, kv_cache, speculative, offload,
// routing, cost_model), with the implementations that take it, its type, unit, default and
// meaning. A test checks that the README holds exactly this text, so a key added to a descriptor
// without its docs, or docs edited by hand, fails the build's tests.
//
// Ignores: the top-level keys that are no slot (seed, model, simulation, output) and the
// workload's keys (workloads/workload_yaml.h), which the README documents by hand.
#ifndef SERVESIM_SIM_CONFIG_KEY_DOCS_H_
#define SERVESIM_SIM_CONFIG_KEY_DOCS_H_

#include <string>

namespace servesim {

// Markdown: one heading per slot, its implementations with their summaries, and a table of its
// keys (slot keys first, then each implementation's in table order).
std::string ScenarioKeysMarkdown();

}  // namespace servesim

#endif  // SERVESIM_SIM_CONFIG_KEY_DOCS_H_
