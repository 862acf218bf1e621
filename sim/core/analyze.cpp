#include "sim/core/analyze.h"

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

Analysis Analyze(const AnalyzeRequest& r) {
  ValidateAnalyzeRequest(r);
  Analysis a;
  for (int64_t i = 0; i < r.batch; ++i) a.batch.Add(r.tokens, r.context, true);
  const auto model = MakeRooflineCostModel(r.model, r.device, r.cost);
  if (r.use_offload_plan && r.offload.active) {
    a.step = MakeOffloadCostModel(*model, r.offload)->PriceStepDetailed(a.batch, a.ops);
  } else {
    a.step = model->PriceStepDetailed(a.batch, a.ops);
  }
  a.params = CountParams(r.model);
  a.weight_bytes = WeightBytes(r.model);
  a.kv_bytes_per_token = KvBytesPerToken(r.model);
  MemoryPlanOptions mo = r.memory;
  mo.tp = r.cost.tp;
  a.memory = r.use_offload_plan ? r.offload.memory : PlanMemory(r.model, r.device, mo);
  const int64_t seq_tokens = r.context + r.tokens;
  const int64_t blocks = BlocksFor(seq_tokens, mo.block_size_tokens) * r.batch;
  a.batch_kv_bytes = static_cast<double>(seq_tokens * r.batch) * a.memory.kv_bytes_per_token;
  a.max_batch = MaxConcurrentSequences(a.memory, seq_tokens, mo.block_size_tokens);
  a.fits = a.memory.weights_fit && blocks <= a.memory.kv_blocks;
  const double produced = r.phase == StepPhase::kDecode ? static_cast<double>(r.batch)
                                                        : static_cast<double>(r.batch * r.tokens);
  a.tokens_per_second = a.step.seconds > 0 ? produced / a.step.seconds : 0;
  return a;
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
