// Speculative decoding in the engine against the closed form of Leviathan et al. (REFERENCES.md
// section 4): with one request, no queueing and a fixed per-token acceptance alpha, a round emits
// (1 - alpha^(k+1)) / (1 - alpha) tokens on average and the decode speedup is that over
// (k c + 1), c = draft step / target step from the cost model.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/core/engine.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

EngineConfig Config(const std::string& impl, int k, double alpha) {
  EngineConfig c;
  c.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  c.device = DevicePresetOrThrow("h100-sxm", "test");
  c.kv.capacity_blocks = 20000;
  c.scheduler.max_num_batched_tokens = 8192;
  c.seed = 5;
  c.speculative.impl = impl;
  c.speculative.k = k;
  c.speculative.acceptance.kind = "constant";
  c.speculative.acceptance.alpha = alpha;
  c.speculative.draft = ModelPresetOrThrow("llama-3.2-1b", "test");
  c.speculative.draft_cost = c.cost;
  return c;
}

RunSummary RunOne(const EngineConfig& c, int64_t prompt, int64_t output) {
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<testing::VectorWorkload>(
      std::vector<Request>{testing::MakeRequest(0, prompt, output)}));
  Engine engine(c, std::move(sources));
  return engine.Run({});
}

}  // namespace

TEST_CASE("speculative decoding of one request follows the closed form", "[speculative]") {
  const int64_t prompt = 512, output = 20000;
  for (const auto& [k, alpha] : std::vector<std::pair<int, double>>{{4, 0.8}, {2, 0.6}, {6, 0.9}}) {
    INFO("k " << k << ", alpha " << alpha);
    const EngineConfig spec = Config("draft_model", k, alpha);
    const EngineConfig base = Config("none", k, alpha);
    const RunSummary s = RunOne(spec, prompt, output);
    const RunSummary b = RunOne(base, prompt, output);
    REQUIRE(s.completed == 1);
    REQUIRE(s.output_tokens == output);
    // Tokens per round, bonus included: (1 - a^(k+1)) / (1 - a); e.g. k 4, a 0.8: 3.3616.
    const double tokens_per_round = (1 - std::pow(alpha, k + 1)) / (1 - alpha);
    const double measured_length =
        static_cast<double>(s.spec_emitted) / static_cast<double>(s.spec_rounds);
    CHECK(measured_length == Approx(tokens_per_round).epsilon(0.02));
    // c: a draft decode step over a target decode step, both at batch 1, mid-run context.
    const int64_t mid = prompt + output / 2;
    const double draft_step = MakeRooflineCostModel(spec.speculative.draft, spec.device, spec.cost)
                                  ->PriceStep(BatchShape::Uniform(1, 1, mid))
                                  .seconds;
    const double target_step = MakeRooflineCostModel(spec.model, spec.device, spec.cost)
                                   ->PriceStep(BatchShape::Uniform(1, 1, mid))
                                   .seconds;
    const double c = draft_step / target_step;
    const double expected_speedup = tokens_per_round / (k * c + 1);
    // Decode time = E2E - TTFT (the prefill is the same step in both runs).
    const double decode_spec = s.e2e_s.max() - s.ttft_s.max();
    const double decode_base = b.e2e_s.max() - b.ttft_s.max();
    CHECK(decode_base / decode_spec == Approx(expected_speedup).epsilon(0.02));
  }
}

TEST_CASE("ngram and draft-heads speculation follow the closed form with their draft cost",
          "[speculative]") {
  const int64_t prompt = 512, output = 20000;
  const int k = 4;
  const double alpha = 0.8;
  const double tokens_per_round = (1 - std::pow(alpha, k + 1)) / (1 - alpha);  // 3.3616
  const RunSummary b = RunOne(Config("none", k, alpha), prompt, output);
  const double decode_base = b.e2e_s.max() - b.ttft_s.max();
  // A round ends in one verify pass of k + 1 tokens, which reads the same weights as a decode
  // step but computes 5 tokens: v = verify step / decode step (a few percent above 1 at batch 1).
  EngineConfig ngram = Config("ngram", k, alpha);
  const int64_t mid = prompt + output / 2;
  const auto target = MakeRooflineCostModel(ngram.model, ngram.device, ngram.cost);
  BatchShape verify;
  verify.AddVerify(k + 1, mid);
  const double v =
      target->PriceStep(verify).seconds / target->PriceStep(BatchShape::Uniform(1, 1, mid)).seconds;
  // ngram with no lookup cost: c = 0, so the speedup is the tokens per round over v.
  const RunSummary n = RunOne(ngram, prompt, output);
  CHECK(decode_base / (n.e2e_s.max() - n.ttft_s.max()) ==
        Approx(tokens_per_round / v).epsilon(0.02));
  CHECK(n.spec_draft_s == 0);
  // Heads whose pass costs 0.1 of a target decode step: c = 0.1, speedup 3.3616 / (0.4 + v).
  EngineConfig heads = Config("draft_heads", k, alpha);
  heads.speculative.heads_cost_fraction = 0.1;
  const RunSummary h = RunOne(heads, prompt, output);
  CHECK(decode_base / (h.e2e_s.max() - h.ttft_s.max()) ==
        Approx(tokens_per_round / (k * 0.1 + v)).epsilon(0.02));
}

TEST_CASE("no speculation above disable_by_batch_size decoding requests", "[speculative]") {
  EngineConfig c = Config("ngram", 4, 0.8);
  c.speculative.disable_by_batch_size = 3;
  std::vector<std::unique_ptr<Workload>> sources;
  std::vector<Request> four;
  for (int i = 0; i < 4; ++i) four.push_back(testing::MakeRequest(0, 100, 50));
  sources.push_back(std::make_unique<testing::VectorWorkload>(four));
  Engine engine(c, std::move(sources));
  const RunSummary s = engine.Run({});
  // Four requests decode together from the first step on: never three or fewer until the end,
  // when all four finish in the same step, so no round ever speculates.
  CHECK(s.completed == 4);
  CHECK(s.spec_rounds == 0);
  CHECK(s.output_tokens == 200);
}

TEST_CASE("pipelined drafting hides the draft when rounds are fully accepted", "[speculative]") {
  const int64_t prompt = 512, output = 3001;
  const int k = 2;
  auto config = [&](double alpha, bool pipelined) {
    EngineConfig c = Config("draft_model", k, alpha);
    c.speculative.draft_on_target_device = false;
    c.speculative.draft_device = DevicePresetOrThrow("h100-sxm", "test");
    c.speculative.pipelined = pipelined;
    return c;
  };
  auto decode_s = [&](const EngineConfig& c) {
    const RunSummary s = RunOne(c, prompt, output);
    REQUIRE(s.output_tokens == output);
    return s.e2e_s.max() - s.ttft_s.max();
  };
  // alpha 0: every round is rejected, nothing is ever pre-drafted: the same time either way.
  CHECK(decode_s(config(0.0, true)) == Approx(decode_s(config(0.0, false))).epsilon(1e-12));
  // alpha 1: every round emits k + 1 = 3 tokens; after the first round the drafts were made during
  // the previous verify, so (while 2 draft passes are shorter than a verify) a round costs one
  // verify instead of draft + verify: the ratio of the two runs is (2 d + v) / v with d, v a draft
  // pass and a verify step, here at batch 1 and mid-run context.
  const int64_t mid = prompt + output / 2;
  const EngineConfig c = config(1.0, true);
  const double d = MakeRooflineCostModel(c.speculative.draft, c.speculative.draft_device, c.cost)
                       ->PriceStep(BatchShape::Uniform(1, 1, mid))
                       .seconds;
  BatchShape verify;
  verify.AddVerify(k + 1, mid);
  const double v = MakeRooflineCostModel(c.model, c.device, c.cost)->PriceStep(verify).seconds;
  REQUIRE(2 * d < v);
  CHECK(decode_s(config(1.0, false)) / decode_s(c) == Approx((2 * d + v) / v).epsilon(0.01));
}

}  // namespace servesim
