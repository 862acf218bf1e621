// `servesim analyze`'s request from a scenario, and its what-if lines: the same step re-analyzed
// with one setting changed (a shorter max_model_len, narrower weights, a larger batch, more
// tensor parallelism), each priced by re-running the analysis, the scenario reloaded with the
// change when the setting shapes the memory or offload plan. Ignores: combinations of changes,
// settings that do not change the analysis (scheduler, workload).
#ifndef SERVESIM_SIM_APP_ANALYZE_WHATIF_H_
#define SERVESIM_SIM_APP_ANALYZE_WHATIF_H_

#include <optional>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/analyze.h"

namespace servesim {

// `step` (phase, batch, tokens, context, attention) with the scenario's model, device, cost model,
// memory plan and offload placement.
AnalyzeRequest RequestFromScenario(const Scenario& scenario, const AnalyzeRequest& step);

// The what-if lines for `request`; with `scenario`, changes that shape the plan reload it from its
// file with `overrides` plus the change.
std::vector<WhatIf> AnalyzeWhatIfs(const AnalyzeRequest& request,
                                   const std::optional<Scenario>& scenario,
                                   const std::vector<std::string>& overrides);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_ANALYZE_WHATIF_H_
