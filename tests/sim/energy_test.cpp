// Hand-worked checks of a run's energy and cost: the engine's step and idle joules under power
// figures chosen so that the answer follows from the run's own duration, busy time, FLOPs and bytes,
// and ComputeEnergy's arithmetic on fixed totals.
#include "sim/core/energy.h"

#include <catch2/catch.hpp>

#include "models/presets.h"
#include "sim/output/summary_json.h"
#include "tests/support/scheduler_harness.h"
#include "tests/support/text.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

EngineConfig Config(double idle_w, double max_w, double base, double w_c, double w_m) {
  EngineConfig c = testing::EngineCfg("vllm_v1", true, 8192, 10000);
  c.device.power.idle_w = idle_w;
  c.device.power.max_w = max_w;
  c.device.power.activity_base = base;
  c.device.power.compute_weight = w_c;
  c.device.power.memory_weight = w_m;
  return c;
}

RunSummary Run(const EngineConfig& c, std::vector<Request> requests) {
  return testing::RunEngine(c, std::move(requests), nullptr);
}

}  // namespace

TEST_CASE("constant power: energy = watts x devices x duration, split busy / idle", "[energy]") {
  // idle = max = 100 W: every device draws 100 W whatever it does. Two requests 5 s apart leave
  // the replica idle between them.
  EngineConfig c = Config(100, 100, 0, 0, 0);
  c.cost.tp = 2;
  const RunSummary s =
      Run(c, {testing::MakeRequest(0, 200, 10), testing::MakeRequest(5'000'000'000, 200, 10)});
  REQUIRE(s.completed == 2);
  CHECK(s.energy_step_j == Approx(100.0 * 2 * s.busy_s));
  CHECK(s.energy_idle_j == Approx(100.0 * 2 * (s.duration_s - s.busy_s)));
  const EnergyReport e = ComputeEnergy(s, c);
  CHECK(e.devices == 2);
  CHECK(e.joules == Approx(200.0 * s.duration_s));
  CHECK(e.mean_power_w == Approx(200));
  CHECK(e.mean_power_per_device_w == Approx(100));
  CHECK(e.idle_share == Approx((s.duration_s - s.busy_s) / s.duration_s));
  CHECK(s.duration_s - s.busy_s > 4.9);  // the gap between the requests
}

TEST_CASE("compute-only activity: step energy = max x FLOPs / peak per device", "[energy]") {
  // idle 0, activity = u_c = flops / (peak x t): each step costs max x flops / peak, whatever its
  // duration; summed over steps, 700 W x (FLOPs per device) / 989e12 FLOP/s, times 2 devices.
  EngineConfig c = Config(0, 700, 0, 1, 0);
  c.cost.tp = 2;
  const RunSummary s = Run(c, {testing::MakeRequest(0, 3000, 50)});
  CHECK(s.energy_step_j == Approx(2 * 700.0 * s.flops / 989e12).epsilon(1e-9));
  CHECK(s.energy_idle_j == 0);
}

TEST_CASE("memory-only activity: step energy = max x bytes / bandwidth per device", "[energy]") {
  // activity = u_m: each step costs 700 W x bytes / 3.35e12 bytes/s.
  const EngineConfig c = Config(0, 700, 0, 0, 1);
  const RunSummary s = Run(c, {testing::MakeRequest(0, 500, 100)});
  CHECK(s.energy_step_j == Approx(700.0 * s.bytes / 3.35e12).epsilon(1e-9));
}

TEST_CASE("decode stretches jumped or stepped give the same joules", "[energy]") {
  EngineConfig c = Config(90, 700, 0.2, 1.0, 0.8);
  std::vector<Request> reqs;
  for (int i = 0; i < 16; ++i) reqs.push_back(testing::MakeRequest(i * 1'000'000, 300 + i, 80 + i));
  const RunSummary jumped = Run(c, reqs);
  c.jump_decode_stretches = false;
  const RunSummary stepped = Run(c, reqs);
  CHECK(jumped.jumped_steps > 0);
  CHECK(jumped.energy_step_j == stepped.energy_step_j);
  CHECK(jumped.energy_idle_j == stepped.energy_idle_j);
}

TEST_CASE("ComputeEnergy: kWh, J per token, dollars from fixed totals", "[energy]") {
  EngineConfig c = Config(50, 400, 0.2, 1, 0.8);
  c.cost.tp = 2;
  c.device.power.price_per_hour_usd = 1.8;
  RunSummary s;
  s.energy_step_j = 720;
  s.energy_idle_j = 180;
  s.output_tokens = 300;
  s.duration_s = 10;
  const EnergyReport e = ComputeEnergy(s, c);
  // 900 J = 2.5e-4 kWh; 900 / 300 = 3 J/token; 2.5e-4 / 300 x 1e6 = 0.8333 kWh per million;
  // 900 J / 10 s = 90 W over 2 devices; $ = 2 x 1.8 x 10 / 3600 = 0.01; per million tokens
  // 0.01 / 300 x 1e6 = 33.33; 300 / 0.01 = 30,000 tokens per dollar.
  CHECK(e.joules == Approx(900));
  CHECK(e.kwh == Approx(2.5e-4));
  CHECK(e.idle_share == Approx(0.2));
  CHECK(e.joules_per_output_token == Approx(3));
  CHECK(e.kwh_per_million_tokens == Approx(0.833333));
  CHECK(e.tokens_per_joule == Approx(1.0 / 3));
  CHECK(e.mean_power_w == Approx(90));
  CHECK(e.mean_power_per_device_w == Approx(45));
  CHECK(e.usd == Approx(0.01));
  CHECK(e.usd_per_million_tokens == Approx(33.3333));
  CHECK(e.tokens_per_dollar == Approx(30000));
}

TEST_CASE("summary.json's energy object: present with power figures, absent without", "[energy]") {
  EngineConfig c = Config(90, 700, 0.2, 1, 0.8);
  c.device.power.price_per_hour_usd = 3;
  const RunSummary s = Run(c, {testing::MakeRequest(0, 200, 20)});
  const std::string with = SummaryJson(s, c, false);
  CHECK(testing::Contains(with, "\"energy\": {"));
  CHECK(testing::Contains(with, "\"joules_per_output_token\": "));
  CHECK(testing::Contains(with, "\"usd_per_million_tokens\": "));
  c.device.power = DevicePower{};
  CHECK_FALSE(testing::Contains(SummaryJson(s, c, false), "\"energy\""));
}

}  // namespace servesim
