// The `scheduler` slot of a scenario: each scheduler's descriptor (name, summary, keys, parser,
// factory, capabilities) and the slot's reader. A scheduler's descriptor lives at the end of its
// own file (vllm_v1.cpp, ...) and is listed in policies/registry.cpp; nothing else names it.
//
// Models: what the rest of the simulator needs to know about a scheduler without naming it (its
// capabilities) and the defaults it gives the KV-cache slot. Ignores: the cross-slot checks
// (sim/config asks the capabilities).
#ifndef SERVESIM_POLICIES_BATCHING_SCHEDULER_YAML_H_
#define SERVESIM_POLICIES_BATCHING_SCHEDULER_YAML_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "models/yaml_reader.h"
#include "policies/batching/batch_scheduler.h"

namespace servesim {

// What a scheduler does that other slots, the loader or the engine depend on.
struct SchedulerCaps {
  bool prefix_caching = false;          // looks up cached prefixes at admission
  bool prefix_caching_default = false;  // prefix caching on by default over paged blocks
  bool preempts = false;                // may preempt running requests when KV runs short
  bool swap_preemption = false;         // may preempt by swapping KV to host memory
  bool speculation = false;             // continuous batching: can verify drafts per request
  bool decode_stretch_jump = false;     // decode-only stretches may be advanced in one jump
  bool reserves_max_length = false;     // each admitted request reserves its maximum KV
  // Schedules pipeline micro-batches (hardware.pp > 1): skips requests in flight in another
  // micro-batch (ReplicaQueues::in_flight_elsewhere counts them toward max_num_seqs).
  bool pipeline = false;
  bool chunk_at_least_block = false;    // its token budget (chunk_size) fills a KV block
  const char* kv_default = "paged";     // kv_cache.impl when the scenario names none
  double watermark_default = 0;         // kv_cache.watermark when the scenario gives none
  const char* preemption = "";          // how it preempts, for messages ("recompute only")
};

struct SchedulerDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;  // its own keys, beyond the slot's (SchedulerSlotKeys)
  // Reads its keys from the slot's reader into `options` (impl and max_model_len already set).
  void (*parse)(YamlMapReader& reader, SchedulerOptions& options);
  std::unique_ptr<BatchScheduler> (*make)(const SchedulerOptions& options);
  SchedulerCaps caps;
};

// The descriptors, one per scheduler file (listed in order in policies/registry.cpp).
const SchedulerDescriptor& VllmV1SchedulerDescriptor();
const SchedulerDescriptor& VllmV0SchedulerDescriptor();
const SchedulerDescriptor& SarathiSchedulerDescriptor();
const SchedulerDescriptor& OrcaSchedulerDescriptor();
const SchedulerDescriptor& StaticSchedulerDescriptor();

// Keys every scheduler takes (impl, max_model_len).
const std::vector<KeyDoc>& SchedulerSlotKeys();

// Reads the `scheduler` slot: impl (default vllm_v1), max_model_len (default and maximum the
// model's context), then the chosen scheduler's keys; rejects keys it did not read. Returns the
// chosen scheduler's descriptor. Throws InputError.
const SchedulerDescriptor& ReadSchedulerSlot(YamlMapReader& reader, int64_t model_max_context,
                                             SchedulerOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_BATCHING_SCHEDULER_YAML_H_
