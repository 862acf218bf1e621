// LLMServingSim's profile bundle: measured kernel latencies of one model on one GPU, per
// tensor-parallel degree, as its profiler writes them (`<hardware>/<model>/<variant>/`: meta.yaml
// and tp<N>/dense.csv, per_sequence.csv, attention.csv, moe.csv, skew_fit.csv; format in
// data/measured/llmservingsim_profiles/FORMAT-*.md), and the lookups a cost model needs.
//
// Models: a measured curve per operator over tokens or sequences (1-D linear interpolation), the
// attention kernel's scattered 4-D grid (prefill chunk, its KV history, decode count, decode KV)
// looked up nested, axis by axis, each level blending the two profiled values around the query,
// as LLMServingSim does; the MoE block over (tokens, activated experts); the fitted skew alpha per
// bucket (pc, n, skew rate, big KV, prefill KV) with its default. Everything is validated on
// read: a missing file or column, a bad header, a non-numeric or negative cell, a duplicate or
// unsorted grid point is an InputError naming file:line and column. Ignores: skew.csv (raw shots;
// the fit is what is consumed), provenance keys of meta.yaml, the sweep bounds' warning.
#ifndef SERVESIM_HARDWARE_PROFILE_BUNDLE_H_
#define SERVESIM_HARDWARE_PROFILE_BUNDLE_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

// Time in seconds at strictly increasing x: linear between points, the first value below the
// grid, extrapolated from the top two points above it (LLMServingSim's rule).
struct MeasuredCurve {
  std::vector<double> x;
  std::vector<double> seconds;
  // Sets *outside (when given) if x lies outside [x.front(), x.back()].
  double At(double x, bool* outside) const;
};

// Points of a scattered D-dimensional grid arranged as nested sorted levels: the values of axis 0,
// under each the values of axis 1 measured with it, and so on. A lookup brackets the query on
// axis 0, looks up each bracketing sub-grid on the remaining axes, and blends linearly (2^D
// leaves at most). Below an axis' first value it clamps; above its last it extrapolates from the
// top two; both set *outside.
class NestedGrid {
 public:
  static constexpr int kMaxDims = 4;
  NestedGrid() = default;
  // `coords` row-major (points x dims). Precondition: no duplicate point (the reader checks).
  NestedGrid(int dims, std::vector<double> coords, std::vector<double> seconds);
  double At(const double* query, bool* outside) const;
  int dims() const { return dims_; }
  size_t points() const { return values_.size(); }
  // The profiled values of axis 0, increasing.
  std::vector<double> FirstAxis() const;

 private:
  struct Node {
    int32_t begin = 0, end = 0;  // range of keys_/child_
  };
  int Build(const std::vector<size_t>& order, size_t lo, size_t hi, int depth,
            const std::vector<double>& coords, const std::vector<double>& seconds);
  double Lookup(int node, int depth, const double* query, bool* outside) const;

  int dims_ = 0;
  std::vector<Node> nodes_;
  std::vector<double> keys_;
  std::vector<int32_t> child_;  // node index, or value index at the last level
  std::vector<double> values_;
};

// The fitted alpha of skew_fit.csv over meta.yaml's bucket axes. alpha blends the attention
// time at the decodes' mean KV toward the time at their max KV.
struct SkewFit {
  std::vector<double> pcs;     // profiled prefill-chunk buckets, increasing
  std::vector<double> n_bins;  // bins[i] < v <= bins[i + 1] is label i
  std::vector<double> skew_rate_bins;
  std::vector<double> kv_big_bins;
  std::vector<double> kp_bins;
  std::vector<double> alpha;  // dense over (pc, n, sr, kvb, kp); NaN: no bucket
  double alpha_default = 0;
  // The bucket's alpha, or alpha_default; pc snaps to the nearest profiled bucket (log scale).
  double Alpha(double pc, double n, double skew_rate, double kv_big, double kp) const;
};

struct ProfileBundleMeta {
  std::string model;     // HF id, "meta-llama/Llama-3.1-8B"
  std::string hardware;  // "RTXPRO6000"
  std::string gpu;
  std::string variant;  // "bf16", "bf16-kvfp8", ...
  std::vector<int> tp_degrees;
  int64_t max_num_batched_tokens = 0;
  int64_t max_num_seqs = 0;
  // engine_effective.hf_overrides: per-rank shapes at the largest profiled TP.
  int64_t rank_heads = 0, rank_kv_heads = 0, rank_intermediate = 0, rank_vocab = 0;
  bool skew_fit_enabled = false;
};

struct VidurProfile;  // hardware/vidur_profile.h

// Whose layout the kernel tables came in.
enum class ProfileFormat { kLlmServingSim, kVidur };

struct ProfileBundle {
  std::string dir;
  int tp = 1;
  ProfileFormat format = ProfileFormat::kLlmServingSim;
  // format kVidur: Vidur's tables of the model at this TP; the fields below stay empty.
  std::shared_ptr<const VidurProfile> vidur;
  ProfileBundleMeta meta;
  std::map<std::string, MeasuredCurve> dense;         // layer -> time over tokens
  std::map<std::string, MeasuredCurve> per_sequence;  // lm_head, sampler -> time over sequences
  // (prefill_chunk, kv_prefill, n_decode, kv_decode) -> one layer's attention time.
  NestedGrid attention;
  std::optional<NestedGrid> moe;  // (tokens, activated_experts) -> one layer's MoE block
  std::optional<SkewFit> skew;    // absent when the bundle has no fit for this TP
};

// "llmservingsim" or "vidur".
std::string_view ProfileFormatName(const ProfileBundle& bundle);

// Reads meta.yaml alone. Throws InputError "DIR/meta.yaml: ...".
ProfileBundleMeta ReadProfileBundleMeta(const std::string& dir);

// Reads the bundle at `dir` for tensor parallelism `tp` (folder tp<N>; moe.csv, profiled at TP 1,
// is taken from tp1/ when tp<N>/ lacks it). Throws InputError naming file:line and column, or
// "DIR: no tp<N> folder (profiled: 1, 2)".
ProfileBundle ReadProfileBundle(const std::string& dir, int tp);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_PROFILE_BUNDLE_H_
