// Hand-worked checks of the power model: P = idle + (max - idle) * min(1, base + w_c u_c + w_m u_m).
#include "hardware/power_model.h"

#include <catch2/catch.hpp>

#include "hardware/presets.h"
#include "tests/support/input_error.h"

namespace servesim {
namespace {

// 100 W idle, 700 W max, activity = 0.2 + 1.0 u_c + 0.8 u_m; peak 1e15 FLOP/s, 3e12 bytes/s.
PowerModel Model() {
  DevicePower p;
  p.idle_w = 100;
  p.max_w = 700;
  p.activity_base = 0.2;
  p.compute_weight = 1.0;
  p.memory_weight = 0.8;
  return PowerModel(p, 1e15, 3e12);
}

}  // namespace

TEST_CASE("a step at known utilisation and duration costs idle + span x activity", "[power]") {
  const PowerModel m = Model();
  // 10 ms step: 2e12 FLOPs -> u_c = 2e12 / (1e15 x 0.01) = 0.2; 15e9 bytes -> u_m = 15e9 /
  // (3e12 x 0.01) = 0.5; activity = 0.2 + 0.2 + 0.8 x 0.5 = 0.8; P = 100 + 600 x 0.8 = 580 W;
  // E = 580 W x 0.01 s = 5.8 J.
  const StepUtilization u = m.Utilization(2e12, 15e9, 0.01);
  CHECK(u.compute == Approx(0.2));
  CHECK(u.memory == Approx(0.5));
  CHECK(m.Activity(u) == Approx(0.8));
  CHECK(m.StepPowerW(2e12, 15e9, 0.01) == Approx(580));
  CHECK(m.StepJoules(2e12, 15e9, 0.01) == Approx(5.8));
}

TEST_CASE("activity saturates at 1: a compute-bound step draws max power", "[power]") {
  const PowerModel m = Model();
  // u_c = 9e12 / (1e15 x 0.01) = 0.9, u_m = 0.5: 0.2 + 0.9 + 0.4 = 1.5 -> 1; 700 W x 0.01 s.
  CHECK(m.StepPowerW(9e12, 15e9, 0.01) == Approx(700));
  CHECK(m.StepJoules(9e12, 15e9, 0.01) == Approx(7.0));
}

TEST_CASE("a step with no work draws idle plus the base activity", "[power]") {
  const PowerModel m = Model();
  // activity 0.2: 100 + 600 x 0.2 = 220 W for 2 s = 440 J; idle alone 100 W x 2 s = 200 J.
  CHECK(m.StepJoules(0, 0, 2.0) == Approx(440));
  CHECK(m.IdleJoules(2.0) == Approx(200));
  CHECK(m.StepJoules(1e12, 1e9, 0.0) == 0);
  CHECK(m.IdleJoules(-1.0) == 0);
}

TEST_CASE("a device with no power figures prices every step at zero", "[power]") {
  const PowerModel m(DevicePower{}, 1e15, 3e12);
  CHECK_FALSE(m.Known());
  CHECK(m.StepJoules(2e12, 15e9, 0.01) == 0);
}

TEST_CASE("presets cite TDPs: A100 SXM 400 W, H100 SXM 700 W, L4 72 W", "[power]") {
  CHECK(DevicePresetOrThrow("a100-80gb", "t").power.max_w == 400);
  CHECK(DevicePresetOrThrow("h100-sxm", "t").power.max_w == 700);
  CHECK(DevicePresetOrThrow("l4", "t").power.max_w == 72);
  for (const DevicePreset& p : DevicePresets()) {
    INFO(p.spec.name);
    CHECK(p.spec.power.idle_w <= p.spec.power.max_w);
    CHECK_NOTHROW(ValidateDeviceSpec(p.spec, p.spec.name));
  }
}

TEST_CASE("device validation rejects idle power above max power", "[power]") {
  DeviceSpec d = DevicePresetOrThrow("h100-sxm", "t");
  d.power.idle_w = 800;
  CHECK(testing::InputErrorOf([&] { ValidateDeviceSpec(d, "spec.yaml"); }) ==
        "spec.yaml: power.idle_w must be at most power.max_w (700 W) (W), found 800");
}

}  // namespace servesim
