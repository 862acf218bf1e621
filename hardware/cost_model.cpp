#include "hardware/cost_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "hardware/occupancy.h"
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
    case Bound::kIo:
      return "io";
  }
  return "?";
}

namespace {
// Per-kernel cost of the llama.cpp profile, fitted (see RuntimeProfiles).
constexpr double kLlamaCppLaunchS = 11.95e-6;
}  // namespace

const std::vector<RuntimeProfile>& RuntimeProfiles() {
  static const std::vector<RuntimeProfile> kProfiles = {
      {"none", RuntimeOverheads{0, 0, 0, true}, "device time only"},
      // The CPU costs are guesses of the right order; with asynchronous scheduling (on by default
      // in vLLM since late 2025: vllm-project/vllm PR 27614, tracked in issue 27679; TensorRT-LLM's
      // and SGLang's overlap schedulers) they hide behind the device time of the step before.
      // On the measured vLLM 0.19 run (bench/results/validation.md), charging them after the
      // kernels instead made the mean TPOT 8 points too slow (+19.6 % -> +11.4 %).
      {"cuda-graphs", RuntimeOverheads{1.5e-3, 10e-6, 6e-6, true, true},
       "decode steps replay CUDA graphs, prefill kernels are launched eagerly, the CPU schedules "
       "the next step while the GPU runs this one"},
      // Fitted to Splitwise's A100 whole-step timings (Llama-2-70B, TP 2/4/8; calibration.md).
      {"eager", RuntimeOverheads{7.987e-3, 264.45e-6, 35.03e-6, false},
       "every kernel launched from Python each step (eager PyTorch, fitted to Splitwise's A100 "
       "runs)"},
      // llama.cpp (llama-bench, llama-server with one slot): a ggml graph per token, its kernels
      // encoded into one command buffer and run in series, then the sampler on the CPU. The
      // per-step cost (graph build, sampling, synchronization) is of the order llama.cpp's own
      // timings show; the per-kernel cost is fitted with the Apple efficiencies to llama.cpp's
      // Apple Silicon benchmark (bench/validation/llamacpp_apple.csv: tg128 is memory time plus
      // ~5 ms of fixed cost per token on every chip).
      {"llama.cpp", RuntimeOverheads{0.3e-3, 20e-6, kLlamaCppLaunchS, false, false, true},
       "llama.cpp's Metal / CPU backends: kernels encoded and run one after another, no overlap "
       "of CPU and device work"},
  };
  return kProfiles;
}

const RuntimeProfile& RuntimeProfileOrThrow(std::string_view name, std::string_view source) {
  std::vector<std::string> names;
  for (const auto& p : RuntimeProfiles()) {
    if (name == p.name) return p;
    names.push_back(p.name);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw InputError(std::string(source) + ": unknown runtime '" + std::string(name) + "'" +
                   DidYouMean(name, names) + "; expected one of " + list);
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

double ComposeStepSeconds(double device_s, int64_t kernels, const BatchShape& batch,
                          const RuntimeOverheads& r, double* launch_s, double* overhead_s) {
  const bool graph = r.cuda_graphs && batch.prefill_tokens == 0;
  const double launch = graph ? 0.0 : static_cast<double>(kernels) * r.kernel_launch_s;
  const double overhead = r.step_s + r.step_per_seq_s * static_cast<double>(batch.num_seqs);
  if (launch_s) *launch_s = launch;
  if (overhead_s) *overhead_s = overhead;
  if (r.serial_launch) return device_s + launch + overhead;
  return r.overlap_cpu ? std::max(device_s, launch + overhead)
                       : std::max(device_s, launch) + overhead;
}

double DequantFactor(const ModelSpec& model, const DeviceSpec& device, OpId id) {
  const DType w = model.weight_dtype;
  if (!IsQuantizedWeightFormat(w)) return 1.0;
  if (id == OpId::kLmHead && !IsLlamaCppFormat(w)) return 1.0;
  return 1.0 + device.efficiency.dequant_compute_overhead;
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

double AttentionExtraFlops(const OpWork& w, const ModelSpec& model, int tp, const Efficiency& e,
                           const BatchShape* batch) {
  if (w.id != OpId::kAttention) return 0.0;
  const double masked = batch ? std::max(0.0, batch->full_pairs - batch->causal_pairs) : 0.0;
  const double keys =
      e.attention_row_keys * static_cast<double>(w.m) + e.attention_masked_fraction * masked;
  if (keys <= 0) return 0.0;
  const double heads = static_cast<double>(model.num_heads / std::max(1, tp));
  return 4.0 * heads * static_cast<double>(model.head_dim) * keys;
}

double AttentionWaveFlops(const OpWork& w, const ModelSpec& model, const DeviceSpec& device, int tp,
                          const BatchShape& batch) {
  if (w.id != OpId::kAttention) return 0.0;
  return AttentionOccupancyExtraFlops(batch, static_cast<double>(model.num_heads / std::max(1, tp)),
                                      static_cast<double>(model.head_dim), device.compute_units,
                                      device.efficiency.attention_query_tile);
}

double VectorPathRatio(const DeviceSpec& device, DType activation_dtype) {
  const double matrix = device.PeakFlopsFor(activation_dtype);
  return matrix > 0 ? std::max(1.0, matrix / device.peak.fp32) : 1.0;
}

double SmallMGemmSeconds(double full_rate_s, double m, double ramp_tokens, double vector_ratio) {
  return full_rate_s * std::min((m + ramp_tokens) / m, vector_ratio);
}

OpCost PriceOp(const OpWork& w, const ModelSpec& model, const DeviceSpec& dev,
               const CostModelOptions& opt, const SmoothRoofline* smooth, const BatchShape* batch) {
  OpCost c;
  c.work = w;
  const Efficiency& e = dev.efficiency;
  const bool ideal = opt.ideal;
  if (w.kind == OpKind::kAllReduce) {
    c.memory_s = AllReduceSeconds(w.act_bytes, opt.tp,
                                  ideal ? IdealLink(dev.interconnect) : dev.interconnect);
    c.seconds = c.memory_s * static_cast<double>(w.repeats);
    c.bound = Bound::kNetwork;
    return c;
  }
  if (w.kind == OpKind::kAllToAll) {
    c.memory_s = MoeExchangeSeconds(w.act_bytes, opt.dp, static_cast<int>(w.k),
                                    ideal ? IdealLink(dev.interconnect) : dev.interconnect,
                                    opt.all2all);
    c.seconds = c.memory_s * static_cast<double>(w.repeats);
    c.bound = Bound::kNetwork;
    return c;
  }
  const KernelTuning& k = TuningFor(e, w.id, w.kind);
  const bool tensor = w.kind == OpKind::kGemm || w.kind == OpKind::kAttention;
  // Vector work (norms, activations) runs on the fp32 units, matrix work on tensor cores.
  const double peak = dev.PeakFlopsFor(tensor ? model.activation_dtype : DType::kFp32);
  const double compute_eff = ideal ? 1.0 : k.compute_eff;
  const double memory_eff = ideal ? 1.0 : k.memory_eff;
  const double bw = dev.memory.bandwidth_bytes_per_s;
  const double extra_flops =
      ideal ? 0.0
            : AttentionExtraFlops(w, model, opt.tp, e, batch) +
                  (batch ? AttentionWaveFlops(w, model, dev, opt.tp, *batch) : 0.0);
  c.compute_s = peak > 0 ? (w.flops + extra_flops) / (peak * compute_eff) : 0.0;
  if (!ideal && w.kind == OpKind::kGemm && c.compute_s > 0) {
    const double m = static_cast<double>(std::max<int64_t>(1, w.m));
    c.compute_s = SmallMGemmSeconds(c.compute_s, m, e.gemm_ramp_tokens,
                                    VectorPathRatio(dev, model.activation_dtype)) *
                  DequantFactor(model, dev, w.id);
  }
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
      : model_(model),
        device_(device),
        options_(options),
        smooth_(device.efficiency.roofline_sharpness),
        link_(options.ideal ? IdealLink(device.interconnect) : device.interconnect) {
    ValidateTensorParallel(model_, options_.tp, "cost model");
    if (options_.tp > 1 && !(device_.interconnect.bandwidth_bytes_per_s > 0)) {
      throw InputError("tp=" + std::to_string(options_.tp) + ": device " + device_.name +
                       " has no interconnect for tensor parallelism (link kind none; set "
                       "hardware.interconnect)");
    }
    ValidateDataParallel();
    if (options_.ideal) options_.runtime = RuntimeOverheads{0, 0, 0, true};
    scratch_.reserve(static_cast<size_t>(OpId::kCount) + 4);
    attention_work_.id = OpId::kAttention;
    attention_work_.kind = OpKind::kAttention;
    if (!model_.IsMoe()) BuildLinearPlan();
  }

  StepCost PriceStep(const BatchShape& batch) const override {
    return linear_.empty() ? Price(batch, nullptr) : PriceLinear(batch);
  }

  StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const override {
    ops.clear();
    return Price(batch, &ops);
  }

  const ModelSpec& model() const override { return model_; }
  const DeviceSpec& device() const override { return device_; }
  const CostModelOptions& options() const override { return options_; }

 private:
  void ValidateDataParallel() const {
    if (options_.dp < 1) throw InputError("data_parallel: expected a positive integer");
    if (options_.expert_parallel && !model_.IsMoe()) {
      throw InputError("expert_parallel: model " + model_.name + " is dense (no experts)");
    }
    if (options_.dp > 1 && model_.IsMoe() && !(device_.interconnect.bandwidth_bytes_per_s > 0)) {
      throw InputError("data_parallel=" + std::to_string(options_.dp) + ": device " + device_.name +
                       " has no interconnect for the MoE token exchange");
    }
  }

  StepCost Price(const BatchShape& batch, std::vector<OpCost>* out) const {
    if (batch.new_tokens <= 0) return StepCost{};
    BuildStepOps(model_, batch, options_.Step(), scratch_);
    PartialSum t;
    for (const OpWork& w : scratch_) {
      const OpCost c = PriceOp(w, model_, device_, options_, &smooth_, &batch);
      const double repeats = static_cast<double>(w.repeats);
      t.Add(OpTerm{c.seconds, w.flops * repeats, w.Bytes() * repeats, c.bound}, repeats);
      if (out) out->push_back(c);
    }
    return Finish(batch, t);
  }

  // The simulator's fast path. For a dense model every operator's FLOPs and bytes are linear in
  // the batch shape's sums x = (1, tokens, context, logit tokens, causal pairs, full pairs), so the
  // coefficients are read off BuildStepOps once (finite differences of a linear function are
  // exact up to rounding) and a step costs a few multiply-adds per operator. The per-operator
  // pricing constants (peak x efficiency, bandwidth x efficiency, overhead) are folded in too.
  // MoE models (touched experts are not linear in tokens) use the general path.
  static constexpr int kVars = 6;
  using Coefs = std::array<double, kVars>;

  struct LinearOp {
    OpKind kind = OpKind::kGemm;
    double repeats = 0;
    bool needs_logits = false;  // the LM head runs only when some sequence samples
    bool m_is_logits = false;   // GEMM rows: logit tokens (LM head) or new tokens
    Coefs flops{}, bytes{}, act{};
    double inv_compute = 0, inv_memory = 0, overhead = 0, ramp = 0, vector_ratio = 1,
           row_compute_per_token = 0, dequant = 1, masked_compute_per_pair = 0;
    bool occupancy = false;  // attention with the occupancy term (AttentionWaveFlops)
    // No term in the context sums (x[2], x[4], x[5]): its price depends on the new and logit
    // tokens only, so a decode stretch (same batch, growing context) reuses it.
    bool context_free = false;
  };

  // One operator's contribution to a step, as PriceLinear accumulates it.
  struct OpTerm {
    double total = 0, flops = 0, bytes = 0;
    Bound bound = Bound::kCompute;
  };

  // Running sums of operator terms, as a step accumulates them.
  struct PartialSum {
    double device_s = 0, flops = 0, bytes = 0;
    int64_t kernels = 0;
    double by_bound[5] = {0, 0, 0, 0, 0};
    void Add(const OpTerm& term, double repeats) {
      device_s += term.total;
      flops += term.flops;
      bytes += term.bytes;
      kernels += static_cast<int64_t>(repeats);
      by_bound[static_cast<int>(term.bound)] += term.total;
    }
  };

  static Coefs Vars(const BatchShape& b) {
    return {1.0,
            static_cast<double>(b.new_tokens),
            static_cast<double>(b.context_tokens),
            static_cast<double>(b.logit_tokens),
            b.causal_pairs,
            b.full_pairs};
  }

  static double Dot(const Coefs& a, const Coefs& x) {
    double v = 0;
    for (int i = 0; i < kVars; ++i) v += a[static_cast<size_t>(i)] * x[static_cast<size_t>(i)];
    return v;
  }

  static BatchShape ShapeOf(const Coefs& x) {
    BatchShape b;
    b.new_tokens = static_cast<int64_t>(x[1]);
    b.context_tokens = static_cast<int64_t>(x[2]);
    b.logit_tokens = static_cast<int64_t>(x[3]);
    b.causal_pairs = x[4];
    b.full_pairs = x[5];
    return b;
  }

  void BuildLinearPlan() {
    const StepOptions so = options_.Step();
    const Coefs x0 = {1.0, 1024.0, 4096.0, 16.0, 8192.0, 16384.0};
    const auto base = BuildStepOps(model_, ShapeOf(x0), so);
    std::vector<std::vector<OpWork>> moved;
    for (int j = 1; j < kVars; ++j) {
      Coefs xj = x0;
      xj[static_cast<size_t>(j)] += 1024.0;
      moved.push_back(BuildStepOps(model_, ShapeOf(xj), so));
      if (moved.back().size() != base.size())
        return;  // not the linear family: keep the general path
    }
    const Efficiency& e = device_.efficiency;
    const bool ideal = options_.ideal;
    for (size_t i = 0; i < base.size(); ++i) {
      const OpWork& w = base[i];
      LinearOp op;
      op.kind = w.kind;
      op.repeats = static_cast<double>(w.repeats);
      op.needs_logits = w.id == OpId::kLmHead;
      op.m_is_logits = w.id == OpId::kLmHead;
      auto fill = [&](Coefs& c, auto get) {
        double constant = get(w);
        for (int j = 1; j < kVars; ++j) {
          const double slope = (get(moved[static_cast<size_t>(j - 1)][i]) - get(w)) / 1024.0;
          c[static_cast<size_t>(j)] = slope;
          constant -= slope * x0[static_cast<size_t>(j)];
        }
        c[0] = constant;
      };
      fill(op.flops, [](const OpWork& o) { return o.flops; });
      fill(op.bytes, [](const OpWork& o) { return o.Bytes(); });
      fill(op.act, [](const OpWork& o) { return o.act_bytes; });
      if (w.kind != OpKind::kAllReduce) {
        const KernelTuning& k = TuningFor(e, w.id, w.kind);
        const bool tensor = w.kind == OpKind::kGemm || w.kind == OpKind::kAttention;
        const double peak = device_.PeakFlopsFor(tensor ? model_.activation_dtype : DType::kFp32);
        const double ce = ideal ? 1.0 : k.compute_eff;
        const double me = ideal ? 1.0 : k.memory_eff;
        op.inv_compute = peak > 0 ? 1.0 / (peak * ce) : 0.0;
        op.dequant = !ideal && w.kind == OpKind::kGemm ? DequantFactor(model_, device_, w.id) : 1.0;
        op.inv_memory = device_.memory.bandwidth_bytes_per_s > 0
                            ? 1.0 / (device_.memory.bandwidth_bytes_per_s * me)
                            : 0.0;
        op.overhead = ideal ? 0.0 : k.overhead_s;
        op.ramp = !ideal && w.kind == OpKind::kGemm ? e.gemm_ramp_tokens : 0.0;
        op.vector_ratio = VectorPathRatio(device_, model_.activation_dtype);
        // The attention kernel's extra work is linear in the query tokens (x[1]: one row each,
        // OpWork::m == new tokens) and in the masked pairs (x[5] - x[4]).
        if (!ideal && w.id == OpId::kAttention) {
          OpWork row = w;
          row.m = 1;
          Efficiency rows_only = e, masked_only = e;
          rows_only.attention_masked_fraction = 0;
          masked_only.attention_row_keys = 0;
          BatchShape one_pair;
          one_pair.full_pairs = 1;
          op.row_compute_per_token =
              AttentionExtraFlops(row, model_, options_.tp, rows_only, nullptr) * op.inv_compute;
          op.masked_compute_per_pair =
              AttentionExtraFlops(w, model_, options_.tp, masked_only, &one_pair) * op.inv_compute;
          op.occupancy = e.attention_query_tile > 0 && device_.compute_units > 0;
        }
      }
      op.context_free = op.flops[2] == 0 && op.flops[4] == 0 && op.flops[5] == 0 &&
                        op.bytes[2] == 0 && op.bytes[4] == 0 && op.bytes[5] == 0 &&
                        op.act[2] == 0 && op.act[4] == 0 && op.act[5] == 0 &&
                        op.masked_compute_per_pair == 0;
      (op.context_free ? free_ops_ : context_ops_).push_back(static_cast<uint32_t>(i));
      linear_.push_back(op);
    }
  }

  OpTerm PriceLinearOp(const LinearOp& op, const Coefs& x, const BatchShape& batch) const {
    OpTerm r;
    const double flops = Dot(op.flops, x);
    const double bytes = Dot(op.bytes, x);
    double t;
    if (op.kind == OpKind::kAllReduce) {
      t = AllReduceSeconds(Dot(op.act, x), options_.tp, link_);
      r.bound = Bound::kNetwork;
    } else {
      double tc = flops * op.inv_compute;
      if (op.ramp > 0) {
        const double m = std::max(1.0, op.m_is_logits ? x[3] : x[1]);
        tc = SmallMGemmSeconds(tc, m, op.ramp, op.vector_ratio);
      }
      tc *= op.dequant;
      tc += op.row_compute_per_token * x[1] + op.masked_compute_per_pair * (x[5] - x[4]);
      if (op.occupancy && batch.prefill_seqs > 0)
        tc += AttentionWaveFlops(attention_work_, model_, device_, options_.tp, batch) *
              op.inv_compute;
      const double tm = bytes * op.inv_memory;
      const double busy = options_.ideal ? std::max(tc, tm) : smooth_.Combine(tc, tm);
      r.bound = tc >= tm ? Bound::kCompute : Bound::kMemory;
      if (op.overhead > busy) r.bound = Bound::kLatency;
      t = busy + op.overhead;
    }
    r.total = t * op.repeats;
    r.flops = flops * op.repeats;
    r.bytes = bytes * op.repeats;
    return r;
  }

  // Sums every operator's term into `s` and `by_bound`: the context-free operators first (plan
  // order), then the others (plan order). The context-free part of the sums is kept per (new
  // tokens, logit tokens) and reused as a whole by a decode stretch (same batch, growing
  // context); since the summation order is fixed, results do not depend on the cache.
  StepCost PriceLinear(const BatchShape& batch) const {
    if (batch.new_tokens <= 0) return StepCost{};
    const Coefs x = Vars(batch);
    if (!(free_sum_valid_ && free_new_tokens_ == batch.new_tokens &&
          free_logit_tokens_ == batch.logit_tokens)) {
      PartialSum f;
      for (const uint32_t i : free_ops_) {
        const LinearOp& op = linear_[i];
        if (op.needs_logits && batch.logit_tokens <= 0) continue;
        f.Add(PriceLinearOp(op, x, batch), op.repeats);
      }
      free_sum_ = f;
      free_sum_valid_ = true;
      free_new_tokens_ = batch.new_tokens;
      free_logit_tokens_ = batch.logit_tokens;
    }
    PartialSum t = free_sum_;
    for (const uint32_t i : context_ops_) {
      const LinearOp& op = linear_[i];
      if (op.needs_logits && batch.logit_tokens <= 0) continue;
      t.Add(PriceLinearOp(op, x, batch), op.repeats);
    }
    return Finish(batch, t);
  }

  // Step-level terms shared by both paths: engine overheads, kernel launches, the dominant bound.
  // (Every field is set in one initializer: a StepCost zeroed first and then filled costs a
  // string store of 112 bytes on the hottest path.)
  StepCost Finish(const BatchShape& batch, const PartialSum& t) const {
    const double* by_bound = t.by_bound;
    const double compute_s = by_bound[static_cast<int>(Bound::kCompute)];
    const double memory_s =
        by_bound[static_cast<int>(Bound::kMemory)] + by_bound[static_cast<int>(Bound::kLatency)];
    const double network_s = by_bound[static_cast<int>(Bound::kNetwork)];
    double launch_s = 0, overhead_s = 0;
    const double seconds =
        ComposeStepSeconds(t.device_s, t.kernels, batch, options_.runtime, &launch_s, &overhead_s);
    const double cpu_s = options_.runtime.overlap_cpu ? launch_s + overhead_s : launch_s;
    Bound bound = Bound::kOverhead;
    if (!(cpu_s > t.device_s)) {
      bound = Bound::kCompute;
      double best_t = -1;
      for (Bound b : {Bound::kCompute, Bound::kMemory, Bound::kNetwork}) {
        const double v = b == Bound::kMemory ? memory_s : by_bound[static_cast<int>(b)];
        if (v > best_t) bound = b, best_t = v;
      }
    }
    return StepCost{.seconds = seconds,
                    .device_s = t.device_s,
                    .launch_s = launch_s,
                    .overhead_s = overhead_s,
                    .flops = t.flops,
                    .bytes = t.bytes,
                    .compute_s = compute_s,
                    .memory_s = memory_s,
                    .network_s = network_s,
                    .kernels = t.kernels,
                    .io_s = 0,
                    .io_bytes = 0,
                    .stall_s = 0,
                    .bound = bound};
  }

  ModelSpec model_;
  DeviceSpec device_;
  CostModelOptions options_;
  SmoothRoofline smooth_;
  Interconnect link_;  // the device's link, or its ideal form in ideal mode
  mutable std::vector<OpWork> scratch_;
  OpWork attention_work_;  // names the attention operator for AttentionWaveFlops
  std::vector<LinearOp> linear_;
  std::vector<uint32_t> free_ops_, context_ops_;  // indices into linear_, plan order
  // PriceLinear's context-free sums for the last (new tokens, logit tokens) priced (a
  // per-instance cache: a cost model serves one replica and is not shared between threads, like
  // scratch_).
  mutable PartialSum free_sum_;
  mutable bool free_sum_valid_ = false;
  mutable int64_t free_new_tokens_ = 0, free_logit_tokens_ = 0;
};

}  // namespace

std::unique_ptr<CostModel> MakeRooflineCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options) {
  return std::make_unique<RooflineCostModel>(model, device, options);
}

}  // namespace servesim
