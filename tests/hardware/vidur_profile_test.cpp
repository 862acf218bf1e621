// Vidur's profiling CSVs as kernel tables: a Llama-2-70B TP 2 decode step on the A100 composed by
// hand from the CSV rows (vidur_a100/Llama-2-70b-hf_ops.csv at num_tokens 8, and
// attention_8192h_64q_8kv_tp2.csv at batch 8, KV 992), and the one-line errors of a mismatch.
#include <catch2/catch.hpp>

#include "hardware/presets.h"
#include "hardware/profiled_cost_model.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "tests/support/shared_data.h"

namespace servesim {
namespace {

std::string VidurA100() {
  return testing::SharedDataFile("measured/vidur_a100/Llama-2-70b-hf_ops.csv").empty()
             ? std::string()
             : testing::SharedDataDir() + "/measured/vidur_a100";
}

ModelSpec Llama70bFp16() {
  ModelSpec m = ModelPresetOrThrow("llama-2-70b", "test");
  m.weight_dtype = m.activation_dtype = m.kv_dtype = DType::kFp16;
  return m;
}

std::string ErrorOf(const std::string& path, const ModelSpec& m, int tp) {
  try {
    LoadProfileFor(path, m, tp, "test");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Vidur tables: a decode step's measured operators composed by hand", "[vidur]") {
  if (VidurA100().empty()) {
    WARN("shared data absent: skipped");
    return;
  }
  const ModelSpec m = Llama70bFp16();
  CostModelOptions o;
  o.tp = 2;
  o.profile = LoadProfileFor(VidurA100(), m, 2, "test");
  REQUIRE(o.profile->format == ProfileFormat::kVidur);
  const auto cm = MakeProfiledCostModel(m, DevicePresetOrThrow("a100-80gb", "test"), o);
  const BatchShape b = BatchShape::Uniform(8, 1, 992);
  std::vector<OpCost> ops;
  const StepCost s = cm->PriceStepDetailed(b, ops);
  // Medians in ms at num_tokens 8, TP 2; 80 layers; the final norm is input_layernorm's kernel.
  const double expected_ms = 0.008 + 0.007 * 81 + 0.007 * 80 + 0.0595 * 80 + 0.004 * 80 +
                             0.046 * 80 + 0.002 * 160 + 0.289 * 80 + 0.012 * 80 + 0.147 * 80 +
                             0.034 * 80;
  double measured_s = 0, roofline_s = 0;
  for (const OpCost& c : ops) (c.measured ? measured_s : roofline_s) += c.seconds;
  CHECK(measured_s * 1e3 == Approx(expected_ms).epsilon(1e-9));
  CHECK(s.device_s == Approx(measured_s + roofline_s).epsilon(1e-12));
  CHECK(s.outside_s == Approx(roofline_s).epsilon(1e-12));  // LM head and all-reduces
  CHECK(roofline_s > 0);
  CHECK(cm->PriceStep(b).device_s == Approx(s.device_s).epsilon(1e-12));
}

TEST_CASE("Vidur tables of another model or TP: one-line errors", "[vidur]") {
  if (VidurA100().empty()) {
    WARN("shared data absent: skipped");
    return;
  }
  const std::string seven = VidurA100() + "/Llama-2-7b-hf_ops.csv";
  CHECK_THAT(ErrorOf(seven, Llama70bFp16(), 2),
             Catch::Contains("Llama-2-7b-hf_ops.csv:2: column 'n_head': expected 64 (model "
                             "llama-2-70b), found 32"));
  CHECK_THAT(ErrorOf(VidurA100(), Llama70bFp16(), 16),
             Catch::Contains("Llama-2-70b-hf_ops.csv: no rows with num_tensor_parallel_workers 16 "
                             "for hardware.tp 16 (profiled: 1, 2, 4, 8)"));
  ModelSpec other = Llama70bFp16();
  other.intermediate_size = 20000;
  CHECK_THAT(ErrorOf(VidurA100(), other, 2), Catch::Contains("no *_ops.csv of model llama-2-70b"));
}

}  // namespace servesim
