// Import of a Hugging Face `config.json` into a ModelSpec.
//
// Models: the decoder-only families whose transformers implementation fixes what config.json leaves
// implicit (biases, norm kind, gating, position scheme): llama, mistral, mixtral, qwen2, qwen2_moe,
// qwen3, qwen3_moe, opt, gpt_neox, phi. The family comes from `model_type`, or from
// `architectures[0]` when `model_type` is absent. Dtypes come from `torch_dtype` (or `dtype`, its
// newer spelling; bf16 when neither is given); a GPTQ/AWQ `quantization_config` makes the weights
// int4 or int8 with its `group_size`, an fp8 one makes them fp8.
// Ignores: rope_scaling and rope_theta, sliding windows, dropout and epsilon values, tokenizer ids,
// Qwen2-MoE's dense-layer exceptions (`mlp_only_layers`, `decoder_sparse_step`; every layer is
// taken as sparse) and its one-column shared-expert gate, multimodal wrappers (`text_config`).
// Phi's optional `qk_layernorm` is mapped to qk_norm (a per-head norm on q and k). GPT-NeoX's
// `use_parallel_residual` keeps one LayerNorm per branch, so it maps to parallel_attn_mlp = false
// (that flag means one norm shared by attention and MLP, as in GPT-J and Phi).
//
// Input must be a JSON object (a UTF-8 byte-order mark is skipped), read by models/json_reader.h;
// NaN and Infinity, which Python's json writes, are read as numbers (and rejected as sizes). Every
// problem is an InputError whose one-line message names the source, the key (or the line and
// column of a syntax error), what was expected and what was found. A key given twice in any object
// is an error naming its line.
#ifndef SERVESIM_MODELS_HF_CONFIG_H_
#define SERVESIM_MODELS_HF_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "models/model_spec.h"

namespace servesim {

// Parses config.json text. `source` names it in error messages (normally the file path); the
// spec's name is the name of the directory that holds the file, or "hf-config" when `source` has
// no directory part. The result has passed ValidateModelSpec.
ModelSpec ModelSpecFromHfConfigText(std::string_view json_text, std::string_view source);

// Reads and parses a config.json file. A directory is accepted too and means `<dir>/config.json`.
ModelSpec ModelSpecFromHfConfigFile(const std::string& path);

// The accepted `model_type` values, for messages and `servesim list`.
const std::vector<std::string>& HfSupportedModelTypes();

}  // namespace servesim

#endif  // SERVESIM_MODELS_HF_CONFIG_H_
