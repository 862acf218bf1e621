#include "hardware/profile_bundle.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

#include "hardware/csv_table.h"
#include "models/input_error.h"
#include "models/yaml_reader.h"
#include "models/yaml_scalar.h"

namespace servesim {
namespace {

constexpr double kUs = 1e-6;

// Index i with bins[i] < v <= bins[i + 1], clamped to the first / last label.
int BinIndex(const std::vector<double>& bins, double v) {
  const auto it = std::lower_bound(bins.begin(), bins.end(), v);
  const int i = static_cast<int>(it - bins.begin()) - 1;
  return std::clamp(i, 0, static_cast<int>(bins.size()) - 2);
}

double Blend(double a, double b, double w) { return a + (b - a) * w; }

}  // namespace

double MeasuredCurve::At(double q, bool* outside) const {
  const size_t n = x.size();
  if (n == 1 || q <= x.front()) {
    if (outside && (q < x.front() || (n == 1 && q != x.front()))) *outside = true;
    return seconds.front();
  }
  size_t hi;
  if (q > x.back()) {
    if (outside) *outside = true;
    hi = n - 1;
  } else {
    hi = static_cast<size_t>(std::lower_bound(x.begin(), x.end(), q) - x.begin());
  }
  const size_t lo = hi - 1;
  const double w = (q - x[lo]) / (x[hi] - x[lo]);
  return std::max(0.0, Blend(seconds[lo], seconds[hi], w));
}

NestedGrid::NestedGrid(int dims, std::vector<double> coords, std::vector<double> seconds)
    : dims_(dims), values_(std::move(seconds)) {
  std::vector<size_t> order(values_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::lexicographical_compare(&coords[a * dims], &coords[a * dims] + dims,
                                        &coords[b * dims], &coords[b * dims] + dims);
  });
  if (!order.empty()) Build(order, 0, order.size(), 0, coords, values_);
}

int NestedGrid::Build(const std::vector<size_t>& order, size_t lo, size_t hi, int depth,
                      const std::vector<double>& coords, const std::vector<double>& seconds) {
  const int id = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  std::vector<std::pair<double, int32_t>> entries;
  for (size_t i = lo; i < hi;) {
    const double key = coords[order[i] * dims_ + depth];
    size_t j = i;
    while (j < hi && coords[order[j] * dims_ + depth] == key) ++j;
    const int32_t child = depth + 1 == dims_ ? static_cast<int32_t>(order[i])
                                             : Build(order, i, j, depth + 1, coords, seconds);
    entries.emplace_back(key, child);
    i = j;
  }
  nodes_[id].begin = static_cast<int32_t>(keys_.size());
  for (const auto& [key, child] : entries) {
    keys_.push_back(key);
    child_.push_back(child);
  }
  nodes_[id].end = static_cast<int32_t>(keys_.size());
  return id;
}

double NestedGrid::Lookup(int node, int depth, const double* query, bool* outside) const {
  const Node& nd = nodes_[node];
  const double* k = keys_.data() + nd.begin;
  const int n = nd.end - nd.begin;
  const double q = query[depth];
  auto value = [&](int i) {
    const int32_t c = child_[nd.begin + i];
    return depth + 1 == dims_ ? values_[c] : Lookup(c, depth + 1, query, outside);
  };
  if (n == 1 || q <= k[0]) {
    if (q < k[0] || (n == 1 && q != k[0])) *outside = true;
    return value(0);
  }
  int hi;
  if (q > k[n - 1]) {
    *outside = true;
    hi = n - 1;
  } else {
    hi = static_cast<int>(std::lower_bound(k, k + n, q) - k);
    if (k[hi] == q) return value(hi);
  }
  const double w = (q - k[hi - 1]) / (k[hi] - k[hi - 1]);
  return Blend(value(hi - 1), value(hi), w);
}

double NestedGrid::At(const double* query, bool* outside) const {
  bool unused = false;
  if (nodes_.empty()) return 0;
  return std::max(0.0, Lookup(0, 0, query, outside ? outside : &unused));
}

std::vector<double> NestedGrid::FirstAxis() const {
  if (nodes_.empty()) return {};
  return std::vector<double>(keys_.begin() + nodes_[0].begin, keys_.begin() + nodes_[0].end);
}

double SkewFit::Alpha(double pc, double n, double skew_rate, double kv_big, double kp) const {
  size_t p = 0;
  if (pc > 0) {
    double best = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < pcs.size(); ++i) {
      const double d = pcs[i] > 0 ? std::abs(std::log(pc / pcs[i])) : best;
      if (d < best) best = d, p = i;
    }
  }
  const size_t nn = n_bins.size() - 1, ns = skew_rate_bins.size() - 1, nk = kv_big_bins.size() - 1,
               nkp = kp_bins.size() - 1;
  const size_t idx =
      (((p * nn + BinIndex(n_bins, n)) * ns + BinIndex(skew_rate_bins, skew_rate)) * nk +
       BinIndex(kv_big_bins, kv_big)) *
          nkp +
      BinIndex(kp_bins, kp);
  const double a = alpha[idx];
  return std::isnan(a) ? alpha_default : a;
}

namespace {

struct Axis {
  std::vector<double> bins;
  std::vector<std::string> labels;
};

struct MetaFull {
  ProfileBundleMeta meta;
  Axis n, skew_rate, kv_big, kp;
  std::map<int, double> alpha_default;  // per TP
};

int64_t RequiredInt(YamlMapReader& r, const std::string& key, int64_t lo) {
  if (!r.Has(key)) r.Fail(r.Key(key), "missing; expected an integer", "nothing");
  return r.Int(key, 0, lo, std::numeric_limits<int64_t>::max());
}

std::string RequiredString(YamlMapReader& r, const std::string& key) {
  if (!r.Has(key)) r.Fail(r.Key(key), "missing; expected a string", "nothing");
  const std::string v = r.String(key, "");
  if (v.empty()) r.Fail(r.Key(key), "expected a non-empty string", "''");
  return v;
}

Axis ReadAxis(YamlMapReader& r, const std::string& bins_key, const std::string& labels_key) {
  Axis a;
  const YAML::Node bins = r.Get(bins_key), labels = r.Get(labels_key);
  if (!bins || !bins.IsSequence() || bins.size() < 2)
    r.Fail(r.Key(bins_key), "expected a list of at least two numbers", DescribeYamlNode(bins),
           bins);
  for (const auto& b : bins) {
    const auto v = YamlToDouble(b);
    if (!v) r.Fail(r.Key(bins_key), "expected a number", DescribeYamlNode(b), b);
    if (!a.bins.empty() && *v <= a.bins.back())
      r.Fail(r.Key(bins_key), "expected increasing bin edges", DescribeYamlNode(b), b);
    a.bins.push_back(*v);
  }
  if (!labels || !labels.IsSequence() || labels.size() != a.bins.size() - 1) {
    r.Fail(r.Key(labels_key), "expected " + std::to_string(a.bins.size() - 1) + " labels",
           DescribeYamlNode(labels), labels);
  }
  for (const auto& l : labels) a.labels.push_back(l.Scalar());
  return a;
}

void ReadSkewFitMeta(YamlMapReader& top, MetaFull& m) {
  YamlMapReader fit(top.Get("skew_fit"), top.file(), "skew_fit");
  m.meta.skew_fit_enabled = fit.Bool("enabled", false);
  if (!m.meta.skew_fit_enabled) return;
  YamlMapReader axes(fit.Get("bucket_axes"), top.file(), "skew_fit.bucket_axes");
  m.n = ReadAxis(axes, "n_bins", "n_labels");
  m.skew_rate = ReadAxis(axes, "skew_rate_bins", "skew_rate_labels");
  m.kv_big = ReadAxis(axes, "kv_big_bins", "kv_big_labels");
  m.kp = ReadAxis(axes, "kp_bins", "kp_labels");
  const YAML::Node per_tp = fit.Get("per_tp");
  if (!per_tp || !per_tp.IsMap())
    fit.Fail("skew_fit.per_tp", "expected a mapping of TP degrees", DescribeYamlNode(per_tp));
  for (const auto& kv : per_tp) {
    const auto tp = YamlToInt(kv.first);
    if (!tp || *tp < 1)
      fit.Fail("skew_fit.per_tp", "expected a TP degree", DescribeYamlNode(kv.first), kv.first);
    const std::string key = "skew_fit.per_tp." + std::to_string(*tp);
    YamlMapReader one(kv.second, top.file(), key);
    if (!one.Has("alpha_default")) one.Fail(key + ".alpha_default", "missing", "nothing");
    m.alpha_default[static_cast<int>(*tp)] = one.Double("alpha_default", 0, -1e6, 1e6);
  }
}

MetaFull ReadMetaFull(const std::string& dir) {
  const std::string path = dir + "/meta.yaml";
  if (!std::filesystem::is_directory(dir))
    throw InputError(dir + ": not a directory; expected a profile bundle (meta.yaml, tp<N>/)");
  const YAML::Node root = LoadYamlFile(path, "profile bundle meta.yaml");
  YamlMapReader top(root, path, "");
  MetaFull m;
  m.meta.model = RequiredString(top, "model");
  m.meta.hardware = RequiredString(top, "hardware");
  m.meta.gpu = top.String("gpu", "");
  m.meta.variant = RequiredString(top, "variant");
  const YAML::Node tps = top.Get("tp_degrees");
  if (!tps || !tps.IsSequence() || tps.size() == 0)
    top.Fail("tp_degrees", "expected a list of TP degrees", DescribeYamlNode(tps), tps);
  for (const auto& t : tps) {
    const auto v = YamlToInt(t);
    if (!v || *v < 1 || *v > 1024)
      top.Fail("tp_degrees", "expected a positive integer", DescribeYamlNode(t), t);
    m.meta.tp_degrees.push_back(static_cast<int>(*v));
  }
  YamlMapReader eng(top.Get("engine_effective"), path, "engine_effective");
  m.meta.max_num_batched_tokens = RequiredInt(eng, "max_num_batched_tokens", 1);
  m.meta.max_num_seqs = RequiredInt(eng, "max_num_seqs", 1);
  YamlMapReader hf(eng.Get("hf_overrides"), path, "engine_effective.hf_overrides");
  m.meta.rank_heads = RequiredInt(hf, "num_attention_heads", 1);
  m.meta.rank_kv_heads = RequiredInt(hf, "num_key_value_heads", 1);
  m.meta.rank_intermediate = RequiredInt(hf, "intermediate_size", 1);
  m.meta.rank_vocab = RequiredInt(hf, "vocab_size", 1);
  ReadSkewFitMeta(top, m);
  return m;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

double TimeSeconds(const CsvTable& t, size_t r, const char* column) {
  const double us = t.RequiredNumber(r, column);
  if (us < 0) throw InputError(t.Where(r, column) + ": expected a time >= 0 us, found " + Num(us));
  return us * kUs;
}

double PositiveAxis(const CsvTable& t, size_t r, const char* column, bool zero_ok) {
  const int64_t v = t.Integer(r, column);
  if (v == 0 && !zero_ok)
    throw InputError(t.Where(r, column) + ": expected a positive integer, found 0");
  return static_cast<double>(v);
}

// layer,<x_column>,time_us: one curve per layer, x strictly increasing within a layer.
std::map<std::string, MeasuredCurve> ReadCurves(const std::string& path, const char* x_column) {
  const CsvTable t(path);
  t.RequireExactHeader({"layer", x_column, "time_us"});
  std::map<std::string, MeasuredCurve> out;
  for (size_t r = 0; r < t.size(); ++r) {
    const std::string& layer = t.Cell(r, "layer");
    if (layer.empty()) throw InputError(t.Where(r, "layer") + ": expected a layer name, found ''");
    const double x = PositiveAxis(t, r, x_column, false);
    MeasuredCurve& c = out[layer];
    if (!c.x.empty() && x <= c.x.back()) {
      throw InputError(t.Where(r, x_column) + ": " + Num(x) + " after " + Num(c.x.back()) +
                       " for layer '" + layer + "'; expected increasing values");
    }
    c.x.push_back(x);
    c.seconds.push_back(TimeSeconds(t, r, "time_us"));
  }
  if (out.empty()) throw InputError(path + ": no rows; expected measurements");
  return out;
}

// A scattered grid of integer axes; a duplicate point names both lines.
NestedGrid ReadGrid(const std::string& path, const std::vector<std::string>& axes) {
  const CsvTable t(path);
  std::vector<std::string> header = axes;
  header.push_back("time_us");
  t.RequireExactHeader(header);
  const size_t d = axes.size();
  std::vector<double> coords, seconds;
  std::map<std::vector<double>, int64_t> seen;
  std::vector<double> point(d);
  for (size_t r = 0; r < t.size(); ++r) {
    for (size_t a = 0; a < d; ++a) point[a] = PositiveAxis(t, r, axes[a].c_str(), true);
    const auto [it, fresh] = seen.emplace(point, t.LineNumber(r));
    if (!fresh) {
      throw InputError(path + ":" + std::to_string(t.LineNumber(r)) +
                       ": duplicate grid point (line " + std::to_string(it->second) +
                       " has the same " + axes[0] + ", ...)");
    }
    coords.insert(coords.end(), point.begin(), point.end());
    seconds.push_back(TimeSeconds(t, r, "time_us"));
  }
  if (seconds.empty()) throw InputError(path + ": no rows; expected measurements");
  return NestedGrid(static_cast<int>(d), std::move(coords), std::move(seconds));
}

int LabelIndex(const CsvTable& t, size_t r, const char* column, const Axis& axis) {
  const std::string& s = t.Cell(r, column);
  for (size_t i = 0; i < axis.labels.size(); ++i)
    if (axis.labels[i] == s) return static_cast<int>(i);
  std::string all;
  for (const auto& l : axis.labels) all += (all.empty() ? "" : ", ") + l;
  throw InputError(t.Where(r, column) + ": unknown bucket '" + s +
                   "'; expected one of meta.yaml's labels: " + all);
}

SkewFit ReadSkewFit(const std::string& path, const MetaFull& m, double alpha_default) {
  const CsvTable t(path);
  t.RequireExactHeader(
      {"pc", "n_label", "skew_rate_label", "kv_big_label", "kp_label", "alpha", "n_samples"});
  SkewFit f;
  f.n_bins = m.n.bins;
  f.skew_rate_bins = m.skew_rate.bins;
  f.kv_big_bins = m.kv_big.bins;
  f.kp_bins = m.kp.bins;
  f.alpha_default = alpha_default;
  for (size_t r = 0; r < t.size(); ++r) f.pcs.push_back(PositiveAxis(t, r, "pc", true));
  std::sort(f.pcs.begin(), f.pcs.end());
  f.pcs.erase(std::unique(f.pcs.begin(), f.pcs.end()), f.pcs.end());
  const size_t nn = m.n.labels.size(), ns = m.skew_rate.labels.size(), nk = m.kv_big.labels.size(),
               nkp = m.kp.labels.size();
  f.alpha.assign(f.pcs.size() * nn * ns * nk * nkp, std::nan(""));
  for (size_t r = 0; r < t.size(); ++r) {
    const double pc = PositiveAxis(t, r, "pc", true);
    const size_t p = std::lower_bound(f.pcs.begin(), f.pcs.end(), pc) - f.pcs.begin();
    const size_t idx = (((p * nn + LabelIndex(t, r, "n_label", m.n)) * ns +
                         LabelIndex(t, r, "skew_rate_label", m.skew_rate)) *
                            nk +
                        LabelIndex(t, r, "kv_big_label", m.kv_big)) *
                           nkp +
                       LabelIndex(t, r, "kp_label", m.kp);
    if (!std::isnan(f.alpha[idx]))
      throw InputError(t.Where(r, "pc") + ": duplicate bucket (an earlier row has the same key)");
    f.alpha[idx] = t.RequiredNumber(r, "alpha");
    t.Integer(r, "n_samples");
  }
  return f;
}

std::string TpList(const std::vector<int>& tps) {
  std::string s;
  for (int t : tps) s += (s.empty() ? "" : ", ") + std::to_string(t);
  return s;
}

void RequireFile(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(path + ": missing file; a profile bundle's tp<N>/ folder needs it");
}

}  // namespace

std::string_view ProfileFormatName(const ProfileBundle& bundle) {
  return bundle.format == ProfileFormat::kVidur ? "vidur" : "llmservingsim";
}

ProfileBundleMeta ReadProfileBundleMeta(const std::string& dir) { return ReadMetaFull(dir).meta; }

ProfileBundle ReadProfileBundle(const std::string& dir, int tp) {
  const MetaFull m = ReadMetaFull(dir);
  ProfileBundle b;
  b.dir = dir;
  b.tp = tp;
  b.meta = m.meta;
  const std::string tp_dir = dir + "/tp" + std::to_string(tp);
  const auto& tps = m.meta.tp_degrees;
  if (std::find(tps.begin(), tps.end(), tp) == tps.end() ||
      !std::filesystem::is_directory(tp_dir)) {
    throw InputError(dir + ": no tp" + std::to_string(tp) + " folder for hardware.tp " +
                     std::to_string(tp) + " (profiled: " + TpList(tps) + ")");
  }
  for (const char* f : {"dense.csv", "per_sequence.csv", "attention.csv"})
    RequireFile(tp_dir + "/" + f);
  b.dense = ReadCurves(tp_dir + "/dense.csv", "tokens");
  b.per_sequence = ReadCurves(tp_dir + "/per_sequence.csv", "sequences");
  b.attention =
      ReadGrid(tp_dir + "/attention.csv", {"prefill_chunk", "kv_prefill", "n_decode", "kv_decode"});
  std::string moe = tp_dir + "/moe.csv";
  if (!std::filesystem::exists(moe)) moe = dir + "/tp1/moe.csv";
  if (std::filesystem::exists(moe)) b.moe = ReadGrid(moe, {"tokens", "activated_experts"});
  const std::string fit = tp_dir + "/skew_fit.csv";
  if (m.meta.skew_fit_enabled && std::filesystem::exists(fit)) {
    const auto it = m.alpha_default.find(tp);
    if (it == m.alpha_default.end()) {
      throw InputError(dir + "/meta.yaml: skew_fit.per_tp: no entry for TP " + std::to_string(tp) +
                       " although " + fit + " exists");
    }
    b.skew = ReadSkewFit(fit, m, it->second);
  }
  return b;
}

}  // namespace servesim
