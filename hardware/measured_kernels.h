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

namespace servesim {

// Every `*_ops.csv` and `attention*.csv` of `dir`, in file-name order. Throws InputError when
// `dir` is not a folder or holds neither.
std::vector<OpMeasurement> ReadVidurFolder(const std::string& dir);

// A bundle folder (it has meta.yaml) or a Vidur folder.
std::vector<OpMeasurement> ReadKernelFolder(const std::string& dir);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_MEASURED_KERNELS_H_
