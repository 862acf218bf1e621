// The `model:` slot of a scenario: a ModelSpec from YAML.
//
// Accepted forms:
//   model: llama-3.1-8b                                  # a preset name or alias
//   model: {preset: llama-3.1-8b, max_context: 8192}     # a preset with field overrides
//   model: {hf_config: path/to/config.json, dtype: fp16} # a Hugging Face config.json (+ overrides)
//   model: {num_layers: 32, hidden_size: 4096, ...}      # every field given, no base
// Field names are the ModelSpec member names (see ModelYamlFieldNames()); `dtype` sets the weight,
// activation and KV dtypes at once, and the three specific keys override it whatever the key
// order. When hidden_size or num_heads is set and head_dim is not, head_dim becomes
// hidden_size / num_heads. In the full form, num_kv_heads defaults to num_heads, head_dim to
// hidden_size / num_heads and name to "custom".
// Unknown keys and ill-typed values are InputErrors naming `source.key`; the result has passed
// ValidateModelSpec.
#ifndef SERVESIM_MODELS_MODEL_YAML_H_
#define SERVESIM_MODELS_MODEL_YAML_H_

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "models/model_spec.h"

namespace servesim {

// `source` names the node in messages (e.g. "scenario.yaml: model"). A relative `hf_config` path is
// resolved against `base_dir` (the scenario file's directory) when that is not empty.
ModelSpec ModelSpecFromYaml(const YAML::Node& node, std::string_view source,
                            const std::string& base_dir = "");

// The keys a model map accepts, in documentation order: preset, hf_config, dtype, then the
// ModelSpec fields.
const std::vector<std::string>& ModelYamlFieldNames();

}  // namespace servesim

#endif  // SERVESIM_MODELS_MODEL_YAML_H_
