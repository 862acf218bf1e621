#include "hardware/power_model.h"

#include <algorithm>

namespace servesim {

PowerModel::PowerModel(const DevicePower& power, double peak_flops_per_s, double memory_bytes_per_s)
    : power_(power),
      inv_peak_(peak_flops_per_s > 0 ? 1.0 / peak_flops_per_s : 0.0),
      inv_bandwidth_(memory_bytes_per_s > 0 ? 1.0 / memory_bytes_per_s : 0.0) {}

StepUtilization PowerModel::Utilization(double flops, double bytes, double seconds) const {
  if (!(seconds > 0)) return {};
  return {flops * inv_peak_ / seconds, bytes * inv_bandwidth_ / seconds};
}

double PowerModel::Activity(const StepUtilization& u) const {
  const double a =
      power_.activity_base + power_.compute_weight * u.compute + power_.memory_weight * u.memory;
  return std::clamp(a, 0.0, 1.0);
}

double PowerModel::StepPowerW(double flops, double bytes, double seconds) const {
  return power_.idle_w +
         (power_.max_w - power_.idle_w) * Activity(Utilization(flops, bytes, seconds));
}

double PowerModel::StepJoules(double flops, double bytes, double seconds) const {
  if (!Known() || !(seconds > 0)) return 0;
  return StepPowerW(flops, bytes, seconds) * seconds;
}

}  // namespace servesim
