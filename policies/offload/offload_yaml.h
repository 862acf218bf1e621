// The `offload` slot of a scenario: each offload planner's descriptor (name, summary, keys,
// parser, capabilities) and the slot's reader.
//
// Models: the keys every planner that moves weights takes (io_depth, ffn_load_fraction,
// kv_reserve_tokens) and each one's own (the resident set and its residency for layers, the
// percentages for flexgen). Ignores: whether the placement can exist (PlanOffload decides, with
// the memory plan). One planner (PlanOffload) serves every kind, so the descriptors carry no
// factory.
#ifndef SERVESIM_POLICIES_OFFLOAD_OFFLOAD_YAML_H_
#define SERVESIM_POLICIES_OFFLOAD_OFFLOAD_YAML_H_

#include <cstdint>
#include <vector>

#include "models/yaml_reader.h"
#include "policies/offload/offload.h"

namespace servesim {

struct OffloadCaps {
  bool offloads = false;  // places weights off the device (everything but none)
};

// What a planner's keys are read against.
struct OffloadContext {
  int64_t max_model_len = 0;  // kv_reserve_tokens' default
  int64_t num_layers = 0;     // resident_layers' maximum
};

struct OffloadDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;  // its own keys, beyond the slot's (OffloadSlotKeys)
  void (*parse)(YamlMapReader& reader, const OffloadContext& context, OffloadOptions& options);
  OffloadCaps caps;
};

const OffloadDescriptor& NoOffloadDescriptor();
const OffloadDescriptor& LayersOffloadDescriptor();
const OffloadDescriptor& FlexGenOffloadDescriptor();

// Keys every planner that offloads takes.
const std::vector<KeyDoc>& OffloadSlotKeys();

// Reads the `offload` slot: impl (default none), the keys every offloading planner takes, then
// the chosen one's; rejects keys nobody read. Returns its descriptor. Throws InputError.
const OffloadDescriptor& ReadOffloadSlot(YamlMapReader& reader, const OffloadContext& context,
                                         OffloadOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_OFFLOAD_OFFLOAD_YAML_H_
