#include "models/model_yaml.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;

constexpr const char* kSource = "scenario.yaml: model";

ModelSpec FromYaml(const std::string& yaml, const std::string& base_dir = "") {
  return ModelSpecFromYaml(YAML::Load(yaml), kSource, base_dir);
}

std::string ErrorOf(const std::string& yaml, const std::string& base_dir = "") {
  try {
    FromYaml(yaml, base_dir);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError for: " << yaml);
  return "";
}

const ModelSpec& Preset(const std::string& name) { return ModelPresetOrThrow(name, "test"); }

using testing::TempDir;

constexpr const char* kMistralConfig = R"({
  "architectures": ["MistralForCausalLM"],
  "hidden_act": "silu",
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mistral",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "sliding_window": 4096,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vocab_size": 32000
})";

TEST_CASE("model yaml: a scalar names a preset", "[models]") {
  const ModelSpec s = FromYaml("llama-3.1-8b");
  CHECK(s.name == "llama-3.1-8b");
  CHECK(s.num_layers == Preset("llama-3.1-8b").num_layers);
  CHECK(FromYaml("meta-llama/Llama-2-7b-hf").name == "llama-2-7b");
  CHECK(FromYaml("LLAMA-2-7B").name == "llama-2-7b");
  const std::string msg = ErrorOf("llama-2-7");
  CHECK(Contains(msg, "scenario.yaml: model: unknown model 'llama-2-7'"));
  CHECK(Contains(msg, "did you mean"));
  CHECK(Contains(msg, "'llama-2-7b'"));
}

TEST_CASE("model yaml: a preset with overrides", "[models]") {
  SECTION("plain overrides") {
    const ModelSpec s = FromYaml("{preset: llama-2-7b, max_context: 8192, qkv_bias: true}");
    CHECK(s.name == "llama-2-7b");
    CHECK(s.max_context == 8192);
    CHECK(s.qkv_bias);
    CHECK(s.num_layers == 32);
    CHECK(s.head_dim == 128);
  }
  SECTION("name, enums, fraction, group size") {
    const ModelSpec s = FromYaml(
        "preset: llama-2-7b\nname: my-7b\nactivation: gelu_tanh\nnorm: layernorm\n"
        "position: partial_rope\nrotary_fraction: 0.5\nweight_dtype: int4\nweight_group_size: "
        "64\n");
    CHECK(s.name == "my-7b");
    CHECK(s.activation == Activation::kGeluTanh);
    CHECK(s.norm == NormType::kLayerNorm);
    CHECK(s.position == PositionEmbedding::kPartialRope);
    CHECK(s.rotary_fraction == Approx(0.5));
    CHECK(s.weight_dtype == DType::kInt4);
    CHECK(s.weight_group_size == 64);
  }
  SECTION("dtype sets all three; a specific key wins whatever the order") {
    const ModelSpec s = FromYaml("{preset: llama-2-7b, kv_dtype: fp8, dtype: bf16}");
    CHECK(s.weight_dtype == DType::kBf16);
    CHECK(s.activation_dtype == DType::kBf16);
    CHECK(s.kv_dtype == DType::kFp8);
    const ModelSpec t = FromYaml("{preset: opt-6.7b, dtype: float16, weight_dtype: int8}");
    CHECK(t.weight_dtype == DType::kInt8);
    CHECK(t.activation_dtype == DType::kFp16);
  }
  SECTION("changing hidden_size or num_heads recomputes head_dim") {
    CHECK(FromYaml("{preset: llama-2-7b, hidden_size: 2048}").head_dim == 64);
    CHECK(FromYaml("{preset: llama-2-7b, num_heads: 16, num_kv_heads: 16}").head_dim == 256);
    CHECK(FromYaml("{preset: llama-2-7b, hidden_size: 2048, head_dim: 128}").head_dim == 128);
  }
  SECTION("other overrides keep a decoupled head_dim") {
    const ModelSpec s = FromYaml("{preset: qwen3-32b, num_layers: 4}");
    CHECK(s.head_dim == 128);
    CHECK(s.num_layers == 4);
  }
  SECTION("heads that do not divide hidden need an explicit head_dim") {
    const std::string msg = ErrorOf("{preset: llama-2-7b, hidden_size: 4100}");
    CHECK(Contains(msg, "hidden_size (4100)"));
    CHECK(Contains(msg, "num_heads (32)"));
    CHECK(Contains(msg, "head_dim"));
  }
  SECTION("the result is validated") {
    const std::string msg = ErrorOf("{preset: llama-2-7b, num_kv_heads: 5}");
    CHECK(Contains(msg, kSource));
    CHECK(Contains(msg, "num_kv_heads"));
    CHECK(Contains(ErrorOf("{preset: llama-2-7b, rotary_fraction: 1.5}"), "rotary_fraction"));
    CHECK(Contains(ErrorOf("{preset: llama-2-7b, num_experts: 4, experts_per_token: 8}"),
                   "experts_per_token"));
  }
  SECTION("an unknown preset names the preset key") {
    const std::string msg = ErrorOf("{preset: mistral-8b}");
    CHECK(Contains(msg, "model.preset: unknown model 'mistral-8b'"));
    CHECK(Contains(msg, "did you mean 'mistral-7b'"));
  }
}

TEST_CASE("model yaml: a full map without a base", "[models]") {
  const ModelSpec s = FromYaml(
      "num_layers: 32\nhidden_size: 4096\nnum_heads: 32\nintermediate_size: 11008\n"
      "vocab_size: 32000\nmax_context: 4096\n");
  CHECK(s.name == "custom");
  CHECK(s.num_kv_heads == 32);
  CHECK(s.head_dim == 128);
  // The LLaMA-style defaults of ModelSpec give Llama-2-7B's exact count (REFERENCES.md).
  CHECK(CountParams(s).Total() == 6'738'415'616);

  const ModelSpec opt = FromYaml(
      "{name: my-opt, num_layers: 32, hidden_size: 4096, num_heads: 32, intermediate_size: 16384,"
      " vocab_size: 50272, max_context: 2048, gated_ffn: false, activation: relu, norm: layernorm,"
      " qkv_bias: true, o_bias: true, mlp_bias: true, tied_embeddings: true, position: learned,"
      " learned_position_rows: 2050, dtype: fp16}");
  CHECK(opt.name == "my-opt");
  CHECK(CountParams(opt).Total() == 6'658'473'984);

  const std::string msg = ErrorOf("{num_layers: 2, hidden_size: 64}");
  CHECK(Contains(msg, kSource));
  CHECK(Contains(msg, "missing required key 'num_heads'"));
}

TEST_CASE("model yaml: hf_config", "[models]") {
  TempDir dir;
  dir.Write("Mistral-7B-v0.1/config.json", kMistralConfig);
  const std::string path = (dir.path() / "Mistral-7B-v0.1" / "config.json").string();
  SECTION("absolute path, with overrides") {
    const ModelSpec s = FromYaml("{hf_config: '" + path + "', dtype: fp16, max_context: 8192}");
    CHECK(s.name == "Mistral-7B-v0.1");
    CHECK(s.num_kv_heads == 8);
    CHECK(s.max_context == 8192);
    CHECK(s.weight_dtype == DType::kFp16);
    CHECK(CountParams(s).Total() == 7'241'732'096);
  }
  SECTION("relative path resolved against the scenario's directory") {
    const ModelSpec s = FromYaml("{hf_config: Mistral-7B-v0.1/config.json}", dir.path().string());
    CHECK(s.num_layers == 32);
    const ModelSpec d = FromYaml("{hf_config: Mistral-7B-v0.1}", dir.path().string());
    CHECK(d.num_layers == 32);
  }
  SECTION("a missing file names the key and the path") {
    const std::string msg = ErrorOf("{hf_config: nope/config.json}", dir.path().string());
    CHECK(Contains(msg, "scenario.yaml: model.hf_config:"));
    CHECK(Contains(msg, "nope"));
  }
  SECTION("a broken config names the key, the file and the config key") {
    dir.Write("broken/config.json", R"({"model_type": "llama", "hidden_size": "big"})");
    const std::string msg = ErrorOf("{hf_config: broken/config.json}", dir.path().string());
    CHECK(Contains(msg, "model.hf_config:"));
    CHECK(Contains(msg, "config.json"));
    CHECK(Contains(msg, "num_hidden_layers"));
  }
  SECTION("preset and hf_config together are an error") {
    CHECK(Contains(ErrorOf("{preset: llama-2-7b, hf_config: '" + path + "'}"), "not both"));
  }
}

TEST_CASE("model yaml: bad keys and values name source.key", "[models]") {
  struct Case {
    std::string yaml;
    std::vector<std::string> must_contain;
  };
  const std::vector<Case> cases = {
      {"{preset: llama-2-7b, num_layer: 3}",
       {"scenario.yaml: model: unknown key 'num_layer'", "did you mean 'num_layers'"}},
      {"{preset: llama-2-7b, kv_type: fp8}", {"unknown key 'kv_type'", "'kv_dtype'"}},
      {"{preset: llama-2-7b, num_layers: abc}",
       {"scenario.yaml: model.num_layers: expected a positive integer, found 'abc'"}},
      {"{preset: llama-2-7b, num_layers: 3.5}", {"model.num_layers", "'3.5'"}},
      {"{preset: llama-2-7b, num_layers: true}", {"model.num_layers", "'true'"}},
      {"{preset: llama-2-7b, num_layers: 0}", {"model.num_layers", "positive integer"}},
      {"{preset: llama-2-7b, num_layers: -4}", {"model.num_layers", "'-4'"}},
      {"{preset: llama-2-7b, num_layers: [1, 2]}", {"model.num_layers", "a list"}},
      {"{preset: llama-2-7b, num_layers: {a: 1}}", {"model.num_layers", "a map"}},
      {"{preset: llama-2-7b, num_layers: }", {"model.num_layers", "null"}},
      {"{preset: llama-2-7b, vocab_size: 99999999999999999999999}", {"model.vocab_size", "range"}},
      {"{preset: llama-2-7b, qkv_bias: 3}", {"model.qkv_bias", "true or false", "'3'"}},
      {"{preset: llama-2-7b, activation: swiglu}",
       {"model.activation", "silu, gelu, gelu_tanh, relu", "'swiglu'", "did you mean 'silu'"}},
      {"{preset: llama-2-7b, norm: batchnorm}", {"model.norm", "layernorm, rmsnorm"}},
      {"{preset: llama-2-7b, position: rotary}", {"model.position", "'rotary'"}},
      {"{preset: llama-2-7b, dtype: float64}", {"model.dtype", "bf16", "'float64'"}},
      {"{preset: llama-2-7b, weight_dtype: int3}", {"model.weight_dtype", "'int3'"}},
      {"{preset: llama-2-7b, rotary_fraction: abc}", {"model.rotary_fraction", "a number"}},
      {"{preset: llama-2-7b, weight_group_size: -1}", {"model.weight_group_size"}},
      {"{preset: llama-2-7b, name: [a]}", {"model.name"}},
      {"{preset: [llama-2-7b]}", {"model.preset", "a list"}},
      {"{hf_config: {path: x}}", {"model.hf_config", "a map"}},
      {"[llama-2-7b]", {"scenario.yaml: model: expected a model preset name or a map", "a list"}},
      {"~", {"scenario.yaml: model: expected a model preset name or a map, found null"}},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    const std::string msg = ErrorOf(c.yaml);
    INFO(msg);
    CHECK(msg.find('\n') == std::string::npos);
    for (const std::string& piece : c.must_contain) CHECK(Contains(msg, piece));
  }
}

TEST_CASE("model yaml: the field list covers ModelSpec", "[models]") {
  const auto& names = ModelYamlFieldNames();
  for (const char* key : {"preset",
                          "hf_config",
                          "dtype",
                          "name",
                          "num_layers",
                          "hidden_size",
                          "num_heads",
                          "num_kv_heads",
                          "head_dim",
                          "intermediate_size",
                          "vocab_size",
                          "max_context",
                          "gated_ffn",
                          "activation",
                          "norm",
                          "qkv_bias",
                          "o_bias",
                          "mlp_bias",
                          "lm_head_bias",
                          "qk_norm",
                          "parallel_attn_mlp",
                          "tied_embeddings",
                          "position",
                          "learned_position_rows",
                          "rotary_fraction",
                          "num_experts",
                          "experts_per_token",
                          "moe_intermediate_size",
                          "shared_expert_intermediate_size",
                          "weight_dtype",
                          "activation_dtype",
                          "kv_dtype",
                          "weight_group_size"}) {
    INFO(key);
    CHECK(std::find(names.begin(), names.end(), key) != names.end());
  }
  CHECK(names.size() == 33);
}

}  // namespace
}  // namespace servesim
