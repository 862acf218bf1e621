// Closed-form checks of the engine: timings composed from independently priced steps, batching,
// KV admission and rejection, conservation (checked every event in debug builds).
#include "sim/core/engine.h"

#include <catch2/catch.hpp>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/core/kernel.h"
#include "tests/support/scheduler_harness.h"
#include "tests/support/text.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

using testing::Field;
using testing::Lines;

// vLLM v1 (the default scheduler, chunked prefill on) on one H100 with llama-3.1-8b.
EngineConfig Config(int64_t kv_blocks, int64_t max_num_seqs = 256, int64_t budget = 8192) {
  EngineConfig c = testing::EngineCfg("vllm_v1", true, budget, kv_blocks);
  c.scheduler.max_num_seqs = max_num_seqs;
  return c;
}

// One workload of `requests` through the engine, with its steps and requests CSVs.
RunSummary RunRequests(const EngineConfig& c, std::vector<Request> requests,
                       std::string* steps_csv = nullptr, std::string* requests_csv = nullptr) {
  return testing::RunEngine(c, std::move(requests), steps_csv, requests_csv);
}

// Step price in ticks, computed straight from the cost model.
int64_t StepTicks(const EngineConfig& c, const BatchShape& b) { return testing::Ticks(c, b); }

}  // namespace

TEST_CASE("one request on an idle replica: TTFT is its prefill, E2E adds each decode", "[sim]") {
  const EngineConfig c = Config(10000);
  const int64_t prompt = 300, output = 20, arrival = 1000;
  const RunSummary s = RunRequests(c, {testing::MakeRequest(arrival, prompt, output)});
  REQUIRE(s.completed == 1);
  const int64_t prefill = StepTicks(c, BatchShape::Uniform(1, prompt, 0));
  int64_t e2e = prefill;
  for (int64_t i = 1; i < output; ++i)
    e2e += StepTicks(c, BatchShape::Uniform(1, 1, prompt + i - 1));
  CHECK(s.ttft_s.max() == Approx(prefill * 1e-9).epsilon(1e-12));
  CHECK(s.e2e_s.max() == Approx(e2e * 1e-9).epsilon(1e-12));
  CHECK(s.tpot_s.max() == Approx((e2e - prefill) * 1e-9 / (output - 1)).epsilon(1e-12));
  CHECK(s.steps == output);
  CHECK(s.output_tokens == output);
  CHECK(s.duration_s == Approx(e2e * 1e-9).epsilon(1e-12));
}

TEST_CASE("identical requests at t=0 with room for all batch together", "[sim]") {
  const EngineConfig c = Config(10000);
  std::vector<Request> reqs(8, testing::MakeRequest(0, 100, 10));
  std::string steps;
  const RunSummary s = RunRequests(c, reqs, &steps);
  CHECK(s.completed == 8);
  CHECK(s.steps == 10);  // one prefill step of 8 x 100 tokens, then 9 decode steps of 8
  const auto lines = Lines(steps);
  CHECK(Field(lines[1], 3) == "8");
  CHECK(Field(lines[1], 4) == "800");
  CHECK(Field(lines[2], 5) == "8");
  CHECK(s.ttft_s.Quantile(0) == s.ttft_s.max());  // everyone's first token in the same step
  const int64_t prefill = StepTicks(c, BatchShape::Uniform(8, 100, 0));
  CHECK(s.ttft_s.max() == Approx(prefill * 1e-9).epsilon(1e-12));
}

TEST_CASE("a KV capacity of B blocks admits exactly the requests that fit", "[sim]") {
  // 16-token blocks; each prompt of 32 tokens takes 2 blocks at admission: 10 blocks admit 5.
  const EngineConfig c = Config(10);
  std::vector<Request> reqs(7, testing::MakeRequest(0, 32, 2));
  std::string steps;
  const RunSummary s = RunRequests(c, reqs, &steps);
  const auto lines = Lines(steps);
  CHECK(Field(lines[1], 3) == "5");
  CHECK(Field(lines[1], 6) == "1");  // all 10 blocks in use
  CHECK(s.completed == 7);
  CHECK(s.rejected == 0);
}

TEST_CASE("the token budget chunks a long prompt and decodes keep running", "[sim]") {
  // Budget 512: a 1200-token prompt needs three steps (512, 512, 176) before its first token.
  const EngineConfig c = Config(10000, 256, 512);
  std::string steps;
  const RunSummary s = RunRequests(c, {testing::MakeRequest(0, 1200, 3)}, &steps);
  const auto lines = Lines(steps);
  CHECK(Field(lines[1], 4) == "512");
  CHECK(Field(lines[2], 4) == "512");
  CHECK(Field(lines[3], 4) == "176");
  CHECK(s.steps == 5);
  // Only the chunk that reaches the prompt's end computes logits.
  BatchShape first, second, third;
  first.Add(512, 0, false);
  second.Add(512, 512, false);
  third.Add(176, 1024, true);
  const int64_t ttft = StepTicks(c, first) + StepTicks(c, second) + StepTicks(c, third);
  CHECK(s.ttft_s.max() == Approx(ttft * 1e-9).epsilon(1e-12));
}

TEST_CASE("requests that can never be served are rejected and counted", "[sim]") {
  const EngineConfig c = Config(4);  // 64 tokens of KV
  std::vector<Request> reqs = {testing::MakeRequest(0, 40, 10), testing::MakeRequest(0, 60, 10),
                               testing::MakeRequest(0, 130000, 2000)};
  std::string requests;
  const RunSummary s = RunRequests(c, reqs, nullptr, &requests);
  CHECK(s.arrived == 3);
  CHECK(s.completed == 1);
  CHECK(s.rejected_kv == 1);
  CHECK(s.rejected_too_long == 1);  // 132,000 tokens > llama-3.1-8b's 131,072 context
  CHECK(requests.find(",rejected,") != std::string::npos);
}

TEST_CASE("decode growth past capacity preempts the newest request by recompute", "[sim]") {
  // 6 blocks: three 32-token prompts (2 blocks each) fill them; the first decode needs a third
  // block, so the tail is preempted, and everyone still completes.
  const EngineConfig c = Config(6);
  std::vector<Request> reqs(3, testing::MakeRequest(0, 32, 8));
  const RunSummary s = RunRequests(c, reqs);
  CHECK(s.completed == 3);
  CHECK(s.preemptions >= 1);
}

TEST_CASE("with prefix caching, a request preempted by recompute re-hits its own blocks",
          "[sim][prefix_cache]") {
  // 7 blocks of 16 tokens, prefix caching, no trace hashes. A and B (48-token prompts, 3 blocks
  // each) prefill together: 6 blocks, 49 tokens each after step 1. Step 2: A takes the last free
  // block for token 49; B finds none and preempts itself (the tail): its 3 full blocks go to the
  // free queue, keyed. B cannot come back while A runs: it would take its 3 cached blocks plus a
  // fresh one, 4 > 3 free. When A ends, B resumes with (49 - 1) / 16 = 3 blocks, 48 tokens, cached
  // and recomputes only its last token.
  EngineConfig c = Config(7);
  c.kv.prefix_caching = true;
  SECTION("its blocks survive: 48 tokens hit") {
    // A: 48 + 10 = 58 tokens, 4 blocks: it never touches B's freed blocks.
    const RunSummary s =
        RunRequests(c, {testing::MakeRequest(0, 48, 10), testing::MakeRequest(0, 48, 10)});
    CHECK(s.completed == 2);
    CHECK(s.preemptions == 1);
    CHECK(s.kv.resume_hit_tokens == 48);
    CHECK(s.kv.prefix_hit_tokens == 0);  // no request shares another's blocks
    CHECK(s.kv.evicted_blocks == 0);
  }
  SECTION("A evicts B's last block first: 32 tokens hit") {
    // A: 48 + 30 = 78 tokens, 5 blocks: at token 65 it pops the free queue's front, B's last
    // block (released tail first), so B's chain of cached blocks stops after 2.
    const RunSummary s =
        RunRequests(c, {testing::MakeRequest(0, 48, 30), testing::MakeRequest(0, 48, 10)});
    CHECK(s.completed == 2);
    CHECK(s.preemptions == 1);
    CHECK(s.kv.resume_hit_tokens == 32);
    // Evicted: B's last block, then, when B resumes, A's 4th block (A's 4 full blocks were keyed;
    // B revives its 2 and takes 2 fresh from the front: A's partial 5th block, then its 4th).
    CHECK(s.kv.evicted_blocks == 2);
  }
  SECTION("without prefix caching the resume recomputes everything") {
    c.kv.prefix_caching = false;
    const RunSummary s =
        RunRequests(c, {testing::MakeRequest(0, 48, 10), testing::MakeRequest(0, 48, 10)});
    CHECK(s.preemptions == 1);
    CHECK(s.kv.resume_hit_tokens == 0);
  }
}

TEST_CASE("a run cut inside a step counts only the part it simulated", "[sim][horizon]") {
  EngineConfig c = Config(10000);
  const int64_t prompt = 2000;
  const BatchShape prefill = BatchShape::Uniform(1, prompt, 0);
  const int64_t step = StepTicks(c, prefill);
  const StepCost cost = MakeRooflineCostModel(c.model, c.device, c.cost)->PriceStep(prefill);
  c.max_time_ns = step / 4;  // a quarter into the first step
  const RunSummary s = RunRequests(c, {testing::MakeRequest(0, prompt, 10)});
  CHECK(s.truncated);
  CHECK_FALSE(s.horizon_exceeded);
  CHECK(s.duration_s == Approx(c.max_time_ns * 1e-9).epsilon(1e-12));
  CHECK(s.busy_s == Approx(c.max_time_ns * 1e-9).epsilon(1e-12));
  CHECK(s.flops == Approx(cost.flops * static_cast<double>(c.max_time_ns) / step).epsilon(1e-9));
  CHECK(s.bytes == Approx(cost.bytes * static_cast<double>(c.max_time_ns) / step).epsilon(1e-9));
  // Utilization over the simulated time stays below the step's own (which the roofline bounds).
  CHECK(s.flops / s.duration_s <= cost.flops / (step * 1e-9) * (1 + 1e-9));
}

TEST_CASE("arrivals at the horizon stop the run and are counted, never overflow",
          "[sim][horizon]") {
  const EngineConfig c = Config(10000);
  // The third and fourth arrive at the horizon (where conversions saturate): not simulated.
  const RunSummary s = RunRequests(
      c, {testing::MakeRequest(0, 100, 5), testing::MakeRequest(10, 100, 5),
          testing::MakeRequest(kHorizonNs, 100, 5), testing::MakeRequest(kHorizonNs, 100, 5)});
  CHECK(s.horizon_exceeded);
  CHECK(s.truncated);
  CHECK(s.arrived == 2);
  CHECK(s.completed == 2);
  CHECK(s.not_arrived == 2);  // one pending arrival and one the source still held
  CHECK_FALSE(s.not_arrived_capped);
  CHECK(s.duration_s > 0);
  CHECK(s.duration_s < 1.0);
}

TEST_CASE("a run that drains reports nothing not arrived", "[sim][horizon]") {
  const RunSummary s = RunRequests(Config(10000), {testing::MakeRequest(0, 100, 5)});
  CHECK_FALSE(s.truncated);
  CHECK_FALSE(s.horizon_exceeded);
  CHECK(s.not_arrived == 0);
}

TEST_CASE("vLLM v1 async scheduling: a request arriving mid-step is admitted one step later",
          "[sim]") {
  // A (prompt 100) arrives at 0 on an idle replica: step 1 prefills it over [0, d1], step 2
  // decodes it over [d1, d1 + d2]. B (prompt 100) arrives at d1 + 1, during step 2.
  // Synchronous: step 3, formed when step 2 ends, decodes A and prefills B.
  // Async (vLLM 0.19's default): step 3 was formed when step 2 started (d1), before B arrived, so
  // it decodes A alone (context 101); step 4, formed at step 3's start (d1 + d2), prefills B.
  EngineConfig c = Config(10000);
  const int64_t d1 = StepTicks(c, BatchShape::Uniform(1, 100, 0));
  const int64_t d2 = StepTicks(c, BatchShape::Uniform(1, 1, 100));
  const int64_t d3 = StepTicks(c, BatchShape::Uniform(1, 1, 101));
  const std::vector<Request> reqs = {testing::MakeRequest(0, 100, 10),
                                     testing::MakeRequest(d1 + 1, 100, 2)};
  std::string sync_steps, async_steps;
  RunRequests(c, reqs, &sync_steps);
  c.scheduler.async_scheduling = true;
  RunRequests(c, reqs, &async_steps);
  const std::vector<int64_t> sync_prefill = testing::Column(sync_steps, 4);
  const std::vector<int64_t> async_prefill = testing::Column(async_steps, 4);
  REQUIRE(sync_prefill.size() >= 4);
  REQUIRE(async_prefill.size() >= 4);
  CHECK(std::vector<int64_t>(sync_prefill.begin(), sync_prefill.begin() + 3) ==
        std::vector<int64_t>{100, 0, 100});
  CHECK(std::vector<int64_t>(async_prefill.begin(), async_prefill.begin() + 4) ==
        std::vector<int64_t>{100, 0, 0, 100});
  // Step 4 starts when step 3 (A alone, context 101) ends.
  const auto lines = Lines(async_steps);
  CHECK(std::stod(Field(lines[4], 1)) == Approx((d1 + d2 + d3) * 1e-9).epsilon(1e-9));
}

TEST_CASE("vLLM v1 async scheduling: an idle replica admits an arrival at once", "[sim]") {
  // Nothing runs when the request arrives, so no plan was formed ahead: TTFT is its prefill.
  EngineConfig c = Config(10000);
  c.scheduler.async_scheduling = true;
  const RunSummary s = RunRequests(c, {testing::MakeRequest(5000, 300, 4)});
  CHECK(s.ttft_s.max() ==
        Approx(StepTicks(c, BatchShape::Uniform(1, 300, 0)) * 1e-9).epsilon(1e-12));
}

}  // namespace servesim
