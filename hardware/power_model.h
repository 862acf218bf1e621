// What a device draws while it serves: power from the utilisation of each step.
//
// Models, per device: P = idle + (max - idle) * activity, activity = min(1, base + compute_weight
// * u_compute + memory_weight * u_memory), where over a step of `seconds`
//   u_compute = flops / (peak * seconds)      (peak of the activation dtype)
//   u_memory  = bytes / (memory bandwidth * seconds)
// and a device with no step running draws its idle power. The activity weights are fitted to
// Splitwise's measured per-GPU average power of Llama-2-70B on A100-80GB (bench/energy_validation.cpp
// -> bench/results/energy.md: fitted on TP 2 and 4 alone, the model misses the held-out TP 8 runs
// by 8.9 % median; the weights here are the same fit over TP 2, 4 and 8). Every preset keeps them.
// `base` is the draw of a device that runs kernels at negligible utilisation (clocks up, a
// launch-bound step) above its idle floor. Ignores: clock throttling and power capping (a step
// never takes longer because of power), temperature, the host CPU, memory, network and cooling
// (facility PUE), interconnect power, the power of a speculative draft device, and the difference
// between the power of tensor-core and vector work.
#ifndef SERVESIM_HARDWARE_POWER_MODEL_H_
#define SERVESIM_HARDWARE_POWER_MODEL_H_

namespace servesim {

// A device's power figures and its price. max_w = 0 means unknown: no energy is reported.
struct DevicePower {
  double idle_w = 0;              // drawn with no step running
  double max_w = 0;               // board power limit (TDP), drawn at activity 1
  double price_per_hour_usd = 0;  // per device-hour; 0: unknown (no dollar figures)
  // activity = min(1, base + compute_weight * u_compute + memory_weight * u_memory); the A100
  // fit over TP 2, 4 and 8 (bench/results/energy.md).
  double activity_base = 0.1635;
  double compute_weight = 1.2051;
  double memory_weight = 0.8305;

  bool Known() const { return max_w > 0; }
};

// Utilisation of one device over one step (each in [0, 1] for a step the roofline priced).
struct StepUtilization {
  double compute = 0;
  double memory = 0;
};

// Prices steps in joules. Contract: cheap and allocation-free (the engine calls it per step);
// a step of zero or negative duration costs nothing.
class PowerModel {
 public:
  PowerModel() = default;
  // `peak_flops_per_s`: the device's peak for the activation dtype; `memory_bytes_per_s`: its
  // device memory bandwidth.
  PowerModel(const DevicePower& power, double peak_flops_per_s, double memory_bytes_per_s);

  bool Known() const { return power_.Known(); }
  const DevicePower& power() const { return power_; }

  StepUtilization Utilization(double flops, double bytes, double seconds) const;
  // min(1, max(0, base + compute_weight * u.compute + memory_weight * u.memory)).
  double Activity(const StepUtilization& u) const;
  // idle + (max - idle) * activity, in watts, for one device.
  double StepPowerW(double flops, double bytes, double seconds) const;
  // StepPowerW * seconds for one device (0 when seconds <= 0 or the power is unknown).
  double StepJoules(double flops, double bytes, double seconds) const;
  double IdleJoules(double seconds) const { return seconds > 0 ? power_.idle_w * seconds : 0; }

 private:
  DevicePower power_;
  double inv_peak_ = 0;
  double inv_bandwidth_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_POWER_MODEL_H_
