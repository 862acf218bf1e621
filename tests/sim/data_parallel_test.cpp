// Data parallel MoE through the engine: DP ranks step in lockstep (every rank's step of a group
// starts and ends together, idle ranks run dummy steps), requests spread by vLLM's balancer, and
// a dense model's DP ranks stay independent replicas.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "tests/support/temp_dir.h"

namespace servesim {
namespace {

const char* kMoe = R"(
seed: 3
model: qwen3-30b-a3b
hardware: {device: rtx-pro-6000, data_parallel: 2, expert_parallel: true}
scheduler: {impl: vllm_v1, max_num_seqs: 64, max_num_batched_tokens: 2048}
workload:
  impl: synthetic
  arrival: poisson
  rate_per_s: 8
  num_requests: 60
  prompt_tokens: {dist: uniform, min: 50, max: 800}
  output_tokens: {dist: uniform, min: 5, max: 200}
)";

struct Run {
  RunSummary summary;
  std::vector<StepRecord> steps;
  std::map<int32_t, int64_t> per_replica_requests;
};

Run RunYaml(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  testing::TempDir dir;
  const Scenario sc = LoadScenario(dir.Write("s.yaml", yaml), overrides);
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  Run r;
  CallbackObserver obs;
  obs.on_step = [&](const StepRecord& s) { r.steps.push_back(s); };
  obs.on_request = [&](const RequestRecord& q) { ++r.per_replica_requests[q.replica]; };
  r.summary = engine.Run({&obs});
  return r;
}

TEST_CASE("data parallel MoE ranks step in lockstep", "[dp][engine]") {
  const Run r = RunYaml(kMoe);
  REQUIRE(r.summary.completed == 60);
  REQUIRE(r.summary.dp_group_steps > 0);
  // Every step of a group starts at the group's time and lasts the group's duration.
  std::map<int64_t, int64_t> duration_at;
  std::map<int64_t, int> ranks_at;
  for (const StepRecord& s : r.steps) {
    auto [it, fresh] = duration_at.emplace(s.start_ns, s.duration_ns);
    CHECK(it->second == s.duration_ns);
    ++ranks_at[s.start_ns];
  }
  CHECK(static_cast<int64_t>(duration_at.size()) == r.summary.dp_group_steps);
  // Each group step is run by both ranks: a planned step each, or one planned and one dummy.
  int64_t planned = 0;
  for (const auto& [t, n] : ranks_at) planned += n;
  CHECK(planned + r.summary.dp_dummy_steps == 2 * r.summary.dp_group_steps);
  // Consecutive group steps never overlap.
  int64_t end = 0;
  for (const auto& [t, d] : duration_at) {
    CHECK(t >= end);
    end = t + d;
  }
  // Both ranks served requests (vLLM's balancer spreads them).
  CHECK(r.per_replica_requests.size() == 2);
  CHECK(r.summary.jumped_steps == 0);
}

TEST_CASE("an idle rank runs dummy steps beside a busy one", "[dp][engine]") {
  const Run r = RunYaml(kMoe, {"workload.num_requests=1"});
  REQUIRE(r.summary.completed == 1);
  CHECK(r.summary.dp_dummy_steps == r.summary.dp_group_steps);
  CHECK(r.summary.steps == r.summary.dp_group_steps);
}

TEST_CASE("a dense model's data parallel ranks are independent replicas", "[dp][engine]") {
  const Run r = RunYaml(kMoe, {"model=llama-3.1-8b", "hardware.expert_parallel=false"});
  CHECK(r.summary.completed == 60);
  CHECK(r.summary.dp_group_steps == 0);
  CHECK(r.per_replica_requests.size() == 2);
}

}  // namespace
}  // namespace servesim
