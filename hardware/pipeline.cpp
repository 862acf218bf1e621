#include "hardware/pipeline.h"

#include <algorithm>
#include <string>

#include "models/input_error.h"

namespace servesim {

void ValidatePipelineParallel(const ModelSpec& model, int pp, std::string_view source) {
  if (pp < 1 || pp > kMaxPipelineStages) {
    throw InputError(std::string(source) + ": expected 1 to " + std::to_string(kMaxPipelineStages) +
                     " pipeline stages, found " + std::to_string(pp));
  }
  if (model.num_layers % pp != 0) {
    throw InputError(std::string(source) + ": " + std::to_string(pp) +
                     " pipeline stages do not divide the " + std::to_string(model.num_layers) +
                     " layers of " + model.name + " (expected a divisor of " +
                     std::to_string(model.num_layers) + ")");
  }
}

ModelSpec StageModel(const ModelSpec& model, int pp) {
  ModelSpec stage = model;
  stage.num_layers = model.num_layers / std::max(1, pp);
  return stage;
}

double StageSendBytes(const ModelSpec& model, int64_t tokens) {
  return 2.0 * static_cast<double>(model.hidden_size) * static_cast<double>(tokens) *
         model.ActivationBytes();
}

double PipelineCost::StageSeconds() const {
  double sum = 0;
  for (int s = 0; s < stages; ++s) sum += stage_s[static_cast<size_t>(s)];
  return sum;
}

namespace {

// The options of stage `s` of `pp`: its end flags, and the per-step CPU cost on the first only.
CostModelOptions StageOptions(const CostModelOptions& o, int s, int pp) {
  CostModelOptions so = o;
  so.first_stage = s == 0;
  so.last_stage = s == pp - 1;
  if (s > 0) {
    so.runtime.step_s = 0;
    so.runtime.step_per_seq_s = 0;
  }
  return so;
}

}  // namespace

PipelineCostModel::PipelineCostModel(const ModelSpec& model, const DeviceSpec& device,
                                     const CostModelOptions& options, int pp)
    : model_(model), pp_(pp) {
  ValidatePipelineParallel(model, pp, "hardware.pp");
  if (options.profile) {
    throw InputError(
        "hardware.pp: cost_model.impl profiled prices whole models only; use the "
        "roofline with pp > 1");
  }
  if (pp > 1 && !(device.interconnect.bandwidth_bytes_per_s > 0)) {
    throw InputError("hardware.pp=" + std::to_string(pp) + ": device " + device.name +
                     " has no link between pipeline stages (link kind none; set "
                     "hardware.interconnect)");
  }
  link_ = options.ideal ? IdealLink(device.interconnect) : device.interconnect;
  const ModelSpec stage = StageModel(model, pp);
  first_ = MakeRooflineCostModel(stage, device, StageOptions(options, 0, pp));
  if (pp > 1) last_ = MakeRooflineCostModel(stage, device, StageOptions(options, pp - 1, pp));
  if (pp > 2) middle_ = MakeRooflineCostModel(stage, device, StageOptions(options, 1, pp));
  scratch_.stages = pp;
}

const CostModel& PipelineCostModel::Stage(int s) const {
  if (s == 0) return *first_;
  return s == pp_ - 1 ? *last_ : *middle_;
}

void PipelineCostModel::PriceStages(const BatchShape& batch, PipelineCost& out) const {
  out.stages = pp_;
  out.total = StepCost{};
  if (batch.new_tokens <= 0) {
    std::fill(out.stage_s.begin(), out.stage_s.end(), 0.0);
    out.send_s = out.send_bytes = 0;
    return;
  }
  out.send_bytes = pp_ > 1 ? StageSendBytes(model_, batch.new_tokens) : 0.0;
  out.send_s = pp_ > 1 ? SendRecvSeconds(out.send_bytes, link_) : 0.0;
  StepCost& t = out.total;
  double slowest = -1;
  for (int s = 0; s < pp_; ++s) {
    const StepCost c = Stage(s).PriceStep(batch);
    out.stage_s[static_cast<size_t>(s)] = c.seconds;
    t.seconds += c.seconds;
    t.device_s += c.device_s;
    t.launch_s += c.launch_s;
    t.overhead_s += c.overhead_s;
    t.flops += c.flops;
    t.bytes += c.bytes;
    t.compute_s += c.compute_s;
    t.memory_s += c.memory_s;
    t.network_s += c.network_s;
    t.kernels += c.kernels;
    if (c.seconds > slowest) slowest = c.seconds, t.bound = c.bound;
  }
  const double sends = static_cast<double>(pp_ - 1) * out.send_s;
  t.seconds += sends;
  t.network_s += sends;
  const double per_device = 1.0 / static_cast<double>(pp_);
  t.device_s *= per_device;
  t.flops *= per_device;
  t.bytes *= per_device;
  t.compute_s *= per_device;
  t.memory_s *= per_device;
  t.network_s *= per_device;
}

StepCost PipelineCostModel::PriceStep(const BatchShape& batch) const {
  PriceStages(batch, scratch_);
  return scratch_.total;
}

StepCost PipelineCostModel::PriceStepDetailed(const BatchShape& batch,
                                              std::vector<OpCost>& ops) const {
  ops.clear();
  std::vector<OpCost> stage_ops;
  for (int s = 0; s < pp_; ++s) {
    Stage(s).PriceStepDetailed(batch, stage_ops);
    ops.insert(ops.end(), stage_ops.begin(), stage_ops.end());
  }
  return PriceStep(batch);
}

}  // namespace servesim
