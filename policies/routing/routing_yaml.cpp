#include "policies/routing/routing_yaml.h"

#include "policies/registry.h"

namespace servesim {

const std::vector<KeyDoc>& RoutingSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`round_robin`",
       "which replica an arrival joins (with `hardware.replicas` > 1); ties go to the replica "
       "after the last one chosen (`policies/routing/router.h`); `vllm_dp` by default with "
       "`hardware.data_parallel` > 1"},
  };
  return kKeys;
}

const RoutingDescriptor& ReadRoutingSlot(YamlMapReader& route, RoutingOptions& options,
                                         bool data_parallel) {
  options.impl = route.OneOf("impl", data_parallel ? kDataParallelRouter : "round_robin",
                             ImplNames("routing"), "implementation");
  route.Finish({}, OtherImplKeys("routing", options.impl));
  return FindRouter(options.impl);
}

}  // namespace servesim
