#include "models/presets.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "models/arithmetic.h"
#include "models/input_error.h"
#include "tests/support/input_error.h"

namespace servesim {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const ModelSpec& Preset(const std::string& name) { return ModelPresetOrThrow(name, "test"); }

// Parameter counts as their publishers report them, written out here so the test does not trust
// the catalog's own field. Sources: REFERENCES.md section 2 (Llama 2 and Llama 3), otherwise the
// safetensors metadata of the Hugging Face repository (Mistral 7B: index total_size
// 14,483,464,192 bytes = 2 x 7,241,732,096). OPT-6.7B's figure comes with the task list; no
// published exact count for it was found.
const std::map<std::string, int64_t> kPublishedParams = {
    {"llama-2-7b", 6'738'415'616},     {"llama-2-13b", 13'015'864'320},
    {"llama-2-70b", 68'976'648'192},   {"llama-3-8b", 8'030'261'248},
    {"llama-3-70b", 70'553'706'496},   {"llama-3.1-8b", 8'030'261'248},
    {"llama-3.1-70b", 70'553'706'496}, {"llama-3.2-1b", 1'235'814'400},
    {"llama-3.2-3b", 3'212'749'824},   {"codellama-34b", 33'743'970'304},
    {"mistral-7b", 7'241'732'096},     {"qwen2.5-7b", 7'615'616'512},
    {"qwen2.5-72b", 72'706'203'648},   {"qwen3-32b", 32'762'123'264},
    {"opt-6.7b", 6'658'473'984},       {"phi-2", 2'779'683'840},
    {"tinyllama-1.1b", 1'100'048'384}, {"qwen2.5-0.5b", 494'032'768},
};

TEST_CASE("model presets: exact parameter counts of the REFERENCES.md oracles", "[models]") {
  CHECK(CountParams(Preset("llama-2-7b")).Total() == 6'738'415'616);
  CHECK(CountParams(Preset("llama-2-13b")).Total() == 13'015'864'320);
  CHECK(CountParams(Preset("llama-2-70b")).Total() == 68'976'648'192);
  CHECK(CountParams(Preset("llama-3-8b")).Total() == 8'030'261'248);
  CHECK(CountParams(Preset("llama-3-70b")).Total() == 70'553'706'496);
}

TEST_CASE("model presets: every published count is reproduced exactly", "[models]") {
  for (const auto& [name, published] : kPublishedParams) {
    INFO(name);
    const ModelPreset* p = FindModelPreset(name);
    REQUIRE(p != nullptr);
    CHECK(p->official_params == published);
    CHECK(CountParams(p->spec).Total() == published);
  }
}

TEST_CASE("model presets: the catalog field agrees with the arithmetic for every preset",
          "[models]") {
  for (const ModelPreset& p : ModelPresets()) {
    INFO(p.spec.name);
    if (p.official_params > 0) {
      CHECK(CountParams(p.spec).Total() == p.official_params);
      CHECK(kPublishedParams.count(p.spec.name) == 1);
    }
  }
}

TEST_CASE("model presets: OPT without a published exact count are near their nominal size",
          "[models]") {
  // The OPT paper gives 13B, 30B and 175B; the exact totals follow from the shapes.
  CHECK(CountParams(Preset("opt-13b")).Total() == 12'853'473'280);
  CHECK(CountParams(Preset("opt-30b")).Total() == 29'974'540'288);
  CHECK(CountParams(Preset("opt-175b")).Total() == 174'604'468'224);
  CHECK(FindModelPreset("opt-175b")->official_params == 0);
}

TEST_CASE("model presets: every preset validates and names are unique", "[models]") {
  REQUIRE(ModelPresets().size() >= 21);
  std::set<std::string> seen;
  for (const ModelPreset& p : ModelPresets()) {
    INFO(p.spec.name);
    CHECK_NOTHROW(ValidateModelSpec(p.spec, p.spec.name));
    CHECK(!p.source.empty());
    CHECK(p.spec.max_context > 0);
    CHECK(seen.insert(Lower(p.spec.name)).second);
    for (const std::string& alias : p.aliases) {
      INFO(alias);
      CHECK(seen.insert(Lower(alias)).second);
    }
    // Every preset is reachable by its source repository id (OPT-175B is not on the Hub but keeps
    // the facebook/opt-175b name as an alias).
    if (p.spec.name != "opt-175b") CHECK(FindModelPreset(p.source) == &p);
  }
}

TEST_CASE("model presets: lookup is case-insensitive over keys and aliases", "[models]") {
  const ModelPreset* p = FindModelPreset("llama-2-7b");
  REQUIRE(p != nullptr);
  CHECK(FindModelPreset("LLAMA-2-7B") == p);
  CHECK(FindModelPreset("meta-llama/Llama-2-7b-hf") == p);
  CHECK(FindModelPreset("META-LLAMA/LLAMA-2-7B-HF") == p);
  CHECK(FindModelPreset("llama2-7b") == p);
  CHECK(FindModelPreset("Qwen/Qwen3-32B") == FindModelPreset("qwen3-32b"));
  CHECK(FindModelPreset("mistralai/Mistral-7B-v0.1") == FindModelPreset("mistral-7b"));
  CHECK(FindModelPreset("facebook/opt-6.7b") == FindModelPreset("opt-6.7b"));
  CHECK(FindModelPreset("microsoft/phi-2") == FindModelPreset("phi-2"));
  CHECK(FindModelPreset("no-such-model") == nullptr);
  CHECK(FindModelPreset("") == nullptr);
}

TEST_CASE("model presets: unknown names throw with a suggestion", "[models]") {
  {
    const std::string msg =
        testing::ExpectInputError([&] { ModelPresetOrThrow("llama-2-7", "--model"); });
    CHECK(msg.rfind("--model: unknown model 'llama-2-7'", 0) == 0);
    CHECK(msg.find("did you mean") != std::string::npos);
    CHECK(msg.find("'llama-2-7b'") != std::string::npos);
    CHECK(msg.find("run 'servesim list models'") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  {
    const std::string msg = testing::ExpectInputError(
        [&] { ModelPresetOrThrow("zzzzzzzzzzzz", "scenario.yaml: model"); });
    CHECK(msg.find("scenario.yaml: model: unknown model 'zzzzzzzzzzzz'") == 0);
    CHECK(msg.find("did you mean") == std::string::npos);
  }
}

TEST_CASE("model presets: family conventions", "[models]") {
  SECTION("OPT: LayerNorm, biases, ReLU, learned positions with 2 extra rows, tied, fp16") {
    const ModelSpec& s = Preset("opt-6.7b");
    CHECK(s.norm == NormType::kLayerNorm);
    CHECK(s.qkv_bias);
    CHECK(s.o_bias);
    CHECK(s.mlp_bias);
    CHECK_FALSE(s.gated_ffn);
    CHECK(s.activation == Activation::kRelu);
    CHECK(s.position == PositionEmbedding::kLearned);
    CHECK(s.learned_position_rows == 2050);
    CHECK(s.tied_embeddings);
    CHECK(s.weight_dtype == DType::kFp16);
    const ModelSpec& big = Preset("opt-175b");
    CHECK(big.hidden_size == 12288);
    CHECK(big.num_layers == 96);
    CHECK(big.num_heads == 96);
    CHECK(big.intermediate_size == 49152);
    CHECK(big.vocab_size == 50272);
    CHECK(big.max_context == 2048);
  }
  SECTION("Phi-2: parallel block, partial rotary, biases including the LM head, untied") {
    const ModelSpec& s = Preset("phi-2");
    CHECK(s.parallel_attn_mlp);
    CHECK(s.norm == NormType::kLayerNorm);
    CHECK(s.activation == Activation::kGeluTanh);
    CHECK_FALSE(s.gated_ffn);
    CHECK(s.lm_head_bias);
    CHECK(s.position == PositionEmbedding::kPartialRope);
    CHECK(s.rotary_fraction == Approx(0.4));
    CHECK_FALSE(s.tied_embeddings);
    CHECK(s.weight_dtype == DType::kFp16);
  }
  SECTION("Qwen: q/k/v biases only; tied only for the small one; Qwen3 decoupled head_dim") {
    CHECK(Preset("qwen2.5-7b").qkv_bias);
    CHECK_FALSE(Preset("qwen2.5-7b").o_bias);
    CHECK_FALSE(Preset("qwen2.5-7b").tied_embeddings);
    CHECK(Preset("qwen2.5-0.5b").tied_embeddings);
    const ModelSpec& q3 = Preset("qwen3-32b");
    CHECK(q3.qk_norm);
    CHECK(q3.head_dim == 128);
    CHECK(q3.QDim() == 8192);
    CHECK(q3.hidden_size == 5120);
    CHECK_FALSE(q3.qkv_bias);
  }
  SECTION("Llama 3.2 ties its embeddings; dtypes follow torch_dtype") {
    CHECK(Preset("llama-3.2-1b").tied_embeddings);
    CHECK(Preset("llama-3.2-1b").head_dim == 64);
    CHECK(Preset("llama-3.2-3b").tied_embeddings);
    CHECK(Preset("llama-2-7b").weight_dtype == DType::kFp16);
    CHECK(Preset("llama-3.1-8b").weight_dtype == DType::kBf16);
    CHECK(Preset("llama-3.1-8b").max_context == 131072);
    CHECK(Preset("llama-3-8b").max_context == 8192);
  }
}

TEST_CASE("model presets: KV bytes per token match the source documents", "[models]") {
  // REFERENCES.md section 2: Llama-2-7B fp16 524,288 bytes/token; Llama-2-70B (GQA 8 of 64
  // heads) 0.3125 GiB for 1024 tokens.
  CHECK(KvBytesPerToken(Preset("llama-2-7b")) == 524288.0);
  CHECK(KvBytesPerToken(Preset("llama-2-70b")) * 1024 == 0.3125 * (1 << 30));
}

}  // namespace
}  // namespace servesim
