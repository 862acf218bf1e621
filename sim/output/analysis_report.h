// `servesim analyze`'s report: an Analysis (sim/core/analyze.h) as a text table, JSON or CSV, with
// the offload placement (what stays resident, bytes streamed per tier) when the step has one.
// Ignores: charts (report_html.h renders the roofline page).
#ifndef SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_
#define SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_

#include <string>

#include "sim/core/analyze.h"

namespace servesim {

enum class OutputFormat { kText, kJson, kCsv };

// Validates the request (InputError naming the flag), prices it and renders it.
std::string RenderAnalysis(const AnalyzeRequest& request, OutputFormat format);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_
