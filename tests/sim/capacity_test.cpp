// Capacity search: the bracketing + bisection on analytic predicates, and a closed-form serving
// case whose capacity is computed by hand from the model's arithmetic.
#include "sim/app/capacity.h"

#include <catch2/catch.hpp>
#include <string>

#include "models/input_error.h"
#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::InputErrorOf;

using testing::TempDir;

// ---- The search on predicates whose boundary is known.

TEST_CASE("capacity search brackets upward and bisects to the tolerance", "[capacity]") {
  const double boundary = 7.3;
  const CapacitySearch s = SearchCapacity(1.0, 0.01, [&](double r) { return r <= boundary; });
  CHECK(s.status == CapacityStatus::kOk);
  CHECK(s.capacity_per_s <= boundary);
  CHECK(s.capacity_per_s >= boundary * 0.99);
  CHECK(s.failing_per_s > boundary);
  CHECK(s.failing_per_s - s.capacity_per_s <= 0.01 * s.capacity_per_s);
  // 1, 2, 4, 8 (fails): 4 runs, then halving the interval [4, 8] until its width is <= 1 % of
  // its lower end takes at most 8 more.
  CHECK(s.evaluations <= 4 + 8);
}

TEST_CASE("capacity search halves downward when the start rate fails", "[capacity]") {
  const double boundary = 0.37;
  const CapacitySearch s = SearchCapacity(100.0, 0.001, [&](double r) { return r <= boundary; });
  CHECK(s.status == CapacityStatus::kOk);
  CHECK(s.capacity_per_s <= boundary);
  CHECK(s.capacity_per_s >= boundary * 0.999);
}

TEST_CASE("capacity search reports no rate and unbounded cases", "[capacity]") {
  const CapacitySearch none = SearchCapacity(10.0, 0.01, [](double) { return false; });
  CHECK(none.status == CapacityStatus::kNoRate);
  CHECK(none.capacity_per_s == 0);
  CHECK(none.evaluations == 1 + kMaxBracketSteps);
  const CapacitySearch all = SearchCapacity(10.0, 0.01, [](double) { return true; });
  CHECK(all.status == CapacityStatus::kUnbounded);
  CHECK(all.capacity_per_s == Approx(10.0 * (1 << kMaxBracketSteps)));
}

// ---- A closed-form serving case.
//
// Llama-3-8B (bf16) on one H100 whose memory bandwidth is set to 2000 GB/s, ideal roofline (peaks,
// no overheads), one request at a time (max_num_seqs: 1), prompts of 16 tokens and outputs of 10.
// Every step is memory-bound (at most 16 tokens: about 16 FLOP per byte, far below the H100's
// ridge of ~295), so a step costs the bytes it streams over the bandwidth, and those bytes are
// the weights every token passes through (activations and 26 tokens of KV add well under 1 %):
//   per layer: q 4096*4096 + k, v 2 * 4096*1024 + o 4096*4096 + gate, up, down 3 * 4096*14336
//            = 218,103,808 parameters; 32 layers: 6,979,321,856
//   lm_head: 128,256 * 4096 = 525,336,576 (the embedding table is only gathered, one row per token)
//   bytes per step = 2 * 7,504,658,432 = 15,009,316,864; / 2e12 B/s = 7.5047 ms
// A request takes 10 steps (the prefill emits the first token, 9 decodes the rest): S = 75.05 ms.
// Arrivals at a constant rate r: while r < 1/S each request finds the replica idle and its TTFT is
// one step (7.5 ms); above 1/S the queue grows by S - 1/r per request, so the 297th of 300
// requests waits 297 * S * (1 - 1 / (r S)), which passes the 20 ms bound's 12.5 ms of slack once r
// exceeds 1/S by 0.06 %. The capacity for p99_ttft_ms=20 is therefore 1/S = 13.325 req/s.
constexpr double kParamsStreamed =
    32.0 * (4096.0 * 4096 + 2 * 4096.0 * 1024 + 4096.0 * 4096 + 3 * 4096.0 * 14336) +
    128256.0 * 4096;
constexpr double kBandwidthBytesPerS = 2000e9;
constexpr double kStepS = 2 * kParamsStreamed / kBandwidthBytesPerS;
constexpr double kServiceS = 10 * kStepS;
constexpr double kExpectedCapacityPerS = 1 / kServiceS;

const char* kServingYaml = R"(seed: 3
model: llama-3-8b
hardware: {device: h100-sxm, tp: 1, memory_bandwidth_gbps: 2000}
cost_model: {impl: roofline, ideal: true}
scheduler: {impl: vllm_v1, max_num_seqs: 1}
kv_cache: {impl: paged, prefix_caching: false}
output: {requests_csv: false, steps_csv: false}
)";

// One configuration of `path` on one thread under p99_ttft_ms=20.
CapacityOptions OneAtATimeOptions(const std::string& path) {
  CapacityOptions o;
  o.grid.scenario_path = path;
  o.grid.jobs = 1;
  o.slos = ParseSlos("p99_ttft_ms=20");
  return o;
}

// The single row of `r`, found at the one-at-a-time server's capacity.
const CapacityRow& CheckOneAtATimeCapacity(const CapacityResult& r) {
  REQUIRE(r.rows.size() == 1);
  const CapacityRow& row = r.rows[0];
  REQUIRE(row.search.status == CapacityStatus::kOk);
  INFO("expected " << kExpectedCapacityPerS << " req/s, found " << row.search.capacity_per_s);
  CHECK(row.search.capacity_per_s == Approx(kExpectedCapacityPerS).epsilon(0.02));
  return row;
}

TEST_CASE("capacity of a one-at-a-time server is 1 / service time (synthetic rate)", "[capacity]") {
  TempDir dir;
  const std::string path = dir.Write(
      "one_at_a_time.yaml",
      std::string(kServingYaml) +
          "workload: {impl: synthetic, arrival: constant, rate_per_s: 1, num_requests: 300,\n"
          "           prompt_tokens: 16, output_tokens: 10}\n");
  CapacityOptions o = OneAtATimeOptions(path);
  o.price_per_device_hour = 2.0;
  const CapacityResult r = RunCapacity(o);
  const CapacityRow& row = CheckOneAtATimeCapacity(r);
  CHECK(row.rate_key == "workload.rate_per_s");
  CHECK(row.rate_value == row.search.capacity_per_s);
  // Below the boundary TTFT is one step.
  REQUIRE(row.has_metrics);
  CHECK(row.slo_values_ms[0] == Approx(kStepS * 1e3).epsilon(0.02));
  CHECK(row.devices == 1);
  CHECK(row.requests_per_dollar == Approx(row.search.capacity_per_s * 3600 / 2.0));
  // Goodput counts requests within 20 ms of TTFT: all of them at the capacity.
  CHECK(row.at_capacity.good_requests == 300);
  CHECK(Contains(r.csv, "config,status,capacity_req_per_s,rate_key,rate_value,devices,"));
}

TEST_CASE("capacity of a one-at-a-time server is 1 / service time (trace time scale)",
          "[capacity]") {
  // 300 requests 0.1 s apart: the trace's own rate is 10 req/s, so the capacity is reached at
  // time_scale = (1 / S) / 10.
  TempDir dir;
  std::string csv = "arrived_at,num_prefill_tokens,num_decode_tokens\n";
  for (int i = 0; i < 300; ++i) {
    csv += std::to_string(i / 10) + "." + std::to_string(i % 10) + ",16,10\n";
  }
  dir.Write("trace.csv", csv);
  const std::string path =
      dir.Write("trace.yaml", std::string(kServingYaml) +
                                  "workload: {impl: trace, path: trace.csv, format: csv}\n");
  const CapacityResult r = RunCapacity(OneAtATimeOptions(path));
  const CapacityRow& row = CheckOneAtATimeCapacity(r);
  CHECK(row.rate_key == "workload.time_scale");
  CHECK(row.rate_value == Approx(row.search.capacity_per_s / 10.0));
}

TEST_CASE("capacity with --vary gives one row per configuration and does not depend on jobs",
          "[capacity]") {
  TempDir dir;
  const std::string path = dir.Write(
      "vary.yaml",
      std::string(kServingYaml) +
          "workload: {impl: synthetic, arrival: constant, rate_per_s: 1, num_requests: 100,\n"
          "           prompt_tokens: 16, output_tokens: 10}\n");
  CapacityOptions o = OneAtATimeOptions(path);
  o.grid.axes = ParseSweepAxes({"workload.output_tokens=5,10"});
  const CapacityResult one = RunCapacity(o);
  o.grid.jobs = 2;
  const CapacityResult two = RunCapacity(o);
  CHECK(one.csv == two.csv);
  REQUIRE(one.rows.size() == 2);
  // Half the output tokens: half the service time, twice the capacity.
  CHECK(one.rows[0].search.capacity_per_s ==
        Approx(2 * one.rows[1].search.capacity_per_s).epsilon(0.03));
}

TEST_CASE("capacity errors name the flag and what was expected", "[capacity]") {
  CHECK(Contains(InputErrorOf([] { ParseSlos("p99_ttft_ms"); }), "--slo p99_ttft_ms: expected"));
  CHECK(Contains(InputErrorOf([] { ParseSlos("p99_ttft_ms=abc"); }), "found 'abc'"));
  CHECK(Contains(InputErrorOf([] { ParseSlos("p99_ttft=5"); }), "did you mean 'p99_ttft_ms'"));
  CHECK(Contains(InputErrorOf([] { ParseSlos("p99_ttft_ms=-5"); }), "> 0"));
  CHECK(Contains(InputErrorOf([] { ParseSlos("p99_ttft_ms=5,p99_ttft_ms=6"); }), "given twice"));
  CHECK(Contains(InputErrorOf([] { ParseDevicePrices({"h100=2"}); }), "h100-sxm"));
  CHECK(Contains(InputErrorOf([] { ParseDevicePrices({"h100-sxm=0"}); }), "> 0"));

  TempDir dir;
  const std::string closed =
      dir.Write("closed.yaml", std::string(kServingYaml) +
                                   "workload: {impl: closed_loop, clients: 4, num_requests: 20,\n"
                                   "           prompt_tokens: 16, output_tokens: 10}\n");
  CapacityOptions o;
  o.grid.scenario_path = closed;
  o.slos = ParseSlos("p99_ttft_ms=20");
  const std::string msg = InputErrorOf([&] { RunCapacity(o); });
  CHECK(Contains(msg, "closed_loop"));
  CHECK(Contains(msg, "not an arrival rate"));
}

}  // namespace
}  // namespace servesim
