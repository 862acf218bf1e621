// Data parallel + expert parallel MoE against hand-worked arithmetic: the routed experts' bytes
// of Qwen3-30B-A3B per device (memory plan) and per decode step, the token exchange's price, and
// the one-line errors of the hardware keys. Every pinned figure is worked out in the comments from
// the model's config.json (48 layers, hidden 2048, 128 experts, 8 routed, moe_intermediate 768).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "hardware/all_to_all.h"
#include "hardware/cost_model.h"
#include "hardware/memory_plan.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/presets.h"
#include "tests/support/input_error.h"
#include "tests/support/scenario_text.h"
#include "tests/support/shared_data.h"

namespace servesim {
namespace {

const ModelSpec& Qwen3Moe() { return ModelPresetOrThrow("qwen3-30b-a3b", "test"); }

// One expert: gate + up + down = 3 x 2048 x 768 = 4,718,592 parameters, 9,437,184 bf16 bytes;
// 128 experts x 48 layers: 57,982,058,496 bytes.
constexpr double kExpertBytes = 9437184.0;
constexpr double kAllExpertBytes = 57982058496.0;
// Everything else: embedding and untied head 2 x 151,936 x 2,048 = 622,329,856; per layer
// q 2048x4096 + k, v 2048x512 + o 4096x2048 = 18,874,368, q/k norms 256, two RMSNorms 4,096,
// router 2048x128 = 262,144: 19,140,864 x 48 = 918,761,472; final norm 2,048. 1,541,093,376
// parameters, 3,082,186,752 bytes.
constexpr double kOtherBytes = 3082186752.0;

double ExpertWeightBytes(const std::vector<OpWork>& ops) {
  double b = 0;
  for (const OpWork& w : ops) {
    if (w.id == OpId::kGateUpProj || w.id == OpId::kDownProj)
      b += w.weight_bytes * static_cast<double>(w.repeats);
  }
  return b;
}

TEST_CASE("qwen3-30b-a3b holds 30,532,122,624 parameters", "[dp][models]") {
  // 1,541,093,376 + 48 x 128 x 4,718,592 (the model card's "30.5B").
  CHECK(CountParams(Qwen3Moe()).Total() == 30532122624);
  CHECK(RoutedExpertWeightBytes(Qwen3Moe()) == kAllExpertBytes);
}

TEST_CASE("per-device expert bytes halve with data parallel 2", "[dp][memory]") {
  const DeviceSpec d = DevicePresetOrThrow("rtx-pro-6000", "test");
  MemoryPlanOptions o;
  const MemoryPlan one = PlanMemory(Qwen3Moe(), d, o);
  o.dp = 2;
  const MemoryPlan two = PlanMemory(Qwen3Moe(), d, o);
  CHECK(one.expert_weight_bytes == kAllExpertBytes);
  CHECK(two.expert_weight_bytes == kAllExpertBytes / 2);
  CHECK(one.weight_bytes == Approx(kOtherBytes + kAllExpertBytes).epsilon(1e-12));
  CHECK(two.weight_bytes == Approx(kOtherBytes + kAllExpertBytes / 2).epsilon(1e-12));
  // Half the experts leave 28,991,029,248 more bytes for the KV cache on each device.
  CHECK(two.kv_budget_bytes - one.kv_budget_bytes == Approx(kAllExpertBytes / 2).epsilon(1e-12));
}

TEST_CASE("a decode step reads half the expert bytes per device with dp 2 + EP",
          "[dp][arithmetic]") {
  // One decode token on each of 2 DP ranks: the experts see 2 tokens. Distinct experts touched
  // by 2 tokens routing 8 of 128 each: 128 x (1 - (120/128)^2) = 15.5 of all experts; a rank
  // holding 64 of them reads 7.75 x 9,437,184 bytes per layer, x 48 = 3,510,632,448 bytes.
  // One device holding all experts (dp 1) with the same 2 tokens reads 15.5 x ... = twice that.
  BatchShape one_token = BatchShape::Uniform(1, 1, 100);
  one_token.group_tokens = 2;
  StepOptions ep;
  ep.dp = 2;
  ep.expert_parallel = true;
  CHECK(ExpertWeightBytes(BuildStepOps(Qwen3Moe(), one_token, ep)) ==
        Approx(7.75 * kExpertBytes * 48).epsilon(1e-12));
  const BatchShape two_tokens = BatchShape::Uniform(2, 1, 100);
  CHECK(ExpertWeightBytes(BuildStepOps(Qwen3Moe(), two_tokens, StepOptions{})) ==
        Approx(15.5 * kExpertBytes * 48).epsilon(1e-12));
  // Without expert parallelism (vLLM's flattened tensor parallelism) each device reads half of
  // every touched expert: the same bytes.
  StepOptions sliced;
  sliced.dp = 2;
  CHECK(ExpertWeightBytes(BuildStepOps(Qwen3Moe(), one_token, sliced)) ==
        Approx(7.75 * kExpertBytes * 48).epsilon(1e-12));
}

TEST_CASE("dispatch and combine move the group's hidden states", "[dp][arithmetic]") {
  BatchShape b = BatchShape::Uniform(3, 1, 10);
  b.group_tokens = 5;
  StepOptions ep;
  ep.dp = 2;
  ep.expert_parallel = true;
  const auto ops = BuildStepOps(Qwen3Moe(), b, ep);
  int found = 0;
  for (const OpWork& w : ops) {
    if (w.id != OpId::kMoeAllToAll) continue;
    ++found;
    CHECK(w.kind == OpKind::kAllToAll);
    CHECK(w.repeats == 48);
    CHECK(w.act_bytes == 5 * 2048 * 2);  // 5 tokens x hidden x bf16
    CHECK(w.k == 8);
  }
  CHECK(found == 1);
  for (const OpWork& w : BuildStepOps(Qwen3Moe(), b, StepOptions{}))
    CHECK(w.id != OpId::kMoeAllToAll);
}

TEST_CASE("all-to-all pricing by backend", "[dp][hardware]") {
  // 2 tokens x 2048 x 2 bytes = 8,192 bytes over 2 ranks; a link of 50 GB/s raw, Simple protocol
  // only (20 us per call, 2 us per ring step, the full rate) so the arithmetic stays on one line.
  Interconnect link;
  link.kind = LinkKind::kPcieSwitch;
  link.bandwidth_bytes_per_s = 50e9;
  link.low_latency = ProtocolCost{1.0, 0, 1.0};  // never the faster one here
  link.simple = ProtocolCost{20e-6, 2e-6, 1.0};
  // All-gather + reduce-scatter: each one ring step, 1/2 x 8,192 = 4,096 bytes per device.
  CHECK(MoeExchangeSeconds(8192, 2, 8, link, All2AllBackend::kAllgatherReduceScatter) ==
        Approx(2 * (20e-6 + 2e-6 + 4096 / 50e9)).epsilon(1e-12));
  // All-to-all: a device's 4,096 bytes go to 2 x (1 - 1/2^8) = 1.9921875 ranks in expectation,
  // half of them remote: 4,080 bytes each way, one step each.
  CHECK(AllToAllBytesPerRank(8192, 2, 8, All2AllBackend::kAllToAll) == Approx(4080).epsilon(1e-12));
  CHECK(MoeExchangeSeconds(8192, 2, 8, link, All2AllBackend::kAllToAll) ==
        Approx(2 * (20e-6 + 2e-6 + 4080 / 50e9)).epsilon(1e-12));
  CHECK(MoeExchangeSeconds(8192, 1, 8, link, All2AllBackend::kAllToAll) == 0);
}

TEST_CASE("data parallel hardware keys: one-line errors", "[dp][config]") {
  const std::string base =
      "model: qwen3-30b-a3b\n"
      "workload: {impl: synthetic, num_requests: 2}\n";
  auto load = [&](const std::string& hw) {
    return testing::LoadScenarioText(base + "hardware: " + hw + "\n");
  };
  auto error = [&](const std::string& hw) { return testing::ExpectInputError([&] { load(hw); }); };
  CHECK_THAT(
      testing::ExpectInputError([&] {
        testing::LoadScenarioText(
            "model: llama-3.1-8b\nworkload: {impl: synthetic}\n"
            "hardware: {device: h100-sxm, expert_parallel: true}\n");
      }),
      Catch::Contains("hardware.expert_parallel: needs a mixture-of-experts model; llama-3.1-8b is "
                      "dense"));
  CHECK_THAT(error("{device: rtx-pro-6000, data_parallel: 3, expert_parallel: true}"),
             Catch::Contains("hardware.data_parallel: data_parallel x tp must divide the 128 "
                             "experts of qwen3-30b-a3b"));
  CHECK_THAT(error("{device: rtx-pro-6000, data_parallel: 2, replicas: 2}"),
             Catch::Contains("hardware.data_parallel: excludes hardware.replicas > 1"));
  CHECK_THAT(error("{device: rtx-pro-6000, data_parallel: 2, all2all_backend: deepep}"),
             Catch::Contains("hardware.all2all_backend"));
  const Scenario sc = load("{device: rtx-pro-6000, data_parallel: 2, expert_parallel: true}");
  CHECK(sc.engine.replicas == 2);
  CHECK(sc.engine.lockstep);
  CHECK(sc.engine.routing.impl == kDataParallelRouter);
  CHECK(sc.memory.expert_weight_bytes == kAllExpertBytes / 2);
}

}  // namespace
}  // namespace servesim

namespace servesim {
namespace {

// LLMServingSim's MoE block profile of Qwen3-30B-A3B on an RTX PRO 6000 (vLLM 0.19, eager):
// rows `tokens,activated_experts,time_us` for one layer on one rank. Out-of-sample: nothing in
// the rtx-pro-6000 preset was fitted to these rows.
struct MoeRow {
  double tokens, experts, measured_s, priced_s;
};

std::vector<MoeRow> PriceMoeProfile(const std::string& path, bool with_router) {
  const ModelSpec& m = Qwen3Moe();
  const DeviceSpec d = DevicePresetOrThrow("rtx-pro-6000", "test");
  CostModelOptions o;
  std::vector<MoeRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    MoeRow r{};
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf", &r.tokens, &r.experts, &r.measured_s) != 3)
      continue;
    r.measured_s *= 1e-6;
    auto ops = ExpertFfnOps(m, r.tokens * static_cast<double>(m.experts_per_token), r.experts, 1);
    for (OpWork& w : ops) {
      w.repeats = 1;
      r.priced_s += PriceOp(w, m, d, o).seconds;
    }
    if (with_router) {
      const auto n = static_cast<int64_t>(r.tokens);
      r.priced_s += PriceOp(LinearOp(OpId::kMoeRouter, n, m.hidden_size, m.num_experts,
                                     m.WeightBytesPerParam(), m.ActivationBytes(), false),
                            m, d, o)
                        .seconds;
    }
    rows.push_back(r);
  }
  return rows;
}

// The q-quantile (nearest rank) of |priced / measured - 1| over the rows.
double AbsErrorQuantile(const std::vector<MoeRow>& rows, double q) {
  std::vector<double> e;
  for (const MoeRow& r : rows) e.push_back(std::fabs(r.priced_s / r.measured_s - 1.0));
  std::sort(e.begin(), e.end());
  if (e.empty()) return 0.0;
  return e[std::min(e.size() - 1, static_cast<size_t>(q * static_cast<double>(e.size())))];
}

TEST_CASE("MoE layer price against LLMServingSim's RTX PRO 6000 profile (out-of-sample)",
          "[dp][measured]") {
  const std::string path = testing::SharedDataFile(
      "measured/llmservingsim_profiles/RTXPRO6000/Qwen/Qwen3-30B-A3B-Instruct-2507/bf16/tp1/"
      "moe.csv");
  if (path.empty()) {
    WARN("moe.csv of the LLMServingSim bundle not found; skipped");
    return;
  }
  const auto experts = PriceMoeProfile(path, false);
  const auto block = PriceMoeProfile(path, true);
  REQUIRE(experts.size() == 50);
  for (const MoeRow& r : block) {
    UNSCOPED_INFO(r.tokens << " tokens, " << r.experts << " experts: measured "
                           << r.measured_s * 1e6 << " us, priced " << r.priced_s * 1e6 << " us");
  }
  WARN("MoE block (router + experts) |error| median "
       << AbsErrorQuantile(block, 0.5) * 100 << " %, p90 " << AbsErrorQuantile(block, 0.9) * 100
       << " %, max " << AbsErrorQuantile(block, 1.0) * 100 << " %; experts only median "
       << AbsErrorQuantile(experts, 0.5) * 100 << " %");
  // Guards against a regression of the expert pricing (measured: median 4.0 %).
  CHECK(AbsErrorQuantile(block, 0.5) < 0.10);
}

}  // namespace
}  // namespace servesim
