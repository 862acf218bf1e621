// The cost model against numbers from outside the code: LLM-Viewer's pure-roofline step times,
// Vidur's measured A100 kernels, Splitwise's measured A100 whole steps, and hand calculations.
#include "hardware/cost_model.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "hardware/calibration.h"
#include "hardware/memory_plan.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/presets.h"
#include "tests/support/shared_data.h"

namespace servesim {
namespace {

ModelSpec Fp16(std::string_view preset) {
  ModelSpec s = ModelPresetOrThrow(preset, "test");
  s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;
  return s;
}

double DecodeStepSeconds(const ModelSpec& m, const DeviceSpec& d, const CostModelOptions& o,
                         int64_t batch, int64_t context) {
  return MakeRooflineCostModel(m, d, o)->PriceStep(BatchShape::Uniform(batch, 1, context)).seconds;
}

}  // namespace

TEST_CASE("pure roofline matches LLM-Viewer's Llama-2-7B decode", "[hardware][oracle]") {
  // LLM-Viewer (no efficiency factors): Llama-2-7B fp16 decode, batch 1, context 1024:
  // A100-80G 6.752 ms, H100 4.482 ms per step (REFERENCES.md section 5). Both count the weights
  // once plus the KV cache; small differences come from element-wise operators, which LLM-Viewer
  // prices with its own per-op byte counts. LLM-Viewer's H100 entry uses 3,072 GB/s (the early
  // H100 SXM figure) where the datasheet and our preset say 3,350 GB/s, so for the H100 we compare
  // at LLM-Viewer's bandwidth: a memory-bound step scales with 1 / bandwidth.
  CostModelOptions ideal;
  ideal.ideal = true;
  const ModelSpec m = Fp16("llama-2-7b");
  CHECK(DecodeStepSeconds(m, DevicePresetOrThrow("a100-80gb", "test"), ideal, 1, 1024) ==
        Approx(6.752e-3).epsilon(0.05));
  DeviceSpec h100 = DevicePresetOrThrow("h100-sxm", "test");
  REQUIRE(h100.memory.bandwidth_bytes_per_s == 3.35e12);
  h100.memory.bandwidth_bytes_per_s = 3.072e12;
  CHECK(DecodeStepSeconds(m, h100, ideal, 1, 1024) == Approx(4.482e-3).epsilon(0.05));
}

TEST_CASE("ideal decode is weights plus KV over bandwidth", "[hardware]") {
  // Hand calculation: batch 4, context 2000, fp16 Llama-2-7B on an A100-80GB (2.039 TB/s).
  CostModelOptions ideal;
  ideal.ideal = true;
  const ModelSpec m = Fp16("llama-2-7b");
  const DeviceSpec& d = DevicePresetOrThrow("a100-80gb", "test");
  std::vector<OpCost> ops;
  const StepCost s =
      MakeRooflineCostModel(m, d, ideal)->PriceStepDetailed(BatchShape::Uniform(4, 1, 2000), ops);
  const double weights = 2.0 * (6738415616.0 - 32000.0 * 4096);  // the embedding table is gathered
  const double kv = 4.0 * 2001 * 524288;  // every cached token plus the new one
  CHECK(s.bound == Bound::kMemory);
  // Activations and norm weights add a little on top (well under 0.5 %).
  CHECK(s.seconds == Approx((weights + kv) / 2.039e12).epsilon(0.005));
  CHECK(s.seconds > (weights + kv) / 2.039e12);
  CHECK(s.overhead_s == 0);
  CHECK(s.launch_s == 0);
}

TEST_CASE("large prefill is compute-bound, decode memory-bound", "[hardware]") {
  const ModelSpec m = Fp16("llama-3-8b");
  const auto cost = MakeRooflineCostModel(m, DevicePresetOrThrow("h100-sxm", "test"), {});
  CHECK(cost->PriceStep(BatchShape::Uniform(1, 4096, 0)).bound == Bound::kCompute);
  CHECK(cost->PriceStep(BatchShape::Uniform(1, 1, 1000)).bound == Bound::kMemory);
  CHECK(cost->PriceStep(BatchShape{}).seconds == 0);
}

TEST_CASE("tensor parallelism adds all-reduce time and splits the rest", "[hardware]") {
  const ModelSpec m = Fp16("llama-2-70b");
  DeviceSpec d = DevicePresetOrThrow("a100-80gb", "test");
  d.interconnect.low_latency = ProtocolCost{5e-6, 1e-6, 0.5};
  d.interconnect.simple = ProtocolCost{20e-6, 2e-6, 0.8};
  CostModelOptions one, eight;
  eight.tp = 8;
  const auto b = BatchShape::Uniform(16, 1, 1000);
  const StepCost s1 = MakeRooflineCostModel(m, d, one)->PriceStep(b);
  const StepCost s8 = MakeRooflineCostModel(m, d, eight)->PriceStep(b);
  CHECK(s8.network_s > 0);
  CHECK(s1.network_s == 0);
  CHECK(s8.seconds < s1.seconds / 3);
  // Ring all-reduce of 16 tokens x 8192 x 2 = 262,144 bytes over 8 GPUs at 300 GB/s: 14 steps,
  // 1.75 x 262,144 = 458,752 bytes on the wire. LL: 5 + 14 x 1 + 458,752 / 150e9 s = 22.058 us;
  // Simple: 20 + 14 x 2 + 458,752 / 240e9 s = 49.911 us. LL wins; 161 all-reduces a step.
  CHECK(s8.network_s == Approx(161 * 22.05835e-6).epsilon(1e-6));
  CostModelOptions tp3;
  tp3.tp = 3;
  CHECK_THROWS_WITH(MakeRooflineCostModel(m, d, tp3), Catch::Contains("tp=3"));
}

TEST_CASE("eager engines are launch-bound, CUDA graphs are not", "[hardware]") {
  const ModelSpec m = Fp16("llama-2-70b");
  const DeviceSpec& d = DevicePresetOrThrow("a100-80gb", "test");
  CostModelOptions eager, graphs;
  eager.tp = graphs.tp = 8;
  eager.runtime = RuntimeProfileOrThrow("eager", "test").overheads;
  graphs.runtime = RuntimeProfileOrThrow("cuda-graphs", "test").overheads;
  const auto b = BatchShape::Uniform(1, 1, 600);
  const StepCost e = MakeRooflineCostModel(m, d, eager)->PriceStep(b);
  const StepCost g = MakeRooflineCostModel(m, d, graphs)->PriceStep(b);
  CHECK(e.bound == Bound::kOverhead);
  CHECK(e.launch_s == Approx(static_cast<double>(e.kernels) * eager.runtime.kernel_launch_s));
  CHECK(g.launch_s == 0);
  CHECK(g.seconds < e.seconds);
  CHECK_THROWS_WITH(RuntimeProfileOrThrow("eagre", "--runtime"),
                    Catch::Contains("did you mean 'eager'"));
}

TEST_CASE("memory plan: vLLM-style KV sizing", "[hardware]") {
  // Llama-2-7B fp16 on an 80 GiB A100 at 0.9 utilization: 72 GiB usable, 12.55 GiB of weights.
  const ModelSpec m = Fp16("llama-2-7b");
  MemoryPlanOptions o;
  o.memory_utilization = 0.9;
  const MemoryPlan p = PlanMemory(m, DevicePresetOrThrow("a100-80gb", "test"), o);
  const double gib = 1024.0 * 1024 * 1024;
  CHECK(p.usable_bytes == 0.9 * 80 * gib);
  CHECK(p.weight_bytes == 2.0 * 6738415616);
  CHECK(p.kv_bytes_per_token == 524288);
  CHECK(p.kv_blocks == static_cast<int64_t>(std::floor(p.kv_budget_bytes / (16.0 * 524288))));
  CHECK(MaxConcurrentSequences(p, 1024, 16) == p.kv_blocks / 64);
  // At TP 2 each device holds half the weights and half the KV heads.
  o.tp = 2;
  const MemoryPlan p2 = PlanMemory(m, DevicePresetOrThrow("a100-80gb", "test"), o);
  CHECK(p2.weight_bytes == 6738415616.0);
  CHECK(p2.kv_bytes_per_token == 262144);
}

TEST_CASE("calibrated A100 kernels: median error within 10 percent", "[hardware][measured]") {
  const std::string dir = testing::SharedDataDir() + "/measured/vidur_a100/";
  if (testing::SharedDataFile("measured/vidur_a100/Llama-2-7b-hf_ops.csv").empty()) {
    WARN("skipped: ../shared/data/measured not found (set SERVESIM_DATA)");
    return;
  }
  const DeviceSpec& d = DevicePresetOrThrow("a100-80gb", "test");
  std::vector<double> predicted, measured;
  for (const char* f : {"Llama-2-7b-hf_ops.csv", "Llama-2-70b-hf_ops.csv", "CodeLlama-34b_ops.csv",
                        "Meta-Llama-3-8B_ops.csv", "Meta-Llama-3-70B_ops.csv", "Qwen-72B_ops.csv",
                        "internlm-20b_ops.csv", "phi-2_ops.csv"}) {
    for (const auto& m : ReadVidurOpsCsv(dir + f)) {
      predicted.push_back(PredictOp(m, d));
      measured.push_back(m.measured_s);
    }
  }
  REQUIRE(predicted.size() > 90000);
  const ErrorStats e = ComputeErrors("a100 ops", predicted, measured);
  CHECK(e.median_abs_rel <= 0.10);
  CHECK(std::abs(e.mean_signed_rel) <= 0.10);
}

TEST_CASE("calibrated A100 whole steps: Llama-2-70B decode within 15 percent",
          "[hardware][measured]") {
  const std::string path = testing::SharedDataFile("measured/splitwise_a100_steps.csv");
  if (path.empty()) {
    WARN("skipped: ../shared/data/measured not found (set SERVESIM_DATA)");
    return;
  }
  const DeviceSpec& d = DevicePresetOrThrow("a100-80gb", "test");
  const RuntimeOverheads eager = RuntimeProfileOrThrow("eager", "test").overheads;
  // Mean measured decode step per (TP, batch), against the prediction for that shape.
  std::map<std::pair<int, int64_t>, std::pair<double, int>> sums;
  std::map<std::pair<int, int64_t>, double> predicted;
  for (const auto& s : ReadSplitwiseStepsCsv(path, "a100-80gb")) {
    if (s.prefill) continue;
    const auto key = std::make_pair(s.tp, s.batch.num_seqs);
    sums[key].first += s.measured_s;
    sums[key].second += 1;
    predicted[key] = PredictStep(s, d, eager);
  }
  REQUIRE(sums.size() >= 21);
  int within = 0;
  for (const auto& [key, sum] : sums) {
    const double mean = sum.first / sum.second;
    INFO("tp " << key.first << " batch " << key.second << ": predicted " << predicted[key] * 1e3
               << " ms, measured " << mean * 1e3 << " ms");
    if (key.second == 1) CHECK(predicted[key] == Approx(mean).epsilon(0.15));
    within += std::abs(predicted[key] / mean - 1) <= 0.15;
  }
  // Every batch size 1-32 at TP 2, 4 and 8; batch 64 runs near the KV limit and is the outlier.
  CHECK(within >= static_cast<int>(sums.size()) - 3);
}

}  // namespace servesim

namespace servesim {

TEST_CASE("the tabulated smooth roofline matches the exact formula", "[hardware]") {
  for (double p : {1.0, 1.39, 2.0, 4.0, 16.0}) {
    const SmoothRoofline table(p);
    for (double a : {1e-6, 3e-5, 2e-3}) {
      for (double r = 0; r <= 1.0; r += 0.0137) {
        const double b = a * r;
        const double exact = a * std::pow(1.0 + std::pow(r, p), 1.0 / p);
        INFO("p " << p << " r " << r);
        CHECK(table.Combine(a, b) == Approx(exact).epsilon(1e-6));
        CHECK(table.Combine(b, a) == Approx(exact).epsilon(1e-6));
      }
    }
  }
  CHECK(SmoothRoofline(100).Combine(2.0, 1.0) == 2.0);  // large p is the plain max
}

}  // namespace servesim

namespace servesim {

TEST_CASE("the precomputed linear path prices exactly like the operator-by-operator path",
          "[hardware]") {
  // PriceStep uses per-operator coefficients read off BuildStepOps once; PriceStepDetailed builds
  // and prices every operator. Both must agree on any batch.
  struct Case {
    const char* model;
    const char* device;
    int tp;
    bool ideal;
    AttentionImpl attention;
  };
  const Case cases[] = {{"llama-3-8b", "h100-sxm", 1, false, AttentionImpl::kFlash},
                        {"llama-2-70b", "a100-80gb", 4, false, AttentionImpl::kFlash},
                        {"opt-13b", "a40", 2, false, AttentionImpl::kFlash},
                        {"phi-2", "l4", 1, true, AttentionImpl::kNaive},
                        {"qwen3-32b", "h200", 8, false, AttentionImpl::kFlash}};
  uint64_t state = 12345;
  auto next = [&state](int64_t mod) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(mod));
  };
  std::vector<OpCost> ops;
  for (const Case& c : cases) {
    CostModelOptions o;
    o.tp = c.tp;
    o.ideal = c.ideal;
    o.attention = c.attention;
    o.runtime = RuntimeProfileOrThrow("eager", "test").overheads;
    const auto model = MakeRooflineCostModel(ModelPresetOrThrow(c.model, "test"),
                                             DevicePresetOrThrow(c.device, "test"), o);
    for (int trial = 0; trial < 200; ++trial) {
      BatchShape b;
      const int64_t seqs = 1 + next(64);
      for (int64_t i = 0; i < seqs; ++i) {
        const bool prefill = next(4) == 0;
        b.Add(prefill ? 1 + next(2000) : 1, next(1500), next(3) != 0);
      }
      const StepCost fast = model->PriceStep(b);
      const StepCost slow = model->PriceStepDetailed(b, ops);
      INFO(c.model << " trial " << trial);
      CHECK(fast.seconds == Approx(slow.seconds).epsilon(1e-9));
      CHECK(fast.flops == Approx(slow.flops).epsilon(1e-9));
      CHECK(fast.bytes == Approx(slow.bytes).epsilon(1e-9));
      CHECK(fast.kernels == slow.kernels);
      CHECK(fast.bound == slow.bound);
    }
  }
}

}  // namespace servesim

namespace servesim {

TEST_CASE("small-M GEMMs: the tile ramp is capped by the vector path", "[hardware]") {
  // A100: matrix peak 312 TFLOP/s, fp32 19.5: a kernel on the vector units is at most 16x slower
  // than the full-rate matrix kernel, so at M = 1 the ramp's (1 + 17.96) / 1 = 18.96 becomes 16;
  // at M = 2 the ramp's (2 + 17.96) / 2 = 9.98 stands.
  const ModelSpec m = Fp16("llama-2-7b");
  const DeviceSpec& a100 = DevicePresetOrThrow("a100-80gb", "test");
  const OpWork one = LinearOp(OpId::kQkvProj, 1, 4096, 12288, 2, 2, false);
  const OpWork two = LinearOp(OpId::kQkvProj, 2, 4096, 12288, 2, 2, false);
  const double rate = 312e12 * 0.750;
  CHECK(PriceOp(one, m, a100, {}).compute_s == Approx(2.0 * 4096 * 12288 / rate * 16));
  CHECK(PriceOp(two, m, a100, {}).compute_s == Approx(4.0 * 4096 * 12288 / rate * 9.98));
  // Apple GPUs run FP16 at the FP32 rate (no matrix units): no ramp at all (0.752: the M1/M2
  // family's compute efficiency, bench/results/validation.md).
  const DeviceSpec& m2 = DevicePresetOrThrow("apple-m2-max", "test");
  CHECK(PriceOp(one, m, m2, {}).compute_s == Approx(2.0 * 4096 * 12288 / (13.6e12 * 0.752)));
}

TEST_CASE("a batch-1 decode GEMV costs its bytes over the bandwidth", "[hardware]") {
  // Llama-2-7B fp16 qkv_proj of one token on an Apple M2 Max (400 GB/s, 13.6 TFLOP/s; the M1/M2
  // family's fit to llama.cpp's Apple table: memory efficiency 0.910, compute 0.752, no per-kernel
  // device overhead, the launches being the llama.cpp runtime's), by hand:
  // bytes = 4096 x 12288 weights x 2 + (4096 + 12288) activations x 2 = 100,696,064;
  // memory 100,696,064 / (400e9 x 0.910) = 276.64 us; compute 2 x 4096 x 12288 / (13.6e12 x
  // 0.752) = 9.84 us; smooth roofline (p = 1.39): 276.64 x (1 + (9.84 / 276.64)^1.39)^(1 / 1.39)
  // = 278.56 us. Memory-bound, as the roofline chart places it.
  const ModelSpec m = Fp16("llama-2-7b");
  const DeviceSpec& m2 = DevicePresetOrThrow("apple-m2-max", "test");
  const OpCost c = PriceOp(LinearOp(OpId::kQkvProj, 1, 4096, 12288, 2, 2, false), m, m2, {});
  CHECK(c.work.Bytes() == 100696064.0);
  CHECK(c.memory_s == Approx(276.64e-6).epsilon(0.001));
  CHECK(c.seconds == Approx(278.56e-6).epsilon(0.001));
  CHECK(c.bound == Bound::kMemory);
}

TEST_CASE("batch-1 decode GEMMs are never compute-bound, on any preset and weight format",
          "[hardware]") {
  // A matrix-vector product does 2 FLOPs per weight: 1 FLOP/B at fp16, 4 at int4 -- far below
  // every preset's ridge point (the lowest, a phone's, is ~36 FLOP/B at fp16 and 72 at int4).
  for (const DevicePreset& p : DevicePresets()) {
    for (const DType w : {DType::kFp16, DType::kInt8, DType::kInt4, DType::kQ8_0, DType::kQ4_0}) {
      ModelSpec m = Fp16("llama-2-7b");
      m.weight_dtype = w;
      std::vector<OpCost> ops;
      MakeRooflineCostModel(m, p.spec, {})->PriceStepDetailed(BatchShape::Uniform(1, 1, 512), ops);
      for (const OpCost& c : ops) {
        if (c.work.kind != OpKind::kGemm) continue;
        INFO(p.spec.name << " " << DTypeName(w) << " " << OpName(c.work.id));
        CHECK(c.bound != Bound::kCompute);
        CHECK(c.work.Intensity() <
              p.spec.PeakFlopsFor(m.activation_dtype) / p.spec.memory.bandwidth_bytes_per_s);
      }
    }
  }
}

TEST_CASE("llama.cpp runtime: launches and engine overhead add in series to the kernels",
          "[hardware]") {
  // llama.cpp encodes a token's kernels into one command buffer and waits: nothing overlaps, so a
  // step is kernels + launches + per-step + per-sequence cost (0.3 ms, 20 us, per kernel 12 us).
  const RuntimeOverheads r = RuntimeProfileOrThrow("llama.cpp", "test").overheads;
  CHECK(r.serial_launch);
  CHECK(r.step_s == 0.3e-3);
  CHECK(r.step_per_seq_s == 20e-6);
  const BatchShape b = BatchShape::Uniform(1, 1, 10);
  double launch = 0, overhead = 0;
  CHECK(ComposeStepSeconds(10e-3, 355, b, r, &launch, &overhead) ==
        Approx(10e-3 + 355 * r.kernel_launch_s + 0.3e-3 + 20e-6));
  CHECK(launch == Approx(355 * r.kernel_launch_s));
  CHECK(overhead == Approx(0.32e-3));
  CHECK_THROWS_WITH(RuntimeProfileOrThrow("llama-cpp", "--runtime"),
                    Catch::Contains("did you mean 'llama.cpp'") &&
                        Catch::Contains("expected one of none, cuda-graphs, eager, llama.cpp"));
}

TEST_CASE("Apple, phone and Jetson presets run llama.cpp by default; GPUs cuda-graphs",
          "[hardware]") {
  for (const DevicePreset& p : DevicePresets()) {
    INFO(p.spec.name);
    const bool edge = p.spec.unified_memory;
    CHECK(p.spec.default_runtime == (edge ? "llama.cpp" : "cuda-graphs"));
    CHECK_NOTHROW(RuntimeProfileOrThrow(p.spec.default_runtime, "test"));
  }
}

TEST_CASE("dequantization overhead scales quantized GEMMs' compute only", "[hardware]") {
  // A prompt GEMM of 512 tokens on an M2 Max is compute-bound; with q4_0 weights its compute time
  // is the fp16 one x (1 + dequant_compute_overhead), its bytes 18/32 bytes per weight.
  const DeviceSpec& m2 = DevicePresetOrThrow("apple-m2-max", "test");
  const double dq = m2.efficiency.dequant_compute_overhead;
  REQUIRE(dq > 0);
  ModelSpec f16 = Fp16("llama-2-7b");
  ModelSpec q4 = f16;
  q4.weight_dtype = DType::kQ4_0;
  const OpWork w16 = LinearOp(OpId::kQkvProj, 512, 4096, 12288, 2, 2, false);
  const OpWork w4 = LinearOp(OpId::kQkvProj, 512, 4096, 12288, 18.0 / 32, 2, false);
  const double c16 = PriceOp(w16, f16, m2, {}).compute_s;
  CHECK(PriceOp(w4, q4, m2, {}).compute_s == Approx(c16 * (1 + dq)));
  // Attention and element-wise work, and the 16-bit LM head of GPTQ-style int4, are not scaled.
  ModelSpec i4 = f16;
  i4.weight_dtype = DType::kInt4;
  CHECK(DequantFactor(i4, m2, OpId::kLmHead) == 1.0);
  CHECK(DequantFactor(i4, m2, OpId::kDownProj) == 1.0 + dq);
  CHECK(DequantFactor(q4, m2, OpId::kLmHead) == 1.0 + dq);
  CHECK(DequantFactor(f16, m2, OpId::kQkvProj) == 1.0);
  // GPUs keep the default: no overhead.
  CHECK(DequantFactor(q4, DevicePresetOrThrow("a100-80gb", "test"), OpId::kQkvProj) == 1.0);
  // The fast path agrees with the operator-by-operator one.
  CostModelOptions o;
  o.runtime = RuntimeProfileOrThrow("llama.cpp", "test").overheads;
  const auto cm = MakeRooflineCostModel(q4, m2, o);
  std::vector<OpCost> ops;
  for (const BatchShape& b : {BatchShape::Uniform(1, 512, 0), BatchShape::Uniform(1, 1, 100)}) {
    CHECK(cm->PriceStep(b).seconds == Approx(cm->PriceStepDetailed(b, ops).seconds));
  }
}

TEST_CASE("batch-1 q4_0 decode of LLaMA-2-7B on an M2 Max: its bytes over the bandwidth",
          "[hardware]") {
  // By hand: a decode step reads every linear weight once: 32 layers x (4 x 4096^2 + 3 x 4096 x
  // 11008) = 6,476,005,376 weights + the 131,072,000-weight LM head = 6,607,077,376 weights x 18/32
  // = 3,716,481,024 bytes. At 400 GB/s x the M1/M2 family's memory efficiency e_m, that is
  // 3,716,481,024 / (400e9 e_m) seconds of memory time; compute (2 FLOP per weight at 13.6 TFLOP/s)
  // is ~1 ms, so the smooth roofline adds a few per cent, KV and activations a little more.
  const DeviceSpec& m2 = DevicePresetOrThrow("apple-m2-max", "test");
  ModelSpec q4 = Fp16("llama-2-7b");
  q4.weight_dtype = DType::kQ4_0;
  CostModelOptions o;
  o.runtime = RuntimeProfileOrThrow(m2.default_runtime, "test").overheads;
  const StepCost s = MakeRooflineCostModel(q4, m2, o)->PriceStep(BatchShape::Uniform(1, 1, 64));
  const double memory_s = 3716481024.0 / (400e9 * m2.efficiency.gemm.memory_eff);
  CHECK(s.bytes == Approx(3716481024.0).epsilon(0.015));  // + 34 MB of KV, activations
  CHECK(s.device_s > memory_s);
  CHECK(s.device_s < 1.08 * memory_s);
  CHECK(s.bound == Bound::kMemory);
  // The step adds the runtime's serial launches and the per-step and per-sequence cost.
  CHECK(s.seconds == Approx(s.device_s + s.kernels * o.runtime.kernel_launch_s + 0.3e-3 + 20e-6));
}

}  // namespace servesim
