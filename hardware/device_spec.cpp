#include "hardware/device_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "models/input_error.h"

namespace servesim {

double DeviceSpec::PeakFlopsFor(DType dtype) const {
  // Fallbacks follow what a serving stack does without native support: fp16 and bf16 stand in for
  // each other (same tensor-core rate on every part that has both; parts with only one of them run
  // the other's checkpoints in the supported format), fp8 and integer formats without native
  // kernels dequantize to 16-bit and run at the 16-bit rate, int4 without native support runs as
  // int8 when that exists. fp32 never falls back: element-wise work is priced in fp32, so every
  // device must state its fp32 rate (ValidateDeviceSpec insists).
  const auto half = [this] { return peak.bf16 > 0 ? peak.bf16 : peak.fp16; };
  switch (dtype) {
    case DType::kFp32:
      return peak.fp32;
    case DType::kBf16:
      return half();
    case DType::kFp16:
      return peak.fp16 > 0 ? peak.fp16 : peak.bf16;
    case DType::kFp8:
      return peak.fp8 > 0 ? peak.fp8 : half();
    case DType::kInt8:
      return peak.int8 > 0 ? peak.int8 : PeakFlopsFor(DType::kFp16);
    case DType::kInt4:
      return peak.int4 > 0 ? peak.int4 : PeakFlopsFor(DType::kInt8);
    case DType::kQ4_0:  // llama.cpp dequantizes its blocks and multiplies in 16/32-bit floats
    case DType::kQ8_0:
      return PeakFlopsFor(DType::kFp16);
  }
  return half();
}

namespace {

std::string FormatValue(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}

class Validator {
 public:
  explicit Validator(std::string_view source) : source_(source) {}

  // value > 0 and finite.
  void Positive(double value, const std::string& field, std::string_view unit) const {
    if (!std::isfinite(value) || value <= 0) Fail(field, "a finite number > 0", unit, value);
  }
  // value >= 0 and finite.
  void NonNegative(double value, const std::string& field, std::string_view unit) const {
    if (!std::isfinite(value) || value < 0) Fail(field, "a finite number >= 0", unit, value);
  }
  // 0 < value <= 1.
  void Fraction(double value, const std::string& field) const {
    if (!std::isfinite(value) || value <= 0 || value > 1) Fail(field, "in (0, 1]", "", value);
  }
  void AtLeast(double value, double least, const std::string& field) const {
    if (!std::isfinite(value) || value < least) {
      Fail(field, "a finite number >= " + FormatValue(least), "", value);
    }
  }

  [[noreturn]] void Fail(const std::string& field, const std::string& expected,
                         std::string_view unit, double found) const {
    std::string message = std::string(source_) + ": " + field + " must be " + expected;
    if (!unit.empty()) message += " (" + std::string(unit) + ")";
    throw InputError(message + ", found " + FormatValue(found));
  }

 private:
  std::string_view source_;
};

void ValidateTier(const Validator& v, const MemoryTier& tier, const std::string& field) {
  v.Positive(tier.capacity_bytes, field + ".capacity_bytes", "bytes");
  v.Positive(tier.bandwidth_bytes_per_s, field + ".bandwidth_bytes_per_s", "bytes/s");
  v.NonNegative(tier.latency_s, field + ".latency_s", "seconds");
}

void ValidateTuning(const Validator& v, const KernelTuning& tuning, const std::string& field) {
  v.Fraction(tuning.compute_eff, field + ".compute_eff");
  v.Fraction(tuning.memory_eff, field + ".memory_eff");
  v.NonNegative(tuning.overhead_s, field + ".overhead_s", "seconds");
}

}  // namespace

void ValidateDeviceSpec(const DeviceSpec& device, std::string_view source) {
  const Validator v(source);

  // Peaks: bf16 (or its stand-in) prices GEMMs and fp32 prices element-wise work, so both are
  // required; the narrower formats may be 0 (no native support, see PeakFlopsFor).
  v.Positive(device.peak.bf16, "peak.bf16", "FLOP/s");
  v.Positive(device.peak.fp32, "peak.fp32", "FLOP/s");
  v.NonNegative(device.peak.fp16, "peak.fp16", "FLOP/s");
  v.NonNegative(device.peak.fp8, "peak.fp8", "FLOP/s");
  v.NonNegative(device.peak.int8, "peak.int8", "OP/s");
  v.NonNegative(device.peak.int4, "peak.int4", "OP/s");

  ValidateTier(v, device.memory, "memory");
  for (size_t i = 0; i < device.offload_tiers.size(); ++i) {
    const MemoryTier& tier = device.offload_tiers[i];
    std::string field = "offload_tiers[" + std::to_string(i) + "]";
    if (!tier.name.empty()) field += " (" + tier.name + ")";
    ValidateTier(v, tier, field);
  }

  // A link of kind none (bandwidth 0) means a device that is never used with tensor parallelism
  // (a laptop, a phone).
  const Interconnect& link = device.interconnect;
  if (link.kind == LinkKind::kNone) {
    v.NonNegative(link.bandwidth_bytes_per_s, "interconnect.bandwidth_bytes_per_s", "bytes/s");
  } else {
    v.Positive(link.bandwidth_bytes_per_s, "interconnect.bandwidth_bytes_per_s", "bytes/s");
  }
  for (const auto& [p, name] :
       {std::pair{&link.low_latency, "low_latency"}, std::pair{&link.simple, "simple"}}) {
    const std::string field = std::string("interconnect.") + name;
    v.NonNegative(p->launch_s, field + ".launch_s", "seconds");
    v.NonNegative(p->hop_s, field + ".hop_s", "seconds");
    v.Fraction(p->bus_eff, field + ".bus_eff");
  }

  if (device.compute_units < 0) {
    v.Fail("compute_units", "an integer >= 0 (0: unknown)", "", device.compute_units);
  }

  const Efficiency& e = device.efficiency;
  ValidateTuning(v, e.gemm, "efficiency.gemm");
  v.NonNegative(e.gemm_ramp_tokens, "efficiency.gemm_ramp_tokens", "tokens");
  v.AtLeast(e.roofline_sharpness, 1.0, "efficiency.roofline_sharpness");
  ValidateTuning(v, e.attention, "efficiency.attention");
  v.NonNegative(e.attention_row_keys, "efficiency.attention_row_keys", "keys");
  v.Fraction(e.attention_masked_fraction, "efficiency.attention_masked_fraction");
  v.NonNegative(e.attention_query_tile, "efficiency.attention_query_tile", "rows");
  ValidateTuning(v, e.norm, "efficiency.norm");
  ValidateTuning(v, e.rope, "efficiency.rope");
  ValidateTuning(v, e.act, "efficiency.act");
  ValidateTuning(v, e.residual_add, "efficiency.residual_add");
  ValidateTuning(v, e.embed, "efficiency.embed");
  v.NonNegative(e.dequant_compute_overhead, "efficiency.dequant_compute_overhead", "");

  const DevicePower& p = device.power;
  v.NonNegative(p.idle_w, "power.idle_w", "W");
  v.NonNegative(p.max_w, "power.max_w", "W");
  v.NonNegative(p.price_per_hour_usd, "power.price_per_hour_usd", "USD per device-hour");
  if (p.max_w > 0 && p.idle_w > p.max_w) {
    v.Fail("power.idle_w", "at most power.max_w (" + FormatValue(p.max_w) + " W)", "W", p.idle_w);
  }
  v.NonNegative(p.activity_base, "power.activity_base", "");
  v.NonNegative(p.compute_weight, "power.compute_weight", "");
  v.NonNegative(p.memory_weight, "power.memory_weight", "");
}

double TierReadSeconds(const MemoryTier& tier, double bytes, double request_bytes, int io_depth) {
  if (bytes <= 0) return 0;
  const double requests = request_bytes > 0 ? std::ceil(bytes / request_bytes) : 1.0;
  return bytes / tier.bandwidth_bytes_per_s +
         requests * tier.latency_s / static_cast<double>(std::max(1, io_depth));
}

double EffectiveReadBandwidth(const MemoryTier& tier, double request_bytes, int io_depth) {
  return request_bytes / TierReadSeconds(tier, request_bytes, request_bytes, io_depth);
}

}  // namespace servesim
