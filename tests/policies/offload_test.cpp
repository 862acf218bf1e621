// Offload: weight streaming from slower tiers against numbers from outside the code: the source
// documents' storage-bound floor (REFERENCES.md section 2: 7.7 GB model, 3.5 GB resident, 4 GB/s
// -> 1.05 s per token), llama.cpp users' page-cache trap (REFERENCES.md section 5: 20 GB model,
// 16 GB of RAM, ~1 GB/s NVMe: ~4 s per token pinned, ~20 s with mmap's LRU), and hand
// calculations written here.
#include "policies/offload/offload.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "hardware/device_spec.h"
#include "models/input_error.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/output/summary_json.h"
#include "tests/support/input_error.h"
#include "tests/support/scenario_text.h"
#include "tests/support/temp_dir.h"

namespace servesim {
namespace {

using testing::InputErrorOf;
using testing::LoadScenarioText;
using testing::RunScenarioText;

// The InputError loading the scenario raises ("" when none).
std::string ErrorOf(const std::string& yaml, const std::vector<std::string>& overrides) {
  return InputErrorOf([&] { LoadScenarioText(yaml, overrides); });
}

// Llama-2-13B with int4 weights in groups of 36 (an fp16 scale per group: 0.5 + 2/36 bytes per
// linear parameter) weighs the source's 7.7 GB. By hand: 40 layers x (4 x 5120^2 + 3 x 5120 x
// 13824) = 12,687,769,600 linear parameters x 0.55556 = 7,048.76 MB; embedding and LM head in
// fp16: 2 x 32000 x 5120 x 2 = 655.36 MB; norms 0.83 MB: 7.705 GB.
const char* kBoundScenario = R"(
seed: 1
model: {preset: llama-2-13b, weight_dtype: int4, weight_group_size: 36, activation_dtype: fp16,
        kv_dtype: fp16}
hardware:
  device: phone-snapdragon-8-gen3
  offload_tiers: [{name: ufs, capacity_gb: 256, bandwidth_gbps: 4, latency_us: 0}]
scheduler: {impl: vllm_v1, max_model_len: 1024, max_num_seqs: 1, max_num_batched_tokens: 1024}
offload: {impl: layers, residency: pinned, resident_gb: 3.5}
cost_model: {runtime: none}
workload: {impl: closed_loop, clients: 1, num_requests: 1, prompt_tokens: 64, output_tokens: 32}
)";

// CodeLlama-34B, int4 in groups of 32 (0.5625 bytes per linear parameter): by hand 48 x
// (2 x 8192^2 + 2 x 8192 x 1024 + 3 x 8192 x 22016) = 33,218,887,680 linear parameters ->
// 18.686 GB, + fp16 embedding and head 1.049 GB: a 19.7 GB file, the "20 GB model". The laptop:
// 16 GiB of unified memory (97 % for the process), 100 GB/s, NVMe at 1 GB/s.
const char* kLaptopScenario = R"(
seed: 1
model: {preset: codellama-34b, weight_dtype: int4, weight_group_size: 32, activation_dtype: fp16,
        kv_dtype: fp16}
hardware:
  device: apple-m2-max
  memory_gib: 16
  memory_bandwidth_gbps: 100
  memory_utilization: 0.97
  offload_tiers: [{name: nvme, capacity_gb: 512, bandwidth_gbps: 1.0, latency_us: 100}]
scheduler: {impl: vllm_v1, max_model_len: 2048, max_num_seqs: 1, max_num_batched_tokens: 512}
offload: {impl: layers, residency: pinned}
cost_model: {runtime: none}
workload: {impl: closed_loop, clients: 1, num_requests: 1, prompt_tokens: 32, output_tokens: 8}
)";

TEST_CASE("tier reads: large requests reach the bandwidth, small ones pay the latency",
          "[offload]") {
  MemoryTier ufs;
  ufs.bandwidth_bytes_per_s = 4e9;
  ufs.latency_s = 200e-6;
  // 16 KiB at depth 1: 16384 / 4e9 + 200 us = 204.1 us -> 80.3 MB/s.
  CHECK(EffectiveReadBandwidth(ufs, 16384, 1) == Approx(16384 / 204.096e-6).epsilon(1e-4));
  // 16 MiB: 4.194 ms + 0.2 ms -> 95.4 % of 4 GB/s; depth 32 hides the latency 32 ways.
  CHECK(EffectiveReadBandwidth(ufs, 16 << 20, 1) / 4e9 ==
        Approx(4.194304e-3 / 4.394304e-3).epsilon(1e-6));
  // 32 requests of 16 KiB, 32 in flight: one latency, 512 KiB at 4 GB/s.
  CHECK(TierReadSeconds(ufs, 16384.0 * 32, 16384, 32) == Approx(524288 / 4e9 + 200e-6));
}

TEST_CASE("the source documents' storage-bound floor: 7.7 GB, 3.5 GB pinned, 4 GB/s", "[offload]") {
  const Scenario sc = LoadScenarioText(kBoundScenario);
  CHECK(sc.engine.offload.active);
  CHECK(sc.engine.offload.weight_bytes == Approx(7.705e9).epsilon(1e-3));
  CHECK(sc.engine.offload.resident_bytes == Approx(3.5e9));
  const RunSummary s = RunScenarioText(kBoundScenario);
  // (7.7 - 3.5) / 4 = 1.05 s per token, 0.95 tokens/s.
  CHECK(s.tpot_s.Mean() == Approx(1.05).epsilon(0.02));
  CHECK(1.0 / s.tpot_s.Mean() == Approx(0.95).epsilon(0.02));
}

TEST_CASE("the page-cache trap: pinned streams the excess, LRU streams the whole file",
          "[offload]") {
  const RunSummary pinned = RunScenarioText(kLaptopScenario);
  const RunSummary lru = RunScenarioText(kLaptopScenario, {"offload.residency=page_cache"});
  CHECK(pinned.tpot_s.Mean() == Approx(4.0).epsilon(0.25));
  CHECK(lru.tpot_s.Mean() == Approx(20.0).epsilon(0.25));
  // The file minus the embedding (read by rows) streams every token: 19.7 - 0.52 GB at 1 GB/s.
  const Scenario sc = LoadScenarioText(kLaptopScenario, {"offload.residency=page_cache"});
  double streamed = 0;
  for (double b : sc.engine.offload.streamed_per_pass) streamed += b;
  CHECK(streamed == Approx(19.735e9 - 0.524e9).epsilon(2e-3));
}

TEST_CASE("a page cache larger than the model keeps all of it", "[offload]") {
  const Scenario sc =
      LoadScenarioText(kLaptopScenario, {"offload.residency=page_cache", "hardware.memory_gib=64"});
  CHECK_FALSE(sc.engine.offload.active);  // nothing to move: priced as resident
}

TEST_CASE("prefetch overlaps loads with compute; without it they add", "[offload]") {
  // Everything streamed (resident 0) so each layer has a load and a compute.
  const Scenario with = LoadScenarioText(kBoundScenario, {"offload.resident_gb=0"});
  const Scenario without =
      LoadScenarioText(kBoundScenario, {"offload.resident_gb=0", "offload.prefetch=false"});
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(with.engine.model, with.engine.device, with.engine.cost);
  const auto a = MakeOffloadCostModel(*compute, with.engine.offload);
  const auto b = MakeOffloadCostModel(*compute, without.engine.offload);
  const BatchShape decode = BatchShape::Uniform(1, 1, 512);
  const StepCost c = compute->PriceStep(decode);
  const StepCost pa = a->PriceStep(decode), pb = b->PriceStep(decode);
  // Without prefetch: compute + load exactly (device time = sum of both).
  CHECK(pb.device_s == Approx(c.device_s + pb.io_s).epsilon(1e-9));
  // With it: at least the larger of the two, at most one unit's compute more than the loads.
  CHECK(pa.device_s >= std::max(c.device_s, pa.io_s));
  CHECK(pa.device_s < pb.device_s);
  CHECK(pa.bound == Bound::kIo);
}

TEST_CASE("a weight stream serves the whole batch; verify passes ride the same stream",
          "[offload]") {
  const Scenario sc = LoadScenarioText(kBoundScenario);
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(sc.engine.model, sc.engine.device, sc.engine.cost);
  const auto cost = MakeOffloadCostModel(*compute, sc.engine.offload);
  const double one = cost->PriceStep(BatchShape::Uniform(1, 1, 256)).seconds;
  const double eight = cost->PriceStep(BatchShape::Uniform(8, 1, 256)).seconds;
  CHECK(eight / one < 1.05);  // 8x the tokens for < 5 % more time
  BatchShape verify;
  verify.AddVerify(5, 256);  // the last token + 4 drafts
  CHECK(cost->PriceStep(verify).seconds / one < 1.05);
}

TEST_CASE("activation sparsity: fewer bytes per token, but small reads and batches erode it",
          "[offload]") {
  const Scenario dense = LoadScenarioText(kBoundScenario, {"offload.resident_gb=0"});
  const Scenario sparse = LoadScenarioText(
      kBoundScenario, {"offload.resident_gb=0", "offload.ffn_load_fraction=0.1",
                       "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: 4, "
                       "latency_us: 100}]"});
  const Scenario deep = LoadScenarioText(
      kBoundScenario,
      {"offload.resident_gb=0", "offload.ffn_load_fraction=0.1", "offload.io_depth=64",
       "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: 4, "
       "latency_us: 100}]"});
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(dense.engine.model, dense.engine.device, dense.engine.cost);
  const auto d = MakeOffloadCostModel(*compute, dense.engine.offload);
  const auto s = MakeOffloadCostModel(*compute, sparse.engine.offload);
  const auto q = MakeOffloadCostModel(*compute, deep.engine.offload);
  const BatchShape one = BatchShape::Uniform(1, 1, 128);
  // One token needs 10 % of the FFN rows: far fewer bytes...
  CHECK(s->PriceStep(one).io_bytes < 0.5 * d->PriceStep(one).io_bytes);
  // ...read as 3 x 5120 x 0.5556-byte bundles (8.5 KB) that each wait 100 us at depth 1: slower
  // than streaming everything; 64 reads in flight recover the gain.
  CHECK(s->PriceStep(one).seconds > d->PriceStep(one).seconds);
  CHECK(q->PriceStep(one).seconds < 0.6 * d->PriceStep(one).seconds);
  // 64 tokens need 1 - 0.9^64 = 99.9 % of the rows: no gain left.
  const BatchShape batch = BatchShape::Uniform(64, 1, 128);
  CHECK(q->PriceStep(batch).io_bytes == Approx(d->PriceStep(batch).io_bytes).epsilon(0.01));
}

TEST_CASE("KV spilled to host memory adds blocks and moves the excess every step", "[offload]") {
  const char* yaml = R"(
model: {preset: llama-3-8b}
hardware: {device: rtx-4090, memory_utilization: 0.9}
scheduler: {impl: vllm_v1, max_model_len: 8192}
offload: {impl: layers, resident_layers: 32, kv_host_gib: 16}
workload: {impl: closed_loop, clients: 1, num_requests: 1, prompt_tokens: 64, output_tokens: 8}
)";
  const Scenario sc = LoadScenarioText(yaml);
  const OffloadPlan& p = sc.engine.offload;
  // llama-3-8b: 2 x 32 x 8 x 128 x 2 bytes = 131,072 bytes per token; 16 GiB / (16 x 131,072).
  CHECK(p.kv_host_blocks == 8192);
  CHECK(sc.engine.kv.capacity_blocks == sc.memory.kv_blocks + 8192);
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(sc.engine.model, sc.engine.device, sc.engine.cost);
  const auto cost = MakeOffloadCostModel(*compute, p);
  const int64_t dev = p.kv_device_tokens;
  const StepCost inside = cost->PriceStep(BatchShape::Uniform(1, 1, dev - 10));
  CHECK(inside.io_bytes == 0);
  const StepCost over = cost->PriceStep(BatchShape::Uniform(4, 1, dev / 2));
  // 4 x dev/2 + 4 tokens against dev on the device: dev + 4 tokens spill.
  CHECK(over.io_bytes == Approx(static_cast<double>(dev + 4) * 131072.0));
}

TEST_CASE("flexgen fractions: every layer streams its host share over the link", "[offload]") {
  const char* yaml = R"(
model: {preset: opt-30b, weight_dtype: fp16, activation_dtype: fp16, kv_dtype: fp16}
hardware: {device: t4, memory_utilization: 0.95}
scheduler: {impl: vllm_v1, max_model_len: 2048, max_num_batched_tokens: 2048}
offload: {impl: flexgen, weights: [20, 80, 0], kv_cache: [0, 100]}
cost_model: {runtime: none}
workload: {impl: closed_loop, clients: 1, num_requests: 1, prompt_tokens: 64, output_tokens: 8}
)";
  const Scenario sc = LoadScenarioText(yaml);
  const OffloadPlan& p = sc.engine.offload;
  CHECK(p.resident_bytes == Approx(0.2 * p.weight_bytes));
  // The embedding is looked up by rows, so a pass streams 80 % of everything else from DRAM.
  const double embedding = p.units.front().bytes;
  CHECK(p.streamed_per_pass[0] == Approx(0.8 * (p.weight_bytes - embedding)));
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(sc.engine.model, sc.engine.device, sc.engine.cost);
  const auto cost = MakeOffloadCostModel(*compute, p);
  // One decode pass is at least the host share over 12.89 GB/s (FlexGen's fitted T4 box).
  CHECK(cost->PriceStep(BatchShape::Uniform(1, 1, 64)).seconds >= p.streamed_per_pass[0] / 12.89e9);
}

// Llama-2-13B in fp16 on a 24 GB card: the embedding and layers 0-19 pinned, the rest streamed
// from a 6.4 GB DRAM tier (filled first) and NVMe. By hand, a layer is 4 x 5120^2 + 3 x 5120 x
// 13824 = 317,194,240 linear parameters + 2 x 5120 norm weights, x 2 bytes = 634,408,960 bytes;
// the head (LM head and final norm) (32000 + 1) x 5120 x 2 = 327,690,240. A pass streams 20
// layers + head = 13,015,869,440 bytes: 6.4e9 from DRAM (layers 20-29 and 55.9 MB of layer 30)
// and 6,615,869,440 from NVMe. Latency 0, so the channel time of each is bytes / bandwidth.
const char* kTwoTierScenario = R"(
seed: 1
model: {preset: llama-2-13b, weight_dtype: fp16, activation_dtype: fp16, kv_dtype: fp16}
hardware:
  device: rtx-4090
  offload_tiers:
    - {name: dram, capacity_gb: 6.4, bandwidth_gbps: 25, latency_us: 0}
    - {name: nvme, capacity_gb: 1000, bandwidth_gbps: 7, latency_us: 0}
scheduler: {impl: vllm_v1, max_model_len: 1024, max_num_seqs: 1, max_num_batched_tokens: 1024}
offload: {impl: layers, resident_layers: 20}
cost_model: {runtime: none}
workload: {impl: closed_loop, clients: 1, num_requests: 1, prompt_tokens: 64, output_tokens: 8}
)";
constexpr double kDramBytesPerPass = 6.4e9;
constexpr double kNvmeBytesPerPass = 20 * 634408960.0 + 327690240.0 - 6.4e9;

TEST_CASE("a step reports the bytes and channel time of each offload tier", "[offload]") {
  const Scenario sc = LoadScenarioText(kTwoTierScenario);
  std::unique_ptr<CostModel> compute =
      MakeRooflineCostModel(sc.engine.model, sc.engine.device, sc.engine.cost);
  const auto cost = MakeOffloadCostModel(*compute, sc.engine.offload);
  const StepCost step = cost->PriceStep(BatchShape::Uniform(1, 1, 100));
  CHECK(step.io_tier_bytes[0] == Approx(kDramBytesPerPass).epsilon(1e-9));
  CHECK(step.io_tier_bytes[1] == Approx(kNvmeBytesPerPass).epsilon(1e-9));
  CHECK(step.io_tier_bytes[2] == 0);
  CHECK(step.io_tier_s[0] == Approx(kDramBytesPerPass / 25e9).epsilon(1e-9));  // 0.256 s
  CHECK(step.io_tier_s[1] == Approx(kNvmeBytesPerPass / 7e9).epsilon(1e-9));   // 0.945 s
  CHECK(step.io_tier_bytes[0] + step.io_tier_bytes[1] == Approx(step.io_bytes).epsilon(1e-12));
  CHECK(step.io_tier_s[0] + step.io_tier_s[1] == Approx(step.io_s).epsilon(1e-12));
}

TEST_CASE("summary.json totals the bytes of each offload tier, the same on a rerun", "[offload]") {
  const Scenario sc = LoadScenarioText(kTwoTierScenario);
  auto run = [&] {
    Engine engine(sc.engine, MakeScenarioWorkloads(sc));
    return engine.Run({});
  };
  const RunSummary s = run();
  // One request, 64 + 8 tokens, one at a time: a prefill step (the first token) and 7 decodes,
  // each streaming the whole pass.
  REQUIRE(s.steps == 8);
  CHECK(s.offload_tier_bytes[0] == Approx(8 * kDramBytesPerPass).epsilon(1e-9));
  CHECK(s.offload_tier_bytes[1] == Approx(8 * kNvmeBytesPerPass).epsilon(1e-9));
  CHECK(s.offload_tier_s[0] == Approx(8 * kDramBytesPerPass / 25e9).epsilon(1e-9));
  const std::string json = SummaryJson(s, sc.engine, false);
  CHECK_THAT(json,
             Catch::Contains("\"offload_tiers\": [") && Catch::Contains("\"name\": \"dram\"") &&
                 Catch::Contains("\"name\": \"nvme\"") && Catch::Contains("\"io_seconds\": "));
  CHECK(json == SummaryJson(run(), sc.engine, false));
}

TEST_CASE("offload bad input: clear errors", "[offload]") {
  auto err = [](const std::vector<std::string>& o) { return ErrorOf(kBoundScenario, o); };
  CHECK_THAT(err({"hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: 0}]"}),
             Catch::Contains("offload_tiers[0].bandwidth_gbps") &&
                 Catch::Contains("expected a number in (0"));
  CHECK_THAT(err({"hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: -4}]"}),
             Catch::Contains("bandwidth_gbps"));
  CHECK_THAT(err({"hardware.offload_tiers=[{name: ufs, capacity_gb: 256}]"}),
             Catch::Contains("bandwidth_gbps: required"));
  CHECK_THAT(err({"hardware.memory_gib=3", "offload.resident_gb=3.5"}),
             Catch::Contains("offload.resident_gb") && Catch::Contains("exceed"));
  CHECK_THAT(err({"hardware.memory_gib=2",
                  "hardware.offload_tiers=[{name: ufs, capacity_gb: 4, bandwidth_gbps: 4}]"}),
             Catch::Contains("fits nowhere"));
  CHECK_THAT(err({"hardware.offload_tiers=[]"}), Catch::Contains("no offload tier"));
  CHECK_THAT(err({"offload={impl: flexgen, weights: [20, 70, 0]}"}),
             Catch::Contains("offload.weights") && Catch::Contains("summing to 100"));
  CHECK_THAT(err({"offload.residency=mmap"}), Catch::Contains("expected pinned or page_cache"));
  CHECK_THAT(err({"offload.resident_layers=4"}), Catch::Contains("not both"));
  CHECK_THAT(err({"offload.resident_gbs=4"}), Catch::Contains("did you mean 'resident_gb'"));
  const std::string tier = "{name: t, capacity_gb: 9, bandwidth_gbps: 4}";
  CHECK_THAT(err({"hardware.offload_tiers=[" + tier + ", " + tier + ", " + tier + ", " + tier +
                  ", " + tier + "]"}),
             Catch::Contains("hardware.offload_tiers") && Catch::Contains("at most 4 tiers") &&
                 Catch::Contains("5 tiers"));
}

}  // namespace
}  // namespace servesim

namespace servesim {
namespace {

TEST_CASE("pipelined drafting on an offloaded device hides behind the verify pass's I/O wait",
          "[offload][speculative]") {
  testing::TempDir dir;
  const std::string path = dir.Write("s.yaml", std::string(kBoundScenario) + R"(
speculative:
  impl: draft_model
  draft: {preset: tinyllama-1.1b, weight_dtype: fp16, activation_dtype: fp16, kv_dtype: fp16}
  k: 4
  acceptance: {kind: constant, alpha: 1.0}
)");
  auto tpot = [&](bool pipelined) {
    const Scenario sc =
        LoadScenario(path, {std::string("speculative.pipelined=") + (pipelined ? "true" : "false"),
                            "workload.output_tokens=41"});
    Engine engine(sc.engine, MakeScenarioWorkloads(sc));
    return engine.Run({}).tpot_s.Mean();
  };
  // alpha = 1: every round accepts all 4 drafts, so from the second round on the drafts were made
  // while the previous verify pass waited for flash (~1 s >> 4 draft passes): 8 rounds of 5
  // tokens after the prompt's token, 7 of them with their draft time hidden.
  const double plain = tpot(false), pipelined = tpot(true);
  CHECK(pipelined < plain);
  const double draft_round = (plain - pipelined) * 40 / 7;  // per hidden round
  CHECK(draft_round > 0.114);  // 4 passes over 2.2 GB at 76.8 GB/s: >= 4 x 28.6 ms ideal...
  CHECK(draft_round < 0.4);    // ...and far less than a verify pass
}

}  // namespace
}  // namespace servesim
