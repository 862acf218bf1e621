// Catalog of model presets, each pinned to its published configuration.
//
// Models: architecture shapes as released (Hugging Face config.json of the named repository).
// Ignores: tokenizer and generation settings.
#ifndef SERVESIM_MODELS_PRESETS_H_
#define SERVESIM_MODELS_PRESETS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_spec.h"

namespace servesim {

struct ModelPreset {
  ModelSpec spec;                    // spec.name is the preset key, e.g. "llama-2-7b"
  std::vector<std::string> aliases;  // other accepted names, e.g. the HF repo id
  std::string source;                // the HF repository whose config.json this mirrors
  int64_t official_params = 0;       // the parameter count the model's publisher reports
                                     // (safetensors total); 0 when none is published
};

// All presets in catalog order.
const std::vector<ModelPreset>& ModelPresets();

// Finds a preset by key or alias (case-insensitive); nullptr when unknown.
const ModelPreset* FindModelPreset(std::string_view name);

// Like FindModelPreset but throws InputError "unknown model 'x' (did you mean ...?)" naming
// `source` (e.g. "--model", "scenario.yaml: model").
const ModelSpec& ModelPresetOrThrow(std::string_view name, std::string_view source);

}  // namespace servesim

#endif  // SERVESIM_MODELS_PRESETS_H_
