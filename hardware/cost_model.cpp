#include "hardware/cost_model.h"

#include <algorithm>
#include <cmath>

#include "models/input_error.h"

namespace servesim {

std::string_view BoundName(Bound bound) {
  switch (bound) {
    case Bound::kCompute:
      return "compute";
    case Bound::kMemory:
      return "memory";
    case Bound::kLatency:
      return "latency";
    case Bound::kNetwork:
      return "network";
    case Bound::kOverhead:
      return "overhead";
  }
  return "?";
}

const std::vector<RuntimeProfile>& RuntimeProfiles() {
  static const std::vector<RuntimeProfile> kProfiles = {
      {"none", RuntimeOverheads{0, 0, 0, true}, "device time only"},
      {"cuda-graphs", RuntimeOverheads{1.5e-3, 10e-6, 6e-6, true},
       "decode steps replay CUDA graphs; prefill kernels are launched eagerly"},
      // Fitted to Splitwise's A100 whole-step timings (Llama-2-70B, TP 2/4/8; calibration.md).
      {"eager", RuntimeOverheads{7.987e-3, 264.45e-6, 35.03e-6, false},
       "every kernel launched from Python each step (eager PyTorch, fitted to Splitwise's A100 "
       "runs)"},
  };
  return kProfiles;
}

const RuntimeProfile& RuntimeProfileOrThrow(std::string_view name, std::string_view source) {
  std::vector<std::string> names;
  for (const auto& p : RuntimeProfiles()) {
    if (name == p.name) return p;
    names.push_back(p.name);
  }
  throw InputError(std::string(source) + ": unknown runtime '" + std::string(name) + "'" +
                   DidYouMean(name, names) + "; expected one of none, cuda-graphs, eager");
}

const KernelTuning& TuningFor(const Efficiency& e, OpId id, OpKind kind) {
  switch (id) {
    case OpId::kNorm:
      return e.norm;
    case OpId::kRope:
      return e.rope;
    case OpId::kAct:
    case OpId::kAttnSoftmax:
      return e.act;
    case OpId::kResidualAdd:
      return e.residual_add;
    case OpId::kEmbed:
      return e.embed;
    default:
      break;
  }
  return kind == OpKind::kAttention ? e.attention : e.gemm;
}

KernelTuning& TuningFor(Efficiency& e, OpId id, OpKind kind) {
  return const_cast<KernelTuning&>(TuningFor(static_cast<const Efficiency&>(e), id, kind));
}

namespace {

// Smooth roofline: (a^p + b^p)^(1/p); p <= 0 or huge means max(a, b).
double Combine(double a, double b, double p) {
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (hi <= 0) return 0;
  if (p <= 0 || p > 64) return hi;
  return hi * std::pow(1.0 + std::pow(lo / hi, p), 1.0 / p);
}

}  // namespace

namespace {
constexpr int kSmoothPoints = 4096;
}

SmoothRoofline::SmoothRoofline(double p) : p_(p) {
  if (p <= 0 || p > 64) return;  // plain max: no table
  table_.resize(kSmoothPoints + 1);
  for (int i = 0; i <= kSmoothPoints; ++i) {
    const double r = static_cast<double>(i) / kSmoothPoints;
    table_[static_cast<size_t>(i)] = std::pow(1.0 + std::pow(r, p), 1.0 / p);
  }
}

double SmoothRoofline::Combine(double a, double b) const {
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (hi <= 0) return 0;
  if (table_.empty()) return hi;
  const double x = lo / hi * kSmoothPoints;
  const int i = std::min(kSmoothPoints - 1, static_cast<int>(x));
  const double f = x - i;
  return hi * (table_[static_cast<size_t>(i)] * (1.0 - f) + table_[static_cast<size_t>(i) + 1] * f);
}

OpCost PriceOp(const OpWork& w, const ModelSpec& model, const DeviceSpec& dev,
               const CostModelOptions& opt, const SmoothRoofline* smooth) {
  OpCost c;
  c.work = w;
  const Efficiency& e = dev.efficiency;
  const bool ideal = opt.ideal;
  if (w.kind == OpKind::kAllReduce) {
    const double p = opt.tp;
    const double link =
        dev.interconnect.bandwidth_bytes_per_s * (ideal ? 1.0 : e.allreduce_bus_eff);
    c.memory_s = p > 1 && link > 0 ? 2.0 * (p - 1.0) / p * w.act_bytes / link : 0.0;
    const double t = c.memory_s + (p > 1 && !ideal ? dev.interconnect.latency_s : 0.0);
    c.seconds = t * static_cast<double>(w.repeats);
    c.bound = Bound::kNetwork;
    return c;
  }
  const KernelTuning& k = TuningFor(e, w.id, w.kind);
  const bool tensor = w.kind == OpKind::kGemm || w.kind == OpKind::kAttention;
  // Vector work (norms, activations) runs on the fp32 units, matrix work on tensor cores.
  const double peak = dev.PeakFlopsFor(tensor ? model.activation_dtype : DType::kFp32);
  double compute_eff = ideal ? 1.0 : k.compute_eff;
  if (!ideal && w.kind == OpKind::kGemm) {
    const double m = static_cast<double>(std::max<int64_t>(1, w.m));
    compute_eff *= m / (m + e.gemm_ramp_tokens);
  }
  const double memory_eff = ideal ? 1.0 : k.memory_eff;
  const double bw = dev.memory.bandwidth_bytes_per_s;
  c.compute_s = peak > 0 ? w.flops / (peak * compute_eff) : 0.0;
  c.memory_s = bw > 0 ? w.Bytes() / (bw * memory_eff) : 0.0;
  const double busy = ideal ? std::max(c.compute_s, c.memory_s)
                            : (smooth ? smooth->Combine(c.compute_s, c.memory_s)
                                      : Combine(c.compute_s, c.memory_s, e.roofline_sharpness));
  const double overhead = ideal ? 0.0 : k.overhead_s;
  c.bound = c.compute_s >= c.memory_s ? Bound::kCompute : Bound::kMemory;
  if (overhead > busy) c.bound = Bound::kLatency;
  c.seconds = (busy + overhead) * static_cast<double>(w.repeats);
  return c;
}

namespace {

class RooflineCostModel final : public CostModel {
 public:
  RooflineCostModel(const ModelSpec& model, const DeviceSpec& device,
                    const CostModelOptions& options)
      : model_(model), device_(device), options_(options), smooth_(device.efficiency.roofline_sharpness) {
    ValidateTensorParallel(model_, options_.tp, "cost model");
    if (options_.tp > 1 && !(device_.interconnect.bandwidth_bytes_per_s > 0)) {
      throw InputError("tp=" + std::to_string(options_.tp) + ": device " + device_.name +
                       " has no interconnect for tensor parallelism (interconnect bandwidth is 0)");
    }
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
      const OpCost c = PriceOp(w, model_, device_, options_, &smooth_);
      s.device_s += c.seconds;
      s.flops += w.flops * static_cast<double>(w.repeats);
      s.bytes += w.Bytes() * static_cast<double>(w.repeats);
      s.kernels += w.repeats;
      time_by_bound[static_cast<int>(c.bound)] += c.seconds;
      if (out) out->push_back(c);
    }
    s.compute_s = time_by_bound[static_cast<int>(Bound::kCompute)];
    s.memory_s = time_by_bound[static_cast<int>(Bound::kMemory)] +
                 time_by_bound[static_cast<int>(Bound::kLatency)];
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
  SmoothRoofline smooth_;
  mutable std::vector<OpWork> scratch_;
};

}  // namespace

std::unique_ptr<CostModel> MakeRooflineCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options) {
  return std::make_unique<RooflineCostModel>(model, device, options);
}

}  // namespace servesim
