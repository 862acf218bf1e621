// The one visible table of pluggable implementations: every `impl:` name a scenario may use, per
// slot, with a one-line description. `servesim list policies` prints it.
#ifndef SERVESIM_POLICIES_REGISTRY_H_
#define SERVESIM_POLICIES_REGISTRY_H_

#include <string>
#include <vector>

namespace servesim {

struct ImplEntry {
  const char* slot;  // "scheduler", "kv_cache", "speculative", "offload", "routing", "cost_model",
                     // "workload"
  const char* name;
  const char* description;
};

const std::vector<ImplEntry>& Implementations();

// Names registered for `slot`, in table order.
std::vector<std::string> ImplNames(const std::string& slot);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_REGISTRY_H_
