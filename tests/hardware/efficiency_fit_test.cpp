// The shared efficiency fit and leave-one-device-out on a synthetic, hand-made data set: kernel
// times generated from chosen efficiencies on three devices of different peaks must give those
// efficiencies back, and each held-out device must be priced from the other two almost exactly.
#include "hardware/efficiency_fit.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/presets.h"

namespace servesim {
namespace {

// The efficiencies the synthetic kernels are generated with (none equal to the defaults).
Efficiency Truth() {
  Efficiency e;
  e.gemm = {0.70, 0.85, 5e-6};
  e.gemm_ramp_tokens = 10;
  e.roofline_sharpness = 2.0;
  e.norm = {1.0, 0.50, 2e-6};
  e.act = {1.0, 0.60, 1.5e-6};
  return e;
}

DeviceOps Synthetic(const std::string& device_name) {
  DeviceOps d;
  d.device = DevicePresetOrThrow(device_name, "test");
  d.device.efficiency = Truth();
  const ModelSpec& model = ModelPresetOrThrow("llama-3.1-8b", "test");
  for (int tp : {1, 2}) {
    for (int64_t tokens : {1, 4, 16, 64, 256, 1024, 4096}) {
      for (OpId op : {OpId::kQkvProj, OpId::kOProj, OpId::kGateUpProj, OpId::kDownProj, OpId::kNorm,
                      OpId::kAct}) {
        OpMeasurement m;
        m.model = model;
        m.tp = tp;
        m.batch.Add(tokens, 0, false);
        m.op = op;
        m.measured_s = PredictOp(m, d.device);
        d.ops.push_back(m);
      }
    }
  }
  return d;
}

}  // namespace

TEST_CASE("a synthetic kernel is priced by the roofline formula (hand calculation)", "[fit]") {
  // RMSNorm of 1,024 tokens of Llama-3.1-8B on the A40 (696 GB/s): reads and writes 1,024 x
  // 4,096 bf16 values and reads its 4,096 bf16 weights = 16,785,408 bytes; at memory_eff 0.5
  // that is 16,785,408 / 348e9 s = 48.23 us, plus the 2 us launch overhead (its FLOPs on the 37.4 TFLOP/s FP32 units take
  // well under 1 us, far from the memory time at sharpness 2).
  const DeviceOps a40 = Synthetic("a40");
  const OpMeasurement* norm = nullptr;
  for (const auto& m : a40.ops) {
    if (m.op == OpId::kNorm && m.tp == 1 && m.batch.new_tokens == 1024) norm = &m;
  }
  REQUIRE(norm);
  CHECK(norm->measured_s == Approx(48.23e-6 + 2e-6).epsilon(0.01));
}

TEST_CASE("the shared fit recovers known efficiencies from three devices", "[fit]") {
  const std::vector<DeviceOps> data = {Synthetic("a100-80gb"), Synthetic("a40"),
                                       Synthetic("rtx-pro-6000")};
  const Efficiency e = FitSharedEfficiency(data, Efficiency{});
  CHECK(e.gemm.compute_eff == Approx(0.70).epsilon(0.03));
  CHECK(e.gemm.memory_eff == Approx(0.85).epsilon(0.03));
  // gemm_ramp_tokens (10) is left out: it only shows where a few-token GEMM would be compute
  // bound, and these are memory bound, so the data barely constrain it.
  CHECK(e.roofline_sharpness == Approx(2.0).epsilon(0.10));
  CHECK(e.norm.memory_eff == Approx(0.50).epsilon(0.03));
  CHECK(e.act.memory_eff == Approx(0.60).epsilon(0.03));
}

TEST_CASE("leave one device out prices the held-out device from its peaks alone", "[fit]") {
  const std::vector<DeviceOps> data = {Synthetic("a100-80gb"), Synthetic("a40"),
                                       Synthetic("rtx-pro-6000")};
  const auto folds = LeaveOneDeviceOut(data, Efficiency{});
  REQUIRE(folds.size() == 3);
  for (const auto& f : folds) {
    INFO(f.device);
    CHECK(f.fit_rows == 2 * data[0].ops.size());
    const ErrorStats& all = f.errors.back();
    CHECK(all.group == "all operators");
    CHECK(all.count == data[0].ops.size());
    CHECK(all.median_abs_rel < 0.01);
    CHECK(all.p90_abs_rel < 0.03);
  }
  CHECK(folds[1].device == "a40");
  CHECK_THROWS_WITH(LeaveOneDeviceOut({data[0]}, Efficiency{}),
                    Catch::Contains("needs measurements of two devices"));
}

}  // namespace servesim
