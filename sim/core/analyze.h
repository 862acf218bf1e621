// `servesim analyze`: the roofline analysis of one inference step, operator by operator, with a
// memory-fit check, as data (sim/output/analysis_report.h renders it as text, JSON or CSV).
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
  MemoryPlanOptions memory;
  std::string runtime_name = "none";
  // From a scenario (`--scenario`): its memory plan and offload placement replace `memory`; an
  // active plan prices the step with the weight/KV transfers and reports what streams from where.
  bool use_offload_plan = false;
  OffloadPlan offload;
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
};
// Validates (as ValidateAnalyzeRequest) and prices the step.
Analysis Analyze(const AnalyzeRequest& request);

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
