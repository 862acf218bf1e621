#include "sim/app/run_slos.h"

#include "models/input_error.h"
#include "sim/app/quick_start.h"
#include "sim/app/sweep.h"

namespace servesim {

void AddRunSloOptions(po::options_description& desc) {
  desc.add_options()(
      "goodput", po::value<std::vector<std::string>>()->multitoken()->composing(),
      "per-request SLOs for goodput and SLO attainment, vLLM's syntax: --goodput ttft:300 "
      "tpot:50 (keys ttft, tpot, e2el; ms); sets output.slo")(
      "slo", po::value<std::vector<std::string>>()->composing(),
      "statistic SLOs as in servesim capacity: --slo p99_ttft_ms=500,p99_tpot_ms=50 (each "
      "checked; the highest percentile per metric also bounds goodput)");
}

Scenario LoadRunScenarioWithSlos(const po::variables_map& vm, RunSlos& slos) {
  slos.overrides = FlagOverrides("--set", Strings(vm, "set"));
  for (Override& o : GoodputFlagOverrides(Strings(vm, "goodput"))) slos.overrides.push_back(o);
  for (const std::string& text : Strings(vm, "slo")) {
    for (const Slo& slo : ParseSlos(text)) {
      for (const Slo& have : slos.statistics) {
        if (have.metric == slo.metric) throw InputError("--slo " + slo.metric + ": given twice");
      }
      slos.statistics.push_back(slo);
    }
  }
  Scenario sc = LoadRunScenario(vm, slos.overrides);
  if (slos.statistics.empty()) return sc;
  const std::vector<Override> bounds = GoodputOverrides(sc, slos.statistics);
  if (bounds.empty()) return sc;
  slos.overrides.insert(slos.overrides.end(), bounds.begin(), bounds.end());
  return LoadRunScenario(vm, slos.overrides);
}

std::vector<SloLine> CheckSlos(const RunSummary& s, const std::vector<Slo>& statistics) {
  std::vector<SloLine> out;
  for (const Slo& slo : statistics) {
    out.push_back({slo.metric, *LatencyMetricMs(s, slo.metric), slo.bound_ms});
  }
  return out;
}

}  // namespace servesim
