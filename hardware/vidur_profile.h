// Vidur's profiling CSVs as a kernel-table source: the per-operator medians of one transformer
// layer (`<model>_ops.csv`, Vidur's data/profiling/compute/<device>/<model>/mlp.csv) and the
// FlashAttention medians (`attention*.csv`, its attention.csv), as data/measured/vidur_a100 holds
// them; the rows of the scenario's model (Vidur keys rows by n_head, n_kv_head, n_embd,
// n_expanded_embd, use_gated_mlp and vocab_size; the vocabulary is not compared here: Vidur's
// model configs pad it (Llama-2: 32,768 for 32,000) and no per-layer operator depends on it) at
// its tensor-parallel degree.
//
// Models: each operator of the ops table as a curve over num_tokens (linear between measured
// points; Vidur instead fits a random forest or a linear model per operator over the same points
// and tabulates it for every token count: inside the grid, interpolating the measured medians
// reproduces every measured point exactly, where a fit only approximates them); repeated
// measurements of one point (Vidur's tables hold some) averaged, as a least-squares fit over
// them would; decode attention as a grid over (batch_size, kv_cache_size) and prefill attention
// over (prefill_chunk_size, kv_cache_size), both looked up nested, axis by axis (profile_bundle.h
// NestedGrid). Everything is validated on read: a missing column, a non-numeric, empty or
// non-positive time, a row of another model's shape is an InputError naming file:line and column,
// expected vs found. Ignores: the min / max / mean / std columns, attention's block_size,
// attention_backend and profile_method columns, the kv-cache-save operator (not in these tables).
#ifndef SERVESIM_HARDWARE_VIDUR_PROFILE_H_
#define SERVESIM_HARDWARE_VIDUR_PROFILE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hardware/profile_bundle.h"
#include "models/model_spec.h"

namespace servesim {

// The columns by which Vidur keys its rows, as the scenario's model has them.
struct VidurShape {
  int64_t n_head = 0, n_kv_head = 0, n_embd = 0, n_expanded_embd = 0, vocab_size = 0;
  bool use_gated_mlp = true;
};
VidurShape VidurShapeOf(const ModelSpec& model);

// Vidur's per-layer operators (the `time_stats.<op>.median` columns of an ops table).
inline constexpr const char* kVidurOps[] = {
    "emb",         "input_layernorm", "attn_pre_proj",
    "attn_rope",   "attn_post_proj",  "post_attention_layernorm",
    "mlp_up_proj", "mlp_act",         "mlp_down_proj",
    "add"};

struct VidurProfile {
  std::string ops_path;        // the ops table whose rows were read
  std::string attention_path;  // the attention table with the model's heads at this TP ("": none)
  int tp = 1;
  std::map<std::string, MeasuredCurve> ops;  // Vidur operator -> one occurrence over tokens
  std::optional<NestedGrid> decode;   // (batch_size, kv_cache_size) -> one layer's decode attention
  std::optional<NestedGrid> prefill;  // (prefill_chunk_size, kv_cache_size) -> one chunk's
};

// True when `path` is a Vidur source: a `*_ops.csv` file, or a folder holding one.
bool LooksLikeVidurProfile(const std::string& path);

// Reads the rows of `model` at tensor parallelism `tp` from `path`: a `*_ops.csv` file (its rows
// must be the model's shape) or a folder (the `*_ops.csv` whose first row has the model's shape),
// and from the `attention*.csv` files beside it the rows with the model's heads and hidden size at
// `tp` (none: attention is left to the roofline). Throws InputError, one line, naming the file,
// line and column with expected vs found, or the folder and the shapes its tables hold.
VidurProfile ReadVidurProfile(const std::string& path, const ModelSpec& model, int tp);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_VIDUR_PROFILE_H_
