// Pricing steps from measured kernel tables: an LLMServingSim profile bundle
// (hardware/profile_bundle.h) of the scenario's model on its GPU at its TP degree.
//
// Models, per step on one device: the dense operators of every decoder layer (norms, QKV, QK-norm,
// rotary, O, gate-up, activation, down) and of the step (embedding, final norm) from their
// curves over new tokens, summed once into one table by token count; LM head and sampler over the
// sequences that need logits; attention per layer from the 4-D table at (prompt chunk, its KV,
// decode count, decode KV), where several prompt chunks are priced as their mean chunk plus each
// extra chunk's own work without the kernel's fixed cost, and decodes of unequal context as
// LLMServingSim does: the lookup at their mean KV blended toward the lookup at their max KV by the
// bundle's fitted alpha for the batch's bucket (skew rate from the decodes' min / mean / max under
// its two-level model); the MoE block per layer from (tokens, distinct experts expected for
// top-k routing). What the bundle lacks comes from the roofline (hardware/cost_model.h) and is
// counted in StepCost::outside_s: tensor-parallel all-reduces, shapes outside the tables
// (extrapolated), other dtypes (the bundle's time scaled by the roofline's ratio of the model's
// dtypes to the bundle's), MoE at TP > 1 (the TP 1 table split over the ranks). The engine's
// overheads compose as for the roofline (ComposeStepSeconds). Ignores: per-request variation
// inside a step beyond min / mean / max context, kernel fusion the profile did not measure.
#ifndef SERVESIM_HARDWARE_PROFILED_COST_MODEL_H_
#define SERVESIM_HARDWARE_PROFILED_COST_MODEL_H_

#include <memory>
#include <string>

#include "hardware/cost_model.h"
#include "hardware/profile_bundle.h"

namespace servesim {

// Reads the kernel tables at `dir` for `model` at tensor parallelism `tp`. `format` "vidur", or
// "" with `dir` holding Vidur's `*_ops.csv` and no meta.yaml (or naming one such file): Vidur's
// tables (hardware/vidur_profile.h; their reader names file:line and column of a mismatch).
// Otherwise an LLMServingSim bundle, checked to have been profiled for that model: its per-rank
// heads, KV heads, intermediate size and vocabulary (meta's hf_overrides at the largest profiled
// TP), its QK-norm and FFN / MoE layers, and, when its HF id names a model preset, that preset's
// layers and hidden size. Throws InputError naming `source` ("scenario.yaml: cost_model.profile")
// and the first mismatch, expected vs found.
std::shared_ptr<const ProfileBundle> LoadProfileFor(const std::string& dir, const ModelSpec& model,
                                                    int tp, const std::string& source,
                                                    const std::string& format = "");

// The profiled cost model over options.profile (required): a bundle's, or Vidur's tables'
// (hardware/vidur_cost_model.h). Throws InputError when the bundle lacks a layer the model needs.
std::unique_ptr<CostModel> MakeProfiledCostModel(const ModelSpec& model, const DeviceSpec& device,
                                                 const CostModelOptions& options);

// The profiled model when options.profile is set, else the roofline.
std::unique_ptr<CostModel> MakeCostModel(const ModelSpec& model, const DeviceSpec& device,
                                         const CostModelOptions& options);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_PROFILED_COST_MODEL_H_
