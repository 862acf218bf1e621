// The `hardware` and `cost_model` mappings of a scenario: their readers and documented keys.
//
// Models: a device preset with per-field overrides (memory size and bandwidth, bf16 peak), its
// offload tiers (replaced as a whole list), the tensor-parallel degree, the replica count and the
// memory the KV cache may take; the roofline cost model's runtime profile, ideal mode and
// attention kernel. Ignores: the memory plan itself (hardware/memory_plan.h, once every slot is
// read).
#ifndef SERVESIM_HARDWARE_HARDWARE_YAML_H_
#define SERVESIM_HARDWARE_HARDWARE_YAML_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hardware/all_to_all.h"
#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "models/model_spec.h"
#include "models/yaml_reader.h"

namespace servesim {

struct HardwareOptions {
  DeviceSpec device;
  int tp = 1;
  int pp = 1;  // pipeline stages per replica (hardware/pipeline.h)
  int replicas = 1;
  double memory_utilization = 0.9;
  int64_t kv_blocks = 0;  // 0: from the memory plan
  // vLLM's --data-parallel-size and --enable-expert-parallel (models/arithmetic.h StepOptions).
  int data_parallel = 1;
  bool expert_parallel = false;
  All2AllBackend all2all = All2AllBackend::kAllgatherReduceScatter;
};

// The keys of `hardware`.
const std::vector<KeyDoc>& HardwareKeys();

// Reads `hardware` (device required) for `model` (tp must divide its heads; expert_parallel needs a
// MoE model whose experts dp x tp divides; data_parallel excludes replicas) and rejects keys it
// did not read. Throws InputError.
HardwareOptions ReadHardware(YamlMapReader& reader, const ModelSpec& model);

// The keys of the roofline cost model (cost_model.impl: roofline).
const std::vector<KeyDoc>& RooflineKeys();

// Reads the roofline cost model's keys into `cost` (ideal, runtime overheads, attention) and
// `runtime_name`, whose value on entry is the default profile (the device's; empty: cuda-graphs);
// the caller calls Finish. Throws InputError.
void ReadRooflineKeys(YamlMapReader& reader, CostModelOptions& cost, std::string& runtime_name);

// The keys of the profiled cost model (cost_model.impl: profiled).
const std::vector<KeyDoc>& ProfiledKeys();

// Reads the profiled cost model's keys: the bundle's folder as written into cost.profile_dir
// (the scenario loader resolves it and reads the bundle, hardware/profiled_cost_model.h) and the
// runtime profile. Throws InputError.
void ReadProfiledKeys(YamlMapReader& reader, CostModelOptions& cost, std::string& runtime_name);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_HARDWARE_YAML_H_
