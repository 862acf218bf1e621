// What a decoder-only LLM is, as far as inference arithmetic needs to know.
//
// Models: the shapes of every weight matrix (attention with GQA/MQA, gated or plain FFN, optional
// mixture of experts), biases, norms, position embeddings, vocabulary, tied or untied head, and the
// numeric formats of weights / activations / KV cache. Ignores: tokenizer, numerics of the values,
// encoder-decoder and cross-attention, sliding-window attention (attention spans the whole
// context), multi-latent attention (DeepSeek MLA).
#ifndef SERVESIM_MODELS_MODEL_SPEC_H_
#define SERVESIM_MODELS_MODEL_SPEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "models/dtype.h"

namespace servesim {

enum class NormType { kLayerNorm, kRmsNorm };
enum class Activation { kSilu, kGelu, kGeluTanh, kRelu };
enum class PositionEmbedding { kRope, kLearned, kPartialRope, kAlibi, kNone };

std::string_view NormTypeName(NormType t);
std::string_view ActivationName(Activation a);
std::string_view PositionEmbeddingName(PositionEmbedding p);

struct ModelSpec {
  std::string name;

  int64_t num_layers = 0;
  int64_t hidden_size = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // == num_heads for MHA, 1 for MQA
  int64_t head_dim = 0;      // usually hidden_size / num_heads; Qwen3 and others decouple it
  int64_t intermediate_size = 0;
  int64_t vocab_size = 0;
  int64_t max_context = 0;

  bool gated_ffn = true;  // SwiGLU-style gate+up+down (3 matrices) vs up+down (2 matrices)
  Activation activation = Activation::kSilu;
  NormType norm = NormType::kRmsNorm;
  bool qkv_bias = false;
  bool o_bias = false;
  bool mlp_bias = false;
  bool lm_head_bias = false;
  bool qk_norm = false;            // per-head RMSNorm on Q and K (Qwen3): 2 * head_dim params/layer
  bool parallel_attn_mlp = false;  // GPT-J/Phi: attention and MLP read one normed input (one norm
                                   // per layer; GPT-NeoX's parallel residual keeps two norms)
  bool tied_embeddings = false;
  PositionEmbedding position = PositionEmbedding::kRope;
  int64_t learned_position_rows = 0;  // rows of a learned position table (OPT: max positions + 2)
  double rotary_fraction = 1.0;       // share of head_dim rotated (Phi-2: 0.4)

  // Mixture of experts. num_experts <= 1 means a dense FFN. Each expert has the FFN shape with
  // `moe_intermediate_size`; `shared_expert_intermediate_size` > 0 adds an always-on expert.
  int64_t num_experts = 0;
  int64_t experts_per_token = 0;
  int64_t moe_intermediate_size = 0;
  int64_t shared_expert_intermediate_size = 0;

  DType weight_dtype = DType::kBf16;
  DType activation_dtype = DType::kBf16;
  DType kv_dtype = DType::kBf16;
  int weight_group_size = 128;  // group-wise scales for integer weight formats (0: none)

  bool IsMoe() const { return num_experts > 1; }
  int64_t QDim() const { return num_heads * head_dim; }
  int64_t KvDim() const { return num_kv_heads * head_dim; }
  double WeightBytesPerParam() const { return BytesPerElement(weight_dtype, weight_group_size); }
  double ActivationBytes() const { return BytesPerElement(activation_dtype); }
  double KvBytesPerElement() const { return BytesPerElement(kv_dtype); }
};

// Checks shapes and throws InputError naming `source` (a file, a preset, "--model") and the
// offending field: sizes must be positive, heads must divide hidden when head_dim is derived,
// KV heads must divide heads, experts_per_token <= num_experts, and so on.
void ValidateModelSpec(const ModelSpec& spec, std::string_view source);

// Checks that tensor parallelism of degree `tp` can shard the model: tp > 0, tp divides the
// query heads, and KV heads either divide by tp or are replicated (tp % kv_heads == 0).
void ValidateTensorParallel(const ModelSpec& spec, int tp, std::string_view source);

}  // namespace servesim

#endif  // SERVESIM_MODELS_MODEL_SPEC_H_
