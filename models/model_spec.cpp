#include <algorithm>
#include <cstdio>
#include <utility>

#include "models/model_spec.h"

#include "models/input_error.h"

namespace servesim {

std::string_view NormTypeName(NormType t) {
  return t == NormType::kLayerNorm ? "layernorm" : "rmsnorm";
}

std::string_view ActivationName(Activation a) {
  switch (a) {
    case Activation::kSilu:
      return "silu";
    case Activation::kGelu:
      return "gelu";
    case Activation::kGeluTanh:
      return "gelu_tanh";
    case Activation::kRelu:
      return "relu";
  }
  return "?";
}

std::string_view PositionEmbeddingName(PositionEmbedding p) {
  switch (p) {
    case PositionEmbedding::kRope:
      return "rope";
    case PositionEmbedding::kLearned:
      return "learned";
    case PositionEmbedding::kPartialRope:
      return "partial_rope";
    case PositionEmbedding::kAlibi:
      return "alibi";
    case PositionEmbedding::kNone:
      return "none";
  }
  return "?";
}

namespace {

void RequirePositive(int64_t value, std::string_view field, std::string_view source) {
  if (value <= 0) {
    throw InputError(std::string(source) + ": " + std::string(field) +
                     " must be a positive integer, found " + std::to_string(value));
  }
}

// Large enough for any real model, small enough that products of sizes stay far from overflow.
constexpr int64_t kMaxDim = int64_t{1} << 24;

}  // namespace

void ValidateModelSpec(const ModelSpec& s, std::string_view source) {
  const std::string src(source);
  RequirePositive(s.num_layers, "num_layers", source);
  RequirePositive(s.hidden_size, "hidden_size", source);
  RequirePositive(s.num_heads, "num_heads", source);
  RequirePositive(s.num_kv_heads, "num_kv_heads", source);
  RequirePositive(s.head_dim, "head_dim", source);
  RequirePositive(s.intermediate_size, "intermediate_size", source);
  RequirePositive(s.vocab_size, "vocab_size", source);
  RequirePositive(s.max_context, "max_context", source);
  const std::pair<int64_t, const char*> dims[] = {{s.num_layers, "num_layers"},
                                                  {s.hidden_size, "hidden_size"},
                                                  {s.num_heads, "num_heads"},
                                                  {s.head_dim, "head_dim"},
                                                  {s.intermediate_size, "intermediate_size"},
                                                  {s.vocab_size, "vocab_size"},
                                                  {s.max_context, "max_context"}};
  for (const auto& [v, name] : dims) {
    if (v > kMaxDim) {
      throw InputError(src + ": " + name + " = " + std::to_string(v) +
                       " is implausibly large (limit " + std::to_string(kMaxDim) + ")");
    }
  }
  // Each size is bounded above, but their products are not: estimate the parameter count in
  // floating point so integer counts downstream (CountParams, int64) cannot overflow.
  const double h = static_cast<double>(s.hidden_size), hd = static_cast<double>(s.head_dim);
  const double experts = static_cast<double>(std::max<int64_t>(1, s.num_experts));
  const double ffn = static_cast<double>(std::max(s.intermediate_size, s.moe_intermediate_size));
  const double per_layer = 2.0 * h * hd * static_cast<double>(s.num_heads + s.num_kv_heads) +
                           3.0 * h * ffn * experts +
                           3.0 * h * static_cast<double>(s.shared_expert_intermediate_size);
  const double params = static_cast<double>(s.num_layers) * per_layer +
                        2.0 * static_cast<double>(s.vocab_size) * h;
  if (params > 1e15) {
    char count[32];
    std::snprintf(count, sizeof(count), "%.3g", params);
    throw InputError(src + ": the sizes give about " + count +
                     " parameters, implausibly many (limit 1e15)");
  }
  if (s.num_kv_heads > s.num_heads || s.num_heads % s.num_kv_heads != 0) {
    throw InputError(src + ": num_kv_heads (" + std::to_string(s.num_kv_heads) +
                     ") must divide num_heads (" + std::to_string(s.num_heads) + ")");
  }
  if (s.rotary_fraction <= 0.0 || s.rotary_fraction > 1.0) {
    throw InputError(src + ": rotary_fraction must be in (0, 1], found " +
                     std::to_string(s.rotary_fraction));
  }
  if (s.learned_position_rows < 0) {
    throw InputError(src + ": learned_position_rows must be >= 0, found " +
                     std::to_string(s.learned_position_rows));
  }
  for (const auto& [field, dtype] :
       {std::pair{"activation_dtype", s.activation_dtype}, std::pair{"kv_dtype", s.kv_dtype}}) {
    if (IsLlamaCppFormat(dtype)) {
      throw InputError(src + ": " + field + " " + std::string(DTypeName(dtype)) +
                       " is a llama.cpp weight format; expected fp32, bf16, fp16, fp8 or int8");
    }
  }
  if (s.weight_group_size < 0) {
    throw InputError(src + ": weight_group_size must be >= 0, found " +
                     std::to_string(s.weight_group_size));
  }
  if (s.num_experts < 0 || s.experts_per_token < 0 || s.moe_intermediate_size < 0 ||
      s.shared_expert_intermediate_size < 0) {
    throw InputError(src + ": expert counts and sizes must be >= 0");
  }
  if (s.IsMoe()) {
    if (s.experts_per_token < 1 || s.experts_per_token > s.num_experts) {
      throw InputError(
          src + ": experts_per_token must be in [1, num_experts=" + std::to_string(s.num_experts) +
          "], found " + std::to_string(s.experts_per_token));
    }
    RequirePositive(s.moe_intermediate_size, "moe_intermediate_size", source);
  }
}

void ValidateTensorParallel(const ModelSpec& s, int tp, std::string_view source) {
  const std::string src(source);
  if (tp <= 0)
    throw InputError(src + ": tp must be a positive integer, found " + std::to_string(tp));
  if (s.num_heads % tp != 0) {
    throw InputError(src + ": tp=" + std::to_string(tp) + " does not divide the " +
                     std::to_string(s.num_heads) + " attention heads of " + s.name);
  }
  if (s.num_kv_heads % tp != 0 && tp % s.num_kv_heads != 0) {
    throw InputError(src + ": tp=" + std::to_string(tp) +
                     " neither divides nor is a multiple of the " + std::to_string(s.num_kv_heads) +
                     " KV heads of " + s.name);
  }
}

}  // namespace servesim
