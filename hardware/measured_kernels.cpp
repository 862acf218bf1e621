#include "hardware/measured_kernels.h"

#include <algorithm>
#include <filesystem>

#include "hardware/csv_table.h"
#include "hardware/profile_bundle.h"
#include "models/dtype.h"
#include "models/input_error.h"
#include "models/presets.h"

namespace servesim {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Bundle layer -> operator of the cost model; kCount when the cost model has none.
OpId BundleLayerOp(const std::string& layer) {
  static const std::pair<const char*, OpId> kLayers[] = {
      {"embedding", OpId::kEmbed},         {"layernorm", OpId::kNorm},
      {"final_layernorm", OpId::kNorm},    {"qkv_proj", OpId::kQkvProj},
      {"rotary_emb", OpId::kRope},         {"o_proj", OpId::kOProj},
      {"gate_up_proj", OpId::kGateUpProj}, {"act_fn", OpId::kAct},
      {"down_proj", OpId::kDownProj},      {"lm_head", OpId::kLmHead}};
  for (const auto& [name, op] : kLayers) {
    if (layer == name) return op;
  }
  return OpId::kCount;
}

ModelSpec BundleModel(const std::string& dir, const ProfileBundleMeta& meta) {
  const ModelPreset* preset = FindModelPreset(meta.model);
  if (!preset) {
    throw InputError(
        dir + "/meta.yaml: model '" + meta.model +
        "' is not a model preset (servesim list models); calibration needs its shapes");
  }
  ModelSpec model = preset->spec;
  const std::string base = meta.variant.substr(0, meta.variant.find('-'));
  const auto dtype = ParseDType(base);
  if (!dtype)
    throw InputError(dir + "/meta.yaml: variant '" + meta.variant + "': unknown dtype '" + base +
                     "'");
  model.weight_dtype = model.activation_dtype = model.kv_dtype = *dtype;
  return model;
}

void AddCurveRows(const std::string& where, const ModelSpec& model, int tp, OpId op,
                  bool per_sequence, const MeasuredCurve& curve, std::vector<OpMeasurement>& out) {
  for (size_t i = 0; i < curve.x.size(); ++i) {
    const int64_t n = static_cast<int64_t>(curve.x[i]);
    if (n <= 0 || !(curve.seconds[i] > 0)) continue;
    OpMeasurement m;
    m.model = model;
    m.tp = tp;
    if (per_sequence) {
      for (int64_t s = 0; s < n; ++s) m.batch.Add(1, 0, true);
    } else {
      m.batch.Add(n, 0, false);
    }
    m.op = op;
    m.measured_s = curve.seconds[i];
    m.label = where + " " + std::string(OpName(op)) + (per_sequence ? " sequences=" : " tokens=") +
              std::to_string(n);
    out.push_back(std::move(m));
  }
}

void AddAttentionRows(const std::string& path, const ModelSpec& model, int tp,
                      std::vector<OpMeasurement>& out) {
  const CsvTable t(path);
  t.RequireExactHeader({"prefill_chunk", "kv_prefill", "n_decode", "kv_decode", "time_us"});
  for (size_t r = 0; r < t.size(); ++r) {
    const int64_t chunk = t.Integer(r, "prefill_chunk"), kv_prefill = t.Integer(r, "kv_prefill");
    const int64_t decodes = t.Integer(r, "n_decode"), kv_decode = t.Integer(r, "kv_decode");
    const double us = t.RequiredNumber(r, "time_us");
    // Only pure prefill and pure decode rows: see ReadBundleOps.
    if (chunk + decodes == 0 || (chunk > 0 && decodes > 0) || !(us > 0)) continue;
    OpMeasurement m;
    m.model = model;
    m.tp = tp;
    if (chunk > 0) m.batch.Add(chunk, kv_prefill, true);
    for (int64_t i = 0; i < decodes; ++i) m.batch.Add(1, kv_decode, true);
    m.op = OpId::kAttention;
    m.measured_s = us * 1e-6;
    m.label = path + ":" + std::to_string(t.LineNumber(r)) +
              " attention chunk=" + std::to_string(chunk) + " kv=" + std::to_string(kv_prefill) +
              " decodes=" + std::to_string(decodes) + " kv=" + std::to_string(kv_decode);
    out.push_back(std::move(m));
  }
}

}  // namespace

std::vector<OpMeasurement> ReadBundleOps(const std::string& dir, const DeviceSpec& device) {
  const ProfileBundleMeta meta = ReadProfileBundleMeta(dir);
  if (!meta.gpu.empty() && device.description.rfind(meta.gpu, 0) != 0) {
    throw InputError(dir + "/meta.yaml: gpu '" + meta.gpu + "' was profiled, not device " +
                     device.name + " (" + device.description + ")");
  }
  const ModelSpec model = BundleModel(dir, meta);
  std::vector<OpMeasurement> out;
  for (int tp : meta.tp_degrees) {
    ValidateTensorParallel(model, tp, dir + "/meta.yaml: tp_degrees");
    const ProfileBundle b = ReadProfileBundle(dir, tp);
    const std::string where = dir + "/tp" + std::to_string(tp);
    for (const auto& [layer, curve] : b.dense) {
      const OpId op = BundleLayerOp(layer);
      if (op != OpId::kCount) AddCurveRows(where + "/dense.csv", model, tp, op, false, curve, out);
    }
    const auto lm = b.per_sequence.find("lm_head");
    if (lm != b.per_sequence.end())
      AddCurveRows(where + "/per_sequence.csv", model, tp, OpId::kLmHead, true, lm->second, out);
    AddAttentionRows(where + "/attention.csv", model, tp, out);
  }
  return out;
}

std::vector<OpMeasurement> ReadVidurFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(dir + ": not a folder of kernel measurements");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<OpMeasurement> out;
  bool any = false;
  for (const std::string& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    std::vector<OpMeasurement> rows;
    if (EndsWith(name, "_ops.csv")) {
      rows = ReadVidurOpsCsv(path);
    } else if (name.rfind("attention", 0) == 0 && EndsWith(name, ".csv")) {
      rows = ReadVidurAttentionCsv(path);
    } else {
      continue;
    }
    any = true;
    out.insert(out.end(), rows.begin(), rows.end());
  }
  if (!any) {
    throw InputError(dir +
                     ": no kernel measurements (expected meta.yaml of a profile bundle, or Vidur "
                     "*_ops.csv / attention*.csv files)");
  }
  return out;
}

std::vector<OpMeasurement> ReadKernelFolder(const std::string& dir, const DeviceSpec& device) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(dir) / "meta.yaml", ec))
    return ReadBundleOps(dir, device);
  return ReadVidurFolder(dir);
}

}  // namespace servesim
