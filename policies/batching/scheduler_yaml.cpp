#include "policies/batching/scheduler_yaml.h"

#include "policies/registry.h"

namespace servesim {

const std::vector<KeyDoc>& SchedulerSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`vllm_v1`", "batch scheduler (rules under \"Batch schedulers\" below)"},
      {"max_model_len", "integer", "tokens", "model context",
       "every scheduler; longer requests are rejected"},
  };
  return kKeys;
}

const SchedulerDescriptor& ReadSchedulerSlot(YamlMapReader& reader, int64_t model_max_context,
                                             SchedulerOptions& options) {
  options.impl = reader.OneOf("impl", "vllm_v1", ImplNames("scheduler"), "implementation");
  options.max_model_len = reader.Int("max_model_len", model_max_context, 1, model_max_context);
  // Defaults follow each engine's own (vLLM EngineArgs / SchedulerConfig, Sarathi-Serve's config).
  const SchedulerDescriptor& d = FindScheduler(options.impl);
  d.parse(reader, options);
  reader.Finish({}, OtherImplKeys("scheduler", options.impl));
  return d;
}

}  // namespace servesim
