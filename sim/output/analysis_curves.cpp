// `servesim analyze --curves`: the batch and context sweeps of AnalyzeCurves as CSV and as SVG
// charts for the roofline page. Each chart draws the curve as a line and marks every point with
// the bound its CSV row names, so a reader sees where a curve turns from memory- to compute-bound.
#include <string>
#include <vector>

#include "models/format_number.h"
#include "sim/output/analysis_report.h"
#include "sim/output/svg_chart.h"

namespace servesim {
namespace {

// The roofline page's palette (report_html.cpp): memory blue, compute orange, others purple.
constexpr const char* kLineColor = "#555";
constexpr const char* kPrefillColor = "#2ca02c";

const char* BoundColor(const std::string& bound) {
  if (bound == "memory") return "#1f77b4";
  if (bound == "compute") return "#e8710a";
  if (bound == "io") return "#d62728";
  return "#7b4fb0";
}

// One marker series per bound, in the order the bounds first appear.
void AddBoundMarkers(SvgChart& chart, const std::string& prefix, const std::vector<Point>& points,
                     const std::vector<std::string>& bounds) {
  std::vector<std::string> seen;
  for (const std::string& b : bounds) {
    bool known = false;
    for (const std::string& s : seen) known = known || s == b;
    if (known) continue;
    seen.push_back(b);
    std::vector<Point> mine;
    for (size_t i = 0; i < points.size(); ++i)
      if (bounds[i] == b) mine.push_back(points[i]);
    chart.AddMarkers(prefix + b + "-bound", BoundColor(b), mine);
  }
}

struct Series {
  std::vector<Point> points;
  std::vector<std::string> bounds;
};

Series Collect(const std::vector<CurvePoint>& points, const std::string& sweep, bool by_batch,
               double (*y)(const CurvePoint&), bool prefill) {
  Series s;
  for (const CurvePoint& p : points) {
    if (p.sweep != sweep) continue;
    s.points.push_back({static_cast<double>(by_batch ? p.batch : p.seq_len), y(p)});
    s.bounds.push_back(prefill ? p.prefill_bound : p.decode_bound);
  }
  return s;
}

std::string Chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                  const std::vector<std::pair<std::string, Series>>& lines) {
  SvgChart chart(title, {x_label, Scale::kLog10}, {y_label, Scale::kLog10});
  for (size_t i = 0; i < lines.size(); ++i)
    chart.AddLine(lines[i].first, i == 0 ? kLineColor : kPrefillColor, lines[i].second.points);
  for (const auto& [name, s] : lines)
    AddBoundMarkers(chart, lines.size() > 1 ? name + ": " : "", s.points, s.bounds);
  return chart.Render();
}

}  // namespace

std::string RenderCurvesCsv(const std::vector<CurvePoint>& points) {
  std::string out =
      "sweep,batch,seq_len,decode_step_seconds,decode_tokens_per_second,decode_bound,"
      "prefill_seconds,prefill_tokens_per_second,prefill_bound,fits\n";
  for (const CurvePoint& p : points) {
    out += p.sweep + "," + std::to_string(p.batch) + "," + std::to_string(p.seq_len) + "," +
           FormatNumber(p.decode_step_s) + "," + FormatNumber(p.decode_tokens_per_s) + "," +
           p.decode_bound + "," + FormatNumber(p.prefill_s) + "," +
           FormatNumber(p.prefill_tokens_per_s) + "," + p.prefill_bound + "," +
           (p.fits ? "true" : "false") + "\n";
  }
  return out;
}

std::string RenderCurvesHtml(const std::vector<CurvePoint>& points) {
  const auto tps = [](const CurvePoint& p) { return p.decode_tokens_per_s; };
  const auto step_ms = [](const CurvePoint& p) { return p.decode_step_s * 1e3; };
  const auto prefill_ms = [](const CurvePoint& p) { return p.prefill_s * 1e3; };
  std::string o = "<h2>Curves</h2>\n<div class=\"charts\">\n";
  o += Chart("Decode throughput against batch", "batch (sequences)", "tokens/s (generated)",
             {{"decode tokens/s", Collect(points, "batch", true, tps, false)}});
  o += Chart("Decode step time (per-token latency) against batch", "batch (sequences)",
             "ms per step", {{"decode step", Collect(points, "batch", true, step_ms, false)}});
  o += Chart("Step time against sequence length", "sequence length (tokens)", "ms",
             {{"decode step", Collect(points, "context", false, step_ms, false)},
              {"prefill", Collect(points, "context", false, prefill_ms, true)}});
  o += "</div>\n<p class=\"meta\">Batch sweep at the analyzed sequence length; sequence-length "
       "sweep at the analyzed batch. A decode step of a batch at sequence length L attends L - 1 "
       "cached tokens; prefill computes L prompt tokens per sequence. Markers name each step's "
       "bound (what most of its time went to), as the decode_bound and prefill_bound columns of "
       "--curves do.</p>\n";
  return o;
}

}  // namespace servesim
