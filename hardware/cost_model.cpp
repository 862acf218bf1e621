#include "hardware/cost_model.h"

#include <algorithm>

#include "models/input_error.h"

namespace servesim {

std::string_view BoundName(Bound bound) {
  switch (bound) {
    case Bound::kCompute: return "compute";
    case Bound::kMemory: return "memory";
    case Bound::kLatency: return "latency";
    case Bound::kNetwork: return "network";
    case Bound::kOverhead: return "overhead";
  }
  return "?";
}

OpCost PriceOp(const OpWork& w, const ModelSpec& model, const DeviceSpec& dev, const CostModelOptions& opt) {
  OpCost c;
  c.work = w;
  const Efficiency& e = dev.efficiency;
  const bool ideal = opt.ideal;
  const double bw = dev.memory.bandwidth_bytes_per_s;
  const double floor_s = ideal ? 0.0 : e.kernel_floor_s;
  double compute_eff = 1.0, memory_eff = 1.0, peak = dev.PeakFlopsFor(model.activation_dtype);
  switch (w.kind) {
    case OpKind::kGemm: {
      if (!ideal) {
        const double m = static_cast<double>(std::max<int64_t>(1, w.m));
        compute_eff = e.gemm_compute * m / (m + e.gemm_ramp_tokens);
        memory_eff = e.gemm_memory;
      }
      break;
    }
    case OpKind::kAttention:
      if (!ideal) {
        compute_eff = e.attn_compute;
        memory_eff = e.attn_memory;
      }
      break;
    case OpKind::kElementwise:
    case OpKind::kEmbedding:
      peak = dev.PeakFlopsFor(DType::kFp32);  // vector units, not tensor cores
      if (!ideal) memory_eff = e.elementwise_memory;
      break;
    case OpKind::kAllReduce: {
      const double p = opt.tp;
      const double link = dev.interconnect.bandwidth_bytes_per_s * (ideal ? 1.0 : e.allreduce_bus);
      c.memory_s = p > 1 && link > 0 ? 2.0 * (p - 1.0) / p * w.act_bytes / link : 0.0;
      c.compute_s = 0;
      const double t = c.memory_s + (p > 1 ? dev.interconnect.latency_s : 0.0);
      c.seconds = t * static_cast<double>(w.repeats);
      c.bound = Bound::kNetwork;
      return c;
    }
  }
  c.compute_s = peak > 0 ? w.flops / (peak * compute_eff) : 0.0;
  c.memory_s = bw > 0 ? w.Bytes() / (bw * memory_eff) : 0.0;
  double t = std::max(c.compute_s, c.memory_s);
  c.bound = c.compute_s >= c.memory_s ? Bound::kCompute : Bound::kMemory;
  if (t < floor_s) {
    t = floor_s;
    c.bound = Bound::kLatency;
  }
  c.seconds = t * static_cast<double>(w.repeats);
  return c;
}

namespace {

class RooflineCostModel final : public CostModel {
 public:
  RooflineCostModel(const ModelSpec& model, const DeviceSpec& device, const CostModelOptions& options)
      : model_(model), device_(device), options_(options) {
    ValidateTensorParallel(model_, options_.tp, "cost model");
    if (options_.ideal) options_.runtime = RuntimeOverheads{0, 0, 0, true};
    scratch_.reserve(static_cast<size_t>(OpId::kCount) + 4);
  }

  StepCost PriceStep(const BatchShape& batch) const override { return Price(batch, nullptr); }

  StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const override {
    ops.clear();
    return Price(batch, &ops);
  }

  const ModelSpec& model() const override { return model_; }
  const DeviceSpec& device() const override { return device_; }
  const CostModelOptions& options() const override { return options_; }

 private:
  StepCost Price(const BatchShape& batch, std::vector<OpCost>* out) const {
    StepCost s;
    if (batch.new_tokens <= 0) return s;
    BuildStepOps(model_, batch, StepOptions{options_.tp, options_.attention}, scratch_);
    double time_by_bound[5] = {0, 0, 0, 0, 0};
    for (const OpWork& w : scratch_) {
      const OpCost c = PriceOp(w, model_, device_, options_);
      s.device_s += c.seconds;
      s.flops += w.flops * static_cast<double>(w.repeats);
      s.bytes += w.Bytes() * static_cast<double>(w.repeats);
      s.kernels += w.repeats;
      time_by_bound[static_cast<int>(c.bound)] += c.seconds;
      if (out) out->push_back(c);
    }
    s.compute_s = time_by_bound[static_cast<int>(Bound::kCompute)];
    s.memory_s = time_by_bound[static_cast<int>(Bound::kMemory)] + time_by_bound[static_cast<int>(Bound::kLatency)];
    s.network_s = time_by_bound[static_cast<int>(Bound::kNetwork)];
    const RuntimeOverheads& r = options_.runtime;
    const bool graph = r.cuda_graphs && batch.prefill_tokens == 0;
    s.launch_s = graph ? 0.0 : static_cast<double>(s.kernels) * r.kernel_launch_s;
    s.overhead_s = r.step_s + r.step_per_seq_s * static_cast<double>(batch.num_seqs);
    s.seconds = std::max(s.device_s, s.launch_s) + s.overhead_s;
    if (s.launch_s > s.device_s) {
      s.bound = Bound::kOverhead;
    } else {
      Bound best = Bound::kCompute;
      double best_t = -1;
      for (Bound b : {Bound::kCompute, Bound::kMemory, Bound::kNetwork}) {
        const double t = b == Bound::kMemory ? s.memory_s : time_by_bound[static_cast<int>(b)];
        if (t > best_t) best = b, best_t = t;
      }
      s.bound = best;
    }
    return s;
  }

  ModelSpec model_;
  DeviceSpec device_;
  CostModelOptions options_;
  mutable std::vector<OpWork> scratch_;
};

}  // namespace

std::unique_ptr<CostModel> MakeRooflineCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options) {
  return std::make_unique<RooflineCostModel>(model, device, options);
}

}  // namespace servesim
