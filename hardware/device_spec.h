// What an accelerator is, for pricing inference work on it.
//
// Models: dense peak throughput per numeric format, memory tiers (device memory, then slower tiers
// the device can stream from: host DRAM over its link, local storage), the interconnect used for
// tensor-parallel collectives, the number of compute units (for wave quantization), and the
// calibrated efficiency parameters of the roofline cost model, and its idle and maximum power and
// price per hour (hardware/power_model.h). Ignores: power and clock throttling,
// sparsity peaks, caches between tiers (L2 is folded into the calibrated efficiencies), NUMA.
#ifndef SERVESIM_HARDWARE_DEVICE_SPEC_H_
#define SERVESIM_HARDWARE_DEVICE_SPEC_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/collectives.h"
#include "hardware/power_model.h"
#include "models/dtype.h"

namespace servesim {

// Peak dense throughput in FLOP/s (OP/s for integer formats). 0 means the format has no native
// support; PeakFlopsFor() then falls back
// (bf16 <-> fp16, fp8 -> bf16, int4 -> int8 -> fp16); fp32 must always be set.
struct PeakFlops {
  double fp32 = 0;
  double bf16 = 0;
  double fp16 = 0;
  double fp8 = 0;
  double int8 = 0;
  double int4 = 0;
};

struct MemoryTier {
  std::string name;  // "hbm3", "host-ddr5", "nvme-gen4", "ufs-4.0", ...
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;  // device memory: its own; other tiers: effective read rate
                                     // into device memory (the slower of the tier and its link)
  double latency_s = 0;              // per access / per transfer
};

// Seconds to read `bytes` from `tier` as requests of `request_bytes` each with `io_depth` of them
// in flight: bytes / bandwidth + requests * latency / io_depth. Large sequential reads approach
// the tier's bandwidth; small scattered ones (4 KiB page faults, sparse FFN rows) are bounded by
// latency: a 16 KiB read from a 200 us flash tier moves 80 MB/s at depth 1, not 4 GB/s.
double TierReadSeconds(const MemoryTier& tier, double bytes, double request_bytes, int io_depth);

// The rate TierReadSeconds implies for reads of `request_bytes` (bytes per second).
double EffectiveReadBandwidth(const MemoryTier& tier, double request_bytes, int io_depth);

// How well one kind of kernel uses the device: fractions of peak compute and of memory bandwidth
// it reaches, and a fixed time per launch on the device (launch latency, prologue, tail).
struct KernelTuning {
  double compute_eff = 1.0;
  double memory_eff = 1.0;
  double overhead_s = 0.0;
};

// Calibrated parameters of the roofline cost model (formulas in hardware/cost_model.h), one
// KernelTuning per kind of kernel because real kernels differ by 3x in how well they stream (a
// fused add vs an unfused RMSNorm). The defaults are the A100-80GB fit of
// bench/results/calibration.md
// (`bench/calibrate.sh`); presets without measurements of their own keep them.
struct Efficiency {
  KernelTuning gemm{0.750, 0.898, 5.27e-6};
  double gemm_ramp_tokens = 17.96;   // GEMM compute efficiency scales by M / (M + ramp), M = tokens
  double roofline_sharpness = 1.39;  // p of (t_c^p + t_m^p)^(1/p); large p -> max(t_c, t_m)
  KernelTuning attention{0.449, 0.806, 14.88e-6};  // compute_eff: prefill; memory_eff: KV streaming
  // Fused attention beyond its causal FLOPs: each query row costs as much compute as
  // attention_row_keys extra keys (prefill efficiency rises with the keys per query k as
  // k / (k + row_keys)), and attention_masked_fraction of the causally masked pairs is computed
  // anyway (0: masked blocks skipped, 1: the whole rectangle). Fitted with the tuning above to
  // Vidur's 14,658 A100 FlashAttention medians: median error 11.6 % without these terms, 7.1 %
  // with them (prefill rows 18.7 % -> 4.8 %).
  double attention_row_keys = 564.1;
  double attention_masked_fraction = 1.0;
  // Query rows per thread block of the prefill attention kernel (hardware/occupancy.h: with the
  // device's compute_units as SMs, a prompt chunk pays for whole tiles and for idle SMs when its
  // sequences x heads x tiles are fewer than the SMs or end in a partial wave). 0 (the default):
  // no occupancy term. Kernel-level checks (servesim calibrate, in sample): on the RTX PRO 6000
  // bundle of Llama-3.1-8B, tile 64 takes attention's median error from 12.1 % to 6.5 % (p90
  // 70 % -> 31 %; the Qwen3-32B bundle, out of sample, 12.8 % -> 6.5 %); chunks of 16 and 128
  // tokens over 16k keys take the same 369 us there (one wave of 32 or 64 blocks at 64 rows; at
  // 128 rows the 16-token chunk would need 109 % of an SM's peak). On Vidur's A100 attention rows
  // it does not help (7.1 % without, 8.3 % at 64 rows, 9.6 % at 128), so it is off by default.
  double attention_query_tile = 0;
  KernelTuning norm{1.0, 0.358, 2.30e-6};
  KernelTuning rope{1.0, 0.448, 2.30e-6};
  KernelTuning act{1.0, 0.497, 2.07e-6};
  KernelTuning residual_add{1.0, 0.919, 1.11e-6};
  KernelTuning embed{1.0, 0.108, 2.99e-6};
  // Dequantization fused into the GEMM / mat-vec kernel (llama.cpp's Metal and CPU kernels unpack
  // each q4_0 / q8_0 / int block in registers before multiplying): the compute time of a GEMM
  // whose weights are in a quantized format grows by this fraction. Memory traffic is unchanged
  // (the packed bytes), so a batch-1 decode stays memory-bound while a prompt, compute-bound,
  // pays it. 0 (the default): the device dequantizes for free (GPUs whose int kernels hide it).
  double dequant_compute_overhead = 0.0;
};

// Offload tiers a device may have: steps report bytes per tier in a fixed array (no allocation
// per step), so the count is capped; real machines have two (host memory, storage).
inline constexpr size_t kMaxOffloadTiers = 4;

struct DeviceSpec {
  std::string name;         // preset key, e.g. "h100-sxm"
  std::string description;  // "NVIDIA H100 SXM5 80GB"
  std::string source;       // where the figures come from (datasheet, measurement)
  PeakFlops peak;
  MemoryTier memory;                      // device memory (unified memory on SoCs)
  std::vector<MemoryTier> offload_tiers;  // slower tiers, nearest first
  Interconnect interconnect;    // what joins it to its tensor-parallel peers (collectives.h)
  int compute_units = 0;        // SMs / CUs: the waves of the attention occupancy term
                                // (hardware/occupancy.h); GEMMs' wave quantization is
                                // left to the fitted GEMM ramp. 0: unknown (no term)
  bool unified_memory = false;  // host and device share memory (Apple, Jetson, phones)
  // The engine profile (hardware/cost_model.h RuntimeProfiles) a scenario or `analyze` uses when
  // it names none: `llama.cpp` on Apple, phone and Jetson presets, `cuda-graphs` elsewhere.
  std::string default_runtime = "cuda-graphs";
  Efficiency efficiency;
  DevicePower power;  // idle / max watts and price; max_w 0: unknown

  // Peak for a computation carried out in `dtype`, falling back to wider formats.
  double PeakFlopsFor(DType dtype) const;
};

// Throws InputError naming `source` and the field when a figure is missing, zero or negative.
void ValidateDeviceSpec(const DeviceSpec& device, std::string_view source);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_DEVICE_SPEC_H_
