// What one forward step of a batch costs on a device: the roofline cost model.
//
// Models, per operator occurrence on one device (after tensor-parallel sharding):
//   t_c = flops / (peak * e_c)     (GEMMs: t_c scaled by min((M + ramp) / M, peak / fp32 peak),
//                                   M = tokens: the tile ramp, capped by the vector path;
//                                   attention: the causal pairs plus masked_fraction of the
//                                   masked pairs plus row_keys per query row, x 4 heads head_dim)
//   t_m = bytes / (bw * e_m)
//   t   = (t_c^p + t_m^p)^(1/p) + overhead          (p large: the plain roofline max)
//   all-reduce: priced by the link between the devices (hardware/collectives.h: ring steps,
//   NCCL's LL and Simple protocols, per-kind latency and bus efficiency)
// where peak is the device's dense peak for the activation dtype (fp32 units for element-wise
// work), and e_c, e_m, overhead the device's calibrated KernelTuning for that kind of kernel (GEMM,
// attention, norm, rope, activation, residual add, embedding). The smooth p-norm replaces the
// sharp max because measured kernels near the ridge point are slower than either bound alone.
// Prompt chunks' attention adds the occupancy (wave) term of hardware/occupancy.h: whole
// query tiles, and the idle SMs of a grid with fewer thread blocks than SMs or a partial last wave.
// The attention row term is FlashAttention's fixed work per query block (loading Q, the final
// rescale and output write), so prefill efficiency rises with the keys per query k as
// k / (k + row_keys); the masked fraction is the share of the causally masked pairs the kernel
// computes anyway (0: perfect block skipping, 1: the whole rectangle).
// `ideal` mode is the textbook roofline: max(t_c, t_m) at peak, no overheads. A step adds the
// serving engine's overheads: a fixed per-step CPU cost plus a per-sequence one (scheduling, input
// preparation, sampling), and, without CUDA graphs, the CPU cost of issuing each kernel, which
// overlaps with GPU execution (step = max(sum of kernel times, kernels * launch cost)). An engine
// with asynchronous scheduling (vLLM's default since late 2025, TensorRT-LLM's and SGLang's
// overlap schedulers) prepares step N+1 on the CPU while the GPU runs step N, so the per-step CPU cost
// hides behind device time: step = max(kernel time, launches + CPU overhead). An engine that
// encodes its kernels one after another into a single command stream and waits for them
// (llama.cpp's Metal and CPU backends) pays each launch in series with the kernels:
// step = kernel time + launches + CPU overhead. GEMMs whose weights are quantized add the device's
// dequant_compute_overhead to their compute time (fused dequantization). Ignores:
// overlap of communication with compute, kernel fusion beyond the operators of models/arithmetic.h,
// L2 cache reuse across kernels, clock throttling, stragglers across TP ranks.
#ifndef SERVESIM_HARDWARE_COST_MODEL_H_
#define SERVESIM_HARDWARE_COST_MODEL_H_

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/all_to_all.h"
#include "hardware/device_spec.h"
#include "hardware/profile_bundle.h"
#include "models/arithmetic.h"
#include "models/model_spec.h"

namespace servesim {

// kIo: waiting on weights or KV streamed from a slower memory tier (policies/offload/).
enum class Bound { kCompute, kMemory, kLatency, kNetwork, kOverhead, kIo };
std::string_view BoundName(Bound bound);

// The serving engine around the device (vLLM, TensorRT-LLM, a research harness ...).
struct RuntimeOverheads {
  double step_s = 0;           // fixed CPU time per step (scheduling, input prep, sampling)
  double step_per_seq_s = 0;   // extra CPU time per sequence in the batch
  double kernel_launch_s = 0;  // CPU time to issue one kernel in eager mode
  bool cuda_graphs = true;     // decode-only steps replay a graph: no per-kernel issue cost
  // Asynchronous scheduling: the CPU work of the next step (step_s, step_per_seq_s, launches)
  // runs while the device executes this one, so a step costs the larger of the two, not the sum.
  bool overlap_cpu = false;
  // Launches run in series with the kernels (no overlap of CPU issue and device execution): a
  // step costs kernel time + launches + overhead. Takes precedence over overlap_cpu.
  bool serial_launch = false;
};

// Named engine profiles (calibration in bench/results/calibration.md, validation in
// bench/results/validation.md):
//   none         no engine overhead (pure device time)
//   cuda-graphs  a modern engine that replays CUDA graphs for decode and schedules asynchronously
//                (vLLM since late 2025, TensorRT-LLM, SGLang)
//   eager        a framework that launches every kernel from Python each step, synchronously
//   llama.cpp    llama.cpp's Metal / CPU backends: one sequence at a time, every kernel encoded and
//                run in series (the default of Apple, phone and Jetson presets)
struct RuntimeProfile {
  const char* name;
  RuntimeOverheads overheads;
  const char* description;
};
const std::vector<RuntimeProfile>& RuntimeProfiles();
// Throws InputError naming `source` with a suggestion when unknown.
const RuntimeProfile& RuntimeProfileOrThrow(std::string_view name, std::string_view source);

struct CostModelOptions {
  int tp = 1;
  AttentionImpl attention = AttentionImpl::kFlash;
  bool ideal = false;  // pure roofline: every efficiency 1, no floors, no overheads
  RuntimeOverheads runtime;
  // Data parallel MoE (models/arithmetic.h StepOptions): DP ranks, expert parallelism, and how
  // the ranks exchange tokens around each MoE layer (hardware/all_to_all.h, over the device's
  // interconnect at its all-reduce bus efficiency).
  int dp = 1;
  bool expert_parallel = false;
  All2AllBackend all2all = All2AllBackend::kAllgatherReduceScatter;
  // One pipeline stage (hardware/pipeline.h): the model priced is the stage's layers, with the
  // embedding only on the first stage and the final norm and LM head only on the last.
  bool first_stage = true;
  bool last_stage = true;
  StepOptions Step() const {
    return StepOptions{tp, attention, dp, expert_parallel, first_stage, last_stage};
  }
  // cost_model.impl profiled: the measured kernel tables (for the scenario's TP) and where they
  // came from; null prices with the roofline alone (hardware/profiled_cost_model.h).
  std::shared_ptr<const ProfileBundle> profile;
  std::string profile_dir;
  std::string profile_format;  // cost_model.format: "" (detect), "llmservingsim" or "vidur"
};

// Price of one operator over all its repeats in a step.
struct OpCost {
  OpWork work;           // per-occurrence work and repeats
  double compute_s = 0;  // per occurrence
  double memory_s = 0;   // per occurrence (network time for all-reduce)
  double seconds = 0;    // all repeats
  Bound bound = Bound::kMemory;
  bool measured = false;  // profiled cost model: priced from kernel tables, not the roofline
};

struct StepCost {
  double seconds = 0;     // wall time of the step
  double device_s = 0;    // sum of kernel times
  double launch_s = 0;    // CPU issue time of all kernels (0 with graphs)
  double overhead_s = 0;  // per-step engine overhead
  double flops = 0;       // one device
  double bytes = 0;       // one device
  double compute_s = 0;   // of device_s: time in compute-bound kernels
  double memory_s = 0;    // memory-bound kernels
  double network_s = 0;   // collectives
  int64_t kernels = 0;
  // Offload (0 without): time the transfer channel was busy, the bytes it moved, and the time
  // compute sat waiting for a transfer (device_s then includes that wait).
  double io_s = 0;
  double io_bytes = 0;
  double stall_s = 0;
  // The same split by offload tier (index = device.offload_tiers): bytes read from each, and the
  // channel time each took; they sum to io_bytes and io_s.
  std::array<double, kMaxOffloadTiers> io_tier_bytes{};
  std::array<double, kMaxOffloadTiers> io_tier_s{};
  Bound bound = Bound::kMemory;  // what most of the step's time was spent on
  // Of device_s: time priced outside measured kernel data (profiled cost model: extrapolated
  // beyond a table, collectives and other dtypes from the roofline); 0 for the roofline itself.
  double outside_s = 0;
};

// Prices steps. Contract: PriceStep is const but may use internal scratch space, so one instance
// must not be shared between threads; it never allocates after construction. A batch with no new
// tokens costs zero.
class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual StepCost PriceStep(const BatchShape& batch) const = 0;
  // The same price, plus every operator's cost appended to `ops` (cleared first).
  virtual StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const = 0;
  virtual const ModelSpec& model() const = 0;
  virtual const DeviceSpec& device() const = 0;
  virtual const CostModelOptions& options() const = 0;
};

// The roofline cost model above. Validates the TP degree against the model (InputError).
std::unique_ptr<CostModel> MakeRooflineCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options);

// The engine's share of a step: wall time from the kernels' device time and count, given the
// batch and the runtime profile. Without CUDA graphs (or in a step with prefill tokens) the CPU
// issues every kernel and the GPU overlaps with it: max(device, kernels x launch); then the
// per-step and per-sequence CPU overheads add, or, with overlap_cpu, hide behind the device:
// max(device, launch + overhead); with serial_launch nothing overlaps: device + launch + overhead. `launch_s`/`overhead_s` (optional) receive the parts.
double ComposeStepSeconds(double device_s, int64_t kernels, const BatchShape& batch,
                          const RuntimeOverheads& r, double* launch_s = nullptr,
                          double* overhead_s = nullptr);

// The factor on a GEMM's compute time for dequantizing its weights: 1 + the device's
// dequant_compute_overhead when operator `id`'s weights are in a quantized format (the LM head's
// only for llama.cpp formats: GPTQ/AWQ keep it 16-bit), else 1.
double DequantFactor(const ModelSpec& model, const DeviceSpec& device, OpId id);

// The tuning that prices operator `id` of kind `kind`.
const KernelTuning& TuningFor(const Efficiency& efficiency, OpId id, OpKind kind);
KernelTuning& TuningFor(Efficiency& efficiency, OpId id, OpKind kind);

// (1 + r^p)^(1/p) for r in [0, 1], tabulated once for a fixed p: the smooth roofline's shape,
// without two pow() calls per operator on the simulator's hot path. Linear interpolation over
// 4097 points; relative error below 1e-6 for p >= 1.
class SmoothRoofline {
 public:
  explicit SmoothRoofline(double p);
  double Combine(double a, double b) const;

 private:
  double p_;
  std::vector<double> table_;
};

// FLOP-equivalents of the fused attention kernel's work beyond its causal FLOPs (zero for any
// other operator): 4 * heads per device * head_dim * (attention_row_keys * query rows +
// attention_masked_fraction * masked pairs of `batch`, or none without a batch).
double AttentionExtraFlops(const OpWork& w, const ModelSpec& model, int tp, const Efficiency& e,
                           const BatchShape* batch);

// The small-M GEMM price. A matrix-unit GEMM pads M up to its tiles, so its compute time at M
// tokens is the full-rate time x (M + ramp) / M (the fitted gemm_ramp_tokens). But no library runs
// a thin GEMM that way when a vector kernel is faster: cuBLAS dispatches GEMV, llama.cpp and MLX
// run mat-vec kernels on the SIMD units, and those compute at the vector (fp32) rate without
// padding. So the ramp is capped at `vector_ratio` = matrix peak / fp32 peak: on a GPU with
// tensor cores (A100: 312 / 19.5 = 16) it only trims M = 1, where the padded price was the
// slower one; on a device without matrix units (Apple GPUs: FP16 at the FP32 rate) the ramp
// vanishes, and a batch-1 decode GEMV stays memory-bound, as it is on those devices.
double VectorPathRatio(const DeviceSpec& device, DType activation_dtype);

// FLOP-equivalents the occupancy term (hardware/occupancy.h) adds to attention operator `w` of
// `batch` on `device` (its compute_units and efficiency.attention_query_tile); 0 for any other
// operator, without prompt chunks, or when the device has no SM count or tile.
double AttentionWaveFlops(const OpWork& w, const ModelSpec& model, const DeviceSpec& device, int tp,
                          const BatchShape& batch);
double SmallMGemmSeconds(double full_rate_s, double m, double ramp_tokens, double vector_ratio);

// Prices a single operator occurrence (exposed for calibration and tests). Without `smooth` the
// smooth roofline is evaluated exactly with pow(). `batch`: the step's shape, whose masked
// query-key pairs the attention kernel may still compute (null: none).
OpCost PriceOp(const OpWork& work, const ModelSpec& model, const DeviceSpec& device,
               const CostModelOptions& options, const SmoothRoofline* smooth = nullptr,
               const BatchShape* batch = nullptr);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_COST_MODEL_H_
