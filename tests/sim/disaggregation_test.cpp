// Prefill/decode disaggregation: a KV transfer priced by latency + bytes / bandwidth, one request
// through a prefill pool and a decode pool, FIFO queueing on a prefill replica's link, layer-wise
// overlap, a colocated single pool unchanged, and the scenario keys' errors.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hardware/kv_link.h"
#include "sim/core/engine.h"
#include "sim/core/kernel.h"
#include "tests/support/input_error.h"
#include "tests/support/scenario_text.h"
#include "tests/support/scheduler_harness.h"

namespace servesim {
namespace {

// llama-3.1-8b: 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes = 131,072 B per token.
constexpr double kKvBytesPerToken = 131072;
// A 1,000-token prompt: 131,072,000 B.
constexpr double kPromptBytes = 1000 * kKvBytesPerToken;

KvLink IbNdr() {
  for (const KvLink& l : KvLinkPresets()) {
    if (l.name == "ib-ndr") return l;
  }
  FAIL("no ib-ndr preset");
  return {};
}

PoolOptions Pool(const EngineConfig& c, const std::string& name) {
  PoolOptions p;
  p.name = name;
  p.device = c.device;
  p.cost = c.cost;
  p.replicas = 1;
  p.kv = c.kv;
  p.scheduler = c.scheduler;
  return p;
}

EngineConfig Disaggregated(KvTransferMode mode) {
  EngineConfig c = testing::EngineCfg("vllm_v1", true, 8192, 1000);
  c.serving.path = ServingPath::kDisaggregated;
  c.serving.pools = {Pool(c, "prefill"), Pool(c, "decode")};
  c.serving.transfer.link = IbNdr();
  c.serving.transfer.mode = mode;
  return c;
}

}  // namespace

TEST_CASE("a KV transfer costs latency + bytes / bandwidth", "[sim][disagg]") {
  const KvLink ib = IbNdr();
  // InfiniBand NDR: 400 Gb/s = 50 GB/s, 5 us.
  CHECK(ib.bandwidth_bytes_per_s == 50e9);
  // tp 1: 131,072,000 B / 50 GB/s = 2.62144 ms, + 5 us = 2.62644 ms.
  CHECK(KvTransferSeconds(ib, kPromptBytes) == Approx(2.62644e-3).epsilon(1e-12));
  // tp 2: each device sends its half in parallel: 1.31072 ms + 5 us.
  CHECK(KvTransferSeconds(ib, kPromptBytes / 2) == Approx(1.31572e-3).epsilon(1e-12));
}

TEST_CASE("one request: TTFT at the prefill, decode after the transfer", "[sim][disagg]") {
  const EngineConfig c = Disaggregated(KvTransferMode::kWhole);
  std::string requests_csv;
  const RunSummary s =
      testing::RunEngine(c, {testing::MakeRequest(0, 1000, 3)}, nullptr, &requests_csv);
  REQUIRE(s.completed == 1);
  const int64_t prefill = testing::Ticks(c, BatchShape::Uniform(1, 1000, 0));
  const int64_t transfer = SecondsToTicks(5e-6 + kPromptBytes / 50e9);
  CHECK(transfer == 2626440);
  // Two decode steps on the decode replica: contexts 1,000 and 1,001.
  const int64_t d1 = testing::Ticks(c, BatchShape::Uniform(1, 1, 1000));
  const int64_t d2 = testing::Ticks(c, BatchShape::Uniform(1, 1, 1001));
  CHECK(s.ttft_s.max() == TicksToSeconds(prefill));
  CHECK(s.e2e_s.max() == TicksToSeconds(prefill + transfer + d1 + d2));
  CHECK(s.kv_transfer.transfers == 1);
  CHECK(s.kv_transfer.bytes == kPromptBytes);
  CHECK(s.kv_transfer.link_busy_s == Approx(2.62644e-3).epsilon(1e-12));
  CHECK(s.kv_transfer.room_wait_s.max() == 0);
  CHECK(s.output_tokens == 3);
  REQUIRE(s.pools.size() == 2);
  CHECK(s.pools[0].steps == 1);
  CHECK(s.pools[1].steps == 2);
  CHECK(s.pools[1].first_replica == 1);
  // requests.csv names the decode replica (ids run across pools: prefill 0, decode 1).
  CHECK(requests_csv.find(",completed,1,") != std::string::npos);
}

TEST_CASE("transfers on one prefill replica's link queue FIFO", "[sim][disagg]") {
  const EngineConfig c = Disaggregated(KvTransferMode::kWhole);
  // Both prompts prefill in one step and hand off together; the second transfer waits for the
  // first: it starts at prefill + X and ends at prefill + 2X.
  const RunSummary s = testing::RunEngine(
      c, {testing::MakeRequest(0, 1000, 2), testing::MakeRequest(0, 1000, 2)}, nullptr);
  REQUIRE(s.completed == 2);
  const int64_t x = SecondsToTicks(5e-6 + kPromptBytes / 50e9);
  CHECK(s.kv_transfer.transfers == 2);
  CHECK(s.kv_transfer.link_wait_s.max() == TicksToSeconds(x));
  CHECK(s.kv_transfer.link_wait_s.Mean() == TicksToSeconds(x) / 2);
  CHECK(s.kv_transfer.handoff_s.max() == TicksToSeconds(2 * x));
  CHECK(s.kv_transfer.link_busy_s == Approx(2 * 2.62644e-3).epsilon(1e-12));
}

TEST_CASE("layer-wise transfer leaves only the last layer's share after the prefill",
          "[sim][disagg]") {
  const EngineConfig c = Disaggregated(KvTransferMode::kLayerwise);
  const RunSummary s = testing::RunEngine(c, {testing::MakeRequest(0, 1000, 2)}, nullptr);
  REQUIRE(s.completed == 1);
  const int64_t prefill = testing::Ticks(c, BatchShape::Uniform(1, 1000, 0));
  // The prefill (tens of ms) outlasts the 2.6 ms stream: after it, 5 us + 2.62144 ms / 32 layers.
  REQUIRE(TicksToSeconds(prefill) > 2.62644e-3);
  const int64_t tail = SecondsToTicks(5e-6 + kPromptBytes / 50e9 / 32);
  CHECK(s.kv_transfer.handoff_s.max() == TicksToSeconds(tail));
  const int64_t d1 = testing::Ticks(c, BatchShape::Uniform(1, 1, 1000));
  CHECK(s.e2e_s.max() == TicksToSeconds(prefill + tail + d1));
}

TEST_CASE("a colocated single pool runs as without pools", "[sim][disagg]") {
  const EngineConfig plain = testing::EngineCfg("vllm_v1", true, 512, 200);
  EngineConfig pooled = plain;
  pooled.serving.pools = {Pool(plain, "only")};
  std::vector<Request> reqs;
  for (int i = 0; i < 20; ++i) reqs.push_back(testing::MakeRequest(i * 3000000, 300 + i, 20 + i));
  const RunSummary a = testing::RunEngine(plain, reqs, nullptr);
  const RunSummary b = testing::RunEngine(pooled, reqs, nullptr);
  CHECK(a.completed == 20);
  CHECK(b.completed == a.completed);
  CHECK(b.e2e_s.sum() == a.e2e_s.sum());
  CHECK(b.ttft_s.sum() == a.ttft_s.sum());
  CHECK(b.busy_s == a.busy_s);
  CHECK(b.steps == a.steps);
  CHECK(a.pools.empty());
  REQUIRE(b.pools.size() == 1);
  CHECK(b.kv_transfer.links == 0);
}

namespace {

const char* kPooled = R"(
model: llama-3.1-8b
workload: {impl: synthetic, num_requests: 4, rate_per_s: 1, prompt_tokens: {dist: fixed, value: 100}, output_tokens: {dist: fixed, value: 10}}
pools:
  p: {hardware: {device: h100-sxm}}
  d: {hardware: {device: h100-sxm}}
serving: {path: disaggregated, prefill_pool: p, decode_pool: d, kv_transfer: {link: ib-ndr}}
)";

}  // namespace

TEST_CASE("pools and serving load and run", "[sim][disagg]") {
  const RunSummary s = testing::RunScenarioText(kPooled);
  CHECK(s.completed == 4);
  CHECK(s.kv_transfer.transfers == 4);
}

TEST_CASE("pools and serving: bad input is one clear error", "[sim][disagg]") {
  using testing::ExpectInputError;
  CHECK_THAT(
      ExpectInputError([] { testing::LoadScenarioText(kPooled, {"serving.decode_pool=x"}); }),
      Catch::Contains("no pool named 'x' in pools (defined: p, d)"));
  CHECK_THAT(ExpectInputError([] {
               testing::LoadScenarioText(kPooled,
                                         {"serving={path: disaggregated, prefill_pool: p}"});
             }),
             Catch::Contains("serving.decode_pool: required"));
  CHECK_THAT(ExpectInputError([] {
               testing::LoadScenarioText(kPooled, {"serving.kv_transfer.bandwidth_gbps=0"});
             }),
             Catch::Contains("bandwidth_gbps=0: expected a number in (0"));
  CHECK_THAT(ExpectInputError([] {
               testing::LoadScenarioText(kPooled, {"serving.kv_transfer.bandwidth_gbps=-5"});
             }),
             Catch::Contains("bandwidth_gbps"));
  CHECK_THAT(ExpectInputError([] {
               testing::LoadScenarioText(kPooled, {"serving.kv_transfer.link=infiniband"});
             }),
             Catch::Contains("unknown link 'infiniband'"));
  CHECK_THAT(ExpectInputError(
                 [] { testing::LoadScenarioText(kPooled, {"pools.d.hardware.kv_blocks=10"}); }),
             Catch::Contains("pools.d: its KV cache holds 160 tokens"));
  CHECK_THAT(
      ExpectInputError([] { testing::LoadScenarioText(kPooled, {"pools.d.model=opt-13b"}); }),
      Catch::Contains("pools.d.model=opt-13b: every pool serves the scenario's model"));
  CHECK_THAT(
      ExpectInputError([] { testing::LoadScenarioText(kPooled, {"pools.d.hardware.tp=3"}); }),
      Catch::Contains("pools.d.hardware.tp"));
}

}  // namespace servesim
