// A run's energy and cost, from the engine's totals (RunSummary::energy_step_j, energy_idle_j)
// and the device's power figures and price (hardware/power_model.h).
//
// Models: joules of every device of every replica from the first arrival to the end of the run,
// per step at the power its utilisation implies and at idle power between steps; dollars as
// devices x price per device-hour x the run's duration (a rented device costs the same busy or
// idle). Ignores: the host, network, cooling and facility overhead (PUE), the devices of a
// speculative draft_device, energy before the first arrival.
#ifndef SERVESIM_SIM_CORE_ENERGY_H_
#define SERVESIM_SIM_CORE_ENERGY_H_

#include <cstdint>

#include "sim/core/engine.h"

namespace servesim {

struct EnergyReport {
  bool known = false;   // the device has power figures (max_w > 0): the energy fields are set
  bool priced = false;  // the device has a price per hour: usd, usd_per_million_tokens and
                        // tokens_per_dollar are set
  int64_t devices = 0;  // tp x replicas
  double joules = 0, kwh = 0;
  double step_joules = 0, idle_joules = 0;
  double idle_share = 0;               // idle_joules / joules
  double mean_power_w = 0;             // all devices: joules / duration
  double mean_power_per_device_w = 0;  // mean_power_w / devices
  double joules_per_output_token = 0;  // 0 with no output tokens
  double kwh_per_million_tokens = 0;   // per million output tokens
  double tokens_per_joule = 0;         // output tokens per joule
  double usd = 0;                      // devices x price x duration
  double usd_per_million_tokens = 0;   // per million output tokens
  double tokens_per_dollar = 0;        // output tokens per dollar
};

// The report of a finished run under `config` (its device, tp and replicas).
EnergyReport ComputeEnergy(const RunSummary& s, const EngineConfig& config);

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_ENERGY_H_
