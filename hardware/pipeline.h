// Pipeline parallelism: one replica's layers split into `pp` stages of consecutive layers, each
// stage on its own `tp` devices (a replica spans tp x pp devices), as vLLM's
// --pipeline-parallel-size places them.
//
// Models, for one micro-batch: stage s runs num_layers / pp layers of the batch, priced by the
// roofline cost model (hardware/cost_model.h) for a model of that many layers; the first stage
// also gathers the embeddings, the last also runs the final norm and the LM head, and each keeps
// its own tensor-parallel all-reduces. The engine's per-step CPU cost (scheduling, input
// preparation) is charged once per micro-batch, to the first stage; every stage pays its own
// kernel launches. Between adjacent stages the hidden states and the residual stream (what
// vLLM's decoder models hand the next rank as IntermediateTensors: 2 x hidden_size x tokens x
// activation bytes) go point to point over the device's link (hardware/collectives.h
// SendRecvSeconds), each TP rank to its peer, in parallel. A micro-batch takes the sum of its
// stage times and sends; stage s is busy only for its own time (the engine keeps the schedule,
// sim/core/pipeline_stages.h).
// Ignores: vLLM's option to send a 1/tp slice and all-gather it on the receiving side, overlap of
// a send with the next stage's compute, uneven layer splits (VLLM_PP_LAYER_PARTITION), and the
// measured kernel tables of cost_model.impl profiled (rejected with pp > 1).
#ifndef SERVESIM_HARDWARE_PIPELINE_H_
#define SERVESIM_HARDWARE_PIPELINE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "hardware/collectives.h"
#include "hardware/cost_model.h"
#include "models/model_spec.h"

namespace servesim {

constexpr int kMaxPipelineStages = 64;

// Throws InputError naming `source` unless 1 <= pp <= kMaxPipelineStages and pp divides the
// model's layers.
void ValidatePipelineParallel(const ModelSpec& model, int pp, std::string_view source);

// The spec one stage computes: num_layers / pp layers (pp validated).
ModelSpec StageModel(const ModelSpec& model, int pp);

// Bytes one TP rank of a stage sends its peer in the next stage for `tokens` tokens: the hidden
// states and the residual, 2 x hidden_size x tokens x activation bytes.
double StageSendBytes(const ModelSpec& model, int64_t tokens);

// One micro-batch through the pipeline.
struct PipelineCost {
  int stages = 1;
  std::array<double, kMaxPipelineStages> stage_s{};  // each stage's busy time
  double send_s = 0;                                 // one send between adjacent stages
  double send_bytes = 0;                             // of one send, one TP rank
  // seconds: the micro-batch's latency, sum of stage_s + (stages - 1) x send_s; flops, bytes,
  // device_s and the time splits: the mean over the stages' devices (the sum over stages / pp);
  // network_s includes the sends.
  StepCost total;
  double StageSeconds() const;  // sum of stage_s
};

// Prices micro-batches stage by stage. Contract as CostModel's (not shared between threads, no
// allocation per step); PriceStep returns PipelineCost::total.
class PipelineCostModel final : public CostModel {
 public:
  // Throws InputError when pp does not divide the layers, the device has no link, or a
  // measured-kernel profile is set.
  PipelineCostModel(const ModelSpec& model, const DeviceSpec& device,
                    const CostModelOptions& options, int pp);

  void PriceStages(const BatchShape& batch, PipelineCost& out) const;
  int stages() const { return pp_; }

  StepCost PriceStep(const BatchShape& batch) const override;
  StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const override;
  const ModelSpec& model() const override { return model_; }
  const DeviceSpec& device() const override { return first_->device(); }
  const CostModelOptions& options() const override { return first_->options(); }

 private:
  const CostModel& Stage(int s) const;

  ModelSpec model_;
  int pp_ = 1;
  Interconnect link_;
  std::unique_ptr<CostModel> first_, middle_, last_;  // middle_ null for pp < 3
  mutable PipelineCost scratch_;
};

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_PIPELINE_H_
