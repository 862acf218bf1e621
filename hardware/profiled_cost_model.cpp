#include "hardware/profiled_cost_model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hardware/vidur_cost_model.h"
#include "hardware/vidur_profile.h"
#include "models/input_error.h"
#include "models/presets.h"

namespace servesim {
namespace {

// The dense layers of one decoder layer with their calls per layer, and of the step.
struct LayerUse {
  const char* name;
  int per_layer;  // calls per decoder layer (0: once per step)
};

std::vector<LayerUse> DenseLayersOf(const ModelSpec& m) {
  std::vector<LayerUse> out = {{"embedding", 0}, {"final_layernorm", 0}, {"layernorm", 2},
                               {"qkv_proj", 1},  {"rotary_emb", 1},      {"o_proj", 1}};
  if (m.qk_norm) out.push_back({"qk_norm", 1});
  if (!m.IsMoe()) {
    out.push_back({"gate_up_proj", 1});
    out.push_back({"act_fn", 1});
    out.push_back({"down_proj", 1});
  }
  return out;
}

bool IsKnownDenseLayer(const std::string& name) {
  for (const char* k : {"embedding", "final_layernorm", "layernorm", "qkv_proj", "rotary_emb",
                        "o_proj", "qk_norm", "gate_up_proj", "act_fn", "down_proj"}) {
    if (name == k) return true;
  }
  return false;
}

// "bf16" / "bf16-kvfp8" / "fp8-kvfp8": the weight-and-activation dtype and the KV dtype.
std::pair<DType, DType> VariantDTypes(const std::string& variant, const std::string& where) {
  const auto dash = variant.find('-');
  const std::string base = variant.substr(0, dash);
  const auto w = ParseDType(base);
  std::optional<DType> kv = w;
  if (dash != std::string::npos) {
    const std::string rest = variant.substr(dash + 1);
    kv = rest.rfind("kv", 0) == 0 ? ParseDType(rest.substr(2)) : std::nullopt;
  }
  if (!w || !kv) {
    throw InputError(where + ": variant '" + variant +
                     "': expected DTYPE or DTYPE-kvDTYPE (bf16, bf16-kvfp8, fp8-kvfp8)");
  }
  return {*w, *kv};
}

// The summed curve of `uses` over the union of their x grids.
MeasuredCurve SumCurves(const std::map<std::string, MeasuredCurve>& curves,
                        const std::vector<std::pair<std::string, double>>& uses) {
  MeasuredCurve out;
  for (const auto& [name, weight] : uses) {
    const auto& x = curves.at(name).x;
    out.x.insert(out.x.end(), x.begin(), x.end());
  }
  std::sort(out.x.begin(), out.x.end());
  out.x.erase(std::unique(out.x.begin(), out.x.end()), out.x.end());
  for (const double x : out.x) {
    double t = 0;
    for (const auto& [name, weight] : uses) t += weight * curves.at(name).At(x, nullptr);
    out.seconds.push_back(t);
  }
  return out;
}

// Values of `c` at 0, 1, ..., x.back() for direct indexing (0 at 0: nothing to run).
std::vector<double> Tabulate(const MeasuredCurve& c) {
  std::vector<double> t(static_cast<size_t>(c.x.back()) + 1, 0.0);
  for (size_t i = 1; i < t.size(); ++i) t[i] = c.At(static_cast<double>(i), nullptr);
  return t;
}

class ProfiledCostModel final : public CostModel {
 public:
  ProfiledCostModel(const ModelSpec& model, const DeviceSpec& device,
                    const CostModelOptions& options)
      : model_(model), device_(device), options_(options), bundle_(options.profile) {
    CostModelOptions plain = options;
    plain.runtime = RuntimeOverheads{};
    plain.profile.reset();
    roofline_ = MakeRooflineCostModel(model, device, plain);
    const auto [w, kv] = VariantDTypes(bundle_->meta.variant, bundle_->dir + "/meta.yaml");
    if (model.weight_dtype != w || model.activation_dtype != w || model.kv_dtype != kv) {
      ModelSpec native = model;
      native.weight_dtype = native.activation_dtype = w;
      native.kv_dtype = kv;
      roofline_native_ = MakeRooflineCostModel(native, device, plain);
    }
    BuildTables();
  }

  StepCost PriceStep(const BatchShape& batch) const override { return Price(batch, nullptr); }
  StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const override {
    return Price(batch, &ops);
  }
  const ModelSpec& model() const override { return model_; }
  const DeviceSpec& device() const override { return device_; }
  const CostModelOptions& options() const override { return options_; }

 private:
  void BuildTables() {
    const ProfileBundle& b = *bundle_;
    for (const auto& [name, curve] : b.dense) {
      if (!IsKnownDenseLayer(name)) {
        throw InputError(b.dir + "/tp" + std::to_string(b.tp) + "/dense.csv: layer '" + name +
                         "' is not one this cost model knows (embedding, layernorm, qkv_proj, "
                         "qk_norm, rotary_emb, o_proj, gate_up_proj, act_fn, down_proj, "
                         "final_layernorm)");
      }
    }
    std::vector<std::pair<std::string, double>> uses;
    for (const LayerUse& u : DenseLayersOf(model_)) {
      if (!b.dense.count(u.name)) {
        throw InputError(b.dir + "/tp" + std::to_string(b.tp) + "/dense.csv: no layer '" + u.name +
                         "', which model " + model_.name + " runs");
      }
      uses.emplace_back(
          u.name, u.per_layer == 0 ? 1.0 : static_cast<double>(u.per_layer * model_.num_layers));
    }
    dense_ = SumCurves(b.dense, uses);
    dense_table_ = Tabulate(dense_);
    for (const char* name : {"lm_head", "sampler"}) {
      if (!b.per_sequence.count(name)) {
        throw InputError(b.dir + "/tp" + std::to_string(b.tp) + "/per_sequence.csv: no layer '" +
                         name + "'");
      }
    }
    logits_ = SumCurves(b.per_sequence, {{"lm_head", 1.0}, {"sampler", 1.0}});
    logits_table_ = Tabulate(logits_);
    if (model_.IsMoe() && !b.moe) {
      throw InputError(b.dir + ": no moe.csv (in tp" + std::to_string(b.tp) +
                       "/ or tp1/), which MoE model " + model_.name + " needs");
    }
    // The attention kernel's fixed cost: the smallest prompt chunk over nothing cached.
    const std::vector<double> chunks = b.attention.FirstAxis();
    const auto first = std::upper_bound(chunks.begin(), chunks.end(), 0.0);
    if (first != chunks.end()) {
      const double smallest[4] = {*first, 0, 0, 0};
      kernel_floor_s_ = b.attention.At(smallest, nullptr);
    }
  }

  double Dense(int64_t tokens, bool* outside) const {
    if (tokens < static_cast<int64_t>(dense_table_.size())) return dense_table_[tokens];
    return dense_.At(static_cast<double>(tokens), outside);
  }

  double Logits(int64_t seqs, bool* outside) const {
    if (seqs <= 0) return 0;
    if (seqs < static_cast<int64_t>(logits_table_.size())) return logits_table_[seqs];
    return logits_.At(static_cast<double>(seqs), outside);
  }

  // One layer's attention kernel for the batch.
  double Attention(const BatchShape& b, bool* outside) const {
    const NestedGrid& grid = bundle_->attention;
    const double k = static_cast<double>(b.prefill_seqs);
    double chunk = 0, kv_prefill = 0;
    if (k > 0) {
      chunk = static_cast<double>(b.prefill_tokens) / k;
      kv_prefill = std::max(0.0, (b.prefill_pairs / k - chunk * (chunk + 1) / 2) / chunk);
    }
    const double n = static_cast<double>(b.decode_seqs);
    const double kv_mean = n > 0 ? static_cast<double>(b.decode_context_tokens) / n : 0;
    double q[4] = {chunk, kv_prefill, n, kv_mean};
    double t = grid.At(q, outside);
    const double kv_max = static_cast<double>(b.decode_max_context);
    if (n > 1 && bundle_->skew && kv_max > kv_mean + 0.5) {
      q[3] = kv_max;
      const double t_max = grid.At(q, outside);
      const double kv_min = static_cast<double>(b.decode_min_context);
      const double skew_rate = (kv_mean - kv_min) / (kv_max - kv_min);
      t += bundle_->skew->Alpha(chunk, n, skew_rate, kv_max, kv_prefill) * (t_max - t);
    }
    if (k > 1) {
      const double alone[4] = {chunk, kv_prefill, 0, 0};
      t += (k - 1) * std::max(0.0, grid.At(alone, outside) - kernel_floor_s_);
    }
    return std::max(0.0, t);
  }

  // One layer's MoE block: tokens over the distinct experts top-k routing is expected to touch.
  double Moe(const BatchShape& b, bool* outside) const {
    const double e = static_cast<double>(model_.num_experts);
    const double k = static_cast<double>(model_.experts_per_token);
    const double tokens = static_cast<double>(b.new_tokens);
    const double experts = e * (1.0 - std::pow(1.0 - k / e, tokens));
    const double q[2] = {tokens, std::max(k, experts)};
    const double t = bundle_->moe->At(q, outside);
    if (options_.tp > 1) *outside = true;  // TP 1 kernels, split over the ranks
    return t / options_.tp;
  }

  StepCost Price(const BatchShape& batch, std::vector<OpCost>* ops) const {
    if (batch.new_tokens <= 0) {
      if (ops) ops->clear();
      return StepCost{};
    }
    const StepCost roof =
        ops ? roofline_->PriceStepDetailed(batch, *ops) : roofline_->PriceStep(batch);
    const double layers = static_cast<double>(model_.num_layers);
    double outside_s = 0;
    double table_s = 0;
    // Each part with whether its lookup left the measured grid (evaluated before it is added).
    auto add = [&](double t, bool outside) {
      table_s += t;
      if (outside) outside_s += t;
    };
    bool o = false;
    const double dense = Dense(batch.new_tokens, &o);
    add(dense, o);
    o = false;
    const double attention = layers * Attention(batch, &o);
    add(attention, o);
    if (model_.IsMoe()) {
      o = false;
      const double moe = layers * Moe(batch, &o);
      add(moe, o);
    }
    o = false;
    const double logits = Logits(batch.logit_tokens, &o);
    add(logits, o);
    if (roofline_native_) {  // other dtypes: scale by the roofline's ratio
      const StepCost native = roofline_native_->PriceStep(batch);
      const double ratio = (roof.device_s - roof.network_s) / (native.device_s - native.network_s);
      table_s *= ratio;
      outside_s = table_s;
    }
    const double device_s = table_s + roof.network_s;
    outside_s += roof.network_s;
    double launch_s = 0, overhead_s = 0;
    const double seconds =
        ComposeStepSeconds(device_s, roof.kernels, batch, options_.runtime, &launch_s, &overhead_s);
    const double scale = roof.device_s > 0 ? device_s / roof.device_s : 0;
    if (ops) {
      for (OpCost& op : *ops) op.seconds *= scale;
    }
    const double cpu_s = options_.runtime.overlap_cpu ? launch_s + overhead_s : launch_s;
    return StepCost{.seconds = seconds,
                    .device_s = device_s,
                    .launch_s = launch_s,
                    .overhead_s = overhead_s,
                    .flops = roof.flops,
                    .bytes = roof.bytes,
                    .compute_s = roof.compute_s * scale,
                    .memory_s = roof.memory_s * scale,
                    .network_s = roof.network_s,
                    .kernels = roof.kernels,
                    .bound = cpu_s > device_s ? Bound::kOverhead : roof.bound,
                    .outside_s = outside_s};
  }

  ModelSpec model_;
  DeviceSpec device_;
  CostModelOptions options_;
  std::shared_ptr<const ProfileBundle> bundle_;
  std::unique_ptr<CostModel> roofline_;         // the model's dtypes, no engine overheads
  std::unique_ptr<CostModel> roofline_native_;  // the bundle's dtypes, when they differ
  MeasuredCurve dense_;                         // one step's dense layers by new tokens
  std::vector<double> dense_table_;             // the same at 0, 1, ..., its last grid point
  MeasuredCurve logits_;                        // LM head + sampler by sequences
  std::vector<double> logits_table_;
  double kernel_floor_s_ = 0;
};

void Mismatch(const std::string& source, const std::string& what, int64_t expected, int64_t found) {
  throw InputError(source + ": the bundle was profiled for another model: " + what + " " +
                   std::to_string(found) + ", the scenario's model has " +
                   std::to_string(expected));
}

}  // namespace

std::shared_ptr<const ProfileBundle> LoadProfileFor(const std::string& dir, const ModelSpec& model,
                                                    int tp, const std::string& source,
                                                    const std::string& format) {
  if (format != "" && format != "llmservingsim" && format != "vidur") {
    throw std::logic_error("unknown profile format " + format);  // the key reader checks it
  }
  std::error_code ec;
  const bool vidur =
      format == "vidur" || (format.empty() && !std::filesystem::exists(dir + "/meta.yaml", ec) &&
                            LooksLikeVidurProfile(dir));
  if (vidur) {
    auto bundle = std::make_shared<ProfileBundle>();
    bundle->dir = dir;
    bundle->tp = tp;
    bundle->format = ProfileFormat::kVidur;
    bundle->vidur = std::make_shared<const VidurProfile>(ReadVidurProfile(dir, model, tp));
    return bundle;
  }
  auto bundle = std::make_shared<ProfileBundle>(ReadProfileBundle(dir, tp));
  const ProfileBundleMeta& m = bundle->meta;
  const int64_t top = *std::max_element(m.tp_degrees.begin(), m.tp_degrees.end());
  const std::string where = source + " " + dir;
  if (m.rank_heads * top != model.num_heads)
    Mismatch(where, "attention heads", model.num_heads, m.rank_heads * top);
  if (std::max<int64_t>(1, model.num_kv_heads / top) != m.rank_kv_heads)
    Mismatch(where, "KV heads per rank at TP " + std::to_string(top),
             std::max<int64_t>(1, model.num_kv_heads / top), m.rank_kv_heads);
  if (m.rank_vocab * top != model.vocab_size)
    Mismatch(where, "vocabulary", model.vocab_size, m.rank_vocab * top);
  if (!model.IsMoe() && m.rank_intermediate * top != model.intermediate_size)
    Mismatch(where, "intermediate size", model.intermediate_size, m.rank_intermediate * top);
  if (model.IsMoe() != bundle->moe.has_value()) {
    throw InputError(where + ": the bundle was profiled for another model: " +
                     (bundle->moe ? "it has MoE tables, the scenario's model is dense"
                                  : "it has no MoE tables, the scenario's model is MoE"));
  }
  if (model.qk_norm != (bundle->dense.count("qk_norm") > 0)) {
    throw InputError(where + ": the bundle was profiled for another model: qk_norm layer " +
                     (model.qk_norm ? "absent" : "present") + ", the scenario's model has " +
                     (model.qk_norm ? "one" : "none"));
  }
  if (const ModelPreset* p = FindModelPreset(m.model)) {
    if (p->spec.num_layers != model.num_layers)
      Mismatch(where + " (" + m.model + ")", "layers", model.num_layers, p->spec.num_layers);
    if (p->spec.hidden_size != model.hidden_size)
      Mismatch(where + " (" + m.model + ")", "hidden size", model.hidden_size, p->spec.hidden_size);
  }
  return bundle;
}

std::unique_ptr<CostModel> MakeProfiledCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options) {
  if (!options.profile) throw std::logic_error("profiled cost model without a profile");
  if (options.profile->format == ProfileFormat::kVidur)
    return MakeVidurCostModel(model, device, options);
  return std::make_unique<ProfiledCostModel>(model, device, options);
}

std::unique_ptr<CostModel> MakeCostModel(const ModelSpec& model, const DeviceSpec& device,
                                         const CostModelOptions& options) {
  return options.profile ? MakeProfiledCostModel(model, device, options)
                         : MakeRooflineCostModel(model, device, options);
}

}  // namespace servesim
