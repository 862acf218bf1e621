// What an accelerator is, for pricing inference work on it.
//
// Models: dense peak throughput per numeric format, memory tiers (device memory, then slower tiers
// the device can stream from: host DRAM over its link, local storage), the interconnect used for
// tensor-parallel collectives, the number of compute units (for wave quantization), and the
// calibrated efficiency parameters of the roofline cost model. Ignores: power and clock throttling,
// sparsity peaks, caches between tiers (L2 is folded into the calibrated efficiencies), NUMA.
#ifndef SERVESIM_HARDWARE_DEVICE_SPEC_H_
#define SERVESIM_HARDWARE_DEVICE_SPEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "models/dtype.h"

namespace servesim {

// Peak dense throughput in FLOP/s (OP/s for integer formats). 0 means the format has no native
// support; PeakFlops() then falls back to the next wider format that has one.
struct PeakFlops {
  double fp32 = 0;
  double bf16 = 0;
  double fp16 = 0;
  double fp8 = 0;
  double int8 = 0;
  double int4 = 0;
};

struct MemoryTier {
  std::string name;                  // "hbm3", "host-ddr5", "nvme-gen4", "ufs-4.0", ...
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;  // device memory: its own; other tiers: effective read rate into
                                     // device memory (the slower of the tier and its link)
  double latency_s = 0;              // per access / per transfer
};

struct Interconnect {
  std::string name;                  // "nvlink4", "pcie5", ...
  double bandwidth_bytes_per_s = 0;  // per device, one direction, as seen by a ring collective
  double latency_s = 0;              // per collective step, the floor of a small all-reduce
};

// Calibrated parameters of the roofline cost model (see hardware/cost_model.h for the formulas).
// Presets without measurements keep the defaults, which come from the A100 fit.
struct Efficiency {
  double gemm_compute = 0.80;     // fraction of peak a large GEMM reaches
  double gemm_ramp_tokens = 8;    // GEMM compute efficiency ramps as M / (M + ramp) with M tokens
  double gemm_memory = 0.85;      // fraction of bandwidth a weight-streaming GEMM reaches
  double attn_compute = 0.60;     // prefill attention, fraction of peak
  double attn_memory = 0.75;      // decode attention over the KV cache, fraction of bandwidth
  double elementwise_memory = 0.65;  // norms, rope, activations, adds, embedding gather
  double kernel_floor_s = 4e-6;   // least time any kernel takes on the device
  double allreduce_bus = 0.70;    // fraction of link bandwidth a ring all-reduce reaches
};

struct DeviceSpec {
  std::string name;         // preset key, e.g. "h100-sxm"
  std::string description;  // "NVIDIA H100 SXM5 80GB"
  std::string source;       // where the figures come from (datasheet, measurement)
  PeakFlops peak;
  MemoryTier memory;                       // device memory (unified memory on SoCs)
  std::vector<MemoryTier> offload_tiers;   // slower tiers, nearest first
  Interconnect interconnect;
  int compute_units = 0;                   // SMs / CUs, for GEMM wave quantization (0: unknown)
  bool unified_memory = false;             // host and device share memory (Apple, Jetson, phones)
  Efficiency efficiency;

  // Peak for a computation carried out in `dtype`, falling back to wider formats.
  double PeakFlopsFor(DType dtype) const;
};

// Throws InputError naming `source` and the field when a figure is missing, zero or negative.
void ValidateDeviceSpec(const DeviceSpec& device, std::string_view source);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_DEVICE_SPEC_H_
