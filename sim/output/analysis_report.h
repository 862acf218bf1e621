// `servesim analyze`'s report: an Analysis (sim/core/analyze.h) as a text table, JSON or CSV, with
// the offload placement (what stays resident, bytes streamed per tier) when the step has one.
// Also the batch and context curves of `--curves`, as CSV and as an HTML section for the roofline
// page (report_html.h renders the page itself).
#ifndef SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_
#define SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_

#include <string>
#include <vector>

#include "sim/core/analyze.h"

namespace servesim {

enum class OutputFormat { kText, kJson, kCsv };

// Validates the request (InputError naming the flag), prices it and renders it with what limits
// it (DescribeLimits) and `what_ifs` (text and JSON; CSV has the operators only).
std::string RenderAnalysis(const AnalyzeRequest& request, OutputFormat format,
                           const std::vector<WhatIf>& what_ifs = {});

// `analyze --curves`: one CSV row per point, columns sweep, batch, seq_len, decode_step_seconds,
// decode_tokens_per_second, decode_bound, prefill_seconds, prefill_tokens_per_second,
// prefill_bound, fits.
std::string RenderCurvesCsv(const std::vector<CurvePoint>& points);

// The curves as an HTML section (SVG charts: decode tokens/s and step time against batch; decode
// step time and prefill time against sequence length), each point marked by its bound.
std::string RenderCurvesHtml(const std::vector<CurvePoint>& points);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_ANALYSIS_REPORT_H_
