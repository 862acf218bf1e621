#include "models/arithmetic.h"

#include <algorithm>
#include <cmath>

namespace servesim {
namespace {

bool IsIntegerFormat(DType d) { return d == DType::kInt8 || d == DType::kInt4; }

// Bytes per element of the tensors that stay unquantized when linear weights are integer
// (embeddings, LM head, norms, biases). llama.cpp's GGUF files quantize the token embedding and the
// output matrix too, so its block formats price every weight in the block format.
double OtherWeightBytes(const ModelSpec& s) {
  return IsIntegerFormat(s.weight_dtype) ? s.ActivationBytes() : s.WeightBytesPerParam();
}

int64_t FfnMatrices(const ModelSpec& s) { return s.gated_ffn ? 3 : 2; }

// Weight and bias parameters of one FFN (or one expert) with intermediate size `inter`.
int64_t FfnLinearParams(const ModelSpec& s, int64_t inter) {
  return FfnMatrices(s) * s.hidden_size * inter;
}
int64_t FfnBiasParams(const ModelSpec& s, int64_t inter) {
  if (!s.mlp_bias) return 0;
  return (s.gated_ffn ? 2 * inter : inter) + s.hidden_size;
}

int64_t NormParams(const ModelSpec& s) {
  return s.norm == NormType::kLayerNorm ? 2 * s.hidden_size : s.hidden_size;
}
int64_t NormsPerLayer(const ModelSpec& s) { return s.parallel_attn_mlp ? 1 : 2; }

int64_t AttentionLinearParams(const ModelSpec& s) {
  return s.hidden_size * (s.QDim() + 2 * s.KvDim()) + s.QDim() * s.hidden_size;
}
int64_t AttentionOtherParams(const ModelSpec& s) {
  int64_t p = 0;
  if (s.qkv_bias) p += s.QDim() + 2 * s.KvDim();
  if (s.o_bias) p += s.hidden_size;
  if (s.qk_norm) p += 2 * s.head_dim;
  return p;
}

struct FfnParams {
  int64_t linear = 0;    // all experts (or the dense FFN), one layer
  int64_t other = 0;     // biases, one layer
  int64_t router = 0;    // one layer
  int64_t inactive = 0;  // linear+bias params of experts a token does not use, one layer
};

FfnParams CountFfn(const ModelSpec& s) {
  FfnParams f;
  if (!s.IsMoe()) {
    f.linear = FfnLinearParams(s, s.intermediate_size);
    f.other = FfnBiasParams(s, s.intermediate_size);
    return f;
  }
  const int64_t expert = FfnLinearParams(s, s.moe_intermediate_size);
  const int64_t expert_bias = FfnBiasParams(s, s.moe_intermediate_size);
  f.linear = s.num_experts * expert;
  f.other = s.num_experts * expert_bias;
  f.router = s.hidden_size * s.num_experts;
  if (s.shared_expert_intermediate_size > 0) {
    f.linear += FfnLinearParams(s, s.shared_expert_intermediate_size);
    f.other += FfnBiasParams(s, s.shared_expert_intermediate_size);
  }
  f.inactive = (s.num_experts - s.experts_per_token) * (expert + expert_bias);
  return f;
}

}  // namespace

ParamCount CountParams(const ModelSpec& s) {
  ParamCount c;
  const int64_t L = s.num_layers;
  c.embedding = s.vocab_size * s.hidden_size + s.learned_position_rows * s.hidden_size;
  c.attention = L * (AttentionLinearParams(s) + AttentionOtherParams(s));
  const FfnParams f = CountFfn(s);
  c.ffn = L * (f.linear + f.other + f.router);
  c.norms = (L * NormsPerLayer(s) + 1) * NormParams(s);
  c.lm_head = s.tied_embeddings ? 0 : s.vocab_size * s.hidden_size;
  if (s.lm_head_bias) c.lm_head += s.vocab_size;
  c.active = c.Total() - L * f.inactive;
  return c;
}

double WeightBytes(const ModelSpec& s) {
  const ParamCount c = CountParams(s);
  const FfnParams f = CountFfn(s);
  const int64_t linear = s.num_layers * (AttentionLinearParams(s) + f.linear + f.router);
  const int64_t other = c.Total() - linear;
  return static_cast<double>(linear) * s.WeightBytesPerParam() +
         static_cast<double>(other) * OtherWeightBytes(s);
}

WeightLayout WeightBytesLayout(const ModelSpec& s) {
  const ParamCount c = CountParams(s);
  const double other = OtherWeightBytes(s);
  WeightLayout w;
  const double table = static_cast<double>(c.embedding) * other;
  const double final_norm = static_cast<double>(NormParams(s)) * other;
  w.head = static_cast<double>(c.lm_head) * other + final_norm;
  if (s.tied_embeddings) {
    w.head += table;
  } else {
    w.embedding = table;
  }
  const double total = WeightBytes(s);
  w.layer =
      s.num_layers > 0 ? (total - w.embedding - w.head) / static_cast<double>(s.num_layers) : 0.0;
  w.layer_ffn = static_cast<double>(CountFfn(s).linear) * s.WeightBytesPerParam();
  return w;
}

double KvBytesPerToken(const ModelSpec& s) {
  return 2.0 * static_cast<double>(s.num_layers) * static_cast<double>(s.KvDim()) *
         s.KvBytesPerElement();
}

void BatchShape::AddVerify(int64_t s, int64_t c) {
  ++num_seqs;
  new_tokens += s;
  context_tokens += c;
  logit_tokens += s;
  const double sd = static_cast<double>(s), cd = static_cast<double>(c);
  causal_pairs += sd * cd + sd * (sd + 1.0) / 2.0;
  full_pairs += sd * (cd + sd);
  AddDecodeContext(c);
}

BatchShape BatchShape::Uniform(int64_t batch, int64_t new_tokens, int64_t context_tokens) {
  BatchShape b;
  for (int64_t i = 0; i < batch; ++i) b.Add(new_tokens, context_tokens, true);
  return b;
}

std::string_view OpName(OpId id) {
  static constexpr std::string_view kNames[] = {
      "embed",        "norm",       "qkv_proj",  "rope",         "attention",     "attn_score",
      "attn_softmax", "attn_value", "o_proj",    "residual_add", "moe_router",    "gate_up_proj",
      "up_proj",      "act",        "down_proj", "lm_head",      "tp_all_reduce", "moe_all_to_all"};
  static_assert(std::size(kNames) == static_cast<size_t>(OpId::kCount));
  return kNames[static_cast<size_t>(id)];
}

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kGemm:
      return "gemm";
    case OpKind::kAttention:
      return "attention";
    case OpKind::kElementwise:
      return "elementwise";
    case OpKind::kEmbedding:
      return "embedding";
    case OpKind::kAllReduce:
      return "all_reduce";
    case OpKind::kAllToAll:
      return "all_to_all";
  }
  return "?";
}

OpWork LinearOp(OpId id, int64_t tokens, int64_t d_in, int64_t d_out, double wb, double ab,
                bool bias) {
  OpWork op;
  op.id = id;
  op.kind = OpKind::kGemm;
  op.repeats = 1;
  const double t = static_cast<double>(tokens), di = static_cast<double>(d_in),
               dout = static_cast<double>(d_out);
  op.flops = 2.0 * t * di * dout + (bias ? t * dout : 0.0);
  op.weight_bytes = di * dout * wb + (bias ? dout * ab : 0.0);
  op.act_bytes = (t * di + t * dout) * ab;
  op.m = tokens;
  op.k = d_in;
  op.n = d_out;
  return op;
}

namespace {

OpWork Elementwise(OpId id, int64_t repeats, double flops, double act_bytes,
                   double weight_bytes = 0) {
  OpWork op;
  op.id = id;
  op.kind = OpKind::kElementwise;
  op.repeats = repeats;
  op.flops = flops;
  op.act_bytes = act_bytes;
  op.weight_bytes = weight_bytes;
  return op;
}

// One FFN (dense, shared expert, or routed experts seen together) on `tokens` tokens with
// intermediate size `inter_p` on this device; weights read `weight_scale` times (MoE: the
// experts touched).
std::array<OpWork, 3> FfnOps(const ModelSpec& s, int64_t tokens, int64_t inter_p,
                             double weight_scale) {
  const int64_t h = s.hidden_size, mats = FfnMatrices(s);
  const double wb = s.WeightBytesPerParam(), ab = s.ActivationBytes();
  OpWork up = LinearOp(s.gated_ffn ? OpId::kGateUpProj : OpId::kUpProj, tokens, h,
                       (mats - 1) * inter_p, wb, ab, s.mlp_bias);
  OpWork act = Elementwise(OpId::kAct, s.num_layers, 5.0 * static_cast<double>(tokens * inter_p),
                           static_cast<double>(mats * tokens * inter_p) * ab);
  OpWork down = LinearOp(OpId::kDownProj, tokens, inter_p, h, wb, ab, s.mlp_bias);
  up.weight_bytes *= weight_scale;
  down.weight_bytes *= weight_scale;
  up.repeats = down.repeats = s.num_layers;
  return {up, act, down};
}

int64_t GroupTokens(const BatchShape& b, const StepOptions& o) {
  if (o.dp <= 1) return b.new_tokens;
  return b.group_tokens > 0 ? b.group_tokens : b.new_tokens * o.dp;
}

// Expected distinct experts among `experts` that `tokens` tokens touch, each routed to k of all
// E experts uniformly: experts * (1 - (1 - k/E)^tokens).
double TouchedExperts(const ModelSpec& s, double experts, double tokens) {
  const double e = static_cast<double>(s.num_experts);
  return experts * (1.0 - std::pow(1.0 - static_cast<double>(s.experts_per_token) / e, tokens));
}

// The routed experts of one MoE layer on this device (StepOptions says how they are sharded).
std::array<OpWork, 3> RoutedExpertOps(const ModelSpec& s, const BatchShape& b,
                                      const StepOptions& o) {
  const int64_t k = s.experts_per_token;
  if (o.dp <= 1 && !o.expert_parallel) {  // tensor parallel: every expert sliced over tp
    const int64_t n = b.new_tokens;
    const double e = static_cast<double>(s.num_experts);
    return ExpertFfnOps(s, static_cast<double>(n * k), TouchedExperts(s, e, static_cast<double>(n)),
                        std::max(1, o.tp));
  }
  const double ranks = static_cast<double>(MoeRanks(o));
  const double group = static_cast<double>(GroupTokens(b, o));
  const double pairs = group * static_cast<double>(k);
  if (o.expert_parallel) {  // E / ranks whole experts here, the pairs routed to them
    const double local = static_cast<double>(s.num_experts) / ranks;
    return ExpertFfnOps(s, pairs / ranks, TouchedExperts(s, local, group), 1);
  }
  return ExpertFfnOps(s, pairs, TouchedExperts(s, static_cast<double>(s.num_experts), group),
                      MoeRanks(o));
}

}  // namespace

std::array<OpWork, 3> ExpertFfnOps(const ModelSpec& s, double pairs, double touched,
                                   int64_t slices) {
  const int64_t tokens = std::max<int64_t>(1, std::llround(pairs));
  auto ffn = FfnOps(s, tokens, s.moe_intermediate_size / std::max<int64_t>(1, slices), touched);
  // Per-expert GEMM: M is the tokens one expert sees.
  for (auto* op : {&ffn[0], &ffn[2]}) {
    op->m = std::max<int64_t>(
        1, static_cast<int64_t>(std::llround(static_cast<double>(op->m) / touched)));
  }
  return ffn;
}

double RoutedExpertWeightBytes(const ModelSpec& s) {
  if (!s.IsMoe()) return 0.0;
  const int64_t linear = FfnLinearParams(s, s.moe_intermediate_size);
  const int64_t bias = FfnBiasParams(s, s.moe_intermediate_size);
  return static_cast<double>(s.num_layers * s.num_experts) *
         (static_cast<double>(linear) * s.WeightBytesPerParam() +
          static_cast<double>(bias) * OtherWeightBytes(s));
}

void BuildStepOps(const ModelSpec& s, const BatchShape& b, const StepOptions& o,
                  std::vector<OpWork>& ops) {
  ops.clear();
  if (b.new_tokens <= 0) return;
  const int64_t p = std::max(1, o.tp);
  const int64_t L = s.num_layers;
  const int64_t h = s.hidden_size;
  const int64_t d = s.head_dim;
  const int64_t hq = s.num_heads / p;                                   // query heads per device
  const int64_t hk = s.num_kv_heads % p == 0 ? s.num_kv_heads / p : 1;  // replicated when fewer
  const int64_t n = b.new_tokens;
  const double nd = static_cast<double>(n);
  const double ab = s.ActivationBytes();
  const double wb = s.WeightBytesPerParam();
  const double ob = OtherWeightBytes(s);
  const double kvb = s.KvBytesPerElement();
  const double hd = static_cast<double>(h);

  // Embedding gather (vocab-parallel: each device reads the rows it owns, ~1/p of them).
  if (o.first_stage) {
    OpWork op;
    op.id = OpId::kEmbed;
    op.kind = OpKind::kEmbedding;
    op.repeats = 1;
    op.weight_bytes = nd * hd * ob / static_cast<double>(p);
    op.act_bytes = nd * hd * ab;
    if (s.learned_position_rows > 0) {  // position rows gathered and added
      op.weight_bytes += nd * hd * ob;
      op.act_bytes += 2.0 * nd * hd * ab;
      op.flops += nd * hd;
    }
    op.m = n;
    ops.push_back(op);
  }

  // Norms: per layer (1 or 2) plus the final one; ~4 FLOPs per element (RMSNorm), 5 (LayerNorm).
  const double norm_flops = (s.norm == NormType::kLayerNorm ? 5.0 : 4.0) * nd * hd;
  const int64_t norms = L * NormsPerLayer(s) + (o.last_stage ? 1 : 0);  // + the final norm
  ops.push_back(Elementwise(OpId::kNorm, norms, norm_flops, 2.0 * nd * hd * ab,
                            static_cast<double>(NormParams(s)) * ob));

  // Attention block.
  OpWork qkv = LinearOp(OpId::kQkvProj, n, h, (hq + 2 * hk) * d, wb, ab, s.qkv_bias);
  qkv.repeats = L;
  if (s.qk_norm) {  // per-head norms on q and k: one more pass over them, folded in
    qkv.act_bytes += 2.0 * nd * static_cast<double>((hq + hk) * d) * ab;
    qkv.flops += 4.0 * nd * static_cast<double>((hq + hk) * d);
  }
  ops.push_back(qkv);

  if (s.position == PositionEmbedding::kRope || s.position == PositionEmbedding::kPartialRope) {
    const double rotated = nd * static_cast<double>((hq + hk) * d) * s.rotary_fraction;
    // Reads and writes the rotated part of q and k; ~3 FLOPs per rotated element.
    ops.push_back(Elementwise(OpId::kRope, L, 3.0 * rotated, 2.0 * rotated * ab));
  }

  const double q_bytes = nd * static_cast<double>(hq * d) * ab;  // q in, or attention out
  const double kv_tokens_read = static_cast<double>(b.context_tokens + b.new_tokens);
  const double k_or_v_bytes_per_token = static_cast<double>(hk * d) * kvb;
  const double heads = static_cast<double>(hq);
  const double dd = static_cast<double>(d);
  if (o.attention == AttentionImpl::kFlash) {
    OpWork op;
    op.id = OpId::kAttention;
    op.kind = OpKind::kAttention;
    op.repeats = L;
    op.flops = 4.0 * b.causal_pairs * heads * dd;  // Q K^T and P V, masked blocks skipped
    op.act_bytes = 2.0 * q_bytes;
    op.kv_read_bytes = 2.0 * kv_tokens_read * k_or_v_bytes_per_token;
    op.kv_write_bytes = 2.0 * nd * k_or_v_bytes_per_token;
    op.m = n;
    op.k = d;
    ops.push_back(op);
  } else {
    // Naive: the whole score rectangle computed, written and read back.
    const double scores = b.full_pairs * heads;
    OpWork score;
    score.id = OpId::kAttnScore;
    score.kind = OpKind::kAttention;
    score.repeats = L;
    score.flops = 2.0 * b.full_pairs * heads * dd;
    score.act_bytes = q_bytes + scores * ab;
    score.kv_read_bytes = kv_tokens_read * k_or_v_bytes_per_token;
    score.kv_write_bytes = nd * k_or_v_bytes_per_token;
    score.m = n;
    score.k = d;
    ops.push_back(score);
    ops.push_back(Elementwise(OpId::kAttnSoftmax, L, 5.0 * scores, 2.0 * scores * ab));
    OpWork value = score;
    value.id = OpId::kAttnValue;
    value.act_bytes = scores * ab + q_bytes;
    ops.push_back(value);
  }

  OpWork oproj = LinearOp(OpId::kOProj, n, hq * d, h, wb, ab, s.o_bias);
  oproj.repeats = L;
  ops.push_back(oproj);

  // Two residual adds per layer (parallel blocks also add twice: x + attn + mlp).
  ops.push_back(Elementwise(OpId::kResidualAdd, 2 * L, nd * hd, 3.0 * nd * hd * ab));

  // FFN.
  std::array<OpWork, 3> ffn;
  if (!s.IsMoe()) {
    ffn = FfnOps(s, n, s.intermediate_size / p, 1.0);
  } else {
    OpWork router = LinearOp(OpId::kMoeRouter, n, h, s.num_experts, wb, ab, false);
    router.repeats = L;
    ops.push_back(router);
    ffn = RoutedExpertOps(s, b, o);
    if (s.shared_expert_intermediate_size > 0) {  // every rank, its own tokens, tp-sharded
      const auto shared = FfnOps(s, n, s.shared_expert_intermediate_size / p, 1.0);
      for (int j = 0; j < 3; ++j) {
        ffn[j].flops += shared[j].flops;
        ffn[j].weight_bytes += shared[j].weight_bytes;
        ffn[j].act_bytes += shared[j].act_bytes;
      }
    }
  }
  for (const auto& op : ffn) ops.push_back(op);

  if (b.logit_tokens > 0 && o.last_stage) {
    OpWork head =
        LinearOp(OpId::kLmHead, b.logit_tokens, h, s.vocab_size / p, ob, ab, s.lm_head_bias);
    ops.push_back(head);
  }

  if (p > 1) {
    OpWork ar;
    ar.id = OpId::kTpAllReduce;
    ar.kind = OpKind::kAllReduce;
    // + the vocab-parallel embedding's
    ar.repeats = L * (s.parallel_attn_mlp ? 1 : 2) + (o.first_stage ? 1 : 0);
    ar.flops = nd * hd;
    ar.act_bytes = nd * hd * ab;  // message size
    ar.m = n;
    ops.push_back(ar);
  }
  if (s.IsMoe() && o.dp > 1) {
    // Dispatch and combine around each MoE layer: the hidden states of the whole DP group.
    const double group = static_cast<double>(GroupTokens(b, o));
    OpWork a2a;
    a2a.id = OpId::kMoeAllToAll;
    a2a.kind = OpKind::kAllToAll;
    a2a.repeats = L;
    a2a.act_bytes = group * hd * ab;  // message: every DP rank's tokens
    a2a.m = static_cast<int64_t>(group);
    a2a.n = n;
    a2a.k = s.experts_per_token;
    ops.push_back(a2a);
  }
}

std::vector<OpWork> BuildStepOps(const ModelSpec& spec, const BatchShape& batch,
                                 const StepOptions& options) {
  std::vector<OpWork> ops;
  BuildStepOps(spec, batch, options, ops);
  return ops;
}

double ActivationWorkingSetBytes(const ModelSpec& s, int64_t tokens, int64_t logit_tokens, int tp) {
  const double p = std::max(1, tp);
  const double n = static_cast<double>(tokens);
  const double h = static_cast<double>(s.hidden_size);
  const double ab = s.ActivationBytes();
  const double hk = s.num_kv_heads % tp == 0 ? static_cast<double>(s.num_kv_heads) / p : 1.0;
  const double qkv =
      n * (static_cast<double>(s.num_heads) / p + 2.0 * hk) * static_cast<double>(s.head_dim);
  const double attn_out =
      n * static_cast<double>(s.num_heads) / p * static_cast<double>(s.head_dim);
  const double inter = static_cast<double>(s.IsMoe() ? s.moe_intermediate_size * s.experts_per_token
                                                     : s.intermediate_size) /
                       p;
  const double ffn = n * inter * static_cast<double>(FfnMatrices(s));  // gate+up out, act out
  const double live = 2.0 * n * h + std::max(qkv + attn_out, ffn);     // residual + normed input
  const double sampler = kSamplerPeakLogitCopies * static_cast<double>(logit_tokens) *
                         static_cast<double>(s.vocab_size) * 4.0;
  return std::max(live * ab, n * h * ab + sampler);
}

double ForwardLogitsWorkingSetBytes(const ModelSpec& s, int64_t tokens, int64_t logit_tokens,
                                    int tp) {
  // The forward alone: the sampler term of ActivationWorkingSetBytes with no sequences.
  // max(live, n h) == live: the residual stream is part of live.
  const double forward = ActivationWorkingSetBytes(s, tokens, 0, tp);
  return forward + 2.0 * static_cast<double>(logit_tokens) * static_cast<double>(s.vocab_size) /
                       static_cast<double>(std::max(1, tp)) * 4.0;
}

double TrainingMemoryBytes(const ModelSpec& s, int64_t batch, int64_t seq_len) {
  const double params = static_cast<double>(CountParams(s).Total());
  const double sbh = static_cast<double>(seq_len) * static_cast<double>(batch) *
                     static_cast<double>(s.hidden_size);
  const double per_layer =
      sbh * (34.0 + 5.0 * static_cast<double>(s.num_heads) * static_cast<double>(seq_len) /
                        static_cast<double>(s.hidden_size));
  return 20.0 * params + static_cast<double>(s.num_layers) * per_layer;
}

}  // namespace servesim
