#include "sim/core/energy.h"

namespace servesim {

EnergyReport ComputeEnergy(const RunSummary& s, const EngineConfig& config) {
  EnergyReport e;
  const DevicePower& power = config.device.power;
  e.known = power.Known();
  e.priced = power.price_per_hour_usd > 0;
  e.devices = static_cast<int64_t>(config.cost.tp) * config.pp * config.replicas;
  double usd_per_hour = static_cast<double>(e.devices) * power.price_per_hour_usd;
  if (!s.pools.empty()) {  // every pool's devices at their own power figures and price
    e.devices = 0;
    usd_per_hour = 0;
    for (const PoolStats& p : s.pools) {
      const int64_t devices = static_cast<int64_t>(p.tp) * p.pp * p.replicas;
      e.devices += devices;
      usd_per_hour += static_cast<double>(devices) * p.price_per_device_hour_usd;
      e.known = e.known && p.power_known;
      e.priced = e.priced && p.price_per_device_hour_usd > 0;
    }
  }
  const double tokens = static_cast<double>(s.output_tokens);
  if (e.known) {
    e.step_joules = s.energy_step_j;
    e.idle_joules = s.energy_idle_j;
    e.joules = e.step_joules + e.idle_joules;
    e.kwh = e.joules / 3.6e6;
    e.idle_share = e.joules > 0 ? e.idle_joules / e.joules : 0.0;
    if (s.duration_s > 0) {
      e.mean_power_w = e.joules / s.duration_s;
      e.mean_power_per_device_w = e.mean_power_w / static_cast<double>(e.devices);
    }
    if (tokens > 0) {
      e.joules_per_output_token = e.joules / tokens;
      e.kwh_per_million_tokens = e.kwh / tokens * 1e6;
    }
    if (e.joules > 0) e.tokens_per_joule = tokens / e.joules;
  }
  if (e.priced) {
    e.usd = usd_per_hour * s.duration_s / 3600.0;
    if (tokens > 0) e.usd_per_million_tokens = e.usd / tokens * 1e6;
    if (e.usd > 0) e.tokens_per_dollar = tokens / e.usd;
  }
  return e;
}

}  // namespace servesim
