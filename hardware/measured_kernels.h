// Folders of kernel measurements, read into the per-operator rows the calibration fits: a Vidur
// profiling folder (`*_ops.csv` operator tables and `attention*.csv` FlashAttention tables, as in
// data/measured/vidur_a100) or an LLMServingSim profile bundle (meta.yaml and tp<N>/ tables, as in
// data/measured/llmservingsim_profiles/<hardware>/<model>/<variant>).
//
// Models: which file is which and how each bundle table maps onto the model's operators (see
// ReadBundleOps). Ignores: files of other names in a Vidur folder, the bundle's sampler, qk_norm
// and skew tables (no operator of the cost model prices them).
#ifndef SERVESIM_HARDWARE_MEASURED_KERNELS_H_
#define SERVESIM_HARDWARE_MEASURED_KERNELS_H_

#include <string>
#include <vector>

#include "hardware/calibration.h"
#include "hardware/device_spec.h"

namespace servesim {

// Every `*_ops.csv` and `attention*.csv` of `dir`, in file-name order. Throws InputError when
// `dir` is not a folder or holds neither.
std::vector<OpMeasurement> ReadVidurFolder(const std::string& dir);

// Every profiled TP degree of a profile bundle (meta.yaml's tp_degrees), read with
// ReadProfileBundle: dense.csv's embedding, layernorm, final_layernorm, qkv_proj, rotary_emb,
// o_proj, gate_up_proj, act_fn and down_proj points, per_sequence.csv's lm_head points (a decode
// batch of that many sequences), and attention.csv's pure-prefill rows (a chunk over its KV
// history) and pure-decode rows (n_decode decodes at one KV length); each is one occurrence of the
// operator in meta.yaml's model (a model preset, in the variant's dtype) at that TP. Rows mixing
// a chunk with decodes are left out: beside any chunk the decodes' KV streams at about half the
// pure-decode rate (64 decodes at KV 4096: 753 us alone, 1,436 us with a 16-token chunk), an
// interaction of vLLM's varlen kernel that the roofline's one linear attention term cannot
// express; fitted on all 19,364 rows per TP, attention memory_eff falls to 0.45 and every pure
// decode is priced 2x slow. Throws InputError naming the file, and when meta.yaml's gpu is not
// the start of `device`'s description (a bundle of another GPU).
std::vector<OpMeasurement> ReadBundleOps(const std::string& dir, const DeviceSpec& device);

// A bundle folder (it has meta.yaml) or a Vidur folder, measured on `device`.
std::vector<OpMeasurement> ReadKernelFolder(const std::string& dir, const DeviceSpec& device);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_MEASURED_KERNELS_H_
