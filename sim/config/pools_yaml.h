// The `pools` and `serving` keys of a scenario (sim/core/pool.h): the pools a request's path uses
// and the KV link between them.
//
//   pools:
//     prefill: {hardware: {...}, scheduler: {...}, kv_cache: {...}, cost_model: {...}, routing: {...}}
//     decode:  {hardware: {...}, ...}
//   serving: {path: disaggregated, prefill_pool: prefill, decode_pool: decode,
//             kv_transfer: {link: ib-ndr, mode: layerwise}}
//
// A pool's slots not given inherit the scenario's top-level slot of the same name; each pool is
// read and memory-planned like a single-pool scenario (its messages name pools.NAME.SLOT.KEY).
// Every pool serves the scenario's model. Ignores: speculative decoding, offload and data-parallel
// MoE groups with pools (refused).
#ifndef SERVESIM_SIM_CONFIG_POOLS_YAML_H_
#define SERVESIM_SIM_CONFIG_POOLS_YAML_H_

#include <string>
#include <vector>

#include "models/yaml_reader.h"

namespace servesim {

// The slots a pool may set.
const std::vector<std::string>& PoolSlots();

// Keys of `serving`, for the docs.
const std::vector<KeyDoc>& ServingKeys();

// `message` ("FILE[:LINE]: SLOT.KEY: ...") with the key put under pools.POOL when its first part
// is one of PoolSlots(); other messages unchanged.
std::string PoolMessage(const std::string& message, const std::string& file,
                        const std::string& pool);

}  // namespace servesim

#endif  // SERVESIM_SIM_CONFIG_POOLS_YAML_H_
