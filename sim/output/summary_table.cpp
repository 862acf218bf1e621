#include "sim/output/summary_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hardware/presets.h"
#include "sim/core/energy.h"
#include "sim/core/load_check.h"

namespace servesim {
namespace {

// Inserts a comma every three digits of the integer part of a printed number.
std::string GroupThousands(const std::string& printed) {
  const size_t start = printed[0] == '-' ? 1 : 0;
  const size_t dot = std::min(printed.find('.'), printed.size());
  std::string out = printed.substr(0, start);
  for (size_t i = start; i < dot; ++i) {
    if (i > start && (dot - i) % 3 == 0) out += ',';
    out += printed[i];
  }
  return out + printed.substr(dot);
}

std::string Percent(double fraction) { return FormatFixed(100.0 * fraction, 1) + " %"; }

std::string HeaderLine(const RunSummary& s, const EngineConfig& c, const std::string& path) {
  std::string on = DeviceLabel(c.device);
  if (c.replicas > 1) on = std::to_string(c.replicas) + " x " + on;
  const std::string pp = c.pp > 1 ? " x pp " + std::to_string(c.pp) : "";
  std::string line = path + ": " + c.model.name + " on " + on + " (tp " +
                     std::to_string(c.cost.tp) + pp + "), " + FormatCount(s.kv_blocks_per_replica) +
                     " KV blocks of " + std::to_string(c.kv.block_size) + " tokens";
  if (c.kv.planned_blocks > 0)
    line += " (hardware.kv_blocks; the memory plan gives " + FormatCount(c.kv.planned_blocks) + ")";
  return line + (c.replicas > 1 ? " per replica\n" : "\n");
}

std::string RequestsCell(const RunSummary& s) {
  std::string stop;
  if (s.truncated) {
    stop = s.horizon_exceeded ? " (stopped at the simulation horizon; "
                              : " (stopped at simulation.max_time_s; ";
    stop += s.not_arrived_capped ? "over " : "";
    stop += FormatCount(s.not_arrived) + " not arrived)";
  }
  return FormatCount(s.completed) + " completed, " + FormatCount(s.rejected) + " rejected, " +
         FormatCount(s.in_flight_at_end) + " in flight at end" + stop + "; " +
         CountNoun(s.preemptions, "preemption", "preemptions");
}

std::string GoodputCell(const RunSummary& s, const EngineConfig& c, double dur) {
  std::string bounds;
  auto add = [&bounds](const char* name, double bound_s) {
    if (bound_s <= 0) return;
    bounds += std::string(bounds.empty() ? "" : ", ") + name + " <= " + FormatMs(bound_s * 1e3);
  };
  add("TTFT", c.slo_ttft_s);
  add("TPOT", c.slo_tpot_s);
  add("E2E", c.slo_e2e_s);
  const double attained =
      s.completed > 0 ? static_cast<double>(s.good_requests) / static_cast<double>(s.completed)
                      : 0.0;
  return FormatNumber4(static_cast<double>(s.good_requests) / dur) +
         " req/s: " + FormatCount(s.good_requests) + " of " + FormatCount(s.completed) +
         " completed requests (" + Percent(attained) + ") met " + bounds;
}

std::string LoadCell(const LoadVerdict& v) {
  const std::string arrivals = "arrivals " + FormatNumber4(v.arrival_rate_per_s) + " req/s";
  switch (v.status) {
    case LoadStatus::kOk:
      return v.arrival_rate_per_s > 0 ? "ok (" + arrivals + ", no queue build-up)"
                                      : "ok (all requests arrived at once)";
    case LoadStatus::kOverloaded:
      // The rates the test compared: both over the last half of the arrival window.
      return "OVERLOADED: arrivals " +
             FormatNumber4(v.late_arrival_rate_per_s.value_or(v.arrival_rate_per_s)) +
             " req/s > service " + FormatNumber4(v.service_rate_per_s.value_or(0)) +
             " req/s over the last half of the arrivals; the queue grows " +
             FormatNumber4(v.queue_growth_per_s) + " req/s (see the warning)";
    case LoadStatus::kShortRun:
      return "SHORT RUN: too short for a steady state (see the warning)";
  }
  return "";
}

std::string LatencyTable(const RunSummary& s) {
  TextTable t;
  t.AddRow({"latency", "mean", "median", "p99"});
  auto row = [&t](const char* name, const LogHistogram& h) {
    t.AddRow({name, FormatDuration(h.Mean()), FormatDuration(h.Quantile(0.5)),
              FormatDuration(h.Quantile(0.99))});
  };
  row("TTFT", s.ttft_s);
  row("TPOT", s.tpot_s);
  row("ITL", s.itl_s);
  row("E2E", s.e2e_s);
  return t.Render("  ");
}

}  // namespace

std::string FormatCount(int64_t n) { return GroupThousands(std::to_string(n)); }

std::string FormatFixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  std::string printed = buf;
  if (printed.rfind("-0", 0) == 0 && printed.find_first_not_of("-0.") == std::string::npos)
    printed.erase(0, 1);  // no "-0.0"
  return GroupThousands(printed);
}

std::string FormatNumber4(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a < 1) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3g", v);
    return buf;
  }
  int decimals = std::max(0, 3 - static_cast<int>(std::floor(std::log10(a))));
  // 9.9996 at 3 decimals would print "10.000", a digit too many once rounded up.
  if (decimals > 0 && std::round(a * std::pow(10.0, decimals)) >= 1e4) --decimals;
  return FormatFixed(v, decimals);
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds)) return "n/a";
  const double a = std::fabs(seconds);
  if (a == 0) return "0 ms";
  if (std::round(a * 1e5) < 1e5) {  // below 1 s after rounding to 0.01 ms
    return FormatFixed(seconds * 1e3, a * 1e3 < 1 ? 3 : 2) + " ms";
  }
  if (std::round(a * 100) < 1e4) return FormatFixed(seconds, 2) + " s";
  return FormatFixed(seconds, 0) + " s";
}

std::string FormatMs(double ms) {
  // Whole within rounding: a bound stored in seconds (300 * 1e-3) need not come back exact.
  if (std::isfinite(ms) && std::fabs(ms) < 9e15 &&
      std::fabs(ms - std::round(ms)) <= 1e-9 * std::max(1.0, std::fabs(ms))) {
    return FormatCount(static_cast<int64_t>(std::round(ms))) + " ms";
  }
  return FormatNumber4(ms) + " ms";
}

std::string CountNoun(int64_t n, const std::string& singular, const std::string& plural) {
  return FormatCount(n) + " " + (n == 1 ? singular : plural);
}

std::string TextTable::Render(const std::string& indent) const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      line += (i == 0 ? "" : "  ") + (i < left_columns_ ? row[i] + pad : pad + row[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string DeviceLabel(const DeviceSpec& d) {
  const DevicePreset* preset = FindDevicePreset(d.name);
  if (!preset) return d.name;
  const DeviceSpec& p = preset->spec;
  std::string changed;
  auto field = [&changed](const char* key, double value, double preset_value) {
    if (value == preset_value) return;
    changed += std::string(changed.empty() ? "" : ", ") + key + " " + FormatNumber4(value) +
               " (preset " + FormatNumber4(preset_value) + ")";
  };
  field("memory_gib", d.memory.capacity_bytes / 1073741824.0,
        p.memory.capacity_bytes / 1073741824.0);
  field("memory_bandwidth_gbps", d.memory.bandwidth_bytes_per_s / 1e9,
        p.memory.bandwidth_bytes_per_s / 1e9);
  field("bf16_tflops", d.peak.bf16 / 1e12, p.peak.bf16 / 1e12);
  field("idle_power_w", d.power.idle_w, p.power.idle_w);
  field("max_power_w", d.power.max_w, p.power.max_w);
  field("price_per_hour_usd", d.power.price_per_hour_usd, p.power.price_per_hour_usd);
  bool tiers_same = d.offload_tiers.size() == p.offload_tiers.size();
  for (size_t i = 0; tiers_same && i < d.offload_tiers.size(); ++i) {
    const MemoryTier &a = d.offload_tiers[i], &b = p.offload_tiers[i];
    tiers_same = a.name == b.name && a.capacity_bytes == b.capacity_bytes &&
                 a.bandwidth_bytes_per_s == b.bandwidth_bytes_per_s && a.latency_s == b.latency_s;
  }
  if (!tiers_same) changed += std::string(changed.empty() ? "" : ", ") + "offload_tiers";
  return changed.empty() ? d.name : d.name + " (overridden: " + changed + ")";
}

// "1.234 kWh, 0.1523 J/output token, mean 412.3 W (1 device; 18.2 % of it at idle), $0.84 per
// million output tokens"; empty when the device has neither power figures nor a price.
std::string EnergyCell(const RunSummary& s, const EngineConfig& c) {
  const EnergyReport e = ComputeEnergy(s, c);
  std::string cell;
  if (e.known) {
    cell = FormatNumber4(e.kwh) + " kWh, " + FormatNumber4(e.joules_per_output_token) +
           " J/output token, mean " + FormatNumber4(e.mean_power_w) + " W (" +
           CountNoun(e.devices, "device", "devices") + "; " + FormatFixed(100 * e.idle_share, 1) +
           " % of it at idle)";
  }
  if (e.priced) {
    cell += std::string(cell.empty() ? "" : ", ") + "$" + FormatNumber4(e.usd_per_million_tokens) +
            " per million output tokens ($" + FormatNumber4(c.device.power.price_per_hour_usd) +
            "/device-hour)";
  }
  return cell;
}

std::string RunSummaryText(const RunSummary& s, const EngineConfig& c, const std::string& path,
                           const std::vector<SloLine>& slos) {
  const double dur = s.duration_s > 0 ? s.duration_s : 1;
  TextTable t(2);
  t.AddRow({"requests", RequestsCell(s)});
  t.AddRow({"duration", FormatDuration(s.duration_s)});
  t.AddRow({"throughput",
            FormatNumber4(static_cast<double>(s.completed) / dur) + " req/s, " +
                FormatNumber4(static_cast<double>(s.output_tokens) / dur) + " output tok/s, " +
                FormatNumber4(static_cast<double>(s.input_tokens + s.output_tokens) / dur) +
                " total tok/s (prefill included)"});
  const double decode =
      s.decode_requests > 0 ? s.decode_tok_per_s_sum / static_cast<double>(s.decode_requests) : 0.0;
  t.AddRow({"decode", FormatNumber4(decode) + " tok/s per stream (mean over requests of decode "
                                              "tokens / decode time)"});
  if (c.HasSlo()) t.AddRow({"goodput", GoodputCell(s, c, dur)});
  for (const SloLine& l : slos) {
    const bool met = l.value_ms <= l.bound_ms;
    t.AddRow({"SLO", l.metric + " " + FormatDuration(l.value_ms * 1e-3) + (met ? " <= " : " > ") +
                         FormatMs(l.bound_ms) + (met ? ": met" : ": MISSED")});
  }
  t.AddRow({"load", LoadCell(CheckRunLoad(s))});
  const std::string energy = EnergyCell(s, c);
  if (!energy.empty()) t.AddRow({"energy", energy});
  std::string out = HeaderLine(s, c, path) + t.Render("  ") + LatencyTable(s);
  const double steps_per_s = s.wall_s > 0 ? static_cast<double>(s.steps) / s.wall_s : 0.0;
  out += "  simulated " + CountNoun(s.steps, "step", "steps") + " in " + FormatDuration(s.wall_s) +
         " wall (" + FormatNumber4(steps_per_s) + " steps/s)\n";
  return out;
}

}  // namespace servesim
