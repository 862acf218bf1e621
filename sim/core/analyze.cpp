#include "sim/core/analyze.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

#include "hardware/profiled_cost_model.h"
#include "hardware/pipeline.h"
#include "models/arithmetic.h"
#include "models/format_number.h"
#include "models/input_error.h"

namespace servesim {

void ValidateAnalyzeRequest(const AnalyzeRequest& r) {
  if (r.batch < 1)
    throw InputError("--batch: expected a positive integer, found " + std::to_string(r.batch));
  if (r.tokens < 1)
    throw InputError("--tokens: expected a positive integer, found " + std::to_string(r.tokens));
  if (r.context < 0) {
    throw InputError("--context: expected a non-negative integer, found " +
                     std::to_string(r.context));
  }
  if (r.phase == StepPhase::kDecode && r.tokens != 1) {
    throw InputError("--tokens: a decode step computes 1 new token per sequence, found " +
                     std::to_string(r.tokens) + " (use --phase prefill for chunks)");
  }
  if (r.context + r.tokens > r.model.max_context) {
    throw InputError("--context/--tokens: " + std::to_string(r.context + r.tokens) +
                     " tokens exceed the " + std::to_string(r.model.max_context) +
                     "-token context of " + r.model.name);
  }
  if (r.batch > (int64_t{1} << 24)) {
    throw InputError("--batch: " + std::to_string(r.batch) +
                     " is implausibly large (limit 16777216)");
  }
  if (!(r.memory.memory_utilization > 0 && r.memory.memory_utilization <= 1)) {
    throw InputError("--memory-utilization: expected a fraction in (0, 1], found " +
                     FormatNumber(r.memory.memory_utilization));
  }
  ValidateTensorParallel(r.model, r.cost.tp, "--tp");
}

LlamaBenchEstimate EstimateLlamaBench(const CostModel& model) {
  constexpr int64_t kPromptTokens = 512, kGenTokens = 128;
  LlamaBenchEstimate e;
  const double pp_s = model.PriceStep(BatchShape::Uniform(1, kPromptTokens, 0)).seconds;
  double tg_s = 0;
  for (int64_t c = 0; c < kGenTokens; ++c) {
    tg_s += model.PriceStep(BatchShape::Uniform(1, 1, c)).seconds;
  }
  if (pp_s > 0) e.pp512_tokens_per_s = static_cast<double>(kPromptTokens) / pp_s;
  if (tg_s > 0) e.tg128_tokens_per_s = static_cast<double>(kGenTokens) / tg_s;
  return e;
}

Analysis Analyze(const AnalyzeRequest& r) {
  ValidateAnalyzeRequest(r);
  Analysis a;
  for (int64_t i = 0; i < r.batch; ++i) a.batch.Add(r.tokens, r.context, true);
  // The scenario's cost model: measured kernel tables where its profile has the operator; a
  // pipeline's stages priced one by one.
  const std::unique_ptr<CostModel> model =
      r.pp > 1 ? std::make_unique<PipelineCostModel>(r.model, r.device, r.cost, r.pp)
               : MakeCostModel(r.model, r.device, r.cost);
  a.profiled = r.cost.profile != nullptr;
  std::unique_ptr<CostModel> offload;
  if (r.use_offload_plan && r.offload.active) offload = MakeOffloadCostModel(*model, r.offload);
  const CostModel& priced = offload ? *offload : *model;
  a.step = priced.PriceStepDetailed(a.batch, a.ops);
  if (r.cost.runtime.serial_launch) {
    const LlamaBenchEstimate bench = EstimateLlamaBench(priced);
    a.llama_bench_pp512_tokens_per_s = bench.pp512_tokens_per_s;
    a.llama_bench_tg128_tokens_per_s = bench.tg128_tokens_per_s;
  }
  a.params = CountParams(r.model);
  a.weight_bytes = WeightBytes(r.model);
  a.kv_bytes_per_token = KvBytesPerToken(r.model);
  MemoryPlanOptions mo = r.memory;
  mo.tp = r.cost.tp;
  mo.pp = r.pp;
  mo.dp = r.model.IsMoe() ? r.cost.dp : 1;
  a.memory = r.use_offload_plan ? r.offload.memory : PlanMemory(r.model, r.device, mo);
  const int64_t seq_tokens = r.context + r.tokens;
  const int64_t blocks = BlocksFor(seq_tokens, mo.block_size_tokens) * r.batch;
  a.batch_kv_bytes = static_cast<double>(seq_tokens * r.batch) * a.memory.kv_bytes_per_token;
  // The blocks a run would use: the scenario's hardware.kv_blocks when it sets one.
  const int64_t kv_blocks = r.kv_blocks_override > 0 ? r.kv_blocks_override : a.memory.kv_blocks;
  a.max_batch = kv_blocks / BlocksFor(seq_tokens, mo.block_size_tokens);
  a.fits = a.memory.weights_fit && blocks <= kv_blocks;
  const double produced = r.phase == StepPhase::kDecode ? static_cast<double>(r.batch)
                                                        : static_cast<double>(r.batch * r.tokens);
  a.tokens_per_second = a.step.seconds > 0 ? produced / a.step.seconds : 0;
  return a;
}

namespace {

CurvePoint PriceCurvePoint(const AnalyzeRequest& base, std::string sweep, int64_t batch,
                           int64_t seq_len) {
  CurvePoint p;
  p.sweep = std::move(sweep);
  p.batch = batch;
  p.seq_len = seq_len;
  AnalyzeRequest r = base;
  r.batch = batch;
  r.phase = StepPhase::kDecode;
  r.tokens = 1;
  r.context = seq_len - 1;
  const Analysis decode = Analyze(r);
  p.decode_step_s = decode.step.seconds;
  p.decode_tokens_per_s = decode.tokens_per_second;
  p.decode_bound = std::string(BoundName(decode.step.bound));
  p.fits = decode.fits;
  r.phase = StepPhase::kPrefill;
  r.tokens = seq_len;
  r.context = 0;
  const Analysis prefill = Analyze(r);
  p.prefill_s = prefill.step.seconds;
  p.prefill_tokens_per_s = prefill.tokens_per_second;
  p.prefill_bound = std::string(BoundName(prefill.step.bound));
  return p;
}

}  // namespace

std::vector<CurvePoint> AnalyzeCurves(const AnalyzeRequest& request) {
  const Analysis here = Analyze(request);  // validates
  std::vector<CurvePoint> out;
  const int64_t seq_len = request.context + request.tokens;
  const int64_t top = std::clamp<int64_t>(here.max_batch, 1, kMaxCurveBatch);
  for (int64_t b = 1; b <= top; b *= 2)
    out.push_back(PriceCurvePoint(request, "batch", b, seq_len));
  if (out.back().batch != top) out.push_back(PriceCurvePoint(request, "batch", top, seq_len));
  const int64_t max_len = request.model.max_context;
  int64_t len = std::min<int64_t>(128, max_len);
  for (; len < max_len; len *= 2)
    out.push_back(PriceCurvePoint(request, "context", request.batch, len));
  out.push_back(PriceCurvePoint(request, "context", request.batch, max_len));
  return out;
}

namespace {

std::string Gb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
  return buf;
}

// The offload lines: how much streams from where, and what took the memory the weights needed.
void DescribeOffload(const AnalyzeRequest& r, const Analysis& a, std::vector<std::string>& out) {
  const OffloadPlan& o = r.offload;
  const double streamed = StreamedBytesPerPass(r);
  if (streamed <= 0) return;
  double floor_s = 0;
  std::string tiers;
  for (size_t t = 0; t < o.tiers.size(); ++t) {
    if (o.streamed_per_pass[t] <= 0) continue;
    floor_s += o.streamed_per_pass[t] / o.tiers[t].bandwidth_bytes_per_s;
    tiers += (tiers.empty() ? "" : ", ") + Gb(o.streamed_per_pass[t]) + " from " + o.tiers[t].name;
  }
  char line[512];
  std::snprintf(line, sizeof line,
                "weights do not fit on the device: %s of %s resident, %s streamed every pass "
                "(%s): an I/O floor of %.1f ms, at most %.3g passes/s",
                Gb(o.resident_bytes).c_str(), Gb(o.weight_bytes).c_str(), Gb(streamed).c_str(),
                tiers.c_str(), floor_s * 1e3, 1.0 / floor_s);
  out.push_back(line);
  const MemoryPlan& m = a.memory;
  const double kv_tokens = m.kv_bytes_per_token > 0 ? m.kv_budget_bytes / m.kv_bytes_per_token : 0;
  std::snprintf(line, sizeof line,
                "device memory %s = resident weights %s + KV cache %s (%.0f tokens) + "
                "activations %s + streaming buffers %s + other %s",
                Gb(m.usable_bytes).c_str(), Gb(m.resident_weight_bytes).c_str(),
                Gb(std::max(0.0, m.kv_budget_bytes)).c_str(), kv_tokens,
                Gb(m.activation_bytes).c_str(), Gb(m.offload_buffer_bytes).c_str(),
                Gb(m.draft_weight_bytes + m.reserve_bytes).c_str());
  out.push_back(line);
  if (m.kv_budget_bytes > 0) {
    std::snprintf(line, sizeof line,
                  "the KV cache's %s could hold %s of the streamed weights: with the resident "
                  "set sized by budget, a shorter scheduler.max_model_len (or "
                  "offload.kv_reserve_tokens) gives it to them",
                  Gb(m.kv_budget_bytes).c_str(), Gb(std::min(m.kv_budget_bytes, streamed)).c_str());
    out.push_back(line);
  }
}

}  // namespace

double StreamedBytesPerPass(const AnalyzeRequest& r) {
  if (!r.use_offload_plan || !r.offload.active) return 0;
  double streamed = 0;
  for (double b : r.offload.streamed_per_pass) streamed += b;
  return streamed;
}

std::vector<std::string> DescribeLimits(const AnalyzeRequest& r, const Analysis& a) {
  std::vector<std::string> out;
  DescribeOffload(r, a, out);
  const MemoryPlan& m = a.memory;
  char line[512];
  if (!m.weights_fit) {
    std::snprintf(line, sizeof line,
                  "weights do not fit: %s per device, %s usable (%s x %.2f) with activations %s",
                  Gb(m.weight_bytes).c_str(), Gb(m.usable_bytes).c_str(),
                  Gb(m.device_bytes).c_str(), r.memory.memory_utilization,
                  Gb(m.activation_bytes).c_str());
    out.push_back(line);
  } else if (!a.fits) {
    std::snprintf(line, sizeof line,
                  "KV cache: this batch needs %s, the budget is %s: at most %lld sequences of "
                  "%lld tokens",
                  Gb(a.batch_kv_bytes).c_str(), Gb(std::max(0.0, m.kv_budget_bytes)).c_str(),
                  static_cast<long long>(a.max_batch),
                  static_cast<long long>(r.context + r.tokens));
    out.push_back(line);
  }
  const double bw = r.device.memory.bandwidth_bytes_per_s;
  switch (a.step.bound) {
    case Bound::kMemory:
    case Bound::kLatency:
      std::snprintf(line, sizeof line,
                    "the step is memory-bound: %s read per step at %.4g GB/s is %.2f ms of the "
                    "%.2f ms step",
                    Gb(a.step.bytes).c_str(), bw / 1e9, a.step.bytes / bw * 1e3,
                    a.step.seconds * 1e3);
      break;
    case Bound::kCompute:
      std::snprintf(line, sizeof line,
                    "the step is compute-bound: %.3g FLOP at %.4g TFLOP/s peak is %.2f ms of the "
                    "%.2f ms step",
                    a.step.flops, r.device.PeakFlopsFor(r.model.activation_dtype) / 1e12,
                    a.step.flops / r.device.PeakFlopsFor(r.model.activation_dtype) * 1e3,
                    a.step.seconds * 1e3);
      break;
    case Bound::kIo:
      std::snprintf(line, sizeof line,
                    "the step is I/O-bound: compute waited %.2f ms of the %.2f ms step for "
                    "streamed weights",
                    a.step.stall_s * 1e3, a.step.seconds * 1e3);
      break;
    case Bound::kNetwork:
      std::snprintf(line, sizeof line, "the step is network-bound: all-reduces take %.2f ms",
                    a.step.network_s * 1e3);
      break;
    case Bound::kOverhead:
      std::snprintf(line, sizeof line,
                    "the step is overhead-bound: the engine's CPU work (%.2f ms) exceeds the "
                    "kernels' %.2f ms",
                    (a.step.overhead_s + a.step.launch_s) * 1e3, a.step.device_s * 1e3);
      break;
  }
  out.push_back(line);
  return out;
}

WhatIf PriceWhatIf(std::string change, const AnalyzeRequest& changed) {
  const Analysis a = Analyze(changed);
  WhatIf w;
  w.change = std::move(change);
  w.tokens_per_second = a.tokens_per_second;
  w.step_seconds = a.step.seconds;
  w.bound = std::string(BoundName(a.step.bound));
  w.fits = a.fits;
  w.streamed_bytes_per_pass = StreamedBytesPerPass(changed);
  return w;
}

RooflineData AnalyzeRoofline(const AnalyzeRequest& request) {
  const Analysis a = Analyze(request);
  RooflineData d;
  d.title = request.model.name + " on " + request.device.name + " x" +
            std::to_string(request.cost.tp) + ", " +
            (request.phase == StepPhase::kDecode ? "decode" : "prefill") + ": batch " +
            std::to_string(request.batch) + ", " + std::to_string(request.tokens) +
            " new token(s) over " + std::to_string(request.context) + " cached" +
            (request.cost.ideal ? " (ideal roofline)" : "");
  d.peak_flops_per_s = request.device.PeakFlopsFor(request.model.activation_dtype);
  d.bandwidth_bytes_per_s = request.device.memory.bandwidth_bytes_per_s;
  for (const OpCost& c : a.ops) {
    const double reps = static_cast<double>(c.work.repeats);
    d.ops.push_back({std::string(OpName(c.work.id)), std::string(OpKindName(c.work.kind)),
                     std::string(BoundName(c.bound)), c.work.repeats, c.work.flops * reps,
                     c.work.Bytes() * reps, c.seconds});
  }
  d.step.name = "step";
  d.step.kind = "total";
  d.step.bound = std::string(BoundName(a.step.bound));
  d.step.repeats = 1;
  d.step.flops = a.step.flops;
  d.step.bytes = a.step.bytes;
  d.step.seconds = a.step.seconds;
  return d;
}

}  // namespace servesim
