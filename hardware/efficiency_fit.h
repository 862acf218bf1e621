// Fitting one set of roofline efficiencies to kernel timings measured on one or several devices,
// and the leave-one-device-out test of how well such a fit carries to a device it never saw.
//
// Models: the device-independent part of the cost model. Every KernelTuning is a fraction of the
// device's datasheet peaks (compute_eff of its FLOP/s, memory_eff of its bandwidth), and the shape
// terms (GEMM ramp in tokens, roofline sharpness, attention's per-row and masked work) are
// functions of the operator's shape, so one Efficiency can price several devices given only each
// one's peaks. The fit minimizes, per operator group (GEMMs together, attention, each elementwise
// kernel), the mean absolute log error, each device weighted equally however many rows it has.
// Ignores: what differs between devices beyond their peaks (cache sizes, clocks under load, kernel
// libraries), which shows up as the held-out device's error.
#ifndef SERVESIM_HARDWARE_EFFICIENCY_FIT_H_
#define SERVESIM_HARDWARE_EFFICIENCY_FIT_H_

#include <functional>
#include <string>
#include <vector>

#include "hardware/calibration.h"
#include "hardware/device_spec.h"

namespace servesim {

// A parameter the minimizer may move, within [lo, hi].
struct FitParam {
  double* value;
  double lo, hi;
};

// Deterministic minimization of `loss`: coordinate descent with multiplicative steps, then
// Nelder-Mead over all parameters at once (log-scaled between their bounds), then coordinate
// descent again; leaves every parameter at the best value found.
void MinimizeLoss(const std::function<double()>& loss, std::vector<FitParam> params);

// Kernel measurements of one device. `device` supplies the peaks and bandwidth the efficiencies
// are fractions of (its own efficiency is ignored by the shared fit).
struct DeviceOps {
  DeviceSpec device;
  std::vector<OpMeasurement> ops;
};

// Fits the efficiencies of the operator groups present in `data`, starting from `start`; groups
// with no rows keep `start`'s values. At most `max_rows_per_group` rows of each device enter each
// group's loss (an even stride through them; 0 = all), which bounds the fit's time.
Efficiency FitSharedEfficiency(const std::vector<DeviceOps>& data, const Efficiency& start,
                               size_t max_rows_per_group = 0);

// Per-operator errors of `ops` priced on `device` (with its efficiency), then "all operators".
std::vector<ErrorStats> OperatorErrors(const std::vector<OpMeasurement>& ops,
                                       const DeviceSpec& device);

struct HeldOutDevice {
  std::string device;
  size_t fit_rows = 0;             // measurements of the other devices the fit used
  Efficiency fitted;               // fitted without this device
  std::vector<ErrorStats> errors;  // this device's rows priced at its peaks with `fitted`
};

// For each device of `data` (at least two), fits on the others and prices the held-out one.
std::vector<HeldOutDevice> LeaveOneDeviceOut(const std::vector<DeviceOps>& data,
                                             const Efficiency& start,
                                             size_t max_rows_per_group = 0);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_EFFICIENCY_FIT_H_
