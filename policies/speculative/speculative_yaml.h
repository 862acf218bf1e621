// The `speculative` slot of a scenario: each speculator's descriptor (name, summary, keys,
// parser, capabilities) and the slot's reader, acceptance model keys included.
//
// Models: the keys every drafting speculator takes (k, disable_by_batch_size, adaptive_k,
// acceptance) and each one's own (the draft model and its device, the n-gram round's cost, the
// heads' cost). Ignores: the checks across slots (which scheduler can verify drafts, whether a
// pipelined draft can overlap anything, the draft's memory: sim/config). One Speculator class
// serves every kind, so the descriptors carry no factory.
#ifndef SERVESIM_POLICIES_SPECULATIVE_SPECULATIVE_YAML_H_
#define SERVESIM_POLICIES_SPECULATIVE_SPECULATIVE_YAML_H_

#include <string>
#include <vector>

#include "models/model_spec.h"
#include "models/yaml_reader.h"
#include "policies/speculative/speculator.h"

namespace servesim {

struct SpeculativeCaps {
  bool drafts = false;       // proposes draft tokens (everything but none)
  bool draft_model = false;  // runs a draft model, whose weights and KV take memory
};

// What a speculator's keys are read against.
struct SpeculativeContext {
  const ModelSpec* target = nullptr;  // the draft's vocabulary must match it
  std::string base_dir;               // relative paths of a draft's config resolve against it
};

struct SpeculativeDescriptor {
  const char* name;
  const char* summary;
  std::vector<KeyDoc> keys;  // its own keys, beyond the slot's (SpeculativeSlotKeys)
  void (*parse)(YamlMapReader& reader, const SpeculativeContext& context,
                SpeculativeOptions& options);
  SpeculativeCaps caps;
};

const SpeculativeDescriptor& NoSpeculationDescriptor();
const SpeculativeDescriptor& DraftModelDescriptor();
const SpeculativeDescriptor& NgramDescriptor();
const SpeculativeDescriptor& DraftHeadsDescriptor();

// Keys every drafting speculator takes (acceptance.* included).
const std::vector<KeyDoc>& SpeculativeSlotKeys();

// Reads `impl` (default none) into options.impl and returns its descriptor.
const SpeculativeDescriptor& ReadSpeculativeImpl(YamlMapReader& reader,
                                                 SpeculativeOptions& options);

// Reads the rest of the slot for `speculator` (chosen by ReadSpeculativeImpl): when it drafts, k,
// disable_by_batch_size, adaptive_k and the acceptance model (validated), then its own keys; then
// rejects keys nobody read. Throws InputError.
void ReadSpeculativeKeys(YamlMapReader& reader, const SpeculativeDescriptor& speculator,
                         const SpeculativeContext& context, SpeculativeOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SPECULATIVE_SPECULATIVE_YAML_H_
