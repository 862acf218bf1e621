// `servesim analyze`'s curves, limits and what-if lines against hand arithmetic: KV bytes per
// token from the model's shape, batch sizes from the KV budget, tokens/s from step times.
#include "sim/core/analyze.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/app/analyze_whatif.h"
#include "sim/config/scenario.h"
#include "sim/output/analysis_report.h"

namespace servesim {
namespace {

AnalyzeRequest Llama2Fp16(const char* device, int64_t batch, int64_t context) {
  AnalyzeRequest r;
  r.model = ModelPresetOrThrow("llama-2-7b", "test");
  r.model.weight_dtype = r.model.activation_dtype = r.model.kv_dtype = DType::kFp16;
  r.device = DevicePresetOrThrow(device, "test");
  r.batch = batch;
  r.context = context;
  return r;
}

}  // namespace

TEST_CASE("analyze curves: batch sweep up to the KV budget, context sweep to the model's context",
          "[analyze]") {
  // Llama-2-7B fp16 keeps 2 (K, V) x 32 layers x 4096 x 2 bytes = 524,288 bytes per token.
  const AnalyzeRequest r = Llama2Fp16("a100-80gb", 1, 1023);
  const Analysis a = Analyze(r);
  REQUIRE(a.memory.kv_bytes_per_token == 524288.0);
  // Sequences of 1024 tokens (64 blocks of 16) that fit the budget, by hand from the plan's budget.
  const int64_t by_hand = static_cast<int64_t>(a.memory.kv_budget_bytes / (1024.0 * 524288.0));
  CHECK(a.max_batch == by_hand);
  const std::vector<CurvePoint> c = AnalyzeCurves(r);
  std::vector<int64_t> batches, lens;
  for (const CurvePoint& p : c) {
    INFO(p.sweep << " batch " << p.batch << " seq_len " << p.seq_len);
    (p.sweep == "batch" ? batches : lens).push_back(p.sweep == "batch" ? p.batch : p.seq_len);
    CHECK(p.decode_tokens_per_s == Approx(p.batch / p.decode_step_s));
    CHECK(p.prefill_tokens_per_s == Approx(p.batch * p.seq_len / p.prefill_s));
    if (p.sweep == "batch") CHECK(p.seq_len == 1024);
    if (p.sweep == "batch") CHECK(p.fits);
  }
  std::vector<int64_t> want_batches;
  for (int64_t b = 1; b <= by_hand; b *= 2) want_batches.push_back(b);
  if (want_batches.back() != by_hand) want_batches.push_back(by_hand);
  CHECK(batches == want_batches);
  CHECK(lens == std::vector<int64_t>{128, 256, 512, 1024, 2048, 4096});
  // One more sequence than the budget holds does not fit.
  AnalyzeRequest over = r;
  over.batch = by_hand + 1;
  CHECK_FALSE(Analyze(over).fits);
  // Batch-1 decode streams the weights: memory-bound; a 4096-token prefill is compute-bound.
  CHECK(c.front().decode_bound == "memory");
  CHECK(c.back().prefill_bound == "compute");
}

TEST_CASE("analyze limits name the bound of a memory-bound decode", "[analyze]") {
  const AnalyzeRequest r = Llama2Fp16("apple-m2-max", 1, 127);
  const Analysis a = Analyze(r);
  const std::vector<std::string> lines = DescribeLimits(r, a);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("the step is memory-bound", 0) == 0);
  // What-if lines re-run the analysis: narrower weights read fewer bytes per token.
  const std::vector<WhatIf> w = AnalyzeWhatIfs(r, std::nullopt, {});
  REQUIRE(w.size() >= 3);
  CHECK(w[0].change == "weight dtype int8");
  CHECK(w[1].change == "weight dtype int4");
  CHECK(w[0].tokens_per_second > a.tokens_per_second);
  CHECK(w[1].tokens_per_second > w[0].tokens_per_second);
  CHECK(w[2].change == "batch 2");
  CHECK(w[2].tokens_per_second > a.tokens_per_second);
}

TEST_CASE("analyze what-if: a KV reserve for max_model_len pushes 13B int4 weights off 12 GB",
          "[analyze]") {
  // The case: Llama-2-13B with 4-bit weights on a 12 GB GPU, offload sized by budget,
  // max_model_len left at the model's 4096. KV: 2 x 40 layers x 5120 x 2 bytes = 819,200 bytes
  // per token, so the 4096-token reserve takes 3.36 GB beside 7.3 GB of weights.
  const std::string path =
      (std::filesystem::temp_directory_path() / "servesim_analyze_test_13b.yaml").string();
  {
    std::ofstream f(path);
    f << "seed: 1\n"
         "model: {preset: llama-2-13b, weight_dtype: int4, weight_group_size: 32, "
         "activation_dtype: fp16, kv_dtype: fp16}\n"
         "hardware: {device: rtx-4080-laptop}\n"
         "scheduler: {impl: vllm_v1}\n"
         "offload: {impl: layers}\n"
         "cost_model: {runtime: none}\n"
         "workload: {impl: closed_loop, clients: 1, num_requests: 4, prompt_tokens: 64, "
         "output_tokens: 64}\n";
  }
  const Scenario s = LoadScenario(path);
  AnalyzeRequest step;
  step.context = 127;
  const AnalyzeRequest r = RequestFromScenario(s, step);
  const Analysis a = Analyze(r);
  REQUIRE(a.memory.kv_bytes_per_token == 819200.0);
  const double streamed = StreamedBytesPerPass(r);
  // What must leave the device: weights + the 4096-token reserve + activations + non-torch memory
  // + buffers beyond the usable memory, rounded up to whole units (a decoder layer: 1/40 of the
  // layers' bytes).
  const double deficit = r.offload.weight_bytes + 4096 * 819200.0 + a.memory.activation_bytes +
                         a.memory.reserve_bytes + a.memory.offload_buffer_bytes -
                         a.memory.usable_bytes;
  REQUIRE(deficit > 0);
  CHECK(streamed >= deficit - 1);
  CHECK(streamed < deficit + r.offload.weight_bytes / 40 + 1);
  const std::vector<std::string> limits = DescribeLimits(r, a);
  REQUIRE(limits.size() >= 3);
  CHECK(limits[0].rfind("weights do not fit on the device", 0) == 0);
  // Halving the reserve to 2048 tokens frees 1.68 GB, more than the deficit: all resident.
  REQUIRE(deficit < 2048 * 819200.0);
  const std::vector<WhatIf> w = AnalyzeWhatIfs(r, s, {});
  REQUIRE_FALSE(w.empty());
  CHECK(w[0].change == "max_model_len 2048");
  CHECK(w[0].streamed_bytes_per_pass == 0);
  CHECK(w[0].tokens_per_second > 2 * a.tokens_per_second);  // 18 -> 46 tokens/s
  std::filesystem::remove(path);
}

TEST_CASE("analyze: llama-bench's pp512 and tg128 on a llama.cpp runtime", "[analyze]") {
  AnalyzeRequest r = Llama2Fp16("apple-m2-max", 1, 0);
  r.model.weight_dtype = DType::kQ4_0;
  r.runtime_name = r.device.default_runtime;
  REQUIRE(r.runtime_name == "llama.cpp");
  r.cost.runtime = RuntimeProfileOrThrow(r.runtime_name, "test").overheads;
  const Analysis a = Analyze(r);
  // pp512: one step of 512 prompt tokens; tg128: 128 decode steps over contexts 0..127, whose
  // time grows linearly with the context, so their mean is the step at context 63.5 (between the
  // steps at 63 and 64).
  const auto cm = MakeRooflineCostModel(r.model, r.device, r.cost);
  const double pp_s = cm->PriceStep(BatchShape::Uniform(1, 512, 0)).seconds;
  CHECK(a.llama_bench_pp512_tokens_per_s == Approx(512 / pp_s));
  const double mid_s = 0.5 * (cm->PriceStep(BatchShape::Uniform(1, 1, 63)).seconds +
                              cm->PriceStep(BatchShape::Uniform(1, 1, 64)).seconds);
  CHECK(a.llama_bench_tg128_tokens_per_s == Approx(1 / mid_s).epsilon(1e-4));
  const std::string text = RenderAnalysis(r, OutputFormat::kText);
  CHECK(text.find("llama-bench estimate (batch 1): pp512 ") != std::string::npos);
  CHECK(RenderAnalysis(r, OutputFormat::kJson).find("\"llama_bench_tg128_tokens_per_second\"") !=
        std::string::npos);
  // Engines that overlap their launches are not llama.cpp: no estimate.
  r.cost.runtime = RuntimeProfileOrThrow("cuda-graphs", "test").overheads;
  CHECK(Analyze(r).llama_bench_tg128_tokens_per_s == 0);
  CHECK(RenderAnalysis(r, OutputFormat::kText).find("llama-bench") == std::string::npos);
}

}  // namespace servesim
