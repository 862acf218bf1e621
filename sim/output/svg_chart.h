// Static inline-SVG charts for the HTML reports: line and scatter charts on linear or log10 axes
// with "nice" ticks, grid lines, axis labels, a legend and hover tooltips (<title>), and grouped
// bar charts over categories (one group per category, one bar per series, optional error bars),
// drawn as text by our own code so a page needs no script, font or network.
//
// Models: what a reader needs to read values off a chart. Output is deterministic: coordinates are
// printed with one decimal and tick labels with a fixed rule, so the same data gives the same bytes.
// Legends wrap onto as many rows as they need (the plot shrinks to make room) and an entry too
// long for a row is cut with an ellipsis, its full text kept in a tooltip; category labels wrap
// onto up to three lines under their group, likewise cut and kept.
// Ignores: interactivity (no JavaScript), text measurement (legend and labels are placed by an
// estimated character width), collision avoidance between marker labels beyond stacking them,
// points outside the axis range (clipped by the plot area), and non-positive values on a log axis
// (dropped).
#ifndef SERVESIM_SIM_OUTPUT_SVG_CHART_H_
#define SERVESIM_SIM_OUTPUT_SVG_CHART_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

enum class Scale { kLinear, kLog10 };

struct Point {
  double x = 0, y = 0;
};

struct AxisSpec {
  std::string label;
  Scale scale = Scale::kLinear;
  // NaN: fit to the data (linear axes start at 0 when all data is non-negative, log axes span
  // whole decades).
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
};

class SvgChart {
 public:
  SvgChart(std::string title, AxisSpec x, AxisSpec y, int width_px = 580, int height_px = 300);

  // A polyline through `points` in order; a point with a NaN coordinate breaks the line.
  void AddLine(std::string name, std::string color, std::vector<Point> points, bool dashed = false);
  // One circle per point; `labels` (empty, or one per point) are drawn beside the markers and
  // repeated in their tooltips.
  void AddMarkers(std::string name, std::string color, std::vector<Point> points,
                  std::vector<std::string> labels = {});
  // An unfilled ring around each point (drawn over markers to flag them), `tooltips` (one per
  // point) in its title; no legend entry.
  void AddRings(std::string color, std::vector<Point> points, std::vector<std::string> tooltips);
  // A vertical rule across the plot at `x`, labelled at its top.
  void AddVerticalRule(double x, std::string color, std::string label);

  std::string Render() const;

 private:
  struct Frame;
  Frame Layout() const;
  void RenderAxes(const Frame& f, std::string& o) const;
  void RenderLines(const Frame& f, std::string& o) const;
  void RenderMarkers(const Frame& f, std::string& o) const;
  void RenderLegend(const Frame& f, std::string& o) const;

  struct Series {
    std::string name, color;
    std::vector<Point> points;
    std::vector<std::string> labels;
    bool markers = false, dashed = false, rings = false;
  };
  struct Rule {
    double x;
    std::string color, label;
  };
  std::string title_;
  AxisSpec x_, y_;
  int width_px_, height_px_;
  std::vector<Series> series_;
  std::vector<Rule> rules_;
};

// Grouped bars: one group per category along x (in the given order, labelled under the axis),
// one bar per series inside each group, on a linear y axis from zero (or the spec's bounds).
class SvgBarChart {
 public:
  SvgBarChart(std::string title, std::vector<std::string> categories, std::string x_label,
              AxisSpec y, int width_px = 580, int height_px = 300);

  // One value per category (NaN: no bar); `errors`, empty or one per category, are half-widths
  // drawn as whiskers (NaN or 0: none).
  void AddSeries(std::string name, std::string color, std::vector<double> values,
                 std::vector<double> errors = {});

  std::string Render() const;

 private:
  struct Series {
    std::string name, color;
    std::vector<double> values, errors;
  };
  struct Frame;
  Frame Layout() const;
  void RenderBar(const Frame& f, size_t series, size_t category, double x, double bar_px,
                 bool value_label, std::string& o) const;

  std::string title_;
  std::vector<std::string> categories_;
  std::string x_label_;
  AxisSpec y_;
  int width_px_, height_px_;
  std::vector<Series> series_;
};

// Tick positions: multiples of 1, 2 or 5 x 10^k covering [lo, hi] with about `target` ticks.
std::vector<double> LinearTicks(double lo, double hi, int target);
// Powers of ten within [lo, hi] (lo, hi > 0).
std::vector<double> LogTicks(double lo, double hi);
// A short tick label: "0", "0.25", "40", "1.5k", "2M", "3G", "1e-05".
std::string FormatTick(double value);
// Fixed-precision number for SVG coordinates ("12.3").
std::string SvgNumber(double value);
// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

// `label` cut to at most `max_chars` characters, the last of them an ellipsis when cut (UTF-8
// sequences are kept whole).
std::string Ellipsize(const std::string& label, size_t max_chars);
// `label` broken into at most `max_lines` lines of at most `max_chars` characters, at spaces where
// it can; the last line ellipsized when the text does not fit.
std::vector<std::string> WrapLabel(const std::string& label, size_t max_chars, size_t max_lines);

// The empirical CDF of `values` (sorted here) as at most `max_points` + 1 points (value,
// cumulative fraction) at evenly spaced ranks, the smallest and largest included. Empty input
// gives no points.
std::vector<Point> CdfPoints(std::vector<double> values, int max_points);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_SVG_CHART_H_
