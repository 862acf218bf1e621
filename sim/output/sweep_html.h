// sweep.html: the page of `servesim sweep` / `merge`, from sweep.csv's text.
//
// Models: one chart per headline metric (throughputs, goodput, mean and p99 TTFT / TPOT / ITL /
// E2E) against the first varied key. A numeric first key gives a line per combination of the
// other varied keys; a non-numeric one (an implementation, a device, a YAML mapping) gives grouped
// bars, a group per value (labelled with it) and a bar per combination of the other keys. With
// replications, the `_ci95` columns draw as error bars. Points whose load_status is not ok (runs
// that were overloaded or too short for a steady state) are named in a banner above the charts,
// ringed in the line charts (red: overloaded, orange: short_run) and shaded in the grid. Then the
// grid as a table (first 500 rows) that scrolls inside its own box.
// Ignores: more than ten series per chart (the rest are in the table), metrics other than the
// headline ones (in the table), rings on bars (the banner names those points).
#ifndef SERVESIM_SIM_OUTPUT_SWEEP_HTML_H_
#define SERVESIM_SIM_OUTPUT_SWEEP_HTML_H_

#include <string>

namespace servesim {

// `varied` is the number of varied-key columns after `point`.
std::string RenderSweepHtml(const std::string& title, const std::string& csv, size_t varied);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_SWEEP_HTML_H_
