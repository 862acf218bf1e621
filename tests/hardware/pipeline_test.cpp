// Pipeline-parallel pricing and memory: stages of num_layers / pp layers, the embedding on the
// first stage and the LM head on the last, activations sent between stages, and the memory a
// device holds.
#include "hardware/pipeline.h"

#include <catch2/catch.hpp>
#include <string>

#include "hardware/memory_plan.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/presets.h"

namespace servesim {
namespace {

ModelSpec Llama70b() { return ModelPresetOrThrow("llama-3.1-70b", "test"); }
DeviceSpec H100() { return DevicePresetOrThrow("h100-sxm", "test"); }

CostModelOptions Ideal(int tp) {
  CostModelOptions o;
  o.tp = tp;
  o.ideal = true;
  return o;
}

// The full model's price of the operators with id `id` (all repeats).
double OpSeconds(const std::vector<OpCost>& ops, OpId id) {
  double s = 0;
  for (const OpCost& c : ops) s += c.work.id == id ? c.seconds : 0.0;
  return s;
}

}  // namespace

TEST_CASE("pipeline stages must divide the layers", "[hardware][pipeline]") {
  const ModelSpec m = Llama70b();  // 80 layers
  CHECK_NOTHROW(ValidatePipelineParallel(m, 2, "hardware.pp"));
  CHECK_NOTHROW(ValidatePipelineParallel(m, 16, "hardware.pp"));
  CHECK_THROWS_AS(ValidatePipelineParallel(m, 3, "hardware.pp"), InputError);
  CHECK_THROWS_WITH(ValidatePipelineParallel(m, 3, "s.yaml: hardware.pp"),
                    Catch::Contains("s.yaml: hardware.pp: 3 pipeline stages do not divide the 80 "
                                    "layers of llama-3.1-70b"));
  CHECK_THROWS_AS(ValidatePipelineParallel(m, 0, "hardware.pp"), InputError);
  CHECK(StageModel(m, 4).num_layers == 20);
}

TEST_CASE("a stage prices its share of the layers, the ends their extra operators",
          "[hardware][pipeline]") {
  // Ideal roofline, TP 1, 8 decodes at context 1,000: every operator's price is per occurrence,
  // so a middle stage of pp 4 costs a quarter of the layers; the first adds the embedding, the
  // last the final norm (one occurrence of the norm operator) and the LM head.
  const ModelSpec m = Llama70b();
  const DeviceSpec d = H100();
  const BatchShape b = BatchShape::Uniform(8, 1, 1000);
  const auto full = MakeRooflineCostModel(m, d, Ideal(1));
  std::vector<OpCost> ops;
  const double full_s = full->PriceStepDetailed(b, ops).seconds;
  const double embed_s = OpSeconds(ops, OpId::kEmbed);
  const double head_s = OpSeconds(ops, OpId::kLmHead);
  // The norm operator runs 2 x 80 + 1 times: one occurrence is the final norm.
  const double final_norm_s = OpSeconds(ops, OpId::kNorm) / 161.0;
  const double layers_s = full_s - embed_s - head_s - final_norm_s;

  PipelineCostModel pipe(m, d, Ideal(1), 4);
  PipelineCost pc;
  pipe.PriceStages(b, pc);
  REQUIRE(pc.stages == 4);
  CHECK(pc.stage_s[1] == Approx(layers_s / 4).epsilon(1e-9));
  CHECK(pc.stage_s[2] == Approx(layers_s / 4).epsilon(1e-9));
  CHECK(pc.stage_s[0] == Approx(layers_s / 4 + embed_s).epsilon(1e-9));
  CHECK(pc.stage_s[3] == Approx(layers_s / 4 + final_norm_s + head_s).epsilon(1e-9));
  // Sends: hidden states + residual, 2 x 8,192 x 8 tokens x 2 B = 262,144 B per TP rank, over
  // the ideal link (450 GB/s each way, no latency): 262,144 / 450e9 s each, 3 of them.
  CHECK(pc.send_bytes == 262144.0);
  CHECK(pc.send_s == Approx(262144.0 / 450e9).epsilon(1e-9));
  CHECK(pc.total.seconds == Approx(full_s + 3 * 262144.0 / 450e9).epsilon(1e-9));
  // The mean device does a quarter of the full model's FLOPs.
  CHECK(pc.total.flops == Approx(full->PriceStep(b).flops / 4).epsilon(1e-9));
}

TEST_CASE("pipeline stages keep their own tensor-parallel all-reduces", "[hardware][pipeline]") {
  // TP 4 x PP 2: stage 0 runs 40 layers x 2 all-reduces + the vocab-parallel embedding's one,
  // stage 1 the 80 of its layers only.
  const ModelSpec m = Llama70b();
  const BatchShape b = BatchShape::Uniform(4, 1, 100);
  CostModelOptions o = Ideal(4);
  o.last_stage = false;
  auto count = [&](const CostModelOptions& opts) {
    for (const OpWork& w : BuildStepOps(StageModel(m, 2), b, opts.Step())) {
      if (w.kind == OpKind::kAllReduce) return w.repeats;
    }
    return int64_t{0};
  };
  CHECK(count(o) == 81);
  o.first_stage = false;
  o.last_stage = true;
  CHECK(count(o) == 80);
}

TEST_CASE("pp 1 prices exactly as the roofline", "[hardware][pipeline]") {
  const ModelSpec m = Llama70b();
  CostModelOptions o;
  o.tp = 4;
  const auto plain = MakeRooflineCostModel(m, H100(), o);
  PipelineCostModel pipe(m, H100(), o, 1);
  for (const BatchShape& b : {BatchShape::Uniform(1, 512, 0), BatchShape::Uniform(32, 1, 2000)}) {
    CHECK(pipe.PriceStep(b).seconds == plain->PriceStep(b).seconds);
    CHECK(pipe.PriceStep(b).flops == plain->PriceStep(b).flops);
  }
}

TEST_CASE("a device of a 2-stage pipeline holds half the layers' weights and KV",
          "[hardware][pipeline]") {
  // Llama-3.1-70B bf16 at TP 4. KV per token per device: 2 (K, V) x 80 layers x 2 KV heads x 128
  // x 2 B = 81,920 B; with 2 stages, 40 layers: 40,960 B.
  const ModelSpec m = Llama70b();
  CHECK(KvBytesPerTokenPerDevice(m, 4) == 81920.0);
  CHECK(KvBytesPerTokenPerDevice(m, 4, 2) == 40960.0);
  // Weights: a layer is q, o 8,192 x 8,192, k, v 8,192 x 1,024, gate/up/down 3 x 8,192 x 28,672
  // and two norms of 8,192: 855,654,400 parameters = 1,711,308,800 B. The embedding table and
  // the LM head are 128,256 x 8,192 x 2 B = 2,101,346,304 B each, the head with the final norm
  // 2,101,362,688 B. The heavier stage (the last): (40 x 1,711,308,800 + 2,101,362,688) / 4 =
  // 17,638,428,672 B per device.
  CHECK(WeightBytesPerDevice(m, 4, 1, 2) == 17638428672.0);
  MemoryPlanOptions o;
  o.tp = 4;
  const MemoryPlan one = PlanMemory(m, H100(), o);
  o.pp = 2;
  const MemoryPlan two = PlanMemory(m, H100(), o);
  CHECK(two.weight_bytes == 17638428672.0);
  CHECK(two.kv_bytes_per_token == one.kv_bytes_per_token / 2);
  CHECK(two.kv_blocks > 2 * one.kv_blocks);  // half the bytes per block, more room left
}

TEST_CASE("a pipeline needs a link between its stages", "[hardware][pipeline]") {
  DeviceSpec d = H100();
  d.interconnect = Interconnect{};
  CHECK_THROWS_WITH(PipelineCostModel(Llama70b(), d, CostModelOptions{}, 2),
                    Catch::Contains("no link between pipeline stages"));
}

}  // namespace servesim
