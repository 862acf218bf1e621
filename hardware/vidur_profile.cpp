#include "hardware/vidur_profile.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include "hardware/csv_table.h"
#include "models/input_error.h"

namespace servesim {
namespace {

namespace fs = std::filesystem;

constexpr double kMs = 1e-3;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Regular files of `dir` whose names pass `keep`, in name order.
std::vector<std::string> FilesOf(const std::string& dir, bool (*keep)(const std::string&)) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file(ec) && keep(name)) out.push_back((fs::path(dir) / name).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsOpsName(const std::string& name) { return EndsWith(name, "_ops.csv"); }
bool IsAttentionName(const std::string& name) {
  return name.rfind("attention", 0) == 0 && EndsWith(name, ".csv");
}

struct ShapeColumn {
  const char* name;
  int64_t VidurShape::*field;
};
constexpr ShapeColumn kShapeColumns[] = {{"n_head", &VidurShape::n_head},
                                         {"n_kv_head", &VidurShape::n_kv_head},
                                         {"n_embd", &VidurShape::n_embd},
                                         {"n_expanded_embd", &VidurShape::n_expanded_embd}};

void RequireOpsColumns(const CsvTable& t) {
  for (const auto& c : kShapeColumns) t.Require(c.name);
  for (const char* c : {"vocab_size", "use_gated_mlp", "num_tokens", "num_tensor_parallel_workers"})
    t.Require(c);
}

// "" when row `r` has `want`'s shape, else "file:LINE: column 'c': expected X (model M), found Y".
std::string ShapeMismatch(const CsvTable& t, size_t r, const VidurShape& want,
                          const std::string& model) {
  for (const auto& c : kShapeColumns) {
    if (t.Integer(r, c.name) != want.*c.field) {
      return t.Where(r, c.name) + ": expected " + std::to_string(want.*c.field) + " (model " +
             model + "), found " + t.Cell(r, c.name);
    }
  }
  if (t.Bool(r, "use_gated_mlp") != want.use_gated_mlp) {
    return t.Where(r, "use_gated_mlp") + ": expected " + (want.use_gated_mlp ? "True" : "False") +
           " (model " + model + "), found " + t.Cell(r, "use_gated_mlp");
  }
  return "";
}

std::string DescribeShape(const CsvTable& t, size_t r) {
  std::string s;
  for (const auto& c : kShapeColumns) s += (s.empty() ? "" : " ") + t.Cell(r, c.name);
  return s + (t.Bool(r, "use_gated_mlp") ? " gated" : " plain");
}

// The ops table for `model`: `path` itself, or the first `*_ops.csv` of folder `path` whose
// first row has its shape.
std::string PickOpsTable(const std::string& path, const VidurShape& want, const ModelSpec& model) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return path;
  const std::vector<std::string> files = FilesOf(path, IsOpsName);
  std::string found;
  for (const std::string& f : files) {
    const CsvTable t(f);
    RequireOpsColumns(t);
    if (t.size() == 0) continue;
    if (ShapeMismatch(t, 0, want, model.name).empty()) return f;
    found += (found.empty() ? "" : "; ") + fs::path(f).filename().string() + " (" +
             DescribeShape(t, 0) + ")";
  }
  throw InputError(path + ": no *_ops.csv of model " + model.name + " (n_head n_kv_head n_embd " +
                   "n_expanded_embd: expected " + std::to_string(want.n_head) + " " +
                   std::to_string(want.n_kv_head) + " " + std::to_string(want.n_embd) + " " +
                   std::to_string(want.n_expanded_embd) +
                   (want.use_gated_mlp ? " gated" : " plain") + ", found " +
                   (found.empty() ? "no tables" : found) + ")");
}

// Averages of repeated measurements at one point, then the curve over the points.
using PointSums = std::map<double, std::pair<double, int>>;
MeasuredCurve CurveOf(const PointSums& sums) {
  MeasuredCurve c;
  for (const auto& [x, s] : sums) {
    c.x.push_back(x);
    c.seconds.push_back(s.first / s.second);
  }
  return c;
}

double PositiveMs(const CsvTable& t, size_t r, const std::string& column) {
  const double ms = t.RequiredNumber(r, column);
  if (!(ms > 0))
    throw InputError(t.Where(r, column) + ": expected a time > 0 ms, found " + t.Cell(r, column));
  return ms * kMs;
}

// The operators `model` runs that an ops table must have.
bool RequiredOp(const std::string& op, const ModelSpec& model) {
  if (op == "emb") return false;  // the roofline prices it when absent
  if (op == "post_attention_layernorm") return !model.parallel_attn_mlp;
  if (op == "attn_rope") return model.learned_position_rows == 0;
  return true;
}

std::string TpList(const std::set<int64_t>& tps) {
  std::string s;
  for (int64_t t : tps) s += (s.empty() ? "" : ", ") + std::to_string(t);
  return s;
}

void ReadOps(const std::string& path, const VidurShape& want, const ModelSpec& model, int tp,
             VidurProfile& out) {
  const CsvTable t(path);
  RequireOpsColumns(t);
  std::map<std::string, PointSums> sums;
  std::set<int64_t> tps;
  for (size_t r = 0; r < t.size(); ++r) {
    if (const std::string bad = ShapeMismatch(t, r, want, model.name); !bad.empty())
      throw InputError(bad);
    const int64_t row_tp = t.Integer(r, "num_tensor_parallel_workers");
    tps.insert(row_tp);
    if (row_tp != tp) continue;
    const int64_t tokens = t.Integer(r, "num_tokens");
    if (tokens <= 0)
      throw InputError(t.Where(r, "num_tokens") + ": expected a positive integer, found 0");
    for (const char* op : kVidurOps) {
      const std::string col = std::string("time_stats.") + op + ".median";
      if (!t.Has(col) || t.Cell(r, col).empty()) continue;  // no measurement
      auto& s = sums[op][static_cast<double>(tokens)];
      s.first += PositiveMs(t, r, col);
      ++s.second;
    }
  }
  if (!tps.count(tp)) {
    throw InputError(path + ": no rows with num_tensor_parallel_workers " + std::to_string(tp) +
                     " for hardware.tp " + std::to_string(tp) + " (profiled: " + TpList(tps) + ")");
  }
  for (const char* op : kVidurOps) {
    if (sums.count(op)) {
      out.ops[op] = CurveOf(sums[op]);
    } else if (RequiredOp(op, model)) {
      throw InputError(path + ": no measurement in column 'time_stats." + std::string(op) +
                       ".median' at num_tensor_parallel_workers " + std::to_string(tp) +
                       ", which model " + model.name + " runs");
    }
  }
}

NestedGrid GridOf(const std::map<std::pair<double, double>, std::pair<double, int>>& sums) {
  std::vector<double> coords, seconds;
  for (const auto& [key, s] : sums) {
    coords.push_back(key.first);
    coords.push_back(key.second);
    seconds.push_back(s.first / s.second);
  }
  return NestedGrid(2, std::move(coords), std::move(seconds));
}

// The rows of one attention table with the model's heads at `tp`; false when it has none.
bool ReadAttention(const std::string& path, const ModelSpec& model, int tp, VidurProfile& out) {
  const CsvTable t(path);
  for (const char* c : {"n_embd", "n_q_head", "n_kv_head", "num_tensor_parallel_workers",
                        "batch_size", "prefill_chunk_size", "kv_cache_size", "is_prefill"}) {
    t.Require(c);
  }
  std::map<std::pair<double, double>, std::pair<double, int>> decode, prefill;
  for (size_t r = 0; r < t.size(); ++r) {
    if (t.Integer(r, "n_embd") != model.hidden_size ||
        t.Integer(r, "n_q_head") != model.num_heads ||
        t.Integer(r, "n_kv_head") != model.num_kv_heads ||
        t.Integer(r, "num_tensor_parallel_workers") != tp) {
      continue;
    }
    const bool is_prefill = t.Bool(r, "is_prefill");
    const char* axis = is_prefill ? "prefill_chunk_size" : "batch_size";
    const int64_t x = t.Integer(r, axis);
    if (x <= 0) throw InputError(t.Where(r, axis) + ": expected a positive integer, found 0");
    const double kv = static_cast<double>(t.Integer(r, "kv_cache_size"));
    const double s = PositiveMs(
        t, r, is_prefill ? "time_stats.attn_prefill.median" : "time_stats.attn_decode.median");
    auto& sum = (is_prefill ? prefill : decode)[{static_cast<double>(x), kv}];
    sum.first += s;
    ++sum.second;
  }
  if (decode.empty() && prefill.empty()) return false;
  out.attention_path = path;
  if (!decode.empty()) out.decode = GridOf(decode);
  if (!prefill.empty()) out.prefill = GridOf(prefill);
  return true;
}

}  // namespace

VidurShape VidurShapeOf(const ModelSpec& m) {
  return VidurShape{m.num_heads,         m.num_kv_heads, m.hidden_size,
                    m.intermediate_size, m.vocab_size,   m.gated_ffn};
}

bool LooksLikeVidurProfile(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return IsOpsName(fs::path(path).filename().string());
  return fs::is_directory(path, ec) && !FilesOf(path, IsOpsName).empty();
}

VidurProfile ReadVidurProfile(const std::string& path, const ModelSpec& model, int tp) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": no such file or folder");
  if (model.IsMoe()) {
    throw InputError(path + ": Vidur's tables profile dense layers; model " + model.name +
                     " is MoE (use an LLMServingSim bundle with moe.csv)");
  }
  const VidurShape want = VidurShapeOf(model);
  VidurProfile p;
  p.tp = tp;
  p.ops_path = PickOpsTable(path, want, model);
  ReadOps(p.ops_path, want, model, tp, p);
  const std::string dir =
      fs::is_directory(path, ec) ? path : fs::path(p.ops_path).parent_path().string();
  for (const std::string& f : FilesOf(dir.empty() ? "." : dir, IsAttentionName)) {
    if (ReadAttention(f, model, tp, p)) break;
  }
  return p;
}

}  // namespace servesim
