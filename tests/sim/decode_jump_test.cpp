// The decode-stretch jump (Engine: JumpDecodeStretch) must be invisible: every output of a run is
// byte for byte the same with the jump on and off, over scenarios that stress where a stretch has
// to stop (arrivals, completions, a KV cache about to preempt, the time limit, several replicas,
// closed-loop clients, offloaded weights, prefix caching on Mooncake-style hashes).
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/output/csv_writers.h"
#include "sim/output/summary_json.h"
#include "tests/support/temp_dir.h"

namespace servesim {
namespace {

struct Outputs {
  std::string summary, requests, steps;
  int64_t events = 0, jumped = 0, steps_run = 0;
};

Outputs RunWith(const std::string& path, std::vector<std::string> overrides, bool jump) {
  overrides.push_back(std::string("simulation.jump_decode_stretches=") + (jump ? "true" : "false"));
  const Scenario sc = LoadScenario(path, overrides);
  std::ostringstream requests, steps;
  RequestsCsvWriter requests_writer(requests);
  StepsCsvWriter steps_writer(steps);
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  const RunSummary s = engine.Run({&requests_writer, &steps_writer});
  return {SummaryJson(s, sc.engine, false),
          requests.str(),
          steps.str(),
          s.events,
          s.jumped_steps,
          s.steps};
}

void CheckSame(const std::string& path, const std::vector<std::string>& overrides) {
  std::string label = path;
  for (const auto& o : overrides) label += " --set " + o;
  INFO(label);
  const Outputs a = RunWith(path, overrides, true), b = RunWith(path, overrides, false);
  CHECK(a.summary == b.summary);
  CHECK(a.requests == b.requests);
  CHECK(a.steps == b.steps);
  CHECK(a.events == b.events);
  CHECK(b.jumped == 0);
}

const char* kBase = R"(
seed: 7
model: llama-3.1-8b
hardware: {device: h100-sxm}
scheduler: {impl: vllm_v1, max_num_seqs: 64, max_num_batched_tokens: 2048}
workload:
  impl: synthetic
  arrival: poisson
  rate_per_s: 4
  num_requests: 300
  prompt_tokens: {dist: lognormal, mean: 400, std: 300}
  output_tokens: {dist: lognormal, mean: 150, std: 120}
  max_prompt_tokens: 4000
  max_output_tokens: 800
)";

TEST_CASE("decode-stretch jump: identical outputs with and without it", "[engine][jump]") {
  testing::TempDir dir;
  const std::string base = dir.Write("base.yaml", kBase);
  CheckSame(base, {});
  CheckSame(base, {"workload.rate_per_s=0.5"});  // long stretches between sparse arrivals
  // Everything at once: one long drain.
  CheckSame(base, {"workload={impl: synthetic, arrival: burst, num_requests: 200, "
                   "prompt_tokens: 200, output_tokens: {dist: uniform, min: 1, max: 400}}"});
  // A cache that runs out mid-stretch: preemptions must happen where stepping has them.
  CheckSame(base, {"hardware.kv_blocks=400", "workload.rate_per_s=20"});
  CheckSame(base, {"kv_cache.block_size=1", "hardware.kv_blocks=9000"});
  CheckSame(base, {"kv_cache.prefix_caching=false"});
  CheckSame(base, {"simulation.max_time_s=20"});  // truncated inside a stretch
  CheckSame(base, {"hardware.replicas=3", "workload.rate_per_s=12"});
  CheckSame(base, {"workload={impl: closed_loop, clients: 24, num_requests: 200, "
                   "prompt_tokens: 300, output_tokens: {dist: uniform, min: 1, max: 300}}"});
  CheckSame(base, {"workload.shared_prefix={prompts: 4, tokens: 512, share: 0.9}"});
  CheckSame(base, {"scheduler.max_num_batched_tokens=32", "scheduler.max_num_seqs=32"});
}

// The other schedulers that declare the jump (SchedulerCaps::decode_stretch_jump): with nothing
// waiting or swapped out, every running request decodes one token a step in running order and a
// step preempts only when its reservations do not fit, as under vllm_v1.
TEST_CASE("decode-stretch jump: vllm_v0, sarathi and orca outputs are identical too",
          "[engine][jump]") {
  testing::TempDir dir;
  const std::string base = dir.Write("base.yaml", kBase);
  for (const char* sched :
       {"scheduler={impl: vllm_v0, max_num_seqs: 64, max_num_batched_tokens: 8192, "
        "max_model_len: 8192}",
        "scheduler={impl: vllm_v0, max_num_seqs: 64, max_num_batched_tokens: 2048, "
        "chunked_prefill: true}",
        "scheduler={impl: sarathi, max_num_seqs: 64, chunk_size: 512}",
        "scheduler={impl: orca, max_batch_size: 64}"}) {
    CheckSame(base, {sched});
    CheckSame(base, {sched, "workload.rate_per_s=0.5"});
    CheckSame(base, {sched, "hardware.kv_blocks=400", "workload.rate_per_s=20"});
    CheckSame(base, {sched, "kv_cache.block_size=1", "hardware.kv_blocks=9000"});
    CheckSame(base, {sched, "kv_cache.prefix_caching=false"});
    CheckSame(base, {sched, "simulation.max_time_s=20"});
    CheckSame(base, {sched, "hardware.replicas=3", "workload.rate_per_s=12"});
    CheckSame(base, {sched,
                     "workload={impl: closed_loop, clients: 24, num_requests: 200, "
                     "prompt_tokens: 300, output_tokens: {dist: uniform, min: 1, max: 300}}"});
    CheckSame(base, {sched, "workload.shared_prefix={prompts: 4, tokens: 512, share: 0.9}"});
    const Outputs a = RunWith(base, {sched, "workload.rate_per_s=0.5"}, true);
    CHECK(a.jumped > a.steps_run / 2);
  }
  // Swap preemption (vllm_v0 only): a stretch never starts with anything swapped out.
  CheckSame(base, {"scheduler={impl: vllm_v0, max_num_seqs: 64, max_num_batched_tokens: 8192, "
                   "max_model_len: 8192}",
                   "kv_cache.preemption=swap", "hardware.kv_blocks=400", "workload.rate_per_s=20"});
}

TEST_CASE("decode-stretch jump: offloaded weights and a small device", "[engine][jump]") {
  testing::TempDir dir;
  const std::string path = dir.Write("phone.yaml", R"(
seed: 3
model: {preset: llama-2-13b, weight_dtype: int4, weight_group_size: 32, activation_dtype: fp16,
        kv_dtype: fp16}
hardware: {device: phone-snapdragon-8-gen3, memory_gib: 3.26, memory_utilization: 1.0}
scheduler: {impl: vllm_v1, max_model_len: 512, max_num_seqs: 4, max_num_batched_tokens: 256}
offload: {impl: layers}
cost_model: {runtime: none}
workload: {impl: closed_loop, clients: 3, num_requests: 9, prompt_tokens: 32,
           output_tokens: {dist: uniform, min: 2, max: 60}}
)");
  CheckSame(path, {});
}

TEST_CASE("decode-stretch jump: most decode steps of a sparse load are jumped", "[engine][jump]") {
  testing::TempDir dir;
  const std::string base = dir.Write("base.yaml", kBase);
  const Outputs a = RunWith(base, {"workload.rate_per_s=0.5"}, true);
  CHECK(a.jumped > a.steps_run / 2);
}

}  // namespace
}  // namespace servesim
