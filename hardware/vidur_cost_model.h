// Pricing steps from Vidur's profiling tables (hardware/vidur_profile.h) of the scenario's model
// at its TP degree.
//
// Models, per step on one device, operator by operator (the roofline's operator list,
// models/arithmetic.h): embedding (`emb`), norms (`input_layernorm` per layer and once more for
// the final norm, `post_attention_layernorm` per layer), QKV (`attn_pre_proj`), rotary
// (`attn_rope`), O (`attn_post_proj`), the two residual adds of a layer (`add`), gate-up or up
// (`mlp_up_proj`), activation (`mlp_act`), down (`mlp_down_proj`), each at the step's new tokens;
// attention per layer as Vidur splits it: the decodes from the decode grid at (decodes, their mean
// KV length; Vidur rounds that mean up to its prediction granularity, here it is interpolated),
// the prompt chunks from the prefill grid at (mean chunk, its mean KV history), k chunks priced as
// k lookups less k - 1 times the kernel's fixed cost (the smallest profiled chunk over no
// history; Vidur instead looks up (sum of KV, root of the summed squared chunks), which counts the
// KV term of k equal chunks sqrt(k) times over), decode and prefill added as separate kernels.
// Vidur's batching-overhead fractions (a configured 10 % on GQA batches) are not applied: they
// are not measurements. What the tables lack comes from the roofline (hardware/cost_model.h) and
// is counted in StepCost::outside_s: the LM head, tensor-parallel all-reduces, attention when no
// attention table has the model's heads at this TP, lookups outside a grid (clamped below,
// extrapolated above), other dtypes than the tables' fp16 (the table time scaled by the
// roofline's ratio). Engine overheads compose as for the roofline (ComposeStepSeconds).
// Ignores: per-request variation inside a step beyond the mean context, the KV-cache save kernel.
#ifndef SERVESIM_HARDWARE_VIDUR_COST_MODEL_H_
#define SERVESIM_HARDWARE_VIDUR_COST_MODEL_H_

#include <memory>

#include "hardware/cost_model.h"

namespace servesim {

// Precondition: options.profile holds a Vidur profile (ProfileFormat::kVidur) read for `model`
// at options.tp.
std::unique_ptr<CostModel> MakeVidurCostModel(const ModelSpec& model, const DeviceSpec& device,
                                              const CostModelOptions& options);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_VIDUR_COST_MODEL_H_
