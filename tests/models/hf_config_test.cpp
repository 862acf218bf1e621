#include "models/hf_config.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::ExpectInputError;

// config.json files as published on the Hugging Face Hub (trimmed of nothing but whitespace).

constexpr const char* kLlama2_7b = R"({
  "_name_or_path": "meta-llama/Llama-2-7b-hf",
  "architectures": [
    "LlamaForCausalLM"
  ],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 11008,
  "max_position_embeddings": 4096,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 32,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.31.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
})";

constexpr const char* kLlama32_1b = R"({
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "head_dim": 64,
  "hidden_act": "silu",
  "hidden_size": 2048,
  "initializer_range": 0.02,
  "intermediate_size": 8192,
  "max_position_embeddings": 131072,
  "mlp_bias": false,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 16,
  "num_key_value_heads": 8,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": {
    "factor": 32.0,
    "high_freq_factor": 4.0,
    "low_freq_factor": 1.0,
    "original_max_position_embeddings": 8192,
    "rope_type": "llama3"
  },
  "rope_theta": 500000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.45.0.dev0",
  "use_cache": true,
  "vocab_size": 128256
})";

constexpr const char* kMistral7b = R"({
  "architectures": [
    "MistralForCausalLM"
  ],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mistral",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "sliding_window": 4096,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.34.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
})";

constexpr const char* kQwen25_7b = R"({
  "architectures": [
    "Qwen2ForCausalLM"
  ],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151643,
  "hidden_act": "silu",
  "hidden_size": 3584,
  "initializer_range": 0.02,
  "intermediate_size": 18944,
  "max_position_embeddings": 131072,
  "max_window_layers": 28,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 28,
  "num_key_value_heads": 4,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "sliding_window": 131072,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.1",
  "use_cache": true,
  "use_mrope": false,
  "use_sliding_window": false,
  "vocab_size": 152064
})";

constexpr const char* kQwen25_05b = R"({
  "architectures": ["Qwen2ForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151643,
  "hidden_act": "silu",
  "hidden_size": 896,
  "initializer_range": 0.02,
  "intermediate_size": 4864,
  "max_position_embeddings": 32768,
  "max_window_layers": 24,
  "model_type": "qwen2",
  "num_attention_heads": 14,
  "num_hidden_layers": 24,
  "num_key_value_heads": 2,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "sliding_window": 32768,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.40.1",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 151936
})";

constexpr const char* kQwen3_32b = R"({
  "architectures": [
    "Qwen3ForCausalLM"
  ],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151645,
  "head_dim": 128,
  "hidden_act": "silu",
  "hidden_size": 5120,
  "initializer_range": 0.02,
  "intermediate_size": 25600,
  "max_position_embeddings": 40960,
  "max_window_layers": 64,
  "model_type": "qwen3",
  "num_attention_heads": 64,
  "num_hidden_layers": 64,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-06,
  "rope_scaling": null,
  "rope_theta": 1000000,
  "sliding_window": null,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.51.0",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 151936
})";

constexpr const char* kOpt6_7b = R"({
  "_name_or_path": "facebook/opt-6.7b",
  "_remove_final_layer_norm": false,
  "activation_dropout": 0.0,
  "activation_function": "relu",
  "architectures": [
    "OPTForCausalLM"
  ],
  "attention_dropout": 0.0,
  "bos_token_id": 2,
  "do_layer_norm_before": true,
  "dropout": 0.1,
  "eos_token_id": 2,
  "ffn_dim": 16384,
  "hidden_size": 4096,
  "init_std": 0.02,
  "layerdrop": 0.0,
  "max_position_embeddings": 2048,
  "model_type": "opt",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "pad_token_id": 1,
  "prefix": "</s>",
  "torch_dtype": "float16",
  "transformers_version": "4.21.0.dev0",
  "use_cache": true,
  "vocab_size": 50272,
  "word_embed_proj_dim": 4096
})";

constexpr const char* kPhi2 = R"({
  "_name_or_path": "microsoft/phi-2",
  "architectures": [
    "PhiForCausalLM"
  ],
  "attention_dropout": 0.0,
  "bos_token_id": 50256,
  "embd_pdrop": 0.0,
  "eos_token_id": 50256,
  "hidden_act": "gelu_new",
  "hidden_size": 2560,
  "initializer_range": 0.02,
  "intermediate_size": 10240,
  "layer_norm_eps": 1e-05,
  "max_position_embeddings": 2048,
  "model_type": "phi",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 32,
  "partial_rotary_factor": 0.4,
  "qk_layernorm": false,
  "resid_pdrop": 0.1,
  "rope_scaling": null,
  "rope_theta": 10000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.37.0",
  "use_cache": true,
  "vocab_size": 51200
})";

constexpr const char* kMixtral8x7b = R"({
  "architectures": [
    "MixtralForCausalLM"
  ],
  "attention_dropout": 0.0,
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mixtral",
  "num_attention_heads": 32,
  "num_experts_per_tok": 2,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "num_local_experts": 8,
  "output_router_logits": false,
  "rms_norm_eps": 1e-05,
  "rope_theta": 1000000.0,
  "router_aux_loss_coef": 0.02,
  "sliding_window": null,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.36.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
})";

constexpr const char* kPythia1_4b = R"({
  "architectures": [
    "GPTNeoXForCausalLM"
  ],
  "bos_token_id": 0,
  "eos_token_id": 0,
  "hidden_act": "gelu",
  "hidden_size": 2048,
  "initializer_range": 0.02,
  "intermediate_size": 8192,
  "layer_norm_eps": 1e-05,
  "max_position_embeddings": 2048,
  "model_type": "gpt_neox",
  "num_attention_heads": 16,
  "num_hidden_layers": 24,
  "rotary_emb_base": 10000,
  "rotary_pct": 0.25,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.24.0",
  "use_cache": true,
  "use_parallel_residual": true,
  "vocab_size": 50304
})";

// Shaped like Qwen/Qwen1.5-MoE-A2.7B.
constexpr const char* kQwen2Moe = R"({
  "architectures": ["Qwen2MoeForCausalLM"],
  "hidden_act": "silu",
  "hidden_size": 2048,
  "intermediate_size": 5632,
  "max_position_embeddings": 8192,
  "model_type": "qwen2_moe",
  "num_attention_heads": 16,
  "num_hidden_layers": 24,
  "num_key_value_heads": 16,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vocab_size": 151936,
  "decoder_sparse_step": 1,
  "moe_intermediate_size": 1408,
  "shared_expert_intermediate_size": 5632,
  "num_experts_per_tok": 4,
  "num_experts": 60
})";

void CheckSameShape(const ModelSpec& a, const ModelSpec& b) {
  CHECK(a.num_layers == b.num_layers);
  CHECK(a.hidden_size == b.hidden_size);
  CHECK(a.num_heads == b.num_heads);
  CHECK(a.num_kv_heads == b.num_kv_heads);
  CHECK(a.head_dim == b.head_dim);
  CHECK(a.intermediate_size == b.intermediate_size);
  CHECK(a.vocab_size == b.vocab_size);
  CHECK(a.max_context == b.max_context);
  CHECK(a.gated_ffn == b.gated_ffn);
  CHECK(a.activation == b.activation);
  CHECK(a.norm == b.norm);
  CHECK(a.qkv_bias == b.qkv_bias);
  CHECK(a.o_bias == b.o_bias);
  CHECK(a.mlp_bias == b.mlp_bias);
  CHECK(a.lm_head_bias == b.lm_head_bias);
  CHECK(a.qk_norm == b.qk_norm);
  CHECK(a.parallel_attn_mlp == b.parallel_attn_mlp);
  CHECK(a.tied_embeddings == b.tied_embeddings);
  CHECK(a.position == b.position);
  CHECK(a.learned_position_rows == b.learned_position_rows);
  CHECK(a.rotary_fraction == Approx(b.rotary_fraction));
  CHECK(a.num_experts == b.num_experts);
  CHECK(a.experts_per_token == b.experts_per_token);
  CHECK(a.moe_intermediate_size == b.moe_intermediate_size);
  CHECK(a.shared_expert_intermediate_size == b.shared_expert_intermediate_size);
  CHECK(a.weight_dtype == b.weight_dtype);
  CHECK(a.activation_dtype == b.activation_dtype);
  CHECK(a.kv_dtype == b.kv_dtype);
}

const ModelSpec& Preset(const std::string& name) { return ModelPresetOrThrow(name, "test"); }

using testing::TempDir;

std::string TextError(const std::string& text, const std::string& source = "cfg/config.json") {
  return ExpectInputError([&] { ModelSpecFromHfConfigText(text, source); });
}

TEST_CASE("hf config: real configs import to the preset shapes and published counts", "[models]") {
  struct Case {
    const char* text;
    const char* preset;
    int64_t published_params;
  };
  const Case cases[] = {
      {kLlama2_7b, "llama-2-7b", 6'738'415'616},     // REFERENCES.md section 2
      {kLlama32_1b, "llama-3.2-1b", 1'235'814'400},  // safetensors metadata
      {kMistral7b, "mistral-7b", 7'241'732'096},     // safetensors metadata
      {kQwen25_7b, "qwen2.5-7b", 7'615'616'512},     // safetensors metadata
      {kQwen25_05b, "qwen2.5-0.5b", 494'032'768},    // safetensors metadata
      {kQwen3_32b, "qwen3-32b", 32'762'123'264},     // safetensors metadata
      {kOpt6_7b, "opt-6.7b", 6'658'473'984},  // the catalog's figure (not independently found)
      {kPhi2, "phi-2", 2'779'683'840},        // safetensors metadata (F16)
  };
  for (const Case& c : cases) {
    INFO(c.preset);
    const ModelSpec spec =
        ModelSpecFromHfConfigText(c.text, std::string("hub/") + c.preset + "/config.json");
    CHECK(spec.name == c.preset);
    CheckSameShape(spec, Preset(c.preset));
    CHECK(CountParams(spec).Total() == c.published_params);
  }
}

TEST_CASE("hf config: MoE and GPT-NeoX families", "[models]") {
  SECTION("Mixtral 8x7B: 8 experts, top 2, published total 46,702,792,704") {
    const ModelSpec s = ModelSpecFromHfConfigText(kMixtral8x7b, "Mixtral-8x7B-v0.1/config.json");
    CHECK(s.num_experts == 8);
    CHECK(s.experts_per_token == 2);
    CHECK(s.moe_intermediate_size == 14336);
    CHECK(s.IsMoe());
    CHECK(s.num_kv_heads == 8);
    CHECK(CountParams(s).Total() == 46'702'792'704);  // safetensors metadata of the repository
    CHECK(CountParams(s).active < CountParams(s).Total());
  }
  SECTION("Qwen2-MoE: experts, shared expert, q/k/v biases") {
    const ModelSpec s = ModelSpecFromHfConfigText(kQwen2Moe, "config.json");
    CHECK(s.num_experts == 60);
    CHECK(s.experts_per_token == 4);
    CHECK(s.moe_intermediate_size == 1408);
    CHECK(s.shared_expert_intermediate_size == 5632);
    CHECK(s.intermediate_size == 5632);
    CHECK(s.qkv_bias);
    CHECK_FALSE(s.o_bias);
  }
  SECTION("Pythia 1.4B (GPT-NeoX): published total 1,414,647,808") {
    const ModelSpec s = ModelSpecFromHfConfigText(kPythia1_4b, "pythia-1.4b/config.json");
    // NeoX's parallel residual keeps two LayerNorms per layer, so it is not the shared-norm
    // parallel block of GPT-J and Phi.
    CHECK_FALSE(s.parallel_attn_mlp);
    CHECK(s.position == PositionEmbedding::kPartialRope);
    CHECK(s.rotary_fraction == Approx(0.25));
    CHECK(s.norm == NormType::kLayerNorm);
    CHECK(s.qkv_bias);
    CHECK(s.o_bias);
    CHECK(s.mlp_bias);
    CHECK_FALSE(s.lm_head_bias);
    CHECK_FALSE(s.tied_embeddings);
    CHECK(s.activation == Activation::kGelu);
    CHECK(s.weight_dtype == DType::kFp16);
    CHECK(CountParams(s).Total() == 1'414'647'808);  // Pythia README, "total params"
  }
}

TEST_CASE("hf config: defaults and optional keys", "[models]") {
  SECTION("num_key_value_heads absent means MHA; head_dim derived") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
            "num_hidden_layers": 32, "intermediate_size": 11008, "vocab_size": 32000,
            "max_position_embeddings": 4096})",
        "x");
    CHECK(s.num_kv_heads == 32);
    CHECK(s.head_dim == 128);
    CHECK_FALSE(s.tied_embeddings);
    CHECK(s.weight_dtype == DType::kBf16);  // no torch_dtype: bf16
    CHECK(s.name == "hf-config");
    CHECK(CountParams(s).Total() == 6'738'415'616);
  }
  SECTION("null values count as absent") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"model_type": "mistral", "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": null, "head_dim": null, "num_hidden_layers": 2,
            "intermediate_size": 14336, "vocab_size": 32000, "max_position_embeddings": 4096})",
        "x");
    CHECK(s.num_kv_heads == 32);
    CHECK(s.head_dim == 128);
  }
  SECTION("OPT ties its embeddings by default; Qwen3 has head_dim 128 by default") {
    std::string opt = kOpt6_7b;
    CHECK(ModelSpecFromHfConfigText(opt, "x").tied_embeddings);
    const ModelSpec q3 = ModelSpecFromHfConfigText(
        R"({"model_type": "qwen3", "hidden_size": 5120, "num_attention_heads": 64,
            "num_key_value_heads": 8, "num_hidden_layers": 64, "intermediate_size": 25600,
            "vocab_size": 151936, "max_position_embeddings": 40960})",
        "x");
    CHECK(q3.head_dim == 128);
    CHECK(q3.qk_norm);
  }
  SECTION("model_type absent: the architecture picks the family") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"architectures": ["MistralForCausalLM"], "hidden_size": 4096,
            "num_attention_heads": 32, "num_key_value_heads": 8, "num_hidden_layers": 32,
            "intermediate_size": 14336, "vocab_size": 32000, "max_position_embeddings": 32768,
            "torch_dtype": "bfloat16"})",
        "x");
    CheckSameShape(s, Preset("mistral-7b"));
  }
  SECTION("the newer 'dtype' spelling of torch_dtype") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
            "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100,
            "max_position_embeddings": 128, "dtype": "float32"})",
        "x");
    CHECK(s.weight_dtype == DType::kFp32);
    CHECK(s.kv_dtype == DType::kFp32);
  }
  SECTION("llama attention_bias puts biases on q, k, v and o") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
            "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100,
            "max_position_embeddings": 128, "attention_bias": true, "mlp_bias": true})",
        "x");
    CHECK(s.qkv_bias);
    CHECK(s.o_bias);
    CHECK(s.mlp_bias);
  }
  SECTION("minified JSON") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        R"({"model_type":"llama","hidden_size":64,"num_attention_heads":4,"num_hidden_layers":2,)"
        R"("intermediate_size":128,"vocab_size":100,"max_position_embeddings":128})",
        "x");
    CHECK(s.hidden_size == 64);
  }
}

TEST_CASE("hf config: quantization_config", "[models]") {
  const std::string base =
      R"({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
          "num_hidden_layers": 32, "intermediate_size": 11008, "vocab_size": 32000,
          "max_position_embeddings": 4096, "torch_dtype": "float16", "quantization_config": )";
  SECTION("GPTQ 4-bit, group 128 (TheBloke/Llama-2-7B-GPTQ)") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        base + R"({"bits": 4, "group_size": 128, "damp_percent": 0.01, "desc_act": false,
                   "sym": true, "true_sequential": true, "model_name_or_path": null,
                   "model_file_base_name": "model", "quant_method": "gptq"}})",
        "x");
    CHECK(s.weight_dtype == DType::kInt4);
    CHECK(s.weight_group_size == 128);
    CHECK(s.activation_dtype == DType::kFp16);
    CHECK(s.kv_dtype == DType::kFp16);
    CHECK(CountParams(s).Total() == 6'738'415'616);
  }
  SECTION("AWQ 4-bit, group 64") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        base + R"({"quant_method": "awq", "zero_point": true, "group_size": 64, "bits": 4,
                   "version": "gemm"}})",
        "x");
    CHECK(s.weight_dtype == DType::kInt4);
    CHECK(s.weight_group_size == 64);
  }
  SECTION("GPTQ group_size -1 means per-channel scales; 8 bits means int8") {
    const ModelSpec s = ModelSpecFromHfConfigText(
        base + R"({"quant_method": "gptq", "bits": 8, "group_size": -1}})", "x");
    CHECK(s.weight_dtype == DType::kInt8);
    CHECK(s.weight_group_size == 0);
  }
  SECTION("unsupported bits and methods are errors naming the key") {
    CHECK(Contains(TextError(base + R"({"quant_method": "gptq", "bits": 3}})"),
                   "quantization_config.bits"));
    CHECK(Contains(TextError(base + R"({"quant_method": "bitsandbytes"}})"),
                   "quantization_config.quant_method"));
    CHECK(Contains(TextError(base + R"({"bits": 4}})"), "quantization_config.quant_method"));
    CHECK(Contains(TextError(base + R"("gptq"})"), "quantization_config"));
  }
}

TEST_CASE("hf config: files, directories, names and the byte-order mark", "[models]") {
  TempDir dir;
  SECTION("a file: the spec is named after its directory") {
    const std::string path = dir.Write("Llama-2-7b-hf/config.json", kLlama2_7b);
    const ModelSpec s = ModelSpecFromHfConfigFile(path);
    CHECK(s.name == "Llama-2-7b-hf");
    CheckSameShape(s, Preset("llama-2-7b"));
  }
  SECTION("a directory means its config.json") {
    dir.Write("Mistral-7B-v0.1/config.json", kMistral7b);
    const ModelSpec s = ModelSpecFromHfConfigFile((dir.path() / "Mistral-7B-v0.1").string());
    CHECK(s.name == "Mistral-7B-v0.1");
    CheckSameShape(s, Preset("mistral-7b"));
  }
  SECTION("a UTF-8 byte-order mark and CRLF line ends are accepted") {
    std::string text = kPhi2;
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    const std::string path = dir.Write("phi-2/config.json", "\xEF\xBB\xBF" + crlf);
    const ModelSpec s = ModelSpecFromHfConfigFile(path);
    CheckSameShape(s, Preset("phi-2"));
  }
  SECTION("a nonexistent file names the path") {
    const std::string path = (dir.path() / "nope" / "config.json").string();
    const std::string msg = ExpectInputError([&] { ModelSpecFromHfConfigFile(path); });
    CHECK(Contains(msg, path));
    CHECK(Contains(msg, "not found"));
  }
  SECTION("an empty file names the path") {
    const std::string path = dir.Write("empty/config.json", "");
    const std::string msg = ExpectInputError([&] { ModelSpecFromHfConfigFile(path); });
    CHECK(Contains(msg, path));
    CHECK(Contains(msg, "empty"));
  }
  SECTION("binary junk names the path") {
    const std::string junk("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    const std::string path = dir.Write("junk/config.json", junk);
    const std::string msg = ExpectInputError([&] { ModelSpecFromHfConfigFile(path); });
    CHECK(Contains(msg, path));
    CHECK(Contains(msg, "not a JSON object"));
  }
}

TEST_CASE("hf config: malformed configs are InputErrors naming the file and the key", "[models]") {
  const std::string src = "bad/config.json";
  // A valid llama config with one key replaced: {"key": value} merged over the base.
  auto with = [](const std::string& key, const std::string& value) {
    std::string text =
        R"({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": 8, "num_hidden_layers": 32, "intermediate_size": 14336,
            "vocab_size": 32000, "max_position_embeddings": 4096})";
    const std::string needle = "\"" + key + "\": ";
    const size_t at = text.find(needle);
    if (at == std::string::npos)
      return text.substr(0, text.size() - 1) + ", " + needle + value + "}";
    const size_t end = text.find_first_of(",}", at);
    return text.substr(0, at) + needle + value + text.substr(end);
  };
  auto without = [](const std::string& key) {
    std::string text =
        R"({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
            "num_hidden_layers": 32, "intermediate_size": 14336, "vocab_size": 32000,
            "max_position_embeddings": 4096, "torch_dtype": "bfloat16"})";
    const size_t at = text.find("\"" + key + "\"");
    const size_t end = text.find(',', at);
    return text.substr(0, at) + text.substr(end + 1);
  };
  // Sanity: the base is valid.
  REQUIRE_NOTHROW(ModelSpecFromHfConfigText(with("hidden_size", "4096"), src));

  struct Case {
    std::string name;
    std::string text;
    std::vector<std::string> must_contain;
  };
  const std::vector<Case> cases = {
      {"YAML, not JSON", "model_type: llama\nhidden_size: 4096\n", {src, "not a JSON object"}},
      {"array at the top level", "[{\"hidden_size\": 4096}]", {src, "not a JSON object", "'['"}},
      {"a bare number", "42", {src, "not a JSON object"}},
      {"empty text", "", {src, "empty"}},
      {"whitespace only", "  \n\t\n", {src, "empty"}},
      {"binary junk", std::string("\x00\x01\x02\xff\xfe", 5), {src, "not a JSON object", "0x00"}},
      {"junk after '{'", std::string("{\x00\x01", 3), {src, "NUL"}},
      {"missing comma",
       "{\n  \"model_type\": \"llama\"\n  \"hidden_size\": 4096\n}",
       {src, "malformed JSON at line"}},
      {"unterminated string", "{\"model_type\": \"llama}", {src, "malformed JSON"}},
      {"text after the object", with("hidden_size", "4096") + " trailing", {src, "after"}},
      {"empty member", "{\"model_type\": \"llama\",,}", {src, "keys must be strings"}},
      {"missing hidden_size", without("hidden_size"), {src, "hidden_size", "missing"}},
      {"missing num_hidden_layers", without("num_hidden_layers"), {src, "num_hidden_layers"}},
      {"missing vocab_size", without("vocab_size"), {src, "vocab_size"}},
      {"missing max_position_embeddings",
       without("max_position_embeddings"),
       {src, "max_position_embeddings"}},
      {"null hidden_size", with("hidden_size", "null"), {src, "hidden_size", "missing"}},
      {"string where int expected",
       with("hidden_size", "\"4096\""),
       {src, "'hidden_size'", "positive integer", "string \"4096\""}},
      {"float where int expected",
       with("intermediate_size", "11008.5"),
       {src, "intermediate_size", "11008.5"}},
      {"boolean where int expected",
       with("num_hidden_layers", "true"),
       {src, "num_hidden_layers", "boolean"}},
      {"object where int expected",
       with("vocab_size", "{\"a\": 1}"),
       {src, "vocab_size", "an object"}},
      {"negative layers", with("num_hidden_layers", "-32"), {src, "num_hidden_layers", "-32"}},
      {"zero hidden size", with("hidden_size", "0"), {src, "hidden_size", "positive"}},
      {"zero heads", with("num_attention_heads", "0"), {src, "num_attention_heads"}},
      {"negative vocab", with("vocab_size", "-1"), {src, "vocab_size"}},
      {"out of range", with("vocab_size", "99999999999999999999999"), {src, "vocab_size", "range"}},
      {"implausibly large",
       with("num_hidden_layers", "999999999999"),
       {src, "num_hidden_layers", "implausibly large"}},
      {"heads not dividing hidden",
       with("num_attention_heads", "48"),
       {src, "hidden_size", "num_attention_heads", "head_dim"}},
      {"kv heads not dividing heads",
       with("num_key_value_heads", "5"),
       {src, "num_key_value_heads", "num_attention_heads"}},
      {"more kv heads than heads", with("num_key_value_heads", "64"), {src, "num_key_value_heads"}},
      {"unknown model_type",
       with("model_type", "\"gpt2\""),
       {src, "model_type", "'gpt2'", "supported", "llama", "opt", "phi"}},
      {"misspelled model_type", with("model_type", "\"lama\""), {src, "did you mean 'llama'"}},
      {"model_type not a string", with("model_type", "7"), {src, "model_type", "a string"}},
      {"no model_type, unknown architecture",
       without("model_type").insert(1, "\"architectures\": [\"GPT2LMHeadModel\"], "),
       {src, "model_type", "GPT2LMHeadModel"}},
      {"no model_type at all", without("model_type"), {src, "model_type"}},
      {"unknown torch_dtype", with("torch_dtype", "\"float64\""), {src, "torch_dtype", "float64"}},
      {"torch_dtype not a string", with("torch_dtype", "16"), {src, "torch_dtype"}},
      {"unknown activation", with("hidden_act", "\"swiglu\""), {src, "hidden_act", "swiglu"}},
      {"boolean key not a boolean",
       with("tie_word_embeddings", "\"yes\""),
       {src, "tie_word_embeddings", "true or false"}},
      {"bad head_dim", with("head_dim", "-128"), {src, "head_dim"}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string msg = TextError(c.text, src);
    INFO(msg);
    CHECK(msg.find('\n') == std::string::npos);
    for (const std::string& piece : c.must_contain) CHECK(Contains(msg, piece));
  }
}

TEST_CASE("hf config: family-specific errors", "[models]") {
  SECTION("OPT-350m's embedding projection is not modeled") {
    std::string text = kOpt6_7b;
    text.replace(text.find("\"word_embed_proj_dim\": 4096"), 27, "\"word_embed_proj_dim\": 512");
    const std::string msg = TextError(text);
    CHECK(Contains(msg, "word_embed_proj_dim"));
    CHECK(Contains(msg, "512"));
  }
  SECTION("more experts per token than experts") {
    std::string text = kMixtral8x7b;
    text.replace(text.find("\"num_experts_per_tok\": 2"), 24, "\"num_experts_per_tok\": 9");
    CHECK(Contains(TextError(text), "num_experts_per_tok"));
  }
  SECTION("missing expert count") {
    std::string text = kMixtral8x7b;
    text.replace(text.find("\"num_local_experts\": 8,"), 23, "");
    CHECK(Contains(TextError(text), "num_local_experts"));
  }
  SECTION("Phi partial_rotary_factor out of range") {
    std::string text = kPhi2;
    text.replace(text.find("\"partial_rotary_factor\": 0.4"), 28, "\"partial_rotary_factor\": 1.5");
    CHECK(Contains(TextError(text), "partial_rotary_factor"));
  }
}

TEST_CASE("hf config: supported model types are listed", "[models]") {
  const auto& types = HfSupportedModelTypes();
  for (const char* t : {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe",
                        "opt", "gpt_neox", "phi"}) {
    CHECK(std::find(types.begin(), types.end(), t) != types.end());
  }
}

}  // namespace
}  // namespace servesim
