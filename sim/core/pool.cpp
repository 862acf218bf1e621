#include "sim/core/pool.h"

namespace servesim {

const std::vector<ServingPathDescriptor>& ServingPaths() {
  static const std::vector<ServingPathDescriptor> kPaths = {
      {ServingPath::kColocated,
       "colocated",
       "one pool computes each request's prompt and decodes it",
       {"pool"},
       false},
      {ServingPath::kDisaggregated,
       "disaggregated",
       "a prefill pool computes the prompt and first token, the KV cache moves over "
       "`kv_transfer` to a decode pool, which decodes the rest",
       {"prefill_pool", "decode_pool"},
       true},
  };
  return kPaths;
}

}  // namespace servesim
