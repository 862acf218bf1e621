// The SLO flags of `servesim run`: --goodput in vLLM's per-request syntax (`vllm bench serve
// --goodput ttft:300 tpot:50`) and --slo in capacity's statistic syntax (p99_ttft_ms=500). Both
// set the per-request bounds of output.slo that goodput and SLO attainment count against
// (--goodput overrides the scenario's; --slo, as in capacity, fills only what neither sets, from
// the highest percentile of each metric); --slo's statistics are also checked against the run.
// Ignores: SLOs on the --compare baseline's statistics (it gets the same per-request bounds).
#ifndef SERVESIM_SIM_APP_RUN_SLOS_H_
#define SERVESIM_SIM_APP_RUN_SLOS_H_

#include <string>
#include <vector>

#include "sim/app/capacity.h"
#include "sim/app/cli_common.h"
#include "sim/config/scenario.h"
#include "sim/output/summary_table.h"

namespace servesim {

// Adds --goodput (multitoken, repeatable) and --slo.
void AddRunSloOptions(po::options_description& desc);

struct RunSlos {
  std::vector<Override> overrides;  // --set, then --goodput, then --slo's per-request bounds
  std::vector<Slo> statistics;      // --slo, in order
};

// Parses the flags (InputError naming the flag for a bad value) and loads the scenario (the file,
// or the quick start's flags: sim/app/quick_start.h) with --set and them applied; `slos` receives
// what the baseline of --compare and the summary need.
Scenario LoadRunScenarioWithSlos(const po::variables_map& vm, RunSlos& slos);

// --slo's statistics and this run's values of them.
std::vector<SloLine> CheckSlos(const RunSummary& s, const std::vector<Slo>& statistics);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_RUN_SLOS_H_
