#include "hardware/efficiency_fit.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "hardware/cost_model.h"
#include "models/input_error.h"

namespace servesim {

namespace {

// Coordinate descent with multiplicative steps (halved when no step helps).
void CoordinateDescent(const std::function<double()>& loss, std::vector<FitParam>& params) {
  double best = loss();
  double step = 0.5;
  for (int round = 0; round < 60 && step > 1e-3; ++round) {
    bool improved = false;
    for (FitParam& p : params) {
      for (double factor : {1.0 + step, 1.0 / (1.0 + step)}) {
        const double old = *p.value;
        double candidate = old == 0 ? (factor > 1 ? p.hi * 1e-3 : 0) : old * factor;
        candidate = std::clamp(candidate, p.lo, p.hi);
        if (candidate == old) continue;
        *p.value = candidate;
        const double l = loss();
        if (l < best - 1e-12) {
          best = l;
          improved = true;
        } else {
          *p.value = old;
        }
      }
    }
    if (!improved) step *= 0.5;
  }
}

// Each parameter as u in [0, 1], log-linear between max(lo, hi * 1e-6) and hi.
double ToUnit(const FitParam& p, double v) {
  const double a = std::max(p.lo, p.hi * 1e-6);
  return std::clamp(std::log(std::max(v, a) / a) / std::log(p.hi / a), 0.0, 1.0);
}
double FromUnit(const FitParam& p, double u) {
  const double a = std::max(p.lo, p.hi * 1e-6);
  return a * std::exp(std::clamp(u, 0.0, 1.0) * std::log(p.hi / a));
}

// Nelder-Mead in the unit box from the current values: moves parameters together, which
// coordinate descent cannot (a GEMM's compute efficiency against its ramp and sharpness).
void NelderMead(const std::function<double()>& loss, std::vector<FitParam>& params) {
  const size_t n = params.size();
  auto eval = [&](const std::vector<double>& u) {
    for (size_t i = 0; i < n; ++i) *params[i].value = FromUnit(params[i], u[i]);
    return loss();
  };
  std::vector<std::vector<double>> x(n + 1, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) x[0][i] = ToUnit(params[i], *params[i].value);
  const double best_start = loss();
  std::vector<double> f(n + 1);
  for (size_t k = 1; k <= n; ++k) {
    x[k] = x[0];
    x[k][k - 1] += x[0][k - 1] > 0.9 ? -0.1 : 0.1;
  }
  for (size_t k = 0; k <= n; ++k) f[k] = eval(x[k]);
  auto along = [&](const std::vector<double>& c, const std::vector<double>& w, double t) {
    std::vector<double> r(n);
    for (size_t i = 0; i < n; ++i) r[i] = std::clamp(c[i] + t * (w[i] - c[i]), 0.0, 1.0);
    return r;
  };
  for (int it = 0; it < 300 * static_cast<int>(n); ++it) {
    std::vector<size_t> order(n + 1);
    for (size_t k = 0; k <= n; ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return f[a] < f[b]; });
    const size_t lo = order.front(), hi = order.back(), second = order[n - 1];
    if (f[hi] - f[lo] < 1e-10) break;
    std::vector<double> c(n, 0.0);
    for (size_t k = 0; k <= n; ++k) {
      if (k == hi) continue;
      for (size_t i = 0; i < n; ++i) c[i] += x[k][i] / static_cast<double>(n);
    }
    const auto r = along(c, x[hi], -1.0);
    const double fr = eval(r);
    if (fr < f[lo]) {
      const auto e = along(c, x[hi], -2.0);
      const double fe = eval(e);
      if (fe < fr) {
        x[hi] = e, f[hi] = fe;
      } else {
        x[hi] = r, f[hi] = fr;
      }
    } else if (fr < f[second]) {
      x[hi] = r, f[hi] = fr;
    } else {
      const auto ct = along(c, x[hi], 0.5);
      const double fc = eval(ct);
      if (fc < f[hi]) {
        x[hi] = ct, f[hi] = fc;
      } else {
        for (size_t k = 0; k <= n; ++k) {
          if (k == lo) continue;
          x[k] = along(x[lo], x[k], 0.5);
          f[k] = eval(x[k]);
        }
      }
    }
  }
  const size_t best = static_cast<size_t>(std::min_element(f.begin(), f.end()) - f.begin());
  if (f[best] < best_start) {
    eval(x[best]);
  } else {
    eval(x[0]);
  }
}

}  // namespace

void MinimizeLoss(const std::function<double()>& loss, std::vector<FitParam> params) {
  CoordinateDescent(loss, params);
  NelderMead(loss, params);
  CoordinateDescent(loss, params);
}

namespace {

// Which tuning group an operator belongs to (GEMMs share one).
std::string GroupOf(OpId id) {
  switch (id) {
    case OpId::kQkvProj:
    case OpId::kOProj:
    case OpId::kGateUpProj:
    case OpId::kUpProj:
    case OpId::kDownProj:
    case OpId::kLmHead:
    case OpId::kMoeRouter:
      return "gemm";
    default:
      return std::string(OpName(id));
  }
}

struct Row {
  OpWork work;
  const OpMeasurement* m;
};

// One device's rows of one group.
struct DeviceRows {
  size_t device = 0;
  std::vector<Row> rows;
};

// group -> rows per device, subsampled to at most `max_rows` per device (even stride).
std::map<std::string, std::vector<DeviceRows>> GroupRows(const std::vector<DeviceOps>& data,
                                                         size_t max_rows) {
  std::map<std::string, std::vector<DeviceRows>> out;
  for (size_t d = 0; d < data.size(); ++d) {
    std::map<std::string, std::vector<const OpMeasurement*>> by_group;
    for (const auto& m : data[d].ops) by_group[GroupOf(m.op)].push_back(&m);
    for (const auto& [group, ms] : by_group) {
      DeviceRows dr{d, {}};
      const size_t stride = max_rows > 0 ? std::max<size_t>(1, ms.size() / max_rows) : 1;
      for (size_t i = 0; i < ms.size(); i += stride)
        dr.rows.push_back({MeasuredOpWork(*ms[i]), ms[i]});
      out[group].push_back(std::move(dr));
    }
  }
  return out;
}

std::vector<FitParam> ParamsOf(const std::string& group, Efficiency& e, OpId op, OpKind kind) {
  if (group == "gemm") {
    return {{&e.gemm.compute_eff, 0.05, 1.0},
            {&e.gemm.memory_eff, 0.05, 1.0},
            {&e.gemm.overhead_s, 0.0, 1e-3},
            {&e.gemm_ramp_tokens, 0.0, 4096},
            {&e.roofline_sharpness, 1.0, 64}};
  }
  KernelTuning& k = TuningFor(e, op, kind);
  std::vector<FitParam> params = {{&k.memory_eff, 0.01, 1.0}, {&k.overhead_s, 0.0, 1e-3}};
  // Elementwise kernels run on the FP32 units: where those are slow next to memory (the A100's
  // 19.5 TFLOP/s against 2 TB/s) a kernel of a few FLOPs per byte stops streaming at bandwidth.
  if (group != "attention" && kind != OpKind::kEmbedding)
    params.push_back({&k.compute_eff, 1e-3, 1.0});
  if (group == "attention") {
    params.push_back({&k.compute_eff, 0.05, 1.0});
    params.push_back({&e.attention_row_keys, 0.0, 8192});
    params.push_back({&e.attention_masked_fraction, 1e-3, 1.0});  // validation: (0, 1]
  }
  return params;
}

}  // namespace

Efficiency FitSharedEfficiency(const std::vector<DeviceOps>& data, const Efficiency& start,
                               size_t max_rows_per_group) {
  std::vector<DeviceSpec> devices;
  for (const auto& d : data) devices.push_back(d.device);
  Efficiency e = start;
  const auto groups = GroupRows(data, max_rows_per_group);
  // GEMMs first: they set the roofline sharpness the other groups are priced with.
  std::vector<std::string> order;
  if (groups.count("gemm")) order.push_back("gemm");
  for (const auto& [group, rows] : groups) {
    if (group != "gemm") order.push_back(group);
  }
  for (const std::string& group : order) {
    const std::vector<DeviceRows>& per_device = groups.at(group);
    auto loss = [&]() {
      double sum = 0;
      for (const DeviceRows& dr : per_device) {
        DeviceSpec& dev = devices[dr.device];
        dev.efficiency = e;
        double s = 0;
        for (const Row& r : dr.rows)
          s += std::abs(std::log(PredictOpWork(*r.m, r.work, dev) / r.m->measured_s));
        sum += s / static_cast<double>(std::max<size_t>(1, dr.rows.size()));
      }
      return sum / static_cast<double>(per_device.size());
    };
    const Row& first = per_device.front().rows.front();
    MinimizeLoss(loss, ParamsOf(group, e, first.m->op, first.work.kind));
  }
  return e;
}

std::vector<ErrorStats> OperatorErrors(const std::vector<OpMeasurement>& ops,
                                       const DeviceSpec& device) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_op;
  std::vector<double> all_p, all_m;
  for (const auto& m : ops) {
    const double p = PredictOp(m, device);
    auto& [pv, mv] = by_op[std::string(OpName(m.op))];
    pv.push_back(p);
    mv.push_back(m.measured_s);
    all_p.push_back(p);
    all_m.push_back(m.measured_s);
  }
  std::vector<ErrorStats> out;
  for (const auto& [name, pm] : by_op) out.push_back(ComputeErrors(name, pm.first, pm.second));
  if (!ops.empty()) out.push_back(ComputeErrors("all operators", all_p, all_m));
  return out;
}

std::vector<HeldOutDevice> LeaveOneDeviceOut(const std::vector<DeviceOps>& data,
                                             const Efficiency& start, size_t max_rows_per_group) {
  if (data.size() < 2) throw InputError("leave-one-device-out needs measurements of two devices");
  std::vector<HeldOutDevice> out;
  for (size_t held = 0; held < data.size(); ++held) {
    std::vector<DeviceOps> rest;
    HeldOutDevice h;
    h.device = data[held].device.name;
    for (size_t d = 0; d < data.size(); ++d) {
      if (d == held) continue;
      rest.push_back(data[d]);
      h.fit_rows += data[d].ops.size();
    }
    h.fitted = FitSharedEfficiency(rest, start, max_rows_per_group);
    DeviceSpec device = data[held].device;
    device.efficiency = h.fitted;
    h.errors = OperatorErrors(data[held].ops, device);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace servesim
