// The `routing` slot of a scenario: each router's descriptor (name, summary, keys, factory) and
// the slot's reader. Routers take no keys beyond `impl` today; the scenario seed reaches them
// through RoutingOptions.
#ifndef SERVESIM_POLICIES_ROUTING_ROUTING_YAML_H_
#define SERVESIM_POLICIES_ROUTING_ROUTING_YAML_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "models/yaml_reader.h"
#include "policies/routing/router.h"

namespace servesim {

struct RoutingDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;  // its own keys, beyond the slot's (RoutingSlotKeys)
  std::unique_ptr<Router> (*make)(const RoutingOptions& options);
  uint32_t reads = kReadsNothing;  // the LoadFields its Route reads
};

// Keys every router takes.
const std::vector<KeyDoc>& RoutingSlotKeys();

// Reads the `routing` slot (impl, default round_robin, or kDataParallelRouter for
// `data_parallel` ranks) and rejects other keys. Throws InputError.
const RoutingDescriptor& ReadRoutingSlot(YamlMapReader& reader, RoutingOptions& options,
                                         bool data_parallel = false);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_ROUTING_ROUTING_YAML_H_
