// `servesim analyze`: the analysis of one inference step, operator by operator (the roofline, or a
// scenario's profiled cost model: measured kernel times where its tables have the operator), with
// a memory-fit check, as data (sim/output/analysis_report.h renders it as text, JSON or CSV).
//
// Models: one step of `batch` identical sequences, each computing `tokens` new tokens over
// `context` cached ones (decode: tokens = 1); with an offload plan, the placement of weights
// across memory tiers and the bytes each pass streams from each. Ignores: queueing and scheduling (that is
// `servesim run`), mixed prefill/decode batches.
#ifndef SERVESIM_SIM_CORE_ANALYZE_H_
#define SERVESIM_SIM_CORE_ANALYZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "hardware/memory_plan.h"
#include "models/arithmetic.h"
#include "models/model_spec.h"
#include "policies/offload/offload.h"

namespace servesim {

enum class StepPhase { kPrefill, kDecode };

struct AnalyzeRequest {
  ModelSpec model;
  DeviceSpec device;
  StepPhase phase = StepPhase::kDecode;
  int64_t batch = 1;
  int64_t tokens = 1;   // new tokens per sequence
  int64_t context = 0;  // cached tokens per sequence before this step
  CostModelOptions cost;
  int pp = 1;  // pipeline stages: the step is one micro-batch through all of them
  MemoryPlanOptions memory;
  std::string runtime_name = "none";
  // From a scenario (`--scenario`): its memory plan and offload placement replace `memory`; an
  // active plan prices the step with the weight/KV transfers and reports what streams from where.
  bool use_offload_plan = false;
  OffloadPlan offload;
  int64_t kv_blocks_override = 0;  // the scenario's hardware.kv_blocks (0: none), shown beside
                                   // the plan's figure
};

// Checks sizes against each other and the model (batch >= 1, tokens >= 1, decode has tokens == 1,
// context + tokens <= max context); throws InputError naming the flag.
void ValidateAnalyzeRequest(const AnalyzeRequest& request);

// The step priced operator by operator with its memory report (per device).
struct Analysis {
  BatchShape batch;
  StepCost step;
  std::vector<OpCost> ops;
  ParamCount params;
  double weight_bytes = 0;
  double kv_bytes_per_token = 0;
  MemoryPlan memory;
  double batch_kv_bytes = 0;
  int64_t max_batch = 0;  // sequences of this length that fit the KV cache
  bool fits = false;      // weights and this batch's KV
  double tokens_per_second = 0;
  // Priced by the profiled cost model (the scenario's cost_model.profile): each operator's
  // OpCost::measured says whether its time came from the kernel tables or the roofline, and
  // step.outside_s how much of the step was priced outside measured data.
  bool profiled = false;
  // llama-bench's standard tests (EstimateLlamaBench), priced when the runtime runs its kernels
  // in series as llama.cpp does (RuntimeOverheads::serial_launch); 0 otherwise.
  double llama_bench_pp512_tokens_per_s = 0;
  double llama_bench_tg128_tokens_per_s = 0;
};
// Validates (as ValidateAnalyzeRequest) and prices the step.
Analysis Analyze(const AnalyzeRequest& request);

// llama-bench's two default tests at batch 1 (one sequence, empty cache before each): pp512 is one
// step of 512 prompt tokens (llama-bench's default micro-batch holds all of them), tg128 is 128
// decode steps at contexts 0 .. 127; each in tokens per second. Priced by `model` (the request's
// cost model, offload included).
struct LlamaBenchEstimate {
  double pp512_tokens_per_s = 0;
  double tg128_tokens_per_s = 0;
};
LlamaBenchEstimate EstimateLlamaBench(const CostModel& model);

// One point of `analyze --curves` (LLM-Viewer's plots): a decode step of `batch` sequences of
// `seq_len` tokens (seq_len - 1 cached, 1 new), and the prefill of `batch` prompts of `seq_len`
// tokens (nothing cached). Bounds are the steps' (StepCost::bound): what most of the time went to.
struct CurvePoint {
  std::string sweep;  // "batch" (seq_len fixed) or "context" (batch fixed)
  int64_t batch = 0, seq_len = 0;
  double decode_step_s = 0, decode_tokens_per_s = 0;
  std::string decode_bound;
  double prefill_s = 0, prefill_tokens_per_s = 0;
  std::string prefill_bound;
  bool fits = false;  // weights and the KV of `batch` sequences of `seq_len` tokens
};
// The batch sweep at the request's sequence length (context + tokens): 1, 2, 4, ... and the
// largest batch whose KV fits (at most kMaxCurveBatch); then the context sweep at the request's
// batch: seq_len 128, 256, ... and the model's context. Same pricing as Analyze (offload included).
inline constexpr int64_t kMaxCurveBatch = 4096;
std::vector<CurvePoint> AnalyzeCurves(const AnalyzeRequest& request);

// What limits the step, one plain sentence each, most binding first: weights streamed from a
// slower tier (and what pushed them off the device: the KV reserve, activations, buffers), weights
// that do not fit at all, a batch whose KV does not fit, then the step's own bound.
std::vector<std::string> DescribeLimits(const AnalyzeRequest& request, const Analysis& analysis);

// The same analysis with one setting changed ("max_model_len 2048", "weight dtype int4",
// "batch 8"), priced by re-running it: sim/app builds the changed requests.
struct WhatIf {
  std::string change;
  double tokens_per_second = 0, step_seconds = 0;
  std::string bound;
  bool fits = false;
  double streamed_bytes_per_pass = 0;  // weights read from slower tiers per pass (0: resident)
};
WhatIf PriceWhatIf(std::string change, const AnalyzeRequest& changed);
// Bytes of weights one pass streams from slower tiers under the request's offload plan.
double StreamedBytesPerPass(const AnalyzeRequest& request);

// The numbers behind a roofline chart of the step (per device, summed over an operator's repeats).
struct RooflineOp {
  std::string name, kind, bound;
  int64_t repeats = 0;
  double flops = 0, bytes = 0, seconds = 0;
};
struct RooflineData {
  std::string title;                 // "llama-3.1-8b on h100-sxm x1, decode: batch 1, ..."
  double peak_flops_per_s = 0;       // datasheet peak for the activation dtype
  double bandwidth_bytes_per_s = 0;  // device memory
  std::vector<RooflineOp> ops;
  RooflineOp step;  // the whole step (engine overheads included in its seconds)
};
// Validates and prices the step, per operator.
RooflineData AnalyzeRoofline(const AnalyzeRequest& request);

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_ANALYZE_H_
