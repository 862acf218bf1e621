#include "hardware/vidur_cost_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "hardware/vidur_profile.h"

namespace servesim {
namespace {

bool Is16Bit(DType d) { return d == DType::kFp16 || d == DType::kBf16; }

// One operator's step time over new tokens: its Vidur curves with their calls per step.
struct OpTable {
  std::vector<std::pair<const MeasuredCurve*, double>> uses;
  std::vector<double> table;  // at 0, 1, ..., the last grid point shared by all uses
  double At(int64_t tokens, bool* outside) const {
    if (tokens < static_cast<int64_t>(table.size())) return table[tokens];
    double t = 0;
    for (const auto& [curve, weight] : uses)
      t += weight * curve->At(static_cast<double>(tokens), outside);
    return t;
  }
};

class VidurCostModel final : public CostModel {
 public:
  VidurCostModel(const ModelSpec& model, const DeviceSpec& device, const CostModelOptions& options)
      : model_(model), device_(device), options_(options), profile_(options.profile->vidur) {
    CostModelOptions plain = options;
    plain.runtime = RuntimeOverheads{};
    plain.profile.reset();
    roofline_ = MakeRooflineCostModel(model, device, plain);
    if (!Is16Bit(model.weight_dtype) || !Is16Bit(model.activation_dtype) ||
        !Is16Bit(model.kv_dtype)) {
      ModelSpec native = model;
      native.weight_dtype = native.activation_dtype = native.kv_dtype = DType::kFp16;
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
  void Use(OpId id, const char* op, double calls) {
    const auto it = profile_->ops.find(op);
    if (it == profile_->ops.end() || calls <= 0) return;
    tables_[static_cast<size_t>(id)].uses.emplace_back(&it->second, calls);
  }

  void BuildTables() {
    const double L = static_cast<double>(model_.num_layers);
    Use(OpId::kEmbed, "emb", 1);
    Use(OpId::kNorm, "input_layernorm", L + 1);  // + the final norm, the same kernel and shape
    if (!model_.parallel_attn_mlp) Use(OpId::kNorm, "post_attention_layernorm", L);
    Use(OpId::kQkvProj, "attn_pre_proj", L);
    Use(OpId::kRope, "attn_rope", L);
    Use(OpId::kOProj, "attn_post_proj", L);
    Use(OpId::kResidualAdd, "add", 2 * L);
    Use(model_.gated_ffn ? OpId::kGateUpProj : OpId::kUpProj, "mlp_up_proj", L);
    Use(OpId::kAct, "mlp_act", L);
    Use(OpId::kDownProj, "mlp_down_proj", L);
    for (OpTable& t : tables_) {
      if (t.uses.empty()) continue;
      double last = INFINITY;
      for (const auto& [curve, w] : t.uses) last = std::min(last, curve->x.back());
      t.table.assign(static_cast<size_t>(last) + 1, 0.0);
      for (size_t i = 1; i < t.table.size(); ++i) {
        for (const auto& [curve, w] : t.uses)
          t.table[i] += w * curve->At(static_cast<double>(i), nullptr);
      }
    }
    if (profile_->prefill) {
      const std::vector<double> chunks = profile_->prefill->FirstAxis();
      const double smallest[2] = {chunks.front(), 0};
      kernel_floor_s_ = profile_->prefill->At(smallest, nullptr);
    }
  }

  // One layer's attention, or -1 when a part the batch needs has no table.
  double Attention(const BatchShape& b, bool* outside) const {
    double t = 0;
    if (b.decode_seqs > 0) {
      if (!profile_->decode) return -1;
      const double n = static_cast<double>(b.decode_seqs);
      const double q[2] = {n, static_cast<double>(b.decode_context_tokens) / n};
      t += profile_->decode->At(q, outside);
    }
    if (b.prefill_seqs > 0) {
      if (!profile_->prefill) return -1;
      const double k = static_cast<double>(b.prefill_seqs);
      const double chunk = static_cast<double>(b.prefill_tokens) / k;
      const double kv = std::max(0.0, (b.prefill_pairs / k - chunk * (chunk + 1) / 2) / chunk);
      const double q[2] = {chunk, kv};
      const double one = profile_->prefill->At(q, outside);
      t += one + (k - 1) * std::max(0.0, one - kernel_floor_s_);
    }
    return t;
  }

  // Operator `op`'s time from the tables (*measured true), else its roofline time.
  double OpSeconds(const OpCost& op, const BatchShape& batch, bool* measured, bool* outside) const {
    const OpId id = op.work.id;
    if (id == OpId::kAttention) {
      const double a = Attention(batch, outside);
      *measured = a >= 0;
      return *measured ? a * static_cast<double>(model_.num_layers) : op.seconds;
    }
    const OpTable& t = tables_[static_cast<size_t>(id)];
    *measured = !t.uses.empty();
    return *measured ? t.At(batch.new_tokens, outside) : op.seconds;
  }

  StepCost Price(const BatchShape& batch, std::vector<OpCost>* ops) const {
    if (ops) ops->clear();
    if (batch.new_tokens <= 0) return StepCost{};
    const StepCost roof = roofline_->PriceStepDetailed(batch, scratch_);
    if (roofline_native_) roofline_native_->PriceStepDetailed(batch, native_);
    double device_s = 0, outside_s = 0;
    for (size_t i = 0; i < scratch_.size(); ++i) {
      const OpCost& op = scratch_[i];
      bool measured = false, outside = false;
      double t = OpSeconds(op, batch, &measured, &outside);
      if (measured && roofline_native_ && native_[i].seconds > 0) {
        t *= op.seconds / native_[i].seconds;  // other dtypes: the roofline's ratio
        outside = true;
      }
      device_s += t;
      if (!measured || outside) outside_s += t;
      if (ops) {
        OpCost c = op;
        const double f = op.seconds > 0 ? t / op.seconds : 0;
        c.compute_s *= f;
        c.memory_s *= f;
        c.seconds = t;
        c.measured = measured && !outside;
        ops->push_back(c);
      }
    }
    double launch_s = 0, overhead_s = 0;
    const double seconds =
        ComposeStepSeconds(device_s, roof.kernels, batch, options_.runtime, &launch_s, &overhead_s);
    const double scale = roof.device_s > 0 ? device_s / roof.device_s : 0;
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
  std::shared_ptr<const VidurProfile> profile_;
  std::unique_ptr<CostModel> roofline_;         // the model's dtypes, no engine overheads
  std::unique_ptr<CostModel> roofline_native_;  // fp16, when the model's dtypes differ
  std::array<OpTable, static_cast<size_t>(OpId::kCount)> tables_;
  double kernel_floor_s_ = 0;
  mutable std::vector<OpCost> scratch_, native_;  // per-step roofline operators (reused)
};

}  // namespace

std::unique_ptr<CostModel> MakeVidurCostModel(const ModelSpec& model, const DeviceSpec& device,
                                              const CostModelOptions& options) {
  if (!options.profile || !options.profile->vidur)
    throw std::logic_error("Vidur cost model without a Vidur profile");
  return std::make_unique<VidurCostModel>(model, device, options);
}

}  // namespace servesim
