#include "sim/app/capacity.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "hardware/presets.h"
#include "models/input_error.h"
#include "models/yaml_scalar.h"
#include "sim/config/scenario.h"
#include "sim/core/energy.h"
#include "sim/core/load_check.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

// How a configuration's arrival rate is set: `key` takes `base_value` at `base_per_s`, and scales
// in proportion (`direct`: the key is the rate itself).
struct RateKnob {
  std::string key;
  double base_value = 0;
  double base_per_s = 0;
  bool direct = false;

  double ValueAt(double rate_per_s) const {
    return direct ? rate_per_s : base_value * (rate_per_s / base_per_s);
  }
};

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out(1);
  for (const char c : text) {
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

RateKnob FindRateKnob(const Scenario& sc) {
  const YAML::Node w = sc.root["workload"];
  const std::string impl = w["impl"] ? w["impl"].Scalar() : "";
  const std::string where = sc.path + ": workload";
  if (impl == "synthetic") {
    const std::string arrival = w["arrival"] ? w["arrival"].Scalar() : "poisson";
    if (arrival == "burst") {
      throw InputError(where +
                       ".arrival: burst sends every request at t = 0, so it has no rate to "
                       "scale; capacity needs arrival poisson, gamma or constant");
    }
    const std::optional<double> rate = YamlToDouble(w["rate_per_s"]);
    if (!rate || !(*rate > 0)) {
      throw InputError(where + ".rate_per_s: expected a rate > 0, found " +
                       DescribeYamlNode(w["rate_per_s"]));
    }
    return RateKnob{"workload.rate_per_s", *rate, *rate, true};
  }
  if (impl == "trace") {
    const std::optional<double> scale =
        w["time_scale"] ? YamlToDouble(w["time_scale"]) : std::optional<double>(1.0);
    auto sources = MakeScenarioWorkloads(sc);
    Request r;
    int64_t n = 0, first_ns = 0, last_ns = 0;
    while (sources.front()->Next(r) == Pull::kRequest) {
      if (n == 0) first_ns = r.arrival_ns;
      last_ns = r.arrival_ns;
      ++n;
    }
    if (n < 2 || last_ns <= first_ns) {
      throw InputError(where + ": the trace (after start_s, end_s and max_requests) has " +
                       std::to_string(n) +
                       " request(s), all at one time; capacity needs arrivals at two different "
                       "times to scale the rate");
    }
    const double rate =
        static_cast<double>(n - 1) / (static_cast<double>(last_ns - first_ns) * 1e-9);
    return RateKnob{"workload.time_scale", scale.value_or(1.0), rate, false};
  }
  throw InputError(where + ".impl: " + impl +
                   " sets a concurrency (workload.clients), not an arrival rate, so capacity "
                   "cannot scale it; use impl synthetic or trace, or servesim sweep --vary "
                   "workload.clients=... for a closed loop");
}

}  // namespace

std::vector<Override> GoodputOverrides(const Scenario& sc, const std::vector<Slo>& slos) {
  static const char* kStats[] = {"mean", "median", "p90", "p95", "p99"};
  const std::pair<const char*, const char*> kMetrics[] = {
      {"ttft", "ttft_ms"}, {"tpot", "tpot_ms"}, {"e2el", "e2e_ms"}};
  std::vector<Override> out;
  const YAML::Node slo = sc.root["output"] ? sc.root["output"]["slo"] : YAML::Node();
  for (const auto& [metric, key] : kMetrics) {
    if (slo && slo.IsMap() && slo[key]) continue;
    int best_rank = -1;
    const Slo* best = nullptr;
    for (const Slo& s : slos) {
      for (int rank = 0; rank < 5; ++rank) {
        if (s.metric == std::string(kStats[rank]) + "_" + metric + "_ms" && rank > best_rank) {
          best_rank = rank;
          best = &s;
        }
      }
    }
    if (best) {
      const std::string bound = FormatNumber(best->bound_ms);
      out.push_back(
          {std::string("output.slo.") + key + "=" + bound, "--slo " + best->metric + "=" + bound});
    }
  }
  return out;
}

namespace {

bool MeetsSlos(const RunSummary& s, const std::vector<Slo>& slos, std::vector<double>& values) {
  values.clear();
  // A run that stopped at the horizon or stalled answers nothing about latency at this rate.
  bool ok = s.completed > 0 && s.rejected_queue_full == 0 && !s.horizon_exceeded && !s.stalled;
  // An overloaded run (sim/core/load_check.h) meets its SLOs only because it ended: not a capacity.
  if (CheckRunLoad(s).status == LoadStatus::kOverloaded) ok = false;
  for (const Slo& slo : slos) {
    const double v = *LatencyMetricMs(s, slo.metric);
    values.push_back(v);
    if (!(v <= slo.bound_ms)) ok = false;
  }
  return ok;
}

// --rank-by needs the figure it ranks by: power figures for tokens per joule, a price for tokens
// per dollar.
void CheckRankable(CapacityRank rank, const Scenario& sc, bool priced) {
  const std::string& device = sc.engine.device.name;
  if (rank == CapacityRank::kTokensPerJoule && !sc.engine.device.power.Known()) {
    throw InputError("--rank-by tokens_per_joule: device '" + device +
                     "' has no power figures; set hardware.max_power_w (and idle_power_w)");
  }
  if (rank == CapacityRank::kTokensPerDollar && !priced) {
    throw InputError("--rank-by tokens_per_dollar: device '" + device +
                     "' has no price; set hardware.price_per_hour_usd or give --price");
  }
}

// Output tokens/s, per joule and per dollar of the run at the capacity.
void SetTokenFigures(CapacityRow& row) {
  if (!row.has_metrics) return;
  const RunSummary& s = row.at_capacity;
  if (s.duration_s > 0)
    row.output_tokens_per_s = static_cast<double>(s.output_tokens) / s.duration_s;
  row.tokens_per_joule = ComputeEnergy(s, row.config_at_capacity).tokens_per_joule;
  if (row.price_per_device_hour && row.devices > 0) {
    row.tokens_per_dollar = row.output_tokens_per_s * 3600.0 /
                            (static_cast<double>(row.devices) * *row.price_per_device_hour);
  }
}

// Best first by the ranked figure; ties keep grid order, rows without metrics go last.
void RankRows(CapacityRank rank, std::vector<CapacityRow>& rows) {
  if (rank == CapacityRank::kGrid) return;
  auto key = [rank](const CapacityRow& r) {
    if (!r.has_metrics) return -1.0;
    switch (rank) {
      case CapacityRank::kThroughput:
        return r.output_tokens_per_s;
      case CapacityRank::kTokensPerJoule:
        return r.tokens_per_joule;
      case CapacityRank::kTokensPerDollar:
        return r.tokens_per_dollar;
      case CapacityRank::kGrid:
        break;
    }
    return 0.0;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const CapacityRow& a, const CapacityRow& b) { return key(a) > key(b); });
}

struct Prepared {
  std::vector<Override> overrides;  // --set, assignment, seed, goodput SLOs
  RateKnob knob;
  int64_t devices = 0;
  std::optional<double> price;
};

std::string CapacityCsv(const CapacityOptions& o, const std::vector<CapacityRow>& rows) {
  const auto& metric_columns = SweepMetricColumns();
  std::vector<size_t> extra;  // SLO metrics that the fixed columns lack
  for (size_t i = 0; i < o.slos.size(); ++i) {
    if (std::find(metric_columns.begin(), metric_columns.end(), o.slos[i].metric) ==
        metric_columns.end()) {
      extra.push_back(i);
    }
  }
  std::string csv = "config";
  for (const auto& a : o.grid.axes) csv += "," + CsvField(a.key);
  csv +=
      ",status,capacity_req_per_s,rate_key,rate_value,devices,price_per_device_hour,"
      "requests_per_dollar,tokens_per_joule,tokens_per_dollar,evaluations,sustained,load_status";
  for (size_t i : extra) csv += "," + o.slos[i].metric;
  for (const auto& c : metric_columns) csv += "," + c;
  csv += "\n";
  for (const CapacityRow& r : rows) {
    csv += std::to_string(r.config);
    for (const auto& a : r.assignment) csv += "," + CsvField(a.substr(a.find('=') + 1));
    csv += std::string(",") + CapacityStatusName(r.search.status) + "," +
           FormatNumber(r.search.capacity_per_s) + "," + r.rate_key + "," +
           (r.has_metrics ? FormatNumber(r.rate_value) : "") + "," + std::to_string(r.devices) +
           "," + (r.price_per_device_hour ? FormatNumber(*r.price_per_device_hour) : "") + "," +
           (r.price_per_device_hour ? FormatNumber(r.requests_per_dollar) : "") + "," +
           (r.tokens_per_joule > 0 ? FormatNumber(r.tokens_per_joule) : "") + "," +
           (r.tokens_per_dollar > 0 ? FormatNumber(r.tokens_per_dollar) : "") + "," +
           std::to_string(r.search.evaluations);
    csv += r.has_metrics ? std::string(NotSustainedReasons(r).empty() ? ",true," : ",false,") +
                               LoadStatusName(CheckRunLoad(r.at_capacity).status)
                         : ",,";
    for (size_t i : extra) csv += "," + (r.has_metrics ? FormatNumber(r.slo_values_ms[i]) : "");
    if (r.has_metrics) {
      for (const auto& v : SweepMetricValues(r.at_capacity, r.config_at_capacity)) csv += "," + v;
    } else {
      csv += std::string(metric_columns.size(), ',');
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace

std::vector<std::string> NotSustainedReasons(const CapacityRow& row) {
  if (!row.has_metrics) return {};
  const RunSummary& s = row.at_capacity;
  std::vector<std::string> out = CheckRunLoad(s).messages;
  const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
  const double served_per_s = static_cast<double>(s.completed) / dur;
  if (served_per_s < kMinServedShare * row.search.capacity_per_s) {
    char line[320];
    std::snprintf(line, sizeof(line),
                  "served only %.4g req/s of the %.4g req/s offered: the run ends before queues "
                  "build up, so the workload is too short to support this rate; raise "
                  "workload.num_requests or use a longer trace",
                  served_per_s, row.search.capacity_per_s);
    out.push_back(line);
  }
  return out;
}

CapacityRank ParseCapacityRank(const std::string& text) {
  if (text == "throughput") return CapacityRank::kThroughput;
  if (text == "tokens_per_joule") return CapacityRank::kTokensPerJoule;
  if (text == "tokens_per_dollar") return CapacityRank::kTokensPerDollar;
  throw InputError(
      "--rank-by: expected throughput, tokens_per_joule or tokens_per_dollar, found '" + text +
      "'");
}

const char* CapacityStatusName(CapacityStatus status) {
  switch (status) {
    case CapacityStatus::kOk:
      return "ok";
    case CapacityStatus::kNoRate:
      return "no_rate_meets_slo";
    case CapacityStatus::kUnbounded:
      return "unbounded";
  }
  return "?";
}

namespace {

// How one flag spells its bounds: NAME<sep>MS entries, NAME one of `names`.
struct BoundSyntax {
  std::string flag;
  char sep = '=';
  std::string what;      // "metric", "key"
  std::string form;      // "metric=bound_ms"
  std::string expected;  // the names, for messages
  std::string example;   // " (e.g. ...)"
  const std::vector<std::string>* names = nullptr;
};

Slo ParseBound(const BoundSyntax& x, const std::string& item) {
  const auto sep = item.find(x.sep);
  if (sep == std::string::npos) {
    throw InputError(x.flag + " " + item + ": expected " + x.form + x.example + ", found no '" +
                     std::string(1, x.sep) + "'");
  }
  Slo slo;
  slo.metric = item.substr(0, sep);
  if (std::find(x.names->begin(), x.names->end(), slo.metric) == x.names->end()) {
    throw InputError(x.flag + " " + item + ": unknown " + x.what + " '" + slo.metric + "'" +
                     DidYouMean(slo.metric, *x.names) + "; expected " + x.expected);
  }
  const std::string value = item.substr(sep + 1);
  const std::optional<double> bound = ParseNumber(value);
  if (!bound) {
    throw InputError(x.flag + " " + item + ": expected a bound in ms (a number > 0), found '" +
                     value + "'");
  }
  if (!(*bound > 0)) {
    throw InputError(x.flag + " " + item + ": expected a bound in ms > 0, found " + value);
  }
  slo.bound_ms = *bound;
  return slo;
}

// Comma-separated entries of `text`, each parsed by ParseBound, none named twice.
std::vector<Slo> ParseBounds(const BoundSyntax& x, const std::string& text) {
  if (text.empty()) throw InputError(x.flag + ": expected " + x.form + ",..." + x.example);
  std::vector<Slo> out;
  for (const std::string& item : SplitCommas(text)) {
    if (item.empty()) {
      throw InputError(x.flag + " " + text + ": empty entry (a doubled or trailing comma?)");
    }
    const Slo slo = ParseBound(x, item);
    for (const Slo& s : out) {
      if (s.metric == slo.metric) {
        throw InputError(x.flag + " " + text + ": " + x.what + " '" + slo.metric + "' given twice");
      }
    }
    out.push_back(slo);
  }
  return out;
}

}  // namespace

std::vector<Slo> ParseSlos(const std::string& text, const std::string& flag) {
  return ParseBounds({flag, '=', "metric", "metric=bound_ms",
                      "{mean,median,p90,p95,p99}_{ttft,tpot,itl,e2el,queue}_ms",
                      " (e.g. " + flag + " p99_ttft_ms=500,p99_tpot_ms=50)", &LatencyMetricNames()},
                     text);
}

std::vector<Slo> ParseGoodput(const std::string& text) {
  static const std::vector<std::string> kKeys = {"ttft", "tpot", "e2el"};
  return ParseBounds({"--goodput", ':', "key", "KEY:MS", "ttft, tpot or e2el",
                      " (e.g. --goodput ttft:300 tpot:50)", &kKeys},
                     text);
}

std::vector<Override> GoodputFlagOverrides(const std::vector<std::string>& texts) {
  static const std::map<std::string, std::string> kSloKey = {
      {"ttft", "ttft_ms"}, {"tpot", "tpot_ms"}, {"e2el", "e2e_ms"}};
  std::vector<Override> out;
  std::vector<std::string> seen;
  for (const std::string& text : texts) {
    for (const Slo& g : ParseGoodput(text)) {
      if (std::find(seen.begin(), seen.end(), g.metric) != seen.end()) {
        throw InputError("--goodput " + g.metric + ": given twice");
      }
      seen.push_back(g.metric);
      out.push_back({"output.slo." + kSloKey.at(g.metric) + "=" + FormatNumber(g.bound_ms),
                     "--goodput " + g.metric + ":" + FormatNumber(g.bound_ms)});
    }
  }
  return out;
}

std::map<std::string, double> ParseDevicePrices(const std::vector<std::string>& texts) {
  std::map<std::string, double> out;
  for (const std::string& text : texts) {
    for (const std::string& item : SplitCommas(text)) {
      const auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw InputError("--price " + item +
                         ": expected DEVICE=USD_PER_DEVICE_HOUR (e.g. --price h100-sxm=2.5)");
      }
      const std::string device = DevicePresetOrThrow(item.substr(0, eq), "--price").name;
      const std::string value = item.substr(eq + 1);
      const std::optional<double> price = ParseNumber(value);
      if (!price || !(*price > 0)) {
        throw InputError("--price " + item + ": expected a price per device-hour > 0, found '" +
                         value + "'");
      }
      if (out.count(device)) throw InputError("--price " + device + ": given twice");
      out[device] = *price;
    }
  }
  return out;
}

CapacitySearch SearchCapacity(double start_per_s, double tolerance,
                              const std::function<bool(double)>& meets) {
  CapacitySearch out;
  auto eval = [&](double rate) {
    ++out.evaluations;
    return meets(rate);
  };
  double lo = 0, hi = 0;  // highest passing, lowest failing rate (0: none yet)
  // Runs at `rate` and moves the bound it turns out to be.
  auto probe = [&](double rate) { (eval(rate) ? lo : hi) = rate; };
  if (eval(start_per_s)) {
    lo = start_per_s;
    for (int i = 0; i < kMaxBracketSteps && hi == 0; ++i) probe(lo * 2);
    if (hi == 0) {
      out.status = CapacityStatus::kUnbounded;
      out.capacity_per_s = lo;
      return out;
    }
  } else {
    hi = start_per_s;
    for (int i = 0; i < kMaxBracketSteps && lo == 0; ++i) probe(hi / 2);
    if (lo == 0) {
      out.status = CapacityStatus::kNoRate;
      out.failing_per_s = hi;
      return out;
    }
  }
  while (hi - lo > tolerance * lo) probe(0.5 * (lo + hi));
  out.capacity_per_s = lo;
  out.failing_per_s = hi;
  return out;
}

CapacityResult RunCapacity(const CapacityOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const SweepOptions& g = options.grid;
  if (options.slos.empty()) {
    throw InputError(
        "servesim capacity: --slo is required (e.g. --slo p99_ttft_ms=500,p99_tpot_ms=50)");
  }
  if (!(options.tolerance > 0 && options.tolerance < 1)) {
    throw InputError("--tolerance: expected a relative tolerance in (0, 1), e.g. 0.01, found " +
                     FormatNumber(options.tolerance));
  }
  if (options.price_per_device_hour && !options.device_prices.empty()) {
    throw InputError("--price-per-device-hour and --price: give one of them");
  }
  if (options.price_per_device_hour && !(*options.price_per_device_hour > 0)) {
    throw InputError("--price-per-device-hour: expected a price > 0, found " +
                     FormatNumber(*options.price_per_device_hour));
  }
  const uint64_t seed = ValidateSweepGrid(g);
  const int64_t n = SweepGridSize(g.axes, g.max_points);
  std::vector<Prepared> prepared(static_cast<size_t>(n));
  ParallelFor(n, g.jobs, [&](int64_t c) {
    Prepared& p = prepared[static_cast<size_t>(c)];
    p.overrides = SweepPointOverrides(g, seed, c);
    try {
      const Scenario sc = LoadScenarioWithOrigins(g.scenario_path, p.overrides);
      p.knob = FindRateKnob(sc);
      const auto goodput = GoodputOverrides(sc, options.slos);
      p.overrides.insert(p.overrides.end(), goodput.begin(), goodput.end());
      p.devices = int64_t{sc.engine.cost.tp} * sc.engine.pp * sc.engine.replicas;
      p.price = options.price_per_device_hour;
      const DevicePower& power = sc.engine.device.power;
      if (!p.price && options.device_prices.empty() && power.price_per_hour_usd > 0)
        p.price = power.price_per_hour_usd;
      if (!options.device_prices.empty()) {
        const auto it = options.device_prices.find(sc.engine.device.name);
        if (it == options.device_prices.end()) {
          throw InputError("--price: no price for device '" + sc.engine.device.name +
                           "'; add --price " + sc.engine.device.name + "=USD_PER_DEVICE_HOUR");
        }
        p.price = it->second;
      }
      CheckRankable(options.rank, sc, p.price.has_value());
    } catch (const InputError& e) {
      throw InputError(SweepPointError(g.axes, c, e.what(), "configuration"));
    }
  });
  if (g.before_runs) g.before_runs();
  CapacityResult result;
  result.rows.resize(static_cast<size_t>(n));
  ParallelFor(n, g.jobs, [&](int64_t c) {
    const Prepared& p = prepared[static_cast<size_t>(c)];
    CapacityRow& row = result.rows[static_cast<size_t>(c)];
    row.config = c;
    row.assignment = SweepAssignment(g.axes, c);
    row.rate_key = p.knob.key;
    row.devices = p.devices;
    row.price_per_device_hour = p.price;
    auto meets = [&](double rate_per_s) {
      std::vector<Override> overrides = p.overrides;
      const double value = p.knob.ValueAt(rate_per_s);
      const std::string probe = p.knob.key + "=" + FormatNumber(value);
      overrides.push_back({probe, "the capacity search's " + probe});
      EngineConfig config;
      RunSummary s;
      try {
        s = RunScenarioOnce(g.scenario_path, overrides, &config);
      } catch (const InputError& e) {
        throw InputError(SweepPointError(g.axes, c, e.what(), "configuration"));
      }
      std::vector<double> values;
      if (!MeetsSlos(s, options.slos, values)) return false;
      row.has_metrics = true;
      row.rate_value = value;
      row.at_capacity = std::move(s);
      row.config_at_capacity = std::move(config);
      row.slo_values_ms = std::move(values);
      return true;
    };
    row.search = SearchCapacity(p.knob.base_per_s, options.tolerance, meets);
    if (row.search.status == CapacityStatus::kNoRate) row.has_metrics = false;
    if (p.price) {
      row.requests_per_dollar =
          row.search.capacity_per_s * 3600.0 / (static_cast<double>(p.devices) * *p.price);
    }
    SetTokenFigures(row);
  });
  RankRows(options.rank, result.rows);
  result.csv = CapacityCsv(options, result.rows);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace servesim
