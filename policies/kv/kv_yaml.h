// The `kv_cache` slot of a scenario: each KV allocator's descriptor (name, summary, keys, parser,
// factory, capabilities) and the slot's reader.
//
// Models: the keys every allocator takes (block size, watermark, prefix caching, preemption,
// swap space), with defaults the chosen scheduler gives, and each allocator's own. Ignores: the
// checks across slots (which scheduler looks up prefixes or swaps: sim/config) and what depends
// on the memory plan (watermark and swap space in blocks).
#ifndef SERVESIM_POLICIES_KV_KV_YAML_H_
#define SERVESIM_POLICIES_KV_KV_YAML_H_

#include <memory>
#include <vector>

#include "models/yaml_reader.h"
#include "policies/batching/scheduler_yaml.h"
#include "policies/kv/kv_allocator.h"

namespace servesim {

struct KvCaps {
  bool prefix_caching = false;  // can share cached prefix blocks between requests
};

struct KvDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;  // its own keys, beyond the slot's (KvSlotKeys)
  // Reads its keys from the slot's reader into `options`.
  void (*parse)(YamlMapReader& reader, KvOptions& options);
  std::unique_ptr<KvAllocator> (*make)(const KvOptions& options);
  KvCaps caps;
};

const KvDescriptor& PagedKvDescriptor();
const KvDescriptor& ContiguousKvDescriptor();

// Keys every allocator takes.
const std::vector<KeyDoc>& KvSlotKeys();

// What the slot says that is sized only once the memory plan exists.
struct KvSlotSettings {
  double watermark = 0;  // fraction of the blocks kept free at admission
  bool swap = false;     // preemption: swap
  double swap_space_gib = 0;
};

// Reads the `kv_cache` slot with the defaults `scheduler` gives (impl, watermark, prefix
// caching) into `options` (block_size, prefix_caching, reserve; max_model_len from
// `max_model_len`) and `settings`, and checks that prefix caching has an allocator that supports
// it. Does not call Finish: the cross-slot checks come first. Throws InputError.
const KvDescriptor& ReadKvSlot(YamlMapReader& reader, const SchedulerCaps& scheduler,
                               int64_t max_model_len, KvOptions& options, KvSlotSettings& settings);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_KV_YAML_H_
