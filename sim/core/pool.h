// Instance pools and a request's path through them.
//
// Models: a pool is a set of identical replicas (one device kind, tp, replica count, memory
// plan, scheduler, KV cache, cost model and router). A request's path is `colocated` (one pool
// computes its prompt and decodes it: the single-pool engine) or `disaggregated` (a prefill pool
// computes the prompt and the first token, the KV cache moves over a priced link
// (hardware/kv_link.h) to a decode pool, which decodes the rest). Every pool serves the same
// model. Replica ids are unique across pools: the pools' replicas are numbered in path order
// (prefill pool first, then decode pool).
// Ignores: more than two pools on one path, moving a request between pools more than once,
// speculative decoding, weight offload and data-parallel MoE groups inside pools.
#ifndef SERVESIM_SIM_CORE_POOL_H_
#define SERVESIM_SIM_CORE_POOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "hardware/kv_link.h"
#include "policies/batching/batch_scheduler.h"
#include "policies/kv/kv_allocator.h"
#include "policies/routing/router.h"

namespace servesim {

struct PoolOptions {
  std::string name;
  DeviceSpec device;
  CostModelOptions cost;
  int replicas = 1;
  int pp = 1;                  // pipeline stages per replica
  KvOptions kv;                // per replica
  SchedulerOptions scheduler;  // per replica
  RoutingOptions routing;      // which of the pool's replicas a request joins
};

enum class ServingPath : uint8_t { kColocated, kDisaggregated };

// A path, described once: its name in `serving.path`, what it does and the pools it names.
struct ServingPathDescriptor {
  ServingPath path;
  const char* name;
  const char* summary;
  std::vector<const char*> pool_keys;  // the keys of `serving` that name a pool, in path order
  bool transfers_kv;                   // needs serving.kv_transfer
};

const std::vector<ServingPathDescriptor>& ServingPaths();

struct ServingOptions {
  ServingPath path = ServingPath::kColocated;
  // Empty: the engine's own fields are its one pool (a scenario without `pools`). Else the pools
  // in path order (disaggregated: prefill, decode).
  std::vector<PoolOptions> pools;
  KvTransferOptions transfer;  // disaggregated
  bool disaggregated() const { return path == ServingPath::kDisaggregated; }
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_POOL_H_
