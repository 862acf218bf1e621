#include "hardware/calibration.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "hardware/cost_model.h"
#include "hardware/csv_table.h"
#include "hardware/efficiency_fit.h"
#include "models/input_error.h"
#include "models/presets.h"

namespace servesim {
namespace {

std::string BaseName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

ModelSpec LayerSpec(int64_t hidden, int64_t heads, int64_t kv_heads, int64_t inter, int64_t vocab,
                    bool gated) {
  ModelSpec s;
  s.name = "profiled-layer";
  s.num_layers = 1;
  s.hidden_size = hidden;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim = heads > 0 ? hidden / heads : 0;
  s.intermediate_size = inter;
  s.vocab_size = vocab;
  s.max_context = 1 << 20;
  s.gated_ffn = gated;
  s.activation = gated ? Activation::kSilu : Activation::kGeluTanh;
  s.norm = gated ? NormType::kRmsNorm : NormType::kLayerNorm;
  s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;  // Vidur profiles in fp16
  return s;
}

const OpWork* FindWork(const std::vector<OpWork>& ops, OpId id) {
  for (const auto& op : ops) {
    if (op.id == id) return &op;
  }
  return nullptr;
}

}  // namespace

std::vector<OpMeasurement> ReadVidurOpsCsv(const std::string& path) {
  const CsvTable t(path);
  for (const char* c : {"n_head", "n_kv_head", "n_embd", "n_expanded_embd", "vocab_size",
                        "use_gated_mlp", "num_tokens", "num_tensor_parallel_workers"}) {
    t.Require(c);
  }
  struct Column {
    const char* name;
    OpId gated_op, plain_op;
  };
  const Column columns[] = {
      {"emb", OpId::kEmbed, OpId::kEmbed},
      {"input_layernorm", OpId::kNorm, OpId::kNorm},
      {"attn_pre_proj", OpId::kQkvProj, OpId::kQkvProj},
      {"attn_rope", OpId::kRope, OpId::kRope},
      {"attn_post_proj", OpId::kOProj, OpId::kOProj},
      {"post_attention_layernorm", OpId::kNorm, OpId::kNorm},
      {"mlp_up_proj", OpId::kGateUpProj, OpId::kUpProj},
      {"mlp_act", OpId::kAct, OpId::kAct},
      {"mlp_down_proj", OpId::kDownProj, OpId::kDownProj},
      {"add", OpId::kResidualAdd, OpId::kResidualAdd},
  };
  std::vector<OpMeasurement> out;
  for (size_t r = 0; r < t.size(); ++r) {
    const bool gated = t.Bool(r, "use_gated_mlp");
    ModelSpec spec =
        LayerSpec(t.Integer(r, "n_embd"), t.Integer(r, "n_head"), t.Integer(r, "n_kv_head"),
                  t.Integer(r, "n_expanded_embd"), t.Integer(r, "vocab_size"), gated);
    const std::string where = path + ":" + std::to_string(t.LineNumber(r));
    ValidateModelSpec(spec, where);
    const int tp = static_cast<int>(t.Integer(r, "num_tensor_parallel_workers"));
    ValidateTensorParallel(spec, tp, where);
    const int64_t tokens = t.Integer(r, "num_tokens");
    if (tokens <= 0)
      throw InputError(t.Where(r, "num_tokens") + ": expected a positive integer, found 0");
    BatchShape batch;
    batch.Add(tokens, 0, false);
    for (const Column& c : columns) {
      const std::string col = std::string("time_stats.") + c.name + ".median";
      if (!t.Has(col)) continue;
      const double ms = t.Number(r, col);
      if (std::isnan(ms)) continue;
      if (ms <= 0)
        throw InputError(t.Where(r, col) + ": expected a positive time, found " + t.Cell(r, col));
      OpMeasurement m;
      m.model = spec;
      m.tp = tp;
      m.batch = batch;
      m.op = gated ? c.gated_op : c.plain_op;
      m.measured_s = ms * 1e-3;
      m.label = BaseName(path) + ":" + std::to_string(t.LineNumber(r)) + " " + c.name +
                " tokens=" + std::to_string(tokens) + " tp=" + std::to_string(tp);
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<OpMeasurement> ReadVidurAttentionCsv(const std::string& path) {
  const CsvTable t(path);
  for (const char* c : {"n_embd", "n_q_head", "n_kv_head", "num_tensor_parallel_workers",
                        "batch_size", "prefill_chunk_size", "kv_cache_size", "is_prefill"}) {
    t.Require(c);
  }
  std::vector<OpMeasurement> out;
  for (size_t r = 0; r < t.size(); ++r) {
    const int64_t h = t.Integer(r, "n_embd");
    ModelSpec spec =
        LayerSpec(h, t.Integer(r, "n_q_head"), t.Integer(r, "n_kv_head"), 4 * h, 32000, true);
    const std::string where = path + ":" + std::to_string(t.LineNumber(r));
    ValidateModelSpec(spec, where);
    const int tp = static_cast<int>(t.Integer(r, "num_tensor_parallel_workers"));
    ValidateTensorParallel(spec, tp, where);
    const bool prefill = t.Bool(r, "is_prefill");
    const int64_t batch_size = t.Integer(r, "batch_size");
    const int64_t kv = t.Integer(r, "kv_cache_size");
    const int64_t chunk = t.Integer(r, "prefill_chunk_size");
    const std::string col =
        prefill ? "time_stats.attn_prefill.median" : "time_stats.attn_decode.median";
    const double ms = t.Number(r, col);
    if (std::isnan(ms)) continue;
    if (ms <= 0)
      throw InputError(t.Where(r, col) + ": expected a positive time, found " + t.Cell(r, col));
    OpMeasurement m;
    m.model = spec;
    m.tp = tp;
    for (int64_t i = 0; i < std::max<int64_t>(1, batch_size); ++i)
      m.batch.Add(prefill ? chunk : 1, kv, true);
    m.op = OpId::kAttention;
    m.measured_s = ms * 1e-3;
    m.label = BaseName(path) + ":" + std::to_string(t.LineNumber(r)) +
              (prefill ? " prefill chunk=" : " decode batch=") +
              std::to_string(prefill ? chunk : batch_size) + " kv=" + std::to_string(kv);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<CollectiveMeasurement> ReadVidurAllReduceCsv(const std::string& path) {
  const CsvTable t(path);
  for (const char* c : {"num_workers", "devices_per_node", "size", "time_stats.all_reduce.median"})
    t.Require(c);
  std::vector<CollectiveMeasurement> out;
  for (size_t r = 0; r < t.size(); ++r) {
    const int64_t workers = t.Integer(r, "num_workers");
    if (workers != t.Integer(r, "devices_per_node") || workers < 2) continue;
    CollectiveMeasurement m;
    m.workers = static_cast<int>(workers);
    m.bytes = t.Number(r, "size");
    m.measured_s = t.Number(r, "time_stats.all_reduce.median") * 1e-3;
    if (!(m.bytes > 0) || !(m.measured_s > 0)) {
      throw InputError(path + ":" + std::to_string(t.LineNumber(r)) +
                       ": expected positive size and time");
    }
    out.push_back(m);
  }
  return out;
}

std::vector<StepMeasurement> ReadSplitwiseStepsCsv(const std::string& path,
                                                   const std::string& hardware) {
  const CsvTable t(path);
  for (const char* c : {"model", "hardware", "prompt_size", "batch_size", "token_size",
                        "prompt_time", "token_time", "tensor_parallel"}) {
    t.Require(c);
  }
  std::vector<StepMeasurement> out;
  for (size_t r = 0; r < t.size(); ++r) {
    if (t.Cell(r, "hardware") != hardware) continue;
    // Splitwise names models without the dash ("llama2-70b").
    std::string name = t.Cell(r, "model");
    const ModelPreset* preset = FindModelPreset(name);
    if (!preset && name.rfind("llama2-", 0) == 0)
      preset = FindModelPreset("llama-2-" + name.substr(7));
    if (!preset) continue;
    const int tp = static_cast<int>(t.Integer(r, "tensor_parallel"));
    const std::string where = path + ":" + std::to_string(t.LineNumber(r));
    ValidateTensorParallel(preset->spec, tp, where);
    const int64_t prompt = t.Integer(r, "prompt_size");
    const int64_t batch = t.Integer(r, "batch_size");
    const int64_t generated = t.Integer(r, "token_size");
    if (prompt <= 0 || batch <= 0)
      throw InputError(where + ": prompt_size and batch_size must be positive");
    const std::string shape = " tp=" + std::to_string(tp) + " batch=" + std::to_string(batch) +
                              " prompt=" + std::to_string(prompt);
    StepMeasurement pre;
    pre.model = preset->spec;
    pre.model.weight_dtype = pre.model.activation_dtype = pre.model.kv_dtype = DType::kFp16;
    pre.tp = tp;
    pre.prefill = true;
    for (int64_t i = 0; i < batch; ++i) pre.batch.Add(prompt, 0, true);
    pre.measured_s = t.Number(r, "prompt_time") * 1e-3;
    pre.label = BaseName(path) + ":" + std::to_string(t.LineNumber(r)) + " prefill" + shape;
    StepMeasurement dec = pre;
    dec.prefill = false;
    dec.batch = BatchShape{};
    for (int64_t i = 0; i < batch; ++i) dec.batch.Add(1, prompt + generated / 2, true);
    dec.measured_s = t.Number(r, "token_time") * 1e-3;
    dec.label = BaseName(path) + ":" + std::to_string(t.LineNumber(r)) + " decode" + shape;
    for (auto* m : {&pre, &dec}) {
      if (!(m->measured_s > 0))
        throw InputError(where + ": expected positive prompt_time and token_time");
      out.push_back(*m);
    }
  }
  return out;
}

namespace {

OpWork WorkOf(const OpMeasurement& m) {
  const auto ops = BuildStepOps(m.model, m.batch, StepOptions{m.tp, AttentionImpl::kFlash});
  const OpWork* w = FindWork(ops, m.op);
  if (!w) throw InputError(m.label + ": the model has no operator " + std::string(OpName(m.op)));
  return *w;
}

double PriceOne(const OpWork& w, const ModelSpec& model, int tp, const DeviceSpec& device,
                const BatchShape& batch) {
  CostModelOptions o;
  o.tp = tp;
  return PriceOp(w, model, device, o, nullptr, &batch).seconds /
         static_cast<double>(std::max<int64_t>(1, w.repeats));
}

}  // namespace

double PredictOp(const OpMeasurement& m, const DeviceSpec& device) {
  return PriceOne(WorkOf(m), m.model, m.tp, device, m.batch);
}

double PredictAllReduce(const CollectiveMeasurement& m, const Interconnect& link) {
  return AllReduceSeconds(m.bytes, m.workers, link);
}

OpWork MeasuredOpWork(const OpMeasurement& m) { return WorkOf(m); }

double PredictOpWork(const OpMeasurement& m, const OpWork& work, const DeviceSpec& device) {
  return PriceOne(work, m.model, m.tp, device, m.batch);
}

ErrorStats ComputeErrors(const std::string& group, const std::vector<double>& predicted,
                         const std::vector<double>& measured) {
  ErrorStats e;
  e.group = group;
  e.count = predicted.size();
  if (predicted.empty()) return e;
  std::vector<double> abs_rel;
  double signed_sum = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    const double rel = (predicted[i] - measured[i]) / measured[i];
    abs_rel.push_back(std::abs(rel));
    signed_sum += rel;
  }
  std::sort(abs_rel.begin(), abs_rel.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(abs_rel.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(abs_rel.size() - 1, lo + 1);
    return abs_rel[lo] + (abs_rel[hi] - abs_rel[lo]) * (pos - static_cast<double>(lo));
  };
  e.median_abs_rel = quantile(0.5);
  e.p90_abs_rel = quantile(0.9);
  e.mean_signed_rel = signed_sum / static_cast<double>(predicted.size());
  return e;
}

namespace {

// Per-operator errors of the kernels.
std::vector<ErrorStats> Evaluate(const std::vector<OpMeasurement>& ops, const DeviceSpec& device) {
  return OperatorErrors(ops, device);
}

}  // namespace

double PredictStep(const StepMeasurement& m, const DeviceSpec& device,
                   const RuntimeOverheads& overheads) {
  CostModelOptions o;
  o.tp = m.tp;
  o.runtime = overheads;
  return MakeRooflineCostModel(m.model, device, o)->PriceStep(m.batch).seconds;
}

namespace {

std::vector<ErrorStats> EvaluateSteps(const std::vector<StepMeasurement>& steps,
                                      const DeviceSpec& device, const RuntimeOverheads& overheads) {
  std::vector<double> pp, pm, dp, dm, ap, am;
  for (const auto& s : steps) {
    const double p = PredictStep(s, device, overheads);
    (s.prefill ? pp : dp).push_back(p);
    (s.prefill ? pm : dm).push_back(s.measured_s);
    ap.push_back(p);
    am.push_back(s.measured_s);
  }
  return {ComputeErrors("prefill steps", pp, pm), ComputeErrors("decode steps", dp, dm),
          ComputeErrors("all steps", ap, am)};
}

}  // namespace

RuntimeCalibration CalibrateRuntime(const DeviceSpec& device,
                                    const std::vector<StepMeasurement>& steps,
                                    const RuntimeOverheads& start) {
  RuntimeCalibration c;
  c.overheads = start;
  c.before = EvaluateSteps(steps, device, start);
  if (steps.empty()) return c;
  // Kernel time does not depend on the engine overheads being fitted: price each step once.
  struct Row {
    StepCost kernels;
    const StepMeasurement* m;
  };
  std::vector<Row> rows;
  for (const auto& s : steps) {
    CostModelOptions o;
    o.tp = s.tp;
    rows.push_back({MakeRooflineCostModel(s.model, device, o)->PriceStep(s.batch), &s});
  }
  RuntimeOverheads& r = c.overheads;
  auto loss = [&]() {
    double sum = 0;
    for (const auto& row : rows) {
      const StepCost& cost = row.kernels;
      const double t = ComposeStepSeconds(cost.device_s, cost.kernels, row.m->batch, r);
      sum += std::abs(std::log(t / row.m->measured_s));
    }
    return sum / static_cast<double>(rows.size());
  };
  MinimizeLoss(
      loss,
      {{&r.step_s, 0.0, 0.1}, {&r.step_per_seq_s, 0.0, 1e-3}, {&r.kernel_launch_s, 0.0, 1e-3}});
  c.after = EvaluateSteps(steps, device, c.overheads);
  return c;
}

CalibrationReport Calibrate(const DeviceSpec& base, const std::vector<OpMeasurement>& ops) {
  DeviceSpec device = base;
  CalibrationReport report;
  report.before = Evaluate(ops, device);
  if (!ops.empty()) device.efficiency = FitSharedEfficiency({{base, ops}}, base.efficiency);
  report.efficiency = device.efficiency;
  report.after = Evaluate(ops, device);
  return report;
}

namespace {

// Errors of `link` on `collectives` by message size, by rank count, and over all.
std::vector<ErrorStats> EvaluateLink(const Interconnect& link,
                                     const std::vector<CollectiveMeasurement>& collectives) {
  struct Range {
    const char* name;
    double lo, hi;
  };
  const double kib = 1024.0, mib = kib * kib;
  const Range ranges[] = {{"all_reduce < 64 KiB", 0, 64 * kib},
                          {"all_reduce 64 KiB - 1 MiB", 64 * kib, mib},
                          {"all_reduce 1 - 16 MiB", mib, 16 * mib},
                          {"all_reduce >= 16 MiB", 16 * mib, 1e300}};
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
  std::vector<std::string> order;
  auto add = [&](const std::string& g, double p, double m) {
    auto [it, fresh] = groups.try_emplace(g);
    if (fresh) order.push_back(g);
    it->second.first.push_back(p);
    it->second.second.push_back(m);
  };
  for (const Range& r : ranges) groups.try_emplace(r.name), order.push_back(r.name);
  std::map<int, std::pair<std::vector<double>, std::vector<double>>> by_ranks;
  for (const auto& c : collectives) {
    const double p = PredictAllReduce(c, link);
    for (const Range& r : ranges) {
      if (c.bytes >= r.lo && c.bytes < r.hi) add(r.name, p, c.measured_s);
    }
    by_ranks[c.workers].first.push_back(p);
    by_ranks[c.workers].second.push_back(c.measured_s);
    add("all_reduce, all sizes", p, c.measured_s);
  }
  std::vector<ErrorStats> out;
  for (const auto& g : order) {
    const auto& [p, m] = groups[g];
    if (!p.empty()) out.push_back(ComputeErrors(g, p, m));
  }
  for (const auto& [n, pm] : by_ranks) {
    out.push_back(
        ComputeErrors("all_reduce, " + std::to_string(n) + " ranks", pm.first, pm.second));
  }
  return out;
}

}  // namespace

LinkCalibration CalibrateLink(const Interconnect& link,
                              const std::vector<CollectiveMeasurement>& collectives) {
  LinkCalibration c;
  c.link = link;
  c.before = EvaluateLink(link, collectives);
  if (collectives.empty()) return c;
  Interconnect& l = c.link;
  auto loss = [&]() {
    double sum = 0;
    for (const auto& m : collectives)
      sum += std::abs(std::log(PredictAllReduce(m, l) / m.measured_s));
    return sum / static_cast<double>(collectives.size());
  };
  // Coordinate descent stalls in this loss's ridges (the two protocols trade rows at the
  // crossover); restarting its step size three times finds a lower minimum.
  for (int restart = 0; restart < 3; ++restart) {
    MinimizeLoss(loss, {{&l.low_latency.launch_s, 0.0, 1e-3},
                    {&l.low_latency.hop_s, 0.0, 1e-4},
                    {&l.low_latency.bus_eff, 0.01, 1.0},
                    {&l.simple.launch_s, 0.0, 1e-3},
                    {&l.simple.hop_s, 0.0, 1e-4},
                    {&l.simple.bus_eff, 0.01, 1.0}});
  }
  c.after = EvaluateLink(c.link, collectives);
  return c;
}

}  // namespace servesim
