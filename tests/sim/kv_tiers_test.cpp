// The engine with KV tiers below the device prefix cache: a prefix the device evicted is loaded
// back from host memory; the step computes exactly what a device hit would, and costs the load
// on top (blocking) or overlapped layer by layer; the summary's per-tier figures; the scenario
// keys and their errors.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/core/engine.h"
#include "sim/output/summary_json.h"
#include "tests/support/input_error.h"
#include "tests/support/scenario_text.h"
#include "tests/support/scheduler_harness.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

// llama-3.1-8b: 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes = 131,072 B per token, so a
// 16-token block is 2 MiB.
constexpr double kBlockBytes = 2097152;

// One host tier of 1 GiB at 1 GB/s and 100 us.
KvTierOptions HostTier(TierLoad load) {
  KvTierOptions t;
  t.block_bytes = kBlockBytes;
  t.block_tokens = 16;
  t.num_layers = 32;
  t.load = load;
  KvTierSpec host;
  host.name = "host";
  host.capacity_bytes = 1073741824.0;
  host.bandwidth_bytes_per_s = 1e9;
  host.latency_s = 100e-6;
  t.tiers.push_back(host);
  return t;
}

Request Req(int64_t arrival_ns, int64_t prompt, std::vector<uint64_t> hashes) {
  Request r = testing::MakeRequest(arrival_ns, prompt, 1);
  r.prefix_hashes = std::move(hashes);
  r.prefix_block_tokens = 16;
  return r;
}

// A (64 tokens, hashes 1-4) at 0 s; B (112 tokens of other contents) at 1 s, which on an 8-block
// device takes the 4 blocks A never used and A's blocks 3, 2, 1 (A's block 0 is the last in the
// free queue); C (A's prompt + 16 tokens) at 2 s: block 0 on the device, blocks 1-3 wherever
// they went. Each request ends at its prefill (1 output token) long before the next arrives.
std::vector<Request> ThreeRequests() {
  return {Req(0, 64, {1, 2, 3, 4}), Req(1000000000, 112, {11, 12, 13, 14, 15, 16, 17}),
          Req(2000000000, 80, {1, 2, 3, 4, 5})};
}

EngineConfig Config(int64_t kv_blocks) {
  EngineConfig c = testing::EngineCfg("vllm_v1", true, 8192, kv_blocks);
  c.kv.prefix_caching = true;
  return c;
}

}  // namespace

TEST_CASE("a tier hit computes what a device hit does and adds its load", "[sim][kv_tiers]") {
  const RunSummary device = testing::RunEngine(Config(1000), ThreeRequests(), nullptr);
  CHECK(device.kv.prefix_hit_tokens == 64);  // C: 4 blocks cached on a large device
  EngineConfig none = Config(8);
  const RunSummary lost = testing::RunEngine(none, ThreeRequests(), nullptr);
  CHECK(lost.kv.prefix_hit_tokens == 16);  // only block 0 survived on the device
  // The load of C's blocks 1-3: 100 us + 3 x 2 MiB / 1 GB/s = 6.391456 ms.
  const double load_s = 100e-6 + 3 * kBlockBytes / 1e9;
  const double c_compute_s =
      testing::Ticks(none, BatchShape::Uniform(1, 16, 64)) * 1e-9;  // C's prefill after a hit
  const double recompute_s = testing::Ticks(none, BatchShape::Uniform(1, 64, 16)) * 1e-9;

  SECTION("blocking: the step is the device hit's plus the load") {
    EngineConfig c = Config(8);
    c.kv.tiers = HostTier(TierLoad::kBlocking);
    const RunSummary s = testing::RunEngine(c, ThreeRequests(), nullptr);
    CHECK(s.kv.prefix_hit_tokens == 64);
    REQUIRE(s.kv_tiers.size() == 1);
    CHECK(s.kv_tiers[0].hit_tokens == 48);
    CHECK(s.kv_tiers[0].bytes_out == 3 * kBlockBytes);
    CHECK(s.kv_tiers[0].load_s == Approx(load_s).epsilon(1e-12));
    // Saves exactly the recompute: the same FLOPs as the device hit, the load on top.
    CHECK(s.flops == device.flops);
    CHECK(lost.flops > s.flops);
    CHECK(s.busy_s - device.busy_s == Approx(load_s).margin(2e-9));
    CHECK(s.kv_tier_load_steps == 1);
    CHECK(s.kv_tier_saved_s == Approx(recompute_s - c_compute_s - load_s).margin(2e-9));
  }
  SECTION("layerwise: the load overlaps C's 32 layers") {
    EngineConfig c = Config(8);
    c.kv.tiers = HostTier(TierLoad::kLayerwise);
    const RunSummary s = testing::RunEngine(c, ThreeRequests(), nullptr);
    const double step_s = load_s / 32 + 31 * std::max(load_s, c_compute_s) / 32 + c_compute_s / 32;
    CHECK(s.busy_s - device.busy_s == Approx(step_s - c_compute_s).margin(2e-9));
    CHECK(s.flops == device.flops);
  }
}

TEST_CASE("a request preempted by recompute reloads its evicted block from a tier",
          "[sim][kv_tiers]") {
  // engine_test's case on 7 blocks: B (48-token prompt) is preempted at 49 tokens, A then evicts
  // B's last full block (released tail first, front of the free queue). Without tiers B resumes
  // with 32 tokens cached; with a host tier the evicted block (B's own key, published when B was
  // released unfinished) waits there, so B resumes with all 48, 16 of them loaded.
  EngineConfig c = Config(7);
  c.kv.tiers = HostTier(TierLoad::kBlocking);
  const RunSummary s = testing::RunEngine(
      c, {testing::MakeRequest(0, 48, 30), testing::MakeRequest(0, 48, 10)}, nullptr);
  CHECK(s.completed == 2);
  CHECK(s.preemptions == 1);
  CHECK(s.kv.resume_hit_tokens == 48);
  REQUIRE(s.kv_tiers.size() == 1);
  CHECK(s.kv_tiers[0].resume_hit_tokens == 16);
  CHECK(s.kv_tiers[0].hit_tokens == 0);
  CHECK(s.kv_tiers[0].load_s == Approx(100e-6 + kBlockBytes / 1e9).epsilon(1e-12));
}

TEST_CASE("summary.json has kv_tiers only when tiers are configured", "[sim][kv_tiers]") {
  EngineConfig c = Config(8);
  CHECK_FALSE(testing::Contains(SummaryJson(testing::RunEngine(c, ThreeRequests(), nullptr), c, false),
                                "kv_tiers"));
  c.kv.tiers = HostTier(TierLoad::kBlocking);
  const std::string j = SummaryJson(testing::RunEngine(c, ThreeRequests(), nullptr), c, false);
  CHECK(testing::Contains(j, "\"kv_tiers\": ["));
  CHECK(testing::Contains(j, "\"name\": \"host\""));
  CHECK(testing::Contains(j, "\"hit_tokens\": 48"));
  CHECK(testing::Contains(j, "\"kv_device_hit_tokens\": 16"));
}

TEST_CASE("kv_cache.tiers: read, sized per block, and checked", "[sim][kv_tiers][scenario]") {
  const std::string yaml = R"(
model: llama-3.1-8b
hardware: {device: h100-sxm}
workload: {impl: synthetic, arrival: constant, rate_per_s: 1, num_requests: 4,
           prompt_tokens: 100, output_tokens: 10}
kv_cache:
  prefix_caching: true
  tier_load: blocking
  tiers:
    - {name: host, capacity_gib: 1, bandwidth_gbps: 25, latency_us: 10}
    - {name: ssd, capacity_gib: 2, bandwidth_gbps: 5, latency_us: 100, eviction: fifo}
)";
  const Scenario sc = testing::LoadScenarioText(yaml);
  const KvTierOptions& t = sc.engine.kv.tiers;
  REQUIRE(t.tiers.size() == 2);
  CHECK(t.block_bytes == kBlockBytes);
  CHECK(t.CapacityBlocks(0) == 512);  // 1 GiB / 2 MiB
  CHECK(t.CapacityBlocks(1) == 1024);
  CHECK(t.tiers[1].bandwidth_bytes_per_s == 5e9);
  CHECK(t.tiers[1].latency_s == Approx(100e-6));
  CHECK(t.tiers[1].eviction == TierEviction::kFifo);
  CHECK(t.tiers[0].eviction == TierEviction::kLru);
  CHECK(t.load == TierLoad::kBlocking);
  CHECK(t.num_layers == 32);

  auto err = [&](const std::string& set) {
    return testing::ExpectInputError([&] { testing::LoadScenarioText(yaml, {set}); });
  };
  CHECK_THAT(err("kv_cache.tiers=[{name: h, capacity_gib: -1, bandwidth_gbps: 25}]"),
             Catch::Contains("kv_cache.tiers[0].capacity_gib") &&
                 Catch::Contains("expected a number in (0"));
  CHECK_THAT(err("kv_cache.tiers=[{name: h, capacity_gib: 1, bandwidth_gbps: 0}]"),
             Catch::Contains("kv_cache.tiers[0].bandwidth_gbps"));
  CHECK_THAT(err("kv_cache.tiers=[{name: h, capacity_gib: 1, bandwidth_gbps: 1, eviction: lfu}]"),
             Catch::Contains("kv_cache.tiers[0].eviction") && Catch::Contains("lfu"));
  CHECK_THAT(err("kv_cache.tiers=[{name: h, capacity_gib: 0.001, bandwidth_gbps: 1}]"),
             Catch::Contains("holds no KV block"));
  CHECK_THAT(err("kv_cache.prefix_caching=false"),
             Catch::Contains("needs kv_cache.prefix_caching"));
  CHECK_THAT(err("kv_cache.tier_load=eager"), Catch::Contains("kv_cache.tier_load"));
}

}  // namespace servesim
