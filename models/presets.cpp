#include "models/presets.h"

#include <algorithm>
#include <cctype>

#include "models/input_error.h"

namespace servesim {
namespace {

// Each preset mirrors the config.json of `source` (the model's Hugging Face repository). Shapes,
// `tie_word_embeddings`, `max_position_embeddings` and `torch_dtype` are copied from that file;
// the conventions that config.json leaves to the modeling code (biases, norm kind, learned
// position rows) follow the transformers implementation of the family.
//
// `official_params` is the total the publisher reports: the safetensors metadata of the
// repository (what the Hub shows as "Model size"), or the figure in the project's REFERENCES.md
// section 2 where one is given there. 0 means no exact published figure was found.

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// LLaMA-style decoder: GQA, SwiGLU, RMSNorm, RoPE, no biases.
ModelSpec Llama(std::string name, int64_t layers, int64_t hidden, int64_t heads, int64_t kv_heads,
                int64_t intermediate, int64_t vocab, int64_t max_context, bool tied, DType dtype) {
  ModelSpec s;
  s.name = std::move(name);
  s.num_layers = layers;
  s.hidden_size = hidden;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim = hidden / heads;
  s.intermediate_size = intermediate;
  s.vocab_size = vocab;
  s.max_context = max_context;
  s.gated_ffn = true;
  s.activation = Activation::kSilu;
  s.norm = NormType::kRmsNorm;
  s.tied_embeddings = tied;
  s.position = PositionEmbedding::kRope;
  s.weight_dtype = s.activation_dtype = s.kv_dtype = dtype;
  return s;
}

// Qwen2 / Qwen2.5: LLaMA-style with biases on q, k and v (not on o).
ModelSpec Qwen2(std::string name, int64_t layers, int64_t hidden, int64_t heads, int64_t kv_heads,
                int64_t intermediate, int64_t vocab, int64_t max_context, bool tied) {
  ModelSpec s = Llama(std::move(name), layers, hidden, heads, kv_heads, intermediate, vocab,
                      max_context, tied, DType::kBf16);
  s.qkv_bias = true;
  return s;
}

// OPT (facebook/opt-*): pre-LayerNorm with biases, ReLU 2-matrix FFN, biases on every linear,
// learned positions with 2 extra rows (OPTLearnedPositionalEmbedding offset), LM head tied to the
// token embedding.
ModelSpec Opt(std::string name, int64_t layers, int64_t hidden, int64_t heads, int64_t ffn) {
  ModelSpec s;
  s.name = std::move(name);
  s.num_layers = layers;
  s.hidden_size = hidden;
  s.num_heads = heads;
  s.num_kv_heads = heads;
  s.head_dim = hidden / heads;
  s.intermediate_size = ffn;
  s.vocab_size = 50272;
  s.max_context = 2048;
  s.gated_ffn = false;
  s.activation = Activation::kRelu;
  s.norm = NormType::kLayerNorm;
  s.qkv_bias = s.o_bias = s.mlp_bias = true;
  s.tied_embeddings = true;
  s.position = PositionEmbedding::kLearned;
  s.learned_position_rows = s.max_context + 2;
  s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;
  return s;
}

// One entry per preset, each citing its source: a data table, longer than a screen because the
// catalog is; splitting it by family would only scatter the table.
std::vector<ModelPreset> BuildPresets() {
  std::vector<ModelPreset> p;
  const DType bf16 = DType::kBf16;
  const DType fp16 = DType::kFp16;

  // Llama 2: config.json says "torch_dtype": "float16".
  p.push_back({Llama("llama-2-7b", 32, 4096, 32, 32, 11008, 32000, 4096, false, fp16),
               {"meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf", "llama2-7b",
                "llama-2-7b-hf", "llama-2-7b-chat"},
               "meta-llama/Llama-2-7b-hf",
               6'738'415'616});  // REFERENCES.md section 2
  p.push_back({Llama("llama-2-13b", 40, 5120, 40, 40, 13824, 32000, 4096, false, fp16),
               {"meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-13b-chat-hf", "llama2-13b",
                "llama-2-13b-hf", "llama-2-13b-chat"},
               "meta-llama/Llama-2-13b-hf",
               13'015'864'320});  // REFERENCES.md section 2
  p.push_back({Llama("llama-2-70b", 80, 8192, 64, 8, 28672, 32000, 4096, false, fp16),
               {"meta-llama/Llama-2-70b-hf", "meta-llama/Llama-2-70b-chat-hf", "llama2-70b",
                "llama-2-70b-hf", "llama-2-70b-chat"},
               "meta-llama/Llama-2-70b-hf",
               68'976'648'192});  // REFERENCES.md section 2

  // Llama 3: 8k context, 128256-token vocabulary, GQA with 8 KV heads.
  p.push_back({Llama("llama-3-8b", 32, 4096, 32, 8, 14336, 128256, 8192, false, bf16),
               {"meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B-Instruct", "llama3-8b",
                "meta-llama-3-8b", "llama-3-8b-instruct"},
               "meta-llama/Meta-Llama-3-8B",
               8'030'261'248});  // REFERENCES.md section 2
  p.push_back({Llama("llama-3-70b", 80, 8192, 64, 8, 28672, 128256, 8192, false, bf16),
               {"meta-llama/Meta-Llama-3-70B", "meta-llama/Meta-Llama-3-70B-Instruct", "llama3-70b",
                "meta-llama-3-70b", "llama-3-70b-instruct"},
               "meta-llama/Meta-Llama-3-70B",
               70'553'706'496});  // REFERENCES.md section 2

  // Llama 3.1: the Llama 3 shapes with a 128k context (rope_scaling "llama3", ignored here).
  p.push_back({Llama("llama-3.1-8b", 32, 4096, 32, 8, 14336, 128256, 131072, false, bf16),
               {"meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B",
                "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B-Instruct",
                "llama3.1-8b", "llama-3.1-8b-instruct"},
               "meta-llama/Llama-3.1-8B",
               8'030'261'248});  // safetensors metadata of the repository
  p.push_back({Llama("llama-3.1-70b", 80, 8192, 64, 8, 28672, 128256, 131072, false, bf16),
               {"meta-llama/Llama-3.1-70B", "meta-llama/Meta-Llama-3.1-70B",
                "meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3.1-70B-Instruct",
                "llama3.1-70b", "llama-3.1-70b-instruct"},
               "meta-llama/Llama-3.1-70B",
               70'553'706'496});  // safetensors metadata (same tensors as Llama-3-70B / 3.3-70B)

  // Llama 3.2 text models: tied embeddings, 128k context. The 1B also serves as a draft model.
  p.push_back({Llama("llama-3.2-1b", 16, 2048, 32, 8, 8192, 128256, 131072, true, bf16),
               {"meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-1B-Instruct", "llama3.2-1b",
                "llama-3.2-1b-instruct"},
               "meta-llama/Llama-3.2-1B",
               1'235'814'400});  // safetensors metadata of the repository
  p.push_back({Llama("llama-3.2-3b", 28, 3072, 24, 8, 8192, 128256, 131072, true, bf16),
               {"meta-llama/Llama-3.2-3B", "meta-llama/Llama-3.2-3B-Instruct", "llama3.2-3b",
                "llama-3.2-3b-instruct"},
               "meta-llama/Llama-3.2-3B",
               3'212'749'824});  // safetensors metadata of the repository

  // Code Llama 34B: Llama 2 architecture with GQA (8 KV heads), 16k context, rope_theta 1e6. The
  // Instruct release has the same config.
  p.push_back({Llama("codellama-34b", 48, 8192, 64, 8, 22016, 32000, 16384, false, bf16),
               {"codellama/CodeLlama-34b-hf", "meta-llama/CodeLlama-34b-hf", "codellama-34b-hf",
                "code-llama-34b", "codellama/CodeLlama-34b-Instruct-hf",
                "codellama-34b-instruct-hf", "codellama-34b-instruct"},
               "codellama/CodeLlama-34b-hf",
               33'743'970'304});  // safetensors metadata ("33.7B"); same tensors in its fine-tunes

  // Mistral 7B v0.1: sliding_window 4096 in config.json (the simulator attends the whole context).
  p.push_back({Llama("mistral-7b", 32, 4096, 32, 8, 14336, 32000, 32768, false, bf16),
               {"mistralai/Mistral-7B-v0.1", "mistral-7b-v0.1", "mistral7b"},
               "mistralai/Mistral-7B-v0.1",
               7'241'732'096});  // safetensors metadata (index total_size 14,483,464,192 bytes)

  // Qwen 2.5 (base repositories; the -Instruct ones declare a shorter max_position_embeddings).
  p.push_back({Qwen2("qwen2.5-7b", 28, 3584, 28, 4, 18944, 152064, 131072, false),
               {"Qwen/Qwen2.5-7B", "qwen25-7b", "qwen-2.5-7b"},
               "Qwen/Qwen2.5-7B",
               7'615'616'512});  // safetensors metadata of the repository
  p.push_back({Qwen2("qwen2.5-72b", 80, 8192, 64, 8, 29568, 152064, 131072, false),
               {"Qwen/Qwen2.5-72B", "qwen25-72b", "qwen-2.5-72b"},
               "Qwen/Qwen2.5-72B",
               72'706'203'648});  // safetensors metadata of the repository

  // Qwen3 32B: head_dim 128 decoupled from hidden/heads (64 x 128 = 8192 != 5120), per-head
  // RMSNorm on q and k, no attention biases.
  {
    ModelSpec s = Llama("qwen3-32b", 64, 5120, 64, 8, 25600, 151936, 40960, false, bf16);
    s.head_dim = 128;
    s.qk_norm = true;
    p.push_back({s,
                 {"Qwen/Qwen3-32B", "qwen-3-32b"},
                 "Qwen/Qwen3-32B",
                 32'762'123'264});  // safetensors metadata of the repository
  }

  // Qwen3 30B-A3B: Qwen3 attention (head_dim 128, q/k norms) over 48 MoE layers of 128 experts,
  // 8 routed per token (moe_intermediate_size 768; "mlp_only_layers": [], "decoder_sparse_step":
  // 1, so no dense FFN runs; intermediate_size 6144 is unused), no shared expert, untied head.
  // No exact published count found in the stored references ("30.5B" on the model card).
  {
    ModelSpec s = Llama("qwen3-30b-a3b", 48, 2048, 32, 4, 6144, 151936, 40960, false, bf16);
    s.head_dim = 128;
    s.qk_norm = true;
    s.num_experts = 128;
    s.experts_per_token = 8;
    s.moe_intermediate_size = 768;
    p.push_back({s, {"Qwen/Qwen3-30B-A3B", "qwen-3-30b-a3b"}, "Qwen/Qwen3-30B-A3B", 0});
  }

  // OPT: config.json says "torch_dtype": "float16". No exact published count was found in the
  // stored references for any OPT size (the paper and model cards say "6.7B", "13B", ...).
  // OPT-6.7B's 6,658,473,984 is the figure this project's task list gives for it; it equals the
  // count of the tensors OPTForCausalLM creates from this config (checked in presets_test).
  p.push_back({Opt("opt-6.7b", 32, 4096, 32, 16384),
               {"facebook/opt-6.7b", "opt6.7b", "opt-6b7"},
               "facebook/opt-6.7b",
               6'658'473'984});
  // No exact published count found (the paper and model card give "13B" only); 0 by convention.
  p.push_back(
      {Opt("opt-13b", 40, 5120, 40, 20480), {"facebook/opt-13b", "opt13b"}, "facebook/opt-13b", 0});
  // No exact published count found ("30B" only).
  p.push_back(
      {Opt("opt-30b", 48, 7168, 56, 28672), {"facebook/opt-30b", "opt30b"}, "facebook/opt-30b", 0});
  // OPT-175B is not on the Hub (weights by request through metaseq); shapes from the OPT paper
  // (Zhang et al. 2022, Table 1) with the OPT family's vocabulary and 2048 positions. No exact
  // published count ("175B" only).
  p.push_back({Opt("opt-175b", 96, 12288, 96, 49152),
               {"facebook/opt-175b", "opt175b"},
               "facebookresearch/metaseq (OPT-175B, not on the Hugging Face Hub)",
               0});

  // Phi-2: parallel attention and MLP on one LayerNorm, gelu_new, partial rotary (0.4 of each
  // head), biases on every linear including the untied LM head. "torch_dtype": "float16".
  {
    ModelSpec s;
    s.name = "phi-2";
    s.num_layers = 32;
    s.hidden_size = 2560;
    s.num_heads = 32;
    s.num_kv_heads = 32;
    s.head_dim = 80;
    s.intermediate_size = 10240;
    s.vocab_size = 51200;
    s.max_context = 2048;
    s.gated_ffn = false;
    s.activation = Activation::kGeluTanh;
    s.norm = NormType::kLayerNorm;
    s.qkv_bias = s.o_bias = s.mlp_bias = s.lm_head_bias = true;
    s.parallel_attn_mlp = true;
    s.tied_embeddings = false;
    s.position = PositionEmbedding::kPartialRope;
    s.rotary_fraction = 0.4;
    s.weight_dtype = s.activation_dtype = s.kv_dtype = fp16;
    p.push_back({s,
                 {"microsoft/phi-2", "phi2"},
                 "microsoft/phi-2",
                 2'779'683'840});  // safetensors metadata (F16 parameters)
  }

  // TinyLlama 1.1B (the chat v1.0 release, "torch_dtype": "bfloat16"; the base 3T checkpoint has
  // the same shapes in float32).
  p.push_back({Llama("tinyllama-1.1b", 22, 2048, 32, 4, 5632, 32000, 2048, false, bf16),
               {"TinyLlama/TinyLlama-1.1B-Chat-v1.0", "tinyllama", "tinyllama-1.1b-chat"},
               "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
               1'100'048'384});  // safetensors metadata of the repository

  // Qwen2.5 0.5B: a small draft model (tied embeddings).
  p.push_back({Qwen2("qwen2.5-0.5b", 24, 896, 14, 2, 4864, 151936, 32768, true),
               {"Qwen/Qwen2.5-0.5B", "qwen25-0.5b", "qwen-2.5-0.5b"},
               "Qwen/Qwen2.5-0.5B",
               494'032'768});  // safetensors metadata of the repository

  return p;
}

}  // namespace

const std::vector<ModelPreset>& ModelPresets() {
  static const std::vector<ModelPreset> presets = BuildPresets();
  return presets;
}

const ModelPreset* FindModelPreset(std::string_view name) {
  const std::string wanted = Lower(name);
  for (const ModelPreset& p : ModelPresets()) {
    if (Lower(p.spec.name) == wanted) return &p;
  }
  for (const ModelPreset& p : ModelPresets()) {
    for (const std::string& alias : p.aliases) {
      if (Lower(alias) == wanted) return &p;
    }
  }
  return nullptr;
}

const ModelSpec& ModelPresetOrThrow(std::string_view name, std::string_view source) {
  if (const ModelPreset* p = FindModelPreset(name)) return p->spec;
  // Suggest preset keys first; aliases (HF repo ids) only when no key is close.
  std::vector<std::string> keys, aliases;
  for (const ModelPreset& p : ModelPresets()) {
    keys.push_back(p.spec.name);
    for (const std::string& alias : p.aliases) aliases.push_back(alias);
  }
  std::string hint = DidYouMean(name, keys);
  if (hint.empty()) hint = DidYouMean(name, aliases);
  throw InputError(std::string(source) + ": unknown model '" + std::string(name) + "'" + hint +
                   "; run 'servesim list models'");
}

}  // namespace servesim
