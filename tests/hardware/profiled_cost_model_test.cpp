// The profiled cost model on the RTX PRO 6000 Llama-3.1-8B bundle: a step's device time composed
// by hand from the bundle's CSV rows, what is counted as priced outside measured data, and the
// bundle-vs-model checks.
#include "hardware/profiled_cost_model.h"

#include <catch2/catch.hpp>

#include "hardware/presets.h"
#include "models/presets.h"
#include "tests/support/input_error.h"
#include "tests/support/shared_data.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

const char* kBundle = "measured/llmservingsim_profiles/RTXPRO6000/meta-llama/Llama-3.1-8B/bf16";

std::string Bundle() {
  return testing::SharedDataFile(std::string(kBundle) + "/meta.yaml").empty()
             ? std::string()
             : testing::SharedDataDir() + "/" + kBundle;
}

std::unique_ptr<CostModel> Profiled(const ModelSpec& m, int tp) {
  CostModelOptions o;
  o.tp = tp;
  o.profile = LoadProfileFor(Bundle(), m, tp, "test");
  return MakeProfiledCostModel(m, DevicePresetOrThrow("rtx-pro-6000", "test"), o);
}

}  // namespace

TEST_CASE("Profiled decode step: the bundle's rows composed by hand", "[profiled]") {
  if (Bundle().empty()) {
    WARN("shared data absent: skipped");
    return;
  }
  const ModelSpec& m = ModelPresetOrThrow("llama-3.1-8b", "test");
  BatchShape b;
  b.Add(1, 128, true);
  b.Add(1, 512, true);
  // dense.csv at 2 tokens (us): embedding 3.38133 + final_layernorm 2.51667 + 32 layers x
  // (2 x layernorm 2.36817 + qkv 38.6667 + rotary 2.64533 + o 27.851 + gate_up 157.504 +
  // act 2.848 + down 80.6187 = 314.87007) = 10,081.74024.
  // per_sequence.csv at 2: lm_head 687.06 + sampler 25.8337 = 712.8937.
  // attention.csv, 2 decodes: mean KV 320 between (2,256) 15.8513 and (2,512) 16.7577: 16.0779;
  // max KV 512: 16.7577; skew rate (320 - 128) / (512 - 128) = 0.5 -> skew_fit.csv line 30,
  // 0,n<=2,sr<=70%,kvB<=1k,kp=0: alpha 0.1554 -> 16.0779 + 0.1554 x 0.6798 = 16.18354, x 32 layers
  // = 517.8733. Total 11,312.5072 us; no engine overheads (runtime none).
  const StepCost c = Profiled(m, 1)->PriceStep(b);
  CHECK(c.device_s == Approx(11312.5072e-6).epsilon(1e-6));
  CHECK(c.seconds == c.device_s);
  CHECK(c.outside_s == 0);
  CHECK(c.flops > 0);  // from the roofline, for MFU
}

TEST_CASE("Profiled steps outside the tables are counted", "[profiled]") {
  if (Bundle().empty()) return;
  const ModelSpec& m = ModelPresetOrThrow("llama-3.1-8b", "test");
  // 4,096 prompt tokens: beyond dense.csv's 2,048 and attention.csv's chunks.
  const StepCost big = Profiled(m, 1)->PriceStep(BatchShape::Uniform(1, 4096, 0));
  // Only its logits (one sequence: lm_head 714.006 + sampler 24.746 us) are inside a table.
  CHECK(big.device_s - big.outside_s == Approx((714.006 + 24.746) * 1e-6));
  // TP 2: the all-reduces come from the roofline.
  const StepCost tp2 = Profiled(m, 2)->PriceStep(BatchShape::Uniform(8, 1, 1000));
  CHECK(tp2.network_s > 0);
  CHECK(tp2.outside_s == Approx(tp2.network_s));
  // fp8 weights: the bf16 tables scaled by the roofline's ratio, all of it outside.
  ModelSpec fp8 = m;
  fp8.weight_dtype = DType::kFp8;
  const StepCost q = Profiled(fp8, 1)->PriceStep(BatchShape::Uniform(8, 1, 1000));
  const StepCost bf = Profiled(m, 1)->PriceStep(BatchShape::Uniform(8, 1, 1000));
  CHECK(q.outside_s == q.device_s);
  CHECK(q.device_s < bf.device_s);
}

TEST_CASE("A bundle of another model is refused", "[profiled]") {
  if (Bundle().empty()) return;
  const std::string e = testing::ExpectInputError([] {
    LoadProfileFor(Bundle(), ModelPresetOrThrow("llama-3-70b", "test"), 1,
                   "s.yaml: cost_model.profile");
  });
  CHECK(testing::Contains(e, "s.yaml: cost_model.profile"));
  CHECK(testing::Contains(e,
                          "the bundle was profiled for another model: attention heads 32, the "
                          "scenario's model has 64"));
}

}  // namespace servesim
