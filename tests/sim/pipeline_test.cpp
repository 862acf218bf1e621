// Pipeline parallelism through the engine: the stage schedule by hand (sim/core/pipeline_stages.h),
// micro-batches as vLLM's engine core keeps them in flight, and pp 1 unchanged.
#include "hardware/pipeline.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/core/kernel.h"
#include "sim/core/pipeline_stages.h"
#include "tests/support/temp_dir.h"

namespace servesim {
namespace {

struct Run {
  RunSummary summary;
  std::vector<StepRecord> steps;
  std::map<int64_t, RequestRecord> requests;
};

Run RunScenario(const Scenario& sc) {
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  Run r;
  CallbackObserver obs;
  obs.on_step = [&](const StepRecord& s) { r.steps.push_back(s); };
  obs.on_request = [&](const RequestRecord& q) { r.requests[q.request_id] = q; };
  r.summary = engine.Run({&obs});
  return r;
}

const char* kPipeline = R"(
seed: 5
model: llama-3.1-70b
hardware: {device: h100-sxm, tp: 4, pp: 2}
scheduler: {impl: vllm_v1, max_num_seqs: 64, max_num_batched_tokens: 2048}
workload:
  impl: synthetic
  arrival: poisson
  rate_per_s: 6
  num_requests: 120
  prompt_tokens: {dist: uniform, min: 50, max: 1500}
  output_tokens: {dist: uniform, min: 5, max: 300}
)";

}  // namespace

TEST_CASE("two equal micro-batches through two stages, by hand", "[pipeline]") {
  // Stage time T = 100 ns each, send S = 10 ns. Micro-batch 1 enters stage 0 at 0: stage 0
  // [0, 100], its activations arrive at 110, stage 1 [110, 210]. Micro-batch 2 enters stage 0 as
  // soon as it is free, at T = 100: stage 0 [100, 200], arrival 210, stage 1 free at 210:
  // [210, 310] = 3T + S. Busy stage time 4T = 400 of 2 x 310 = 620: bubble 1 - 400 / 620.
  PipelineStages p(2);
  const int64_t ticks[2] = {100, 100};
  CHECK(p.CanStart(0));
  CHECK(p.Place(0, ticks, 10) == 210);
  CHECK_FALSE(p.CanStart(99));  // stage 0 busy
  CHECK(p.CanStart(100));
  CHECK(p.Place(100, ticks, 10) == 310);
  CHECK_FALSE(p.CanStart(200));  // two in flight: the queue is full
  p.Retire();                    // micro-batch 1 completes at 210
  CHECK(p.CanStart(210));
  PipelineTotals t;
  t.stages = 2;
  t.Add(p);
  CHECK(t.busy_stage_ns == 400);
  CHECK(t.active_ns == 310);
  CHECK(t.BubbleShare() == Approx(1.0 - 400.0 / 620.0));
  // In flight: 210 + 210 ns of micro-batch time over 310 ns.
  CHECK(t.MeanInFlight() == Approx(420.0 / 310.0));
}

TEST_CASE("the slowest stage bounds the pipeline", "[pipeline]") {
  // Stage 0 takes 50, stage 1 100, no send. Micro-batches enter stage 0 at 0, 50, 150 (the third
  // waits for a free slot: two in flight until the first completes at 150). Stage 1 runs
  // [50, 150], [150, 250], [250, 350]: one completion per 100 ns, the slower stage's time.
  PipelineStages p(2);
  const int64_t ticks[2] = {50, 100};
  CHECK(p.Place(0, ticks, 0) == 150);
  CHECK(p.Place(50, ticks, 0) == 250);
  CHECK_FALSE(p.CanStart(100));
  p.Retire();
  CHECK(p.Place(150, ticks, 0) == 350);
  // Busy 3 x 150 = 450 of 2 x 350: stage 0 idles 100 to 150 and after 200, stage 1 before 50.
  CHECK(p.busy_stage_ns() == 450);
  CHECK(p.active_ns() == 350);
}

TEST_CASE("two prompts fill a 2-stage pipeline as two micro-batches", "[pipeline][engine]") {
  // Requests A and B arrive at 0, 100 prompt tokens and one output token each, with a token budget
  // of 100: micro-batch 1 is A's prompt; B's enters stage 0 once A's leaves it (A is in flight and
  // not scheduled again). With stage times t0, t1 and send s (as the pipeline cost model prices
  // a 100-token prompt): A completes at t0 + s + t1; B leaves stage 0 at 2 t0, enters stage 1
  // at max(2 t0 + s, t0 + s + t1) and completes t1 later.
  testing::TempDir dir;
  dir.Write("trace.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,100,1\n0,100,1\n");
  const Scenario sc =
      LoadScenario(dir.Write("s.yaml",
                             "model: llama-3.1-70b\n"
                             "hardware: {device: h100-sxm, tp: 4, pp: 2}\n"
                             "scheduler: {impl: vllm_v1, max_num_batched_tokens: 100}\n"
                             "workload: {impl: trace, path: trace.csv, format: csv}\n"));
  PipelineCostModel pipe(sc.engine.model, sc.engine.device, sc.engine.cost, 2);
  BatchShape prompt;
  prompt.Add(100, 0, true);
  PipelineCost pc;
  pipe.PriceStages(prompt, pc);
  const int64_t t0 = SecondsToTicks(pc.stage_s[0]), t1 = SecondsToTicks(pc.stage_s[1]);
  const int64_t s = SecondsToTicks(pc.send_s);
  REQUIRE(t0 > 0);
  REQUIRE(t1 > 0);
  REQUIRE(s > 0);
  const Run r = RunScenario(sc);
  REQUIRE(r.summary.completed == 2);
  REQUIRE(r.steps.size() == 2);
  const int64_t a_done = t0 + s + t1;
  const int64_t b_done = std::max(2 * t0 + s, a_done) + t1;
  CHECK(r.steps[0].start_ns == 0);
  CHECK(r.steps[0].duration_ns == a_done);
  CHECK(r.steps[1].start_ns == t0);
  CHECK(r.steps[1].duration_ns == b_done - t0);
  CHECK(r.requests.at(0).finish_ns == a_done);
  CHECK(r.requests.at(1).finish_ns == b_done);
  const PipelineTotals& p = r.summary.pipeline;
  CHECK(p.micro_batches == 2);
  CHECK(p.active_ns == b_done);
  CHECK(p.busy_stage_ns == 2 * (t0 + t1));
  CHECK(p.BubbleShare() ==
        Approx(1.0 - 2.0 * static_cast<double>(t0 + t1) / (2.0 * static_cast<double>(b_done))));
  // Activations: 2 x 8,192 x 100 tokens x 2 B per TP rank, 4 ranks, one send per micro-batch.
  CHECK(p.send_bytes == 2 * 4 * 3276800.0);
}

TEST_CASE("a lone request never overlaps itself in the pipeline", "[pipeline][engine]") {
  // One request: each micro-batch is its next token, which waits for the previous one's output,
  // so micro-batches run one after another and half the stage time (plus the sends) is bubble.
  testing::TempDir dir;
  dir.Write("trace.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,300,20\n");
  const Scenario sc = LoadScenario(dir.Write("s.yaml",
                                             "model: llama-3.1-70b\n"
                                             "hardware: {device: h100-sxm, tp: 4, pp: 2}\n"
                                             "workload: {impl: trace, path: trace.csv, format: "
                                             "csv}\n"));
  const Run r = RunScenario(sc);
  REQUIRE(r.summary.completed == 1);
  REQUIRE(r.steps.size() == 20);
  for (size_t i = 1; i < r.steps.size(); ++i) {
    CHECK(r.steps[i].start_ns == r.steps[i - 1].start_ns + r.steps[i - 1].duration_ns);
  }
  CHECK(r.summary.pipeline.MeanInFlight() == Approx(1.0));
  CHECK(r.summary.pipeline.BubbleShare() > 0.5);
}

TEST_CASE("a loaded pipeline keeps up to pp micro-batches in flight", "[pipeline][engine]") {
  testing::TempDir dir;
  const Scenario sc = LoadScenario(dir.Write("s.yaml", kPipeline));
  const Run r = RunScenario(sc);
  REQUIRE(r.summary.completed == 120);
  CHECK(r.summary.jumped_steps == 0);
  // At most two micro-batches overlap at any start; some do.
  int64_t overlapped = 0;
  for (size_t i = 0; i < r.steps.size(); ++i) {
    int in_flight = 0;
    for (size_t j = 0; j < i; ++j) {
      in_flight += r.steps[j].start_ns + r.steps[j].duration_ns > r.steps[i].start_ns;
    }
    CHECK(in_flight <= 1);
    overlapped += in_flight;
  }
  CHECK(overlapped > 0);
  const PipelineTotals& p = r.summary.pipeline;
  CHECK(p.MeanInFlight() > 1.0);
  CHECK(p.MeanInFlight() <= 2.0);
  CHECK(p.BubbleShare() > 0.0);
  CHECK(p.BubbleShare() < 1.0);
  // Same scenario, same outputs.
  const Run again = RunScenario(sc);
  CHECK(again.summary.pipeline.busy_stage_ns == p.busy_stage_ns);
  CHECK(again.summary.ttft_s.Mean() == r.summary.ttft_s.Mean());
}

TEST_CASE("pp 1 runs exactly as no pipeline", "[pipeline][engine]") {
  testing::TempDir dir;
  const std::string path = dir.Write("s.yaml", kPipeline);
  const Run one = RunScenario(LoadScenario(path, {"hardware.pp=1"}));
  std::string plain = kPipeline;
  plain.replace(plain.find(", pp: 2"), 7, "");
  const Run none = RunScenario(LoadScenario(dir.Write("plain.yaml", plain)));
  CHECK(one.summary.steps == none.summary.steps);
  CHECK(one.summary.ttft_s.Mean() == none.summary.ttft_s.Mean());
  CHECK(one.summary.tpot_s.Mean() == none.summary.tpot_s.Mean());
  CHECK(one.summary.pipeline.stages == 1);
  CHECK(one.summary.pipeline.micro_batches == 0);
}

TEST_CASE("pipeline stages that do not divide the layers are an input error", "[pipeline]") {
  testing::TempDir dir;
  const std::string path = dir.Write("s.yaml", kPipeline);
  CHECK_THROWS_WITH(
      LoadScenario(path, {"hardware.pp=3"}),
      Catch::Contains("hardware.pp=3: 3 pipeline stages do not divide the 80 layers"));
  CHECK_THROWS_WITH(
      LoadScenario(path, {"scheduler.impl=vllm_v0", "scheduler.chunked_prefill=true"}),
      Catch::Contains("does not schedule pipeline micro-batches"));
}

}  // namespace servesim
