#include "hardware/presets.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "models/input_error.h"

// Conventions of this catalog.
//
// Peaks are the vendor's dense figures (never the 2:4-sparsity ones), in FLOP/s (OP/s for integer
// formats). Where a format has no native support the field stays 0 and DeviceSpec::PeakFlopsFor
// falls back (see device_spec.cpp).
//
// Device memory capacity is what the driver reports as total memory (`nvidia-smi --query-gpu=
// memory.total`, in MiB; `rocm-smi --showmeminfo vram` in bytes), not the marketing figure: that is
// the pool a serving engine sizes its KV cache from. It lies between the datasheet "N GB" read as
// decimal (N * 1e9) and as binary (N * 2^30); e.g. H100 SXM "80 GB" = 81559 MiB = 85.52e9 bytes.
// (CUDA's cudaMemGetInfo total can be somewhat lower, the driver's reservation; the scenario's
// memory_utilization absorbs that.) SoCs with unified memory use the installed DRAM in
// GiB (LPDDR packages are binary-sized); the OS and the GPU working-set limit take a share of it,
// which memory_utilization must account for.
//
// Bandwidths are decimal: GB/s = 1e9 bytes/s. Device memory bandwidth is the datasheet peak.
// Offload tiers carry the *effective* rate at which the device reads them (the slower of the tier
// and its link, after protocol overhead): PCIe 4.0 x16 ~ 25 GB/s, PCIe 5.0 x16 ~ 50 GB/s, NVMe gen4
// ~ 7 GB/s, UFS 4.0 ~ 4 GB/s (../shared/REFERENCES.md section 3). Interconnect bandwidth is the raw
// per-direction link rate of the datasheet (NVLink "600 GB/s total" = 300 GB/s each way; PCIe 4.0
// x16 "64 GB/s" = 32 GB/s each way); the fraction a collective reaches, and its latencies, belong
// to the link's kind (hardware/collectives.cpp), so effective rates are not folded in twice. Each
// device states the kind it is deployed with: SXM / OAM parts an NVSwitch (or Infinity Fabric)
// board, PCIe cards (datacenter and consumer) PCIe through the host bridge without NVLink (the
// optional two-card bridges are not modeled); `hardware.interconnect` overrides it.
//
// Latencies are assumptions of the right order, not measurements: device memory 600 ns (HBM,
// LPDDR) / 700 ns (GDDR) per access; host DRAM over PCIe 10 us per transfer (DMA setup and launch);
// NVMe 100 us and UFS 200 us per read. Calibrate them against offload measurements.
//
// Offload tiers describe a typical machine around the device, not the device: a datacenter GPU
// sits in a server with 512 GB of host DRAM and a 3.84 TB NVMe gen4 drive (in a multi-GPU box the
// host memory is shared; override per scenario); a consumer GPU in a desktop with 64 GB of DRAM
// and a 2 TB NVMe drive. Unified-memory SoCs have no separate host tier, only storage.
//
// Efficiency: every preset keeps the Efficiency{} defaults (the A100 fit) until it is calibrated;
// each builder marks the spot with "CALIBRATION".
//
// Power (hardware/power_model.h): max_w is the datasheet's maximum board power (TDP; "up to" for
// configurable parts). idle_w is an assumption of the right order, not a measurement: an idle
// datacenter GPU with a model loaded reads roughly 10-20 % of its TDP on nvidia-smi (about 60 W
// on an A100 SXM, 80-100 W on H100/H200 SXM). The activity weights are the A100 fit of
// bench/results/energy.md for every device. Devices without a cited TDP (laptop parts, SoCs,
// phones) have max_w 0: no energy figures. price_per_hour_usd is an on-demand list price per
// device-hour as published in 2025 (cloud prices change; override with
// hardware.price_per_hour_usd): Lambda's on-demand GPU cloud page (per GPU in 8-GPU
// instances) for A100/H100, AWS EC2 on-demand (us-east-1, the 1-GPU instance of a family:
// g4dn.xlarge T4, g5.xlarge A10G, g6.xlarge L4, g6e.xlarge L40S) for the others; 0 where no price
// is cited (no dollar figures).

namespace servesim {
namespace {

constexpr double kGB = 1e9;
constexpr double kTB = 1e12;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kTera = 1e12;  // TFLOP/s, TOP/s

constexpr double kHbmLatencyS = 600e-9;
constexpr double kGddrLatencyS = 700e-9;
constexpr double kLpddrLatencyS = 600e-9;
constexpr double kHostLatencyS = 10e-6;
constexpr double kNvmeLatencyS = 100e-6;
constexpr double kUfsLatencyS = 200e-6;

// Effective host-link read rates (REFERENCES.md section 3).
constexpr double kPcie4x16EffectiveBps = 25 * kGB;
constexpr double kPcie5x16EffectiveBps = 50 * kGB;
constexpr double kNvmeGen4Bps = 7 * kGB;

// Raw per-direction link rates.
constexpr double kPcie3x16Bps = 16 * kGB;
constexpr double kPcie4x16Bps = 32 * kGB;
constexpr double kPcie5x16Bps = 64 * kGB;

DevicePower Power(double idle_w, double max_w, double price_per_hour_usd) {
  DevicePower p;
  p.idle_w = idle_w;
  p.max_w = max_w;
  p.price_per_hour_usd = price_per_hour_usd;
  return p;
}

MemoryTier Tier(std::string name, double capacity_bytes, double bandwidth_bytes_per_s,
                double latency_s) {
  MemoryTier tier;
  tier.name = std::move(name);
  tier.capacity_bytes = capacity_bytes;
  tier.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  tier.latency_s = latency_s;
  return tier;
}

Interconnect Link(std::string name, LinkKind kind, double bandwidth_bytes_per_s) {
  return MakeInterconnect(std::move(name), kind, bandwidth_bytes_per_s);
}

PeakFlops Peaks(double fp32, double bf16, double fp16, double fp8, double int8, double int4) {
  PeakFlops p;
  p.fp32 = fp32;
  p.bf16 = bf16;
  p.fp16 = fp16;
  p.fp8 = fp8;
  p.int8 = int8;
  p.int4 = int4;
  return p;
}

// A datacenter server around the GPU: host DRAM over the GPU's PCIe link, then an NVMe gen4 drive.
std::vector<MemoryTier> ServerTiers(double host_link_bps) {
  return {Tier("host-dram", 512 * kGB, host_link_bps, kHostLatencyS),
          Tier("nvme-gen4", 3.84 * kTB, kNvmeGen4Bps, kNvmeLatencyS)};
}

// A desktop around a consumer GPU.
std::vector<MemoryTier> DesktopTiers(double host_link_bps) {
  return {Tier("host-dram", 64 * kGB, host_link_bps, kHostLatencyS),
          Tier("nvme-gen4", 2 * kTB, kNvmeGen4Bps, kNvmeLatencyS)};
}

DeviceSpec Base(std::string name, std::string description, std::string source) {
  DeviceSpec d;
  d.name = std::move(name);
  d.description = std::move(description);
  d.source = std::move(source);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Datacenter GPUs.

// NVIDIA A100 Tensor Core GPU datasheet ("A100 80GB SXM" column; dense figures: FP32 19.5,
// BF16/FP16 tensor 312, INT8 624, INT4 1248 TOPS; HBM2e 2,039 GB/s; NVLink 600 GB/s). No FP8.
// 108 SMs (NVIDIA A100 architecture whitepaper). nvidia-smi "NVIDIA A100-SXM4-80GB, 81920 MiB".
DeviceSpec A100Sxm80() {
  DeviceSpec d = Base("a100-80gb", "NVIDIA A100 SXM4 80GB",
                      "NVIDIA A100 datasheet (80GB SXM, dense); nvidia-smi memory.total 81920 MiB");
  d.peak = Peaks(19.5 * kTera, 312 * kTera, 312 * kTera, 0, 624 * kTera, 1248 * kTera);
  d.memory = Tier("hbm2e", 81920 * kMiB, 2039 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("nvlink3", LinkKind::kNvswitch, 300 * kGB);  // 600 GB/s total, 300 each way
  d.compute_units = 108;
  // Efficiency defaults are this device's fit (bench/results/calibration.md): 105,687 Vidur kernel
  // medians, median error 6.8 %. Its link (an HGX board's NVSwitch) is priced by the nvswitch
  // kind, fitted to NCCL all-reduce on a DGX A100, 2-8 GPUs (hardware/collectives.cpp).
  d.efficiency = Efficiency{};
  d.power = Power(60, 400, 1.79);  // TDP 400 W (datasheet); Lambda $1.79/GPU-h
  return d;
}

// NVIDIA A100 datasheet ("A100 40GB SXM" column): as the 80GB part with 40GB HBM2 at 1,555 GB/s.
// nvidia-smi "NVIDIA A100-SXM4-40GB, 40960 MiB".
DeviceSpec A100Sxm40() {
  DeviceSpec d = Base("a100-40gb", "NVIDIA A100 SXM4 40GB",
                      "NVIDIA A100 datasheet (40GB SXM, dense); nvidia-smi memory.total 40960 MiB");
  d.peak = Peaks(19.5 * kTera, 312 * kTera, 312 * kTera, 0, 624 * kTera, 1248 * kTera);
  d.memory = Tier("hbm2", 40960 * kMiB, 1555 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("nvlink3", LinkKind::kNvswitch, 300 * kGB);
  d.compute_units = 108;
  d.efficiency = Efficiency{};  // Same silicon as the 80GB part: its fit applies.
  d.power = Power(60, 400, 1.29);  // TDP 400 W (datasheet); Lambda $1.29/GPU-h
  return d;
}

// NVIDIA H100 Tensor Core GPU datasheet, "H100 SXM" column (dense = half the starred sparse
// figures: BF16/FP16 989, FP8 1,979, INT8 1,979 TOPS; FP32 67; HBM3 3.35 TB/s; NVLink 900 GB/s).
// Hopper has no INT4 tensor path. 132 SMs (H100 architecture whitepaper, SXM5).
// nvidia-smi "NVIDIA H100 80GB HBM3, 81559 MiB".
DeviceSpec H100Sxm() {
  DeviceSpec d = Base("h100-sxm", "NVIDIA H100 SXM5 80GB",
                      "NVIDIA H100 datasheet (SXM, dense); nvidia-smi memory.total 81559 MiB");
  d.peak = Peaks(67 * kTera, 989 * kTera, 989 * kTera, 1979 * kTera, 1979 * kTera, 0);
  d.memory = Tier("hbm3", 81559 * kMiB, 3350 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie5x16EffectiveBps);
  d.interconnect = Link("nvlink4", LinkKind::kNvswitch, 450 * kGB);  // 900 GB/s total, 450 each way
  d.compute_units = 132;
  d.efficiency = Efficiency{};     // CALIBRATION: defaults are the A100 fit.
  d.power = Power(90, 700, 2.99);  // TDP up to 700 W (datasheet); Lambda $2.99/GPU-h
  return d;
}

// NVIDIA H100 datasheet, "H100 PCIe" column (dense: BF16/FP16 756, FP8 1,513, INT8 1,513; FP32 51;
// HBM2e 2.0 TB/s; PCIe Gen5 128 GB/s = 64 GB/s each way; the optional NVLink bridge pairs two cards
// only and is not modeled). 114 SMs. nvidia-smi "NVIDIA H100 PCIe, 81559 MiB".
DeviceSpec H100Pcie() {
  DeviceSpec d = Base("h100-pcie", "NVIDIA H100 PCIe 80GB",
                      "NVIDIA H100 datasheet (PCIe, dense); nvidia-smi memory.total 81559 MiB");
  d.peak = Peaks(51 * kTera, 756 * kTera, 756 * kTera, 1513 * kTera, 1513 * kTera, 0);
  d.memory = Tier("hbm2e", 81559 * kMiB, 2000 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie5x16EffectiveBps);
  d.interconnect = Link("pcie5", LinkKind::kPcieHostBridge, kPcie5x16Bps);
  d.compute_units = 114;
  d.efficiency = Efficiency{};     // CALIBRATION: defaults are the A100 fit.
  d.power = Power(50, 350, 2.49);  // TDP 300-350 W (datasheet); Lambda $2.49/GPU-h
  return d;
}

// NVIDIA H200 Tensor Core GPU datasheet, "H200 SXM" column (compute as H100 SXM: BF16/FP16 989,
// FP8 1,979, INT8 1,979 dense; FP32 67; 141 GB HBM3e at 4.8 TB/s; NVLink 900 GB/s). 132 SMs.
// nvidia-smi "NVIDIA H200, 143771 MiB".
DeviceSpec H200() {
  DeviceSpec d = Base("h200", "NVIDIA H200 SXM 141GB",
                      "NVIDIA H200 datasheet (SXM, dense); nvidia-smi memory.total 143771 MiB");
  d.peak = Peaks(67 * kTera, 989 * kTera, 989 * kTera, 1979 * kTera, 1979 * kTera, 0);
  d.memory = Tier("hbm3e", 143771 * kMiB, 4800 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie5x16EffectiveBps);
  d.interconnect = Link("nvlink4", LinkKind::kNvswitch, 450 * kGB);
  d.compute_units = 132;
  d.efficiency = Efficiency{};  // CALIBRATION: defaults are the A100 fit.
  d.power = Power(90, 700, 0);  // TDP up to 700 W (datasheet); no cited price
  return d;
}

// NVIDIA L4 Tensor Core GPU datasheet (dense = half the starred figures: BF16/FP16 121, FP8 242,
// INT8 242; FP32 30.3; 24 GB GDDR6 at 300 GB/s; PCIe Gen4 x16 64 GB/s). INT4 not listed. 58 SMs
// (Ada AD104). nvidia-smi "NVIDIA L4, 23034 MiB".
DeviceSpec L4() {
  DeviceSpec d = Base("l4", "NVIDIA L4 24GB",
                      "NVIDIA L4 datasheet (dense); nvidia-smi memory.total 23034 MiB");
  d.peak = Peaks(30.3 * kTera, 121 * kTera, 121 * kTera, 242 * kTera, 242 * kTera, 0);
  d.memory = Tier("gddr6", 23034 * kMiB, 300 * kGB, kGddrLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("pcie4", LinkKind::kPcieHostBridge, kPcie4x16Bps);
  d.compute_units = 58;
  d.efficiency = Efficiency{};      // CALIBRATION: defaults are the A100 fit.
  d.power = Power(16, 72, 0.8048);  // TDP 72 W (datasheet); AWS g6.xlarge $0.8048/h
  return d;
}

// NVIDIA L40S datasheet (dense = half the starred figures: BF16/FP16 362.05, FP8 733; FP32 91.6;
// 48 GB GDDR6 at 864 GB/s; PCIe Gen4 x16). The datasheet leaves the L40S INT8/INT4 rows blank;
// INT8 733 (the FP8 rate on Ada) is REFERENCES.md's figure, INT4 falls back to it. 142 SMs (Ada
// AD102). nvidia-smi "NVIDIA L40S, 46068 MiB".
DeviceSpec L40s() {
  DeviceSpec d = Base("l40s", "NVIDIA L40S 48GB",
                      "NVIDIA L40S datasheet (dense); nvidia-smi memory.total 46068 MiB");
  d.peak = Peaks(91.6 * kTera, 362 * kTera, 362 * kTera, 733 * kTera, 733 * kTera, 0);
  d.memory = Tier("gddr6", 46068 * kMiB, 864 * kGB, kGddrLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("pcie4", LinkKind::kPcieHostBridge, kPcie4x16Bps);
  d.compute_units = 142;
  d.efficiency = Efficiency{};      // CALIBRATION: defaults are the A100 fit.
  d.power = Power(35, 350, 1.861);  // TDP 350 W (datasheet); AWS g6e.xlarge $1.861/h
  return d;
}

// NVIDIA A10G (AWS EC2 G5 only; NVIDIA publishes no datasheet). Figures as tabulated in Baseten,
// "NVIDIA A10 vs A10G for ML model inference", and REFERENCES.md: BF16/FP16 tensor 70 TFLOP/s dense
// (its tensor cores run at half the A10's per-SM rate; the A10 is 125), INT8 140, INT4 280 TOP/s,
// FP32 35; 24 GB GDDR6 at 600 GB/s; PCIe Gen4 x16. 80 SMs. nvidia-smi "NVIDIA A10G, 23028 MiB".
DeviceSpec A10g() {
  DeviceSpec d =
      Base("a10g", "NVIDIA A10G 24GB (AWS G5)",
           "Baseten A10 vs A10G spec table (AWS publishes none); nvidia-smi memory.total "
           "23028 MiB");
  d.peak = Peaks(35 * kTera, 70 * kTera, 70 * kTera, 0, 140 * kTera, 280 * kTera);
  d.memory = Tier("gddr6", 23028 * kMiB, 600 * kGB, kGddrLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("pcie4", LinkKind::kPcieHostBridge, kPcie4x16Bps);
  d.compute_units = 80;
  d.efficiency = Efficiency{};   // CALIBRATION: defaults are the A100 fit.
  d.power = Power(0, 0, 1.006);  // no published TDP; AWS g5.xlarge $1.006/h
  return d;
}

// NVIDIA A40 datasheet (dense = half the starred figures: BF16/FP16 tensor 149.7, INT8 299.3,
// INT4 598.7; FP32 37.4; 48 GB GDDR6 with ECC at 696 GB/s; PCIe Gen4 x16; the NVLink
// bridge, 112.5 GB/s between a pair, is not modeled). A40 tensor cores run FP16 with FP32
// accumulate at full rate (unlike GeForce). 84 SMs (GA102). nvidia-smi "NVIDIA A40, 46068 MiB".
// Vidur's measured operator profiles in ../shared/data/measured/vidur_a40 were taken on this part.
DeviceSpec A40() {
  DeviceSpec d = Base("a40", "NVIDIA A40 48GB",
                      "NVIDIA A40 datasheet (dense); nvidia-smi memory.total 46068 MiB");
  d.peak = Peaks(37.4 * kTera, 149.7 * kTera, 149.7 * kTera, 0, 299.3 * kTera, 598.7 * kTera);
  d.memory = Tier("gddr6", 46068 * kMiB, 696 * kGB, kGddrLatencyS);
  d.offload_tiers = ServerTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("pcie4", LinkKind::kPcieHostBridge, kPcie4x16Bps);
  d.compute_units = 84;
  // Fitted by bench/calibrate.sh to vidur_a40 (54,549 kernel medians; median error 4.5 %).
  // Attention and all-reduce were not measured on the A40: they keep the A100 fit.
  d.efficiency.gemm = {0.773, 0.800, 4.25e-6};
  d.efficiency.gemm_ramp_tokens = 4.55;
  d.efficiency.roofline_sharpness = 1.746;
  d.efficiency.norm = {1.0, 0.608, 2.66e-6};
  d.efficiency.rope = {1.0, 0.780, 1.10e-6};
  d.efficiency.act = {1.0, 0.783, 1.55e-6};
  d.efficiency.residual_add = {1.0, 0.839, 0.65e-6};
  d.efficiency.embed = {1.0, 0.371, 2.39e-6};
  d.power = Power(30, 300, 0);  // TDP 300 W (datasheet); no cited price
  return d;
}

// NVIDIA T4 datasheet (FP32 8.1; mixed-precision FP16/FP32 65; INT8 130; INT4 260; 16 GB GDDR6 at
// 320 GB/s; PCIe Gen3 x16). Turing has no BF16: serving stacks run bf16 checkpoints in fp16 on it,
// so bf16 is priced at the fp16 rate (and ValidateDeviceSpec requires a bf16 figure). 40 SMs.
// nvidia-smi "Tesla T4, 15360 MiB". Offload tiers are FlexGen's fitted T4 box (Sheng et al., ICML
// 2023; REFERENCES.md sections 3 and 5): 208 GB DRAM read at 12.89 GB/s, 1.5 TB SSD at 0.473 GB/s,
// so the FlexGen throughputs can be reproduced from the preset.
DeviceSpec T4() {
  DeviceSpec d = Base("t4", "NVIDIA T4 16GB",
                      "NVIDIA T4 datasheet; nvidia-smi memory.total 15360 MiB; offload tiers: "
                      "FlexGen's fitted T4 box");
  d.peak = Peaks(8.1 * kTera, 65 * kTera, 65 * kTera, 0, 130 * kTera, 260 * kTera);
  d.memory = Tier("gddr6", 15360 * kMiB, 320 * kGB, kGddrLatencyS);
  d.offload_tiers = {Tier("host-dram", 208 * kGB, 12.89 * kGB, kHostLatencyS),
                     Tier("ssd", 1.5 * kTB, 0.473 * kGB, kNvmeLatencyS)};
  d.interconnect = Link("pcie3", LinkKind::kPcieHostBridge, kPcie3x16Bps);
  d.compute_units = 40;
  d.efficiency = Efficiency{};     // CALIBRATION: defaults are the A100 fit.
  d.power = Power(10, 70, 0.526);  // TDP 70 W (datasheet); AWS g4dn.xlarge $0.526/h
  return d;
}

// AMD Instinct MI300X datasheet (dense: BF16/FP16 1,307.4, FP8 2,614.9, INT8 2,614.9; FP32 vector
// 163.4; no INT4; 192 GB HBM3 at 5.3 TB/s; 7 Infinity Fabric links of 128 GB/s bidirectional, i.e.
// 7 x 64 = 448 GB/s each way to the other 7 GPUs of a fully connected 8-GPU platform; host PCIe
// Gen5 x16). 304 CUs. rocm-smi "VRAM Total Memory (B): 205822885888".
DeviceSpec Mi300x() {
  DeviceSpec d = Base("mi300x", "AMD Instinct MI300X 192GB",
                      "AMD Instinct MI300X datasheet (dense); rocm-smi VRAM total 205822885888 B");
  d.peak = Peaks(163.4 * kTera, 1307 * kTera, 1307 * kTera, 2615 * kTera, 2615 * kTera, 0);
  d.memory = Tier("hbm3", 205822885888.0, 5300 * kGB, kHbmLatencyS);
  d.offload_tiers = ServerTiers(kPcie5x16EffectiveBps);
  d.interconnect = Link("infinity-fabric", LinkKind::kInfinityFabric, 448 * kGB);
  d.compute_units = 304;
  d.efficiency = Efficiency{};   // CALIBRATION: defaults are the A100 fit.
  d.power = Power(140, 750, 0);  // TDP 750 W (datasheet); no cited price
  return d;
}

// The kernel-level fit of the RTX PRO 6000 Server Edition (see RtxPro6000Server).
Efficiency RtxPro6000KernelFit() {
  Efficiency e;
  e.gemm = {0.802, 0.965, 4.35e-6};
  e.gemm_ramp_tokens = 0.0;
  e.roofline_sharpness = 1.481;
  e.attention = {0.414, 0.897, 13.77e-6};
  e.attention_row_keys = 0.0;
  e.attention_masked_fraction = 1e-3;  // the fit's lower bound (validation wants > 0)
  e.norm = {1.0, 1.0, 2.02e-6};
  e.rope = {1.0, 1.0, 1.74e-6};
  e.act = {1.0, 1.0, 1.45e-6};
  e.embed = {1.0, 1.0, 2.10e-6};
  return e;
}

// NVIDIA RTX PRO 6000 Blackwell Server Edition: product page / datasheet (Dec 2025): 96 GB GDDR7
// at 1,597 GB/s, FP32 120 TFLOP/s, "FP16|BF16 Tensor Core 1 PFLOP", "FP8 2 PFLOPS", "FP4 4 PFLOPS".
// The tensor figures are sparse (the same page's TF32 234 TFLOP/s is the dense 2 x FP32), so dense
// BF16/FP16 = 500, FP8 = 1,000; INT8 is not listed and is the FP8 rate on GB202. No INT4 slot for
// FP4. PCIe Gen5 x16, no NVLink. 188 SMs (GB202). nvidia-smi "NVIDIA RTX PRO 6000 Blackwell
// Server Edition, 97887 MiB". This is the part of the measured vLLM run in
// ../shared/data/measured/vllm_runs/rtxpro6000_llama31_8b (LLMServingSim models it at 1,597 GB/s).
DeviceSpec RtxPro6000Server() {
  DeviceSpec d = Base("rtx-pro-6000", "NVIDIA RTX PRO 6000 Blackwell Server Edition 96GB",
                      "NVIDIA RTX PRO 6000 Blackwell Server Edition product page/datasheet (sparse "
                      "figures halved); nvidia-smi memory.total 97887 MiB");
  d.peak = Peaks(120 * kTera, 500 * kTera, 500 * kTera, 1000 * kTera, 1000 * kTera, 0);
  d.memory = Tier("gddr7", 97887 * kMiB, 1597 * kGB, kGddrLatencyS);
  d.offload_tiers = ServerTiers(kPcie5x16EffectiveBps);
  d.interconnect = Link("pcie5", LinkKind::kPcieHostBridge, kPcie5x16Bps);
  d.compute_units = 188;
  // Efficiency: fitted by `servesim calibrate --bundle` (bench/calibrate.sh) to kernel timings
  // only: LLMServingSim's profile bundle of Llama-3.1-8B bf16 on this GPU at TP 1 and 2
  // (../shared/data/measured/llmservingsim_profiles/RTXPRO6000/meta-llama/Llama-3.1-8B; 41,544
  // medians: dense operators and lm_head vs tokens, the 4-D attention grid). No end-to-end run
  // enters it. Elementwise kernels of 1-2k tokens run from the 128 MB L2 cache faster than
  // DRAM allows (memory_eff at its bound of 1); vLLM fuses the residual add into the norm, so
  // residual_add keeps the A100 fit. calibration.md lists the errors, in and out of sample.
  d.efficiency = RtxPro6000KernelFit();
  return d;
}

// ---------------------------------------------------------------------------------------------
// Workstation and consumer GPUs.

// NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet: 96 GB GDDR7 at 1,792 GB/s (28 Gbps,
// 512-bit; the Server Edition runs its memory slower), FP32 125 TFLOP/s, PCIe Gen5 x16. Dense
// tensor peaks from the RTX Blackwell architecture whitepaper figures for GB202 at 188 SMs and
// 2,617 MHz boost: BF16/FP16 503.8 (FP32 accumulate, full rate on the PRO part), FP8 1,007.6,
// INT8 1,007.6. A workstation: 256 GB of host DRAM, a 4 TB NVMe gen4 drive.
// nvidia-smi "NVIDIA RTX PRO 6000 Blackwell Workstation Edition, 97887 MiB".
DeviceSpec RtxPro6000Workstation() {
  DeviceSpec d = Base("rtx-pro-6000-ws", "NVIDIA RTX PRO 6000 Blackwell Workstation Edition 96GB",
                      "NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet; RTX Blackwell "
                      "whitepaper (dense); nvidia-smi memory.total 97887 MiB");
  d.peak = Peaks(125 * kTera, 503.8 * kTera, 503.8 * kTera, 1007.6 * kTera, 1007.6 * kTera, 0);
  d.memory = Tier("gddr7", 97887 * kMiB, 1792 * kGB, kGddrLatencyS);
  d.offload_tiers = {Tier("host-dram", 256 * kGB, kPcie5x16EffectiveBps, kHostLatencyS),
                     Tier("nvme-gen4", 4 * kTB, kNvmeGen4Bps, kNvmeLatencyS)};
  d.interconnect = Link("pcie5", LinkKind::kPcieHostBridge, kPcie5x16Bps);
  d.compute_units = 188;
  d.efficiency = RtxPro6000KernelFit();  // Same GB202 silicon as the Server Edition.
  return d;
}

// NVIDIA Ada Lovelace architecture whitepaper (v2.x), RTX 4090 column: FP32 82.6; FP16/BF16 tensor
// 165.2 dense with FP32 accumulate (330.3 with FP16 accumulate); FP8 330.3 (FP32 accumulate);
// INT8 660.6; INT4 1,321.2; 24 GB GDDR6X at 1,008 GB/s; PCIe Gen4 x16. GeForce parts run FP32
// accumulation at half the FP16-accumulate rate, and PyTorch/cuBLAS GEMMs accumulate in FP32, so
// the FP32-accumulate figure (165, as in REFERENCES.md) is the one a serving stack sees. 128 SMs.
// nvidia-smi "NVIDIA GeForce RTX 4090, 24564 MiB". GeForce cards have no P2P: tensor-parallel
// traffic goes through host memory, which the all-reduce efficiency has to absorb.
DeviceSpec Rtx4090() {
  DeviceSpec d = Base("rtx-4090", "NVIDIA GeForce RTX 4090 24GB",
                      "NVIDIA Ada Lovelace architecture whitepaper (dense, FP32 accumulate); "
                      "nvidia-smi memory.total 24564 MiB");
  d.peak = Peaks(82.6 * kTera, 165 * kTera, 165 * kTera, 330 * kTera, 661 * kTera, 1321 * kTera);
  d.memory = Tier("gddr6x", 24564 * kMiB, 1008 * kGB, kGddrLatencyS);
  d.offload_tiers = DesktopTiers(kPcie4x16EffectiveBps);
  d.interconnect = Link("pcie4", LinkKind::kPcieHostBridge, kPcie4x16Bps);
  d.compute_units = 128;
  d.efficiency = Efficiency{};  // CALIBRATION: defaults are the A100 fit.
  return d;
}

// GeForce RTX 4060 (desktop, AD107): 24 SMs, 3,072 CUDA cores at 2,460 MHz boost -> FP32 15.11
// TFLOP/s (NVIDIA product page specs; REFERENCES' source documents round the class to 15.39).
// Tensor peaks scale the Ada whitepaper per-SM rates (TechPowerUp-style tables agree): FP16/BF16
// 30.23 dense with FP32 accumulate (60.46 with FP16 accumulate), FP8 60.46, INT8 120.9, INT4 241.8.
// 8 GB GDDR6 at 17 Gbps x 128-bit = 272 GB/s. The card has a PCIe 4.0 x8 link: half the x16 rates.
// nvidia-smi "NVIDIA GeForce RTX 4060, 8188 MiB".
DeviceSpec Rtx4060() {
  DeviceSpec d = Base("rtx-4060", "NVIDIA GeForce RTX 4060 8GB (desktop)",
                      "NVIDIA RTX 4060 specs + Ada whitepaper per-SM tensor rates (dense, FP32 "
                      "accumulate); nvidia-smi memory.total 8188 MiB");
  d.peak = Peaks(15.11 * kTera, 30.23 * kTera, 30.23 * kTera, 60.46 * kTera, 120.9 * kTera,
                 241.8 * kTera);
  d.memory = Tier("gddr6", 8188 * kMiB, 272 * kGB, kGddrLatencyS);
  d.offload_tiers = DesktopTiers(kPcie4x16EffectiveBps / 2);  // x8 link
  d.interconnect = Link("pcie4-x8", LinkKind::kPcieHostBridge, kPcie4x16Bps / 2);
  d.compute_units = 24;
  d.efficiency = Efficiency{};  // CALIBRATION: defaults are the A100 fit.
  return d;
}

// ---------------------------------------------------------------------------------------------
// Laptop GPUs (GeForce RTX 40 Laptop, Ada). NVIDIA's laptop comparison page gives CUDA cores,
// the boost-clock range (set by the laptop's power limit), memory size and bus width; SM counts
// are cores / 128. Peaks are taken at the top of the boost range (the highest-power laptops)
// with the Ada GeForce per-SM rates of the desktop presets above: FP32 256, BF16/FP16 tensor 512
// (FP32 accumulate), FP8 1,024, INT8 2,048, INT4 4,096 operations per SM per clock. Cross-check:
// INT4 at the top boost reproduces NVIDIA's "AI TOPS" for the 4080 (542), 4070 (321) and 4060
// (233) Laptop GPUs; the 4090 Laptop's 686 implies 2.2 GHz, above its listed 2,040 MHz boost,
// which is kept. GDDR6 data rates are not on NVIDIA's page: 18 Gbps (4090, 4080) and 16 Gbps
// (4070, 4060) as board partners and TechPowerUp list them. Capacity is the nominal GiB count
// (nvidia-smi shows a few MiB less). The host side is a laptop's: 32 GB DRAM over the GPU's
// PCIe 4.0 link (x16 for the 4090/4080, x8 for the 4070/4060, as their desktop AD106/AD107
// siblings) and a 1 TB NVMe gen4 drive. A laptop that runs below the top boost is slower: set
// hardware.peak_* (or pick the desktop part) to match yours.
struct AdaLaptop {
  const char* name;
  const char* description;
  int sms;
  double boost_ghz;
  int memory_gib;
  int bus_bits;
  double gbps_per_pin;
  int pcie_lanes;
};

DeviceSpec AdaLaptopGpu(const AdaLaptop& l) {
  DeviceSpec d = Base(l.name, l.description,
                      "NVIDIA GeForce laptop comparison page (cores, boost range, memory, bus); "
                      "Ada per-SM tensor rates at the top boost clock");
  const double clock_hz = l.boost_ghz * 1e9;
  const double per_sm_clock = l.sms * clock_hz;
  d.peak = Peaks(256 * per_sm_clock, 512 * per_sm_clock, 512 * per_sm_clock, 1024 * per_sm_clock,
                 2048 * per_sm_clock, 4096 * per_sm_clock);
  d.memory =
      Tier("gddr6", l.memory_gib * kGiB, l.bus_bits / 8.0 * l.gbps_per_pin * kGB, kGddrLatencyS);
  const double link_bps = kPcie4x16EffectiveBps * l.pcie_lanes / 16;
  d.offload_tiers = {Tier("host-dram", 32 * kGB, link_bps, kHostLatencyS),
                     Tier("nvme-gen4", 1 * kTB, kNvmeGen4Bps, kNvmeLatencyS)};
  d.interconnect = Link(l.pcie_lanes == 16 ? "pcie4" : "pcie4-x8", LinkKind::kPcieHostBridge,
                        kPcie4x16Bps * l.pcie_lanes / 16);
  d.compute_units = l.sms;
  d.efficiency = Efficiency{};  // CALIBRATION: defaults are the A100 fit.
  return d;
}

const AdaLaptop kAdaLaptops[] = {
    {"rtx-4090-laptop", "NVIDIA GeForce RTX 4090 Laptop GPU 16GB (AD103, 2,040 MHz boost)", 76,
     2.040, 16, 256, 18, 16},
    {"rtx-4080-laptop", "NVIDIA GeForce RTX 4080 Laptop GPU 12GB (AD104, 2,280 MHz boost)", 58,
     2.280, 12, 192, 18, 16},
    {"rtx-4070-laptop", "NVIDIA GeForce RTX 4070 Laptop GPU 8GB (AD106, 2,175 MHz boost)", 36,
     2.175, 8, 128, 16, 8},
    {"rtx-4060-laptop", "NVIDIA GeForce RTX 4060 Laptop GPU 8GB (AD107, 2,370 MHz boost)", 24,
     2.370, 8, 128, 16, 8},
};

// ---------------------------------------------------------------------------------------------
// Unified-memory SoCs: laptops, embedded, phones. No host tier (the GPU already works out of the
// system DRAM); weights that do not fit stream from storage. No multi-device link.

// Apple M2 Max (38-core GPU, 96 GB configuration): Apple newsroom / MacBook Pro tech specs: 400
// GB/s unified LPDDR5, up to 96 GB. GPU FP32 13.6 TFLOP/s (38 cores x 128 ALUs x 2 x 1.398 GHz;
// Apple GPUs run FP16 at the FP32 rate and have no native BF16 or integer matrix units, so bf16 and
// fp16 are priced at 13.6 and int8/int4 fall back to fp16). The 15.8 TOPS Neural Engine is not used
// by llama.cpp or MLX and is not modeled. Storage: internal SSD, ~5-7 GB/s sequential read (assumed
// 6), 1 TB configuration.
// The Apple fit (see AppleEfficiency; bench/results/validation.md prints it again from the data).
constexpr double kAppleM1M2ComputeEff = 0.752;
constexpr double kAppleM1M2MemoryEff = 0.910;
constexpr double kAppleM1M2Dequant = 0.132;
constexpr double kAppleM3M4ComputeEff = 0.771;
constexpr double kAppleM3M4MemoryEff = 0.937;
constexpr double kAppleM3M4Dequant = 0.048;
// Ultra chips are two Max dies joined by UltraFusion: a batch-1 decode reaches a smaller share of
// their summed bandwidth (about half its bytes live on the other die), fitted on the M2 Ultra.
constexpr double kAppleTwoDieMemoryFactor = 0.921;
constexpr double kAppleSharpness = 1.39;  // the A100 fit's: the GEMV's compute is a few % of it

// Apple GPUs as llama.cpp's Metal backend runs them (bench/validation/llamacpp_apple.csv, the
// llama.cpp Apple Silicon benchmark: LLaMA-2-7B F16 / Q8_0 / Q4_0, pp512 and tg128). Two GPU
// families, fitted on the in-sample chips of the validation suite (bench/validation/suite.h,
// LlamaCppInSample: M1 Max, M2 Pro, M2 Max, M2 Ultra for M1/M2; M3 Max, M4 Pro, M4 Max for M3/M4)
// and checked on the others (M1, M1 Pro, M1 Ultra, M2, M3, M3 Pro, M3 Ultra, M4): memory
// efficiency (tg128 minus the fixed per-token cost is bytes / bandwidth), prompt compute
// efficiency of the simdgroup matrix kernels (pp512 F16), and dequantization overhead (pp512
// Q8_0 / Q4_0 vs F16: ~13 % on M1/M2, ~5 % on M3/M4, whose GPUs issue the unpacking alongside
// the FMAs). Kernel launches are the llama.cpp runtime's, so the per-kernel device overheads are
// 0; the attention terms of the A100 FlashAttention fit are dropped (llama-bench's runs computed
// the whole masked score matrix). Ultra chips (two dies) reach kAppleTwoDieMemoryFactor of the
// family's memory efficiency.
enum class AppleGpuFamily { kM1M2, kM3M4 };

Efficiency AppleEfficiency(AppleGpuFamily family, bool two_dies) {
  const bool m1m2 = family == AppleGpuFamily::kM1M2;
  const double compute = m1m2 ? kAppleM1M2ComputeEff : kAppleM3M4ComputeEff;
  const double memory = (m1m2 ? kAppleM1M2MemoryEff : kAppleM3M4MemoryEff) *
                        (two_dies ? kAppleTwoDieMemoryFactor : 1.0);
  Efficiency e;
  e.gemm = KernelTuning{compute, memory, 0};
  e.attention = KernelTuning{compute, memory, 0};
  e.attention_row_keys = 0;
  e.attention_masked_fraction = 1.0;
  for (KernelTuning* k : {&e.norm, &e.rope, &e.act, &e.residual_add, &e.embed}) {
    *k = KernelTuning{1.0, memory, 0};
  }
  e.roofline_sharpness = kAppleSharpness;
  e.dequant_compute_overhead = m1m2 ? kAppleM1M2Dequant : kAppleM3M4Dequant;
  return e;
}

// An Apple GPU preset's llama.cpp pieces: the family's efficiency and the llama.cpp runtime.
void UseLlamaCpp(DeviceSpec& d, AppleGpuFamily family, bool two_dies = false) {
  d.efficiency = AppleEfficiency(family, two_dies);
  d.default_runtime = "llama.cpp";
}

DeviceSpec AppleM2Max() {
  DeviceSpec d = Base("apple-m2-max", "Apple M2 Max (38-core GPU, 96GB unified memory)",
                      "Apple M2 Max tech specs (400 GB/s, 96 GB); GPU FP32 from cores x clock");
  d.peak = Peaks(13.6 * kTera, 13.6 * kTera, 13.6 * kTera, 0, 0, 0);
  d.memory = Tier("lpddr5", 96 * kGiB, 400 * kGB, kLpddrLatencyS);
  d.offload_tiers = {Tier("apple-ssd", 1 * kTB, 6 * kGB, kNvmeLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = 38;
  d.unified_memory = true;
  UseLlamaCpp(d, AppleGpuFamily::kM1M2);
  return d;
}

// Apple M3 Max (16-core CPU / 40-core GPU, 128 GB configuration): Apple tech specs: 400 GB/s
// unified LPDDR5 (the 30-core-GPU bin has 300 GB/s), up to 128 GB. GPU FP32 14.3 TFLOP/s (40 x 128
// x 2 x 1.398 GHz; Apple publishes no figure). FP16 as FP32, no BF16/integer matrix units (see M2
// Max). Storage: internal SSD, assumed 6 GB/s, 1 TB.
DeviceSpec AppleM3Max() {
  DeviceSpec d = Base("apple-m3-max", "Apple M3 Max (40-core GPU, 128GB unified memory)",
                      "Apple M3 Max tech specs (400 GB/s, 128 GB); GPU FP32 from cores x clock");
  d.peak = Peaks(14.3 * kTera, 14.3 * kTera, 14.3 * kTera, 0, 0, 0);
  d.memory = Tier("lpddr5", 128 * kGiB, 400 * kGB, kLpddrLatencyS);
  d.offload_tiers = {Tier("apple-ssd", 1 * kTB, 6 * kGB, kNvmeLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = 40;
  d.unified_memory = true;
  UseLlamaCpp(d, AppleGpuFamily::kM3M4);
  return d;
}

// Apple silicon beyond the two above, from Apple's tech-spec pages (unified memory bandwidth, GPU
// core count, the largest memory configuration of that GPU bin). GPU FP32 = cores x 128 ALUs x 2
// x clock, with the clock from Apple's own TFLOP/s where it gave one (M1 family 10.4 TFLOP/s for
// 32 cores -> 1.27 GHz; M2 family 1.398 GHz, matching its 13.6 / 27.2 TFLOP/s); M3 as the M3 Max
// above (1.398 GHz) and M4 at 1.578 GHz (Apple publishes no M4 figure: third-party measurement,
// an estimate). FP16 as FP32, no BF16/integer matrix units, SSD assumed 6 GB/s, 1 TB (see M2 Max).
struct AppleSoc {
  const char* name;
  const char* description;
  int gpu_cores;
  double gpu_ghz;
  int memory_gib;
  double bandwidth_gbps;
  AppleGpuFamily family;
  bool two_dies = false;  // an Ultra: two Max dies joined by UltraFusion
};

DeviceSpec AppleSocSpec(const AppleSoc& a) {
  DeviceSpec d =
      Base(a.name, a.description,
           "Apple tech specs (bandwidth, GPU cores, memory); GPU FP32 from cores x clock");
  const double fp32 = a.gpu_cores * 256.0 * a.gpu_ghz * 1e9;
  d.peak = Peaks(fp32, fp32, fp32, 0, 0, 0);
  d.memory = Tier("lpddr5", a.memory_gib * kGiB, a.bandwidth_gbps * kGB, kLpddrLatencyS);
  d.offload_tiers = {Tier("apple-ssd", 1 * kTB, 6 * kGB, kNvmeLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = a.gpu_cores;
  d.unified_memory = true;
  UseLlamaCpp(d, a.family, a.two_dies);
  return d;
}

const AppleSoc kAppleSocs[] = {
    // Base chips (Apple tech specs): M1 8-core GPU, LPDDR4X-4266 on 128 bits = 68.25 GB/s, 16 GB;
    // M2 and M3 10-core GPU, 100 GB/s, 24 GB; M4 10-core GPU, 120 GB/s, 32 GB.
    {"apple-m1", "Apple M1 (8-core GPU, 16GB unified memory)", 8, 1.27, 16, 68.25,
     AppleGpuFamily::kM1M2},
    {"apple-m1-pro", "Apple M1 Pro (16-core GPU, 32GB unified memory)", 16, 1.27, 32, 200,
     AppleGpuFamily::kM1M2},
    {"apple-m1-max", "Apple M1 Max (32-core GPU, 64GB unified memory)", 32, 1.27, 64, 400,
     AppleGpuFamily::kM1M2},
    {"apple-m1-ultra", "Apple M1 Ultra (64-core GPU, 128GB unified memory)", 64, 1.27, 128, 800,
     AppleGpuFamily::kM1M2, true},
    {"apple-m2", "Apple M2 (10-core GPU, 24GB unified memory)", 10, 1.398, 24, 100,
     AppleGpuFamily::kM1M2},
    {"apple-m2-pro", "Apple M2 Pro (19-core GPU, 32GB unified memory)", 19, 1.398, 32, 200,
     AppleGpuFamily::kM1M2},
    {"apple-m2-ultra", "Apple M2 Ultra (76-core GPU, 192GB unified memory)", 76, 1.398, 192, 800,
     AppleGpuFamily::kM1M2, true},
    {"apple-m3", "Apple M3 (10-core GPU, 24GB unified memory)", 10, 1.398, 24, 100,
     AppleGpuFamily::kM3M4},
    {"apple-m3-pro", "Apple M3 Pro (18-core GPU, 36GB unified memory)", 18, 1.398, 36, 150,
     AppleGpuFamily::kM3M4},
    // M3 Ultra (Mac Studio 2025): 80-core GPU, up to 512 GB; Apple: "over 800GB/s" (LPDDR5-6400
    // on 1,024 bits = 819.2 GB/s; the llama.cpp table lists 800).
    {"apple-m3-ultra", "Apple M3 Ultra (80-core GPU, 512GB unified memory)", 80, 1.398, 512, 819.2,
     AppleGpuFamily::kM3M4, true},
    {"apple-m4", "Apple M4 (10-core GPU, 32GB unified memory)", 10, 1.578, 32, 120,
     AppleGpuFamily::kM3M4},
    {"apple-m4-pro", "Apple M4 Pro (20-core GPU, 64GB unified memory)", 20, 1.578, 64, 273,
     AppleGpuFamily::kM3M4},
    {"apple-m4-max", "Apple M4 Max (40-core GPU, 128GB unified memory)", 40, 1.578, 128, 546,
     AppleGpuFamily::kM3M4},
};

// NVIDIA Jetson AGX Orin 64GB: Jetson AGX Orin Series technical brief / module datasheet: GPU of 16
// Ampere SMs (2,048 CUDA cores, 64 tensor cores) at 1.3 GHz: FP32 5.3 TFLOP/s, 170 sparse INT8
// TOPS -> 85 dense, FP16/BF16 42.5 dense (A100-class tensor cores). The DLAs are not modeled.
// 64 GB LPDDR5, 256-bit, 204.8 GB/s. Storage: the developer kit's M.2 key-M slot (PCIe Gen4 x4)
// with an NVMe gen4 drive, assumed 1 TB at 7 GB/s (the module's own 64 GB eMMC is far slower).
DeviceSpec JetsonAgxOrin() {
  DeviceSpec d =
      Base("jetson-agx-orin", "NVIDIA Jetson AGX Orin 64GB",
           "NVIDIA Jetson AGX Orin technical brief / module datasheet (GPU only, dense)");
  d.peak = Peaks(5.3 * kTera, 42.5 * kTera, 42.5 * kTera, 0, 85 * kTera, 0);
  d.memory = Tier("lpddr5", 64 * kGiB, 204.8 * kGB, kLpddrLatencyS);
  d.offload_tiers = {Tier("nvme-gen4", 1 * kTB, kNvmeGen4Bps, kNvmeLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = 16;
  d.unified_memory = true;
  d.efficiency = Efficiency{};      // CALIBRATION: defaults are the A100 fit.
  d.default_runtime = "llama.cpp";  // how such devices run LLMs (llama.cpp and its apps)
  return d;
}

// A phone with a Qualcomm Snapdragon 8 Gen 3 (SM8650; e.g. Galaxy S24 Ultra, 12 GB): Qualcomm
// product brief: LPDDR5X up to 4,800 MHz on a 64-bit bus = 76.8 GB/s (phones that ship 8,533 MT/s
// memory get 68.3), UFS 4.0 storage (~4 GB/s sequential read, REFERENCES.md). Compute is not
// published by Qualcomm: Adreno 750 FP32 ~2.8 TFLOP/s (1,536 ALUs x 2 x 903 MHz, third-party
// estimate), FP16 twice that (no BF16: priced at the FP16 rate); INT8 45 TOP/s is the widely quoted
// Hexagon NPU figure (treat as an upper bound; it is what QNN/ONNX-Runtime int8 paths run on).
// 12 GB of memory, of which Android leaves an app perhaps half: set memory_utilization.
DeviceSpec PhoneSnapdragon8Gen3() {
  DeviceSpec d = Base("phone-snapdragon-8-gen3", "Phone with Qualcomm Snapdragon 8 Gen 3, 12GB",
                      "Qualcomm Snapdragon 8 Gen 3 product brief (LPDDR5X 4800 MHz, UFS 4.0); "
                      "Adreno/Hexagon peaks are third-party estimates");
  d.peak = Peaks(2.8 * kTera, 5.6 * kTera, 5.6 * kTera, 0, 45 * kTera, 0);
  d.memory = Tier("lpddr5x", 12 * kGiB, 76.8 * kGB, kLpddrLatencyS);
  d.offload_tiers = {Tier("ufs-4.0", 256 * kGB, 4 * kGB, kUfsLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = 0;
  d.unified_memory = true;
  d.efficiency = Efficiency{};      // CALIBRATION: defaults are the A100 fit.
  d.default_runtime = "llama.cpp";  // how such devices run LLMs (llama.cpp and its apps)
  return d;
}

// Phones beyond the Snapdragon 8 Gen 3 above: a phone SoC's memory is 64 bits wide (four 16-bit
// LPDDR channels), so bandwidth = 8 bytes x the transfer rate. GPU and NPU peaks are estimates
// (vendors publish relative gains, not FLOP/s); each builder says how its figure was derived.
// Storage as the 8 Gen 3's: UFS 4.0 (~4 GB/s, REFERENCES.md) on Android; Apple's NVMe-class
// phone flash, assumed at the same 4 GB/s. Capacity: the largest memory configuration shipped.
struct PhoneSoc {
  const char* name;
  const char* description;
  const char* source;
  double transfer_mts;  // LPDDR transfers per second (millions) per pin
  const char* memory_name;
  int memory_gib;
  double fp32_tflops, fp16_tflops, int8_tops;
  const char* storage_name;
};

DeviceSpec PhoneSocSpec(const PhoneSoc& p) {
  DeviceSpec d = Base(p.name, p.description, p.source);
  d.peak = Peaks(p.fp32_tflops * kTera, p.fp16_tflops * kTera, p.fp16_tflops * kTera, 0,
                 p.int8_tops * kTera, 0);
  d.memory = Tier(p.memory_name, p.memory_gib * kGiB, 8 * p.transfer_mts * 1e6, kLpddrLatencyS);
  d.offload_tiers = {Tier(p.storage_name, 256 * kGB, 4 * kGB, kUfsLatencyS)};
  d.interconnect = Link("none", LinkKind::kNone, 0);
  d.compute_units = 0;
  d.unified_memory = true;
  d.efficiency = Efficiency{};      // CALIBRATION: defaults are the A100 fit.
  d.default_runtime = "llama.cpp";  // how such devices run LLMs (llama.cpp and its apps)
  return d;
}

const PhoneSoc kPhoneSocs[] = {
    // Qualcomm Snapdragon 8 Elite (SM8750) product brief: LPDDR5X up to 5,300 MHz (10,600 MT/s)
    // -> 84.8 GB/s; up to 24 GB. Qualcomm gives the Adreno GPU and Hexagon NPU only as +40 % and
    // +45 % over the 8 Gen 3: applied to that preset's 2.8 TFLOP/s FP32 and 45 TOP/s INT8.
    {"phone-snapdragon-8-elite", "Phone with Qualcomm Snapdragon 8 Elite, 24GB",
     "Qualcomm Snapdragon 8 Elite product brief (LPDDR5X 5300 MHz, UFS 4.0); GPU/NPU: "
     "Qualcomm's +40 %/+45 % over the 8 Gen 3 estimates",
     10600, "lpddr5x", 24, 2.8 * 1.4, 5.6 * 1.4, 45 * 1.45, "ufs-4.0"},
    // Apple A17 Pro (iPhone 15 Pro): 8 GB LPDDR5-6400 on a 64-bit bus (TechInsights teardown;
    // Apple publishes no phone bandwidth) -> 51.2 GB/s. 6-core GPU: 6 x 128 ALUs x 2 x 1.398 GHz
    // = 2.15 TFLOP/s, FP16 at the FP32 rate (as the M3 family, same GPU generation). Apple's
    // 35 TOPS Neural Engine is not used by llama.cpp or MLX and is not modeled (as the M2 Max).
    {"phone-apple-a17-pro", "iPhone with Apple A17 Pro, 8GB",
     "TechInsights teardown (LPDDR5-6400, 64-bit); GPU FP32 from cores x clock (M3 family)", 6400,
     "lpddr5", 8, 6 * 256 * 1.398e-3, 6 * 256 * 1.398e-3, 0, "apple-flash"},
    // Apple A18 Pro (iPhone 16 Pro): 8 GB LPDDR5X-7500 on a 64-bit bus (Apple's event cited
    // "17 % more memory bandwidth" than the A17 Pro; 7500 / 6400 = 1.17) -> 60 GB/s. 6-core GPU
    // at the M4 family's 1.578 GHz: 2.42 TFLOP/s (an estimate). Neural Engine not modeled.
    {"phone-apple-a18-pro", "iPhone with Apple A18 Pro, 8GB",
     "LPDDR5X-7500, 64-bit (Apple: +17 % bandwidth over A17 Pro); GPU FP32 from cores x clock "
     "(M4 family)",
     7500, "lpddr5x", 8, 6 * 256 * 1.578e-3, 6 * 256 * 1.578e-3, 0, "apple-flash"},
};

DevicePreset Preset(DeviceSpec spec, std::vector<std::string> aliases) {
  DevicePreset preset;
  preset.spec = std::move(spec);
  preset.aliases = std::move(aliases);
  return preset;
}

std::vector<DevicePreset> BuildCatalog() {
  // Aliases include the names nvidia-smi prints (lower-cased, spaces as dashes) where they are
  // unambiguous. A bare "a100" or "h100" is deliberately not an alias: the variants differ by 2x
  // in bandwidth, so the error message asks which one.
  std::vector<DevicePreset> c;
  c.push_back(Preset(A100Sxm40(), {"a100-sxm4-40gb", "a100-40gb-sxm", "a100-sxm-40gb"}));
  c.push_back(Preset(A100Sxm80(), {"a100-sxm4-80gb", "a100-80gb-sxm", "a100-sxm-80gb"}));
  c.push_back(Preset(H100Sxm(), {"h100-sxm5", "h100-sxm-80gb", "h100-80gb-hbm3"}));
  c.push_back(Preset(H100Pcie(), {"h100-pcie-80gb", "h100-80gb-pcie"}));
  c.push_back(Preset(H200(), {"h200-sxm", "h200-sxm-141gb", "h200-141gb"}));
  c.push_back(Preset(L4(), {"nvidia-l4"}));
  c.push_back(Preset(L40s(), {"nvidia-l40s"}));
  c.push_back(Preset(A10g(), {"nvidia-a10g"}));
  c.push_back(Preset(A40(), {"nvidia-a40"}));
  c.push_back(Preset(Rtx4090(), {"4090", "geforce-rtx-4090", "nvidia-geforce-rtx-4090"}));
  c.push_back(Preset(Rtx4060(), {"4060", "geforce-rtx-4060", "nvidia-geforce-rtx-4060"}));
  for (const AdaLaptop& l : kAdaLaptops) {  // nvidia-smi: "NVIDIA GeForce RTX 4090 Laptop GPU"
    const std::string name = l.name;
    c.push_back(
        Preset(AdaLaptopGpu(l), {"geforce-" + name + "-gpu", "nvidia-geforce-" + name + "-gpu"}));
  }
  c.push_back(Preset(RtxPro6000Server(), {"rtxpro6000", "rtx-pro-6000-server",
                                          "rtx-pro-6000-blackwell-server-edition"}));
  c.push_back(Preset(RtxPro6000Workstation(),
                     {"rtx-pro-6000-workstation", "rtx-pro-6000-blackwell-workstation-edition"}));
  c.push_back(Preset(T4(), {"tesla-t4", "nvidia-t4"}));
  c.push_back(Preset(Mi300x(), {"amd-mi300x", "instinct-mi300x"}));
  c.push_back(Preset(AppleM2Max(), {"m2-max", "m2max"}));
  c.push_back(Preset(AppleM3Max(), {"m3-max", "m3max"}));
  for (const AppleSoc& a : kAppleSocs) {
    const std::string name = a.name;
    c.push_back(Preset(AppleSocSpec(a), {name.substr(std::string("apple-").size())}));  // m1-max
  }
  c.push_back(Preset(JetsonAgxOrin(), {"agx-orin", "jetson-orin", "jetson-agx-orin-64gb"}));
  c.push_back(
      Preset(PhoneSnapdragon8Gen3(), {"snapdragon-8-gen3", "snapdragon-8-gen-3", "sm8650"}));
  c.push_back(Preset(PhoneSocSpec(kPhoneSocs[0]), {"snapdragon-8-elite", "sm8750"}));
  c.push_back(Preset(PhoneSocSpec(kPhoneSocs[1]), {"a17-pro", "apple-a17-pro"}));
  c.push_back(Preset(PhoneSocSpec(kPhoneSocs[2]), {"a18-pro", "apple-a18-pro"}));
  return c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const std::vector<DevicePreset>& DevicePresets() {
  static const auto* const kCatalog = new std::vector<DevicePreset>(BuildCatalog());
  return *kCatalog;
}

const DevicePreset* FindDevicePreset(std::string_view name) {
  for (const DevicePreset& preset : DevicePresets()) {
    if (EqualsIgnoreCase(preset.spec.name, name)) return &preset;
    for (const std::string& alias : preset.aliases) {
      if (EqualsIgnoreCase(alias, name)) return &preset;
    }
  }
  return nullptr;
}

const std::vector<MemoryTier>& TierPresets() {
  static const auto* const kTiers = new std::vector<MemoryTier>{
      Tier("host-pcie3", 64 * kGB, 12 * kGB, kHostLatencyS),  // PCIe 3.0 x16 ~ 12 GB/s effective
      Tier("host-pcie4", 64 * kGB, kPcie4x16EffectiveBps, kHostLatencyS),
      Tier("host-pcie5", 64 * kGB, kPcie5x16EffectiveBps, kHostLatencyS),
      Tier("nvme-gen3", 1 * kTB, 3.5 * kGB, kNvmeLatencyS),
      Tier("nvme-gen4", 1 * kTB, kNvmeGen4Bps, kNvmeLatencyS),
      Tier("sata-ssd", 1 * kTB, 0.55 * kGB, kNvmeLatencyS),
      Tier("ufs-3.1", 1 * kTB, 2 * kGB, kUfsLatencyS),
      Tier("ufs-4.0", 1 * kTB, 4 * kGB, kUfsLatencyS),
  };
  return *kTiers;
}

const MemoryTier& TierPresetOrThrow(std::string_view name, std::string_view source) {
  std::vector<std::string> names;
  for (const MemoryTier& t : TierPresets()) {
    if (EqualsIgnoreCase(t.name, name)) return t;
    names.push_back(t.name);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw InputError(std::string(source) + ": unknown tier '" + std::string(name) + "'" +
                   DidYouMean(name, names) + "; expected one of " + list);
}

const DeviceSpec& DevicePresetOrThrow(std::string_view name, std::string_view source) {
  if (const DevicePreset* preset = FindDevicePreset(name)) return preset->spec;
  // Suggest keys only: aliases would crowd the hint with spellings of the same device.
  std::vector<std::string> keys;
  for (const DevicePreset& preset : DevicePresets()) keys.push_back(preset.spec.name);
  throw InputError(std::string(source) + ": unknown device '" + std::string(name) + "'" +
                   DidYouMean(name, keys) + "; run 'servesim list devices'");
}

}  // namespace servesim
