// The exact arithmetic of a decoder-only transformer: parameters, weight and KV bytes, and for one
// forward step of a batch every operator's FLOPs and bytes moved.
//
// Models: compulsory traffic of each operator (weights read once per step, activations in and out,
// KV cache read and written), FLOPs of matrix products (2 per multiply-add) and a small per-element
// count for element-wise work, tensor-parallel sharding (Megatron: column/row-parallel linears,
// heads split, vocab-parallel embedding and LM head, two all-reduces per layer), prefill logits
// only for the last token of a sequence. Attention is FlashAttention-style by default (no score
// matrix through memory, masked blocks of the causal triangle skipped) or naive (score and
// probability matrices written and read, the full rectangle computed: the source documents'
// teaching tables). Ignores: re-reads caused by tiling (bytes are compulsory traffic), kernel
// fusion other than the ones named here, sampling, speculative and LoRA adapters, sliding-window
// attention.
#ifndef SERVESIM_MODELS_ARITHMETIC_H_
#define SERVESIM_MODELS_ARITHMETIC_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "models/model_spec.h"

namespace servesim {

// ---------------------------------------------------------------------------------------------
// Parameters and static memory.

struct ParamCount {
  int64_t embedding = 0;  // token embedding (+ learned position table)
  int64_t attention = 0;  // all layers: q, k, v, o (+ biases, + qk-norm weights)
  int64_t ffn = 0;        // all layers: gate/up/down (+ biases), experts and router for MoE
  int64_t norms = 0;      // all layers' norms + the final norm
  int64_t lm_head = 0;    // 0 when tied to the embedding
  int64_t Total() const { return embedding + attention + ffn + norms + lm_head; }
  // Parameters a token touches (MoE: only its top-k experts); == Total() for dense models.
  int64_t active = 0;
};

ParamCount CountParams(const ModelSpec& spec);

// Bytes of all weights. Linear layers use spec.weight_dtype (with group scales for integer
// formats); embeddings, LM head, norms and biases stay in the activation dtype when weights are
// integer-quantized (the GPTQ/AWQ convention), else they use the weight dtype too (llama.cpp's
// q4_0 / q8_0 included: GGUF files quantize the embedding and the output matrix as well; llama.cpp
// keeps the output at q6_K in a q4_0 file, 0.9 % of a 7B model's bytes, ignored here).
double WeightBytes(const ModelSpec& spec);

// The same bytes by where a forward pass reads them (for weight streaming): the token embedding
// table (a lookup reads only its tokens' rows), one decoder layer (of which `layer_ffn` are the
// FFN's linear weights, the rows activation sparsity can skip), and the head (final norm + LM
// head; with tied embeddings the shared table belongs to the head, which reads all of it).
// embedding + num_layers * layer + head == WeightBytes(spec).
struct WeightLayout {
  double embedding = 0;
  double layer = 0;
  double layer_ffn = 0;
  double head = 0;
};
WeightLayout WeightBytesLayout(const ModelSpec& spec);

// K and V of one token over all layers: 2 * L * kv_heads * head_dim * bytes(kv_dtype).
double KvBytesPerToken(const ModelSpec& spec);

// ---------------------------------------------------------------------------------------------
// One forward step.

// Aggregate shape of a step's batch. Everything the arithmetic needs is a sum over sequences, so a
// caller (the simulator) can maintain it incrementally instead of handing over a list.
struct BatchShape {
  int64_t num_seqs = 0;
  int64_t new_tokens = 0;      // sum of s_i: tokens computed this step
  int64_t context_tokens = 0;  // sum of c_i: tokens already in the KV cache, read by attention
  int64_t logit_tokens = 0;    // tokens whose logits are computed (decodes, last prompt tokens)
  double causal_pairs = 0;     // sum of s_i*c_i + s_i*(s_i+1)/2: query-key pairs, masked skipped
  double full_pairs = 0;       // sum of s_i*(c_i+s_i): the whole rectangle (naive kernels)
  int64_t prefill_tokens = 0;  // of new_tokens, those in sequences with s_i > 1
  int64_t decode_seqs = 0;     // sequences with s_i == 1
  // Data parallel MoE (StepOptions::dp > 1): the new tokens of every DP rank in this lockstep
  // step, which the expert layers see after dispatch. 0: dp x new_tokens (balanced ranks).
  int64_t group_tokens = 0;
  // For kernel-table lookups (hardware/profiled_cost_model.h): the prompt chunks' count and
  // query-key pairs, and the decodes' summed, smallest and largest context (0 without decodes).
  int64_t prefill_seqs = 0;
  double prefill_pairs = 0;
  int64_t decode_context_tokens = 0;
  int64_t decode_min_context = 0, decode_max_context = 0;

  // Adds one sequence with `new_tokens` computed over `context_tokens` already cached;
  // `needs_logits` for a decode or a chunk that completes the prompt.
  // (Inline: the simulator calls it once per scheduled sequence per step.)
  void Add(int64_t s, int64_t c, bool needs_logits) {
    ++num_seqs;
    new_tokens += s;
    context_tokens += c;
    if (needs_logits) ++logit_tokens;
    const double sd = static_cast<double>(s), cd = static_cast<double>(c);
    causal_pairs += sd * cd + sd * (sd + 1.0) / 2.0;
    full_pairs += sd * (cd + sd);
    if (s > 1) {
      prefill_tokens += s;
      ++prefill_seqs;
      prefill_pairs += sd * cd + sd * (sd + 1.0) / 2.0;
    } else {
      AddDecodeContext(c);
    }
  }
  // Counts one more decode over `c` cached tokens (decode_seqs and the decode context fields).
  void AddDecodeContext(int64_t c) {
    decode_min_context = decode_seqs == 0 ? c : std::min(decode_min_context, c);
    decode_max_context = decode_seqs == 0 ? c : std::max(decode_max_context, c);
    decode_context_tokens += c;
    ++decode_seqs;
  }
  // Adds a speculative verify chunk: `tokens` = the last token + its drafts over
  // `context_tokens`, with logits at every position (counted as a decode).
  void AddVerify(int64_t tokens, int64_t context_tokens);

  // b sequences of s tokens each over c cached tokens (every one needs logits).
  static BatchShape Uniform(int64_t batch, int64_t new_tokens, int64_t context_tokens);
};

enum class AttentionImpl { kFlash, kNaive };

// Operators, in execution order. The names are part of the JSON/CSV interface.
enum class OpId {
  kEmbed,
  kNorm,
  kQkvProj,
  kRope,
  kAttention,    // flash: one fused kernel (scores, softmax, weighted sum, KV read/write)
  kAttnScore,    // naive: Q K^T, writes the score matrix
  kAttnSoftmax,  // naive: reads scores, writes probabilities
  kAttnValue,    // naive: P V, writes the output
  kOProj,
  kResidualAdd,
  kMoeRouter,
  kGateUpProj,  // gated FFN: gate and up fused
  kUpProj,      // plain FFN
  kAct,
  kDownProj,
  kLmHead,
  kTpAllReduce,
  kMoeAllToAll,  // data parallel MoE: tokens dispatched to their experts' ranks and combined back
  kCount
};
std::string_view OpName(OpId id);

// How an operator executes, which decides how the cost model prices it.
enum class OpKind { kGemm, kAttention, kElementwise, kEmbedding, kAllReduce, kAllToAll };
std::string_view OpKindName(OpKind kind);

// One operator as it runs on one device (after tensor-parallel sharding). Work figures are for one
// occurrence; it runs `repeats` times per step (once per layer, twice per layer, ...).
struct OpWork {
  OpId id = OpId::kEmbed;
  OpKind kind = OpKind::kElementwise;
  int64_t repeats = 0;
  double flops = 0;
  double weight_bytes = 0;
  double act_bytes = 0;  // activations read + written
  double kv_read_bytes = 0;
  double kv_write_bytes = 0;
  // GEMM shape (M tokens x K in -> N out) for the efficiency model; attention: M = query tokens.
  int64_t m = 0, n = 0, k = 0;
  double Bytes() const { return weight_bytes + act_bytes + kv_read_bytes + kv_write_bytes; }
  double Intensity() const { return Bytes() > 0 ? flops / Bytes() : 0.0; }
};

// A linear layer on `tokens` tokens: [tokens x d_in] x [d_in x d_out]. Bytes: the weight once,
// the input and output activations once each.
OpWork LinearOp(OpId id, int64_t tokens, int64_t d_in, int64_t d_out, double weight_bytes_per_elem,
                double act_bytes_per_elem, bool bias);

// Data parallel MoE, as vLLM shards it: the expert layers span all dp x tp devices (the `ranks`
// below). With expert parallelism each rank holds E / ranks whole experts and computes the
// token-expert pairs routed to them; without it every rank holds a 1 / ranks slice of every
// expert's intermediate dimension (vLLM's flattened tensor parallelism). Either way the ranks
// exchange hidden states around every MoE layer (dispatch, combine: kMoeAllToAll) once dp > 1.
// Attention, norms, embedding and head stay data parallel (each DP rank its own tokens) and
// tensor parallel over tp.
struct StepOptions {
  int tp = 1;
  AttentionImpl attention = AttentionImpl::kFlash;
  int dp = 1;
  bool expert_parallel = false;
  // Pipeline parallelism: the stage priced holds the embedding (first) and the final norm and LM
  // head (last); the spec passed to BuildStepOps then has the stage's layers only. Both true
  // without pipeline parallelism.
  bool first_stage = true;
  bool last_stage = true;
};

// Devices the expert layers are spread over: dp x tp.
inline int MoeRanks(const StepOptions& o) { return o.dp * o.tp; }

// Bytes of the routed experts' weights (all layers, biases included; no router, no shared
// expert): the part of WeightBytes that data / expert parallelism spreads over dp x tp devices.
double RoutedExpertWeightBytes(const ModelSpec& spec);

// The expert FFN of one MoE layer on one device, as three operators (gate/up or up, act, down)
// with repeats = num_layers: `pairs` token-expert pairs computed on this device, `touched` the
// distinct experts whose weights it reads, each sliced to intermediate / `slices`. Exposed for
// pricing kernel measurements given in these terms (tokens, activated experts).
std::array<OpWork, 3> ExpertFfnOps(const ModelSpec& spec, double pairs, double touched,
                                   int64_t slices);

// Every operator of one forward step on one of `tp` devices, in execution order. Operators with no
// work in this step (e.g. lm_head with no logit tokens, all-reduce at tp=1) are left out.
// Precondition: spec validated, ValidateTensorParallel(spec, tp) passed.
void BuildStepOps(const ModelSpec& spec, const BatchShape& batch, const StepOptions& options,
                  std::vector<OpWork>& ops);
std::vector<OpWork> BuildStepOps(const ModelSpec& spec, const BatchShape& batch,
                                 const StepOptions& options);

// ---------------------------------------------------------------------------------------------
// Memory footprint.

// fp32 copies of the [sequences x vocab] logits live at the peak of vLLM v1's dummy sampler run
// (temperature, top-k = vocab - 1, top-p 0.9: the fp32 cast, the sort's values, int64 indices and
// scratch, softmax, cumulative sum, masks). Measured, not derived: the torch peak increase that
// vLLM v1 logs for Qwen3-0.6B on an H100 (5.56 GiB, max_num_seqs 1024, vocab 151,936; llm-d/
// llm-d-benchmark config_explorer/empirical-vllm-memory-results.md), less the forward's bf16
// hidden states (8,192 x 1,024): (5.56 GiB - 16 MiB) / (1024 x 151,936 x 4 B) = 9.566. The same
// source's Llama-3.1-8B, Qwen3-32B, gpt-oss-20b and Llama-3.3-70B (TP 2) give 9.56-9.64.
inline constexpr double kSamplerPeakLogitCopies = 9.566;

// Peak activation memory (torch's peak allocation above the weights) of the profiling pass a
// serving engine runs before sizing its KV cache, on one of `tp` devices: a forward pass over
// `tokens` tokens (the largest set of live intermediates: residual stream, QKV, FFN intermediate),
// then the sampler over `logit_tokens` sequences, whose fp32 logits are gathered over the whole
// vocabulary on every device (kSamplerPeakLogitCopies of them live at once) while the forward's
// output hidden states are still held. The larger of the two.
double ActivationWorkingSetBytes(const ModelSpec& spec, int64_t tokens, int64_t logit_tokens,
                                 int tp);
// An engine's forward working set (as above) plus two fp32 copies (logits, probabilities) of the
// logits of `logit_tokens` tokens split over `tp` devices: the working set of engines that do not
// run vLLM's sampler profiling (the offload planners).
double ForwardLogitsWorkingSetBytes(const ModelSpec& spec, int64_t tokens, int64_t logit_tokens,
                                    int tp);

// Training memory with AdamW mixed precision: 20 bytes per parameter (fp16 weights and grads, fp32
// master weights and two moments) plus activations with full recomputation off, per Korthikanti et
// al. 2022: per layer s*b*h*(34 + 5*heads*s/h) bytes.
double TrainingMemoryBytes(const ModelSpec& spec, int64_t batch, int64_t seq_len);

}  // namespace servesim

#endif  // SERVESIM_MODELS_ARITHMETIC_H_
