#include "sim/output/sweep_html.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "sim/output/html_page.h"
#include "sim/output/svg_chart.h"

namespace servesim {
namespace {

constexpr size_t kMaxSeries = 10;
constexpr size_t kMaxTableRows = 500;

// One CSV line into fields (double quotes group, "" escapes a quote).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<std::vector<std::string>> SplitCsvRows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    if (end > start) rows.push_back(SplitCsvLine(csv.substr(start, end - start)));
    start = end + 1;
  }
  return rows;
}

bool ParseNumber(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

// sweep.csv read back: the header, the points, and how they chart (x values, series).
struct SweepTable {
  std::vector<std::vector<std::string>> rows;  // rows[0]: the header
  size_t varied = 0;                           // varied keys (columns 1..varied)
  size_t n = 0;                                // points
  std::vector<std::string> x_values;           // the first varied key's values, in order
  bool numeric_x = false;
  std::string x_label;
  std::vector<std::string> series_keys;  // the other varied keys' value combinations
  std::vector<size_t> series_of;         // per row: its series
  int load_column = -1;                  // load_status; -1 in a sweep.csv from before it

  // The row's load status when it is not ok ("" for ok or without the column).
  std::string LoadFlag(size_t r) const {
    const std::string& v = Cell(r, load_column);
    return v == "ok" ? "" : v;
  }

  int Column(const std::string& name) const {
    for (size_t c = 0; c < rows[0].size(); ++c) {
      if (rows[0][c] == name) return static_cast<int>(c);
    }
    return -1;
  }
  const std::string& Cell(size_t r, int c) const {
    static const std::string kEmpty;
    return c >= 0 && static_cast<size_t>(c) < rows[r].size() ? rows[r][static_cast<size_t>(c)]
                                                             : kEmpty;
  }
};

// A varied key's short name for legends: the last part of a.b.c.
std::string ShortKey(const std::string& key) { return key.substr(key.rfind('.') + 1); }

// A value for a label: a YAML flow mapping loses its braces ("impl: sarathi, chunk_size: 256").
std::string ShortValue(const std::string& value) {
  if (value.size() >= 2 && value.front() == '{' && value.back() == '}') {
    const size_t b = value.find_first_not_of(' ', 1),
                 e = value.find_last_not_of(' ', value.size() - 2);
    return b <= e ? value.substr(b, e - b + 1) : "";
  }
  return value;
}

// x: the first varied key, numeric if every value is; else its values' order of appearance.
// Series: the other varied keys' values.
void ClassifyPoints(SweepTable& t) {
  const std::vector<std::string>& header = t.rows[0];
  t.numeric_x = t.varied > 0;
  for (size_t r = 1; r <= t.n && t.varied > 0; ++r) {
    const std::string& v = t.Cell(r, 1);
    double unused;
    if (!ParseNumber(v, unused)) t.numeric_x = false;
    if (std::find(t.x_values.begin(), t.x_values.end(), v) == t.x_values.end())
      t.x_values.push_back(v);
  }
  t.x_label = t.varied > 0 ? header[1] : "point";
  t.series_of.assign(t.n + 1, 0);
  for (size_t r = 1; r <= t.n; ++r) {
    std::string key;
    for (size_t k = 1; k < t.varied; ++k) {
      key += (k > 1 ? ", " : "") + ShortKey(header[1 + k]) + "=" +
             ShortValue(t.Cell(r, static_cast<int>(1 + k)));
    }
    auto it = std::find(t.series_keys.begin(), t.series_keys.end(), key);
    t.series_of[r] = static_cast<size_t>(it - t.series_keys.begin());
    if (it == t.series_keys.end()) t.series_keys.push_back(key);
  }
}

// The first value of `metric` (and of its _ci95 column, NaN without) per x value, per series.
struct MetricGrid {
  std::vector<std::vector<double>> values, errors;  // [series][x index]
};

MetricGrid GridOf(const SweepTable& t, int column, int ci_column) {
  MetricGrid g;
  const size_t series = std::min(t.series_keys.size(), kMaxSeries);
  g.values.assign(series, std::vector<double>(std::max<size_t>(t.x_values.size(), 1), NAN));
  g.errors = g.values;
  for (size_t r = 1; r <= t.n; ++r) {
    if (t.series_of[r] >= series) continue;
    double y, e;
    if (!ParseNumber(t.Cell(r, column), y)) continue;
    const size_t x = static_cast<size_t>(
        std::find(t.x_values.begin(), t.x_values.end(), t.Cell(r, 1)) - t.x_values.begin());
    if (x >= g.values[t.series_of[r]].size()) continue;
    g.values[t.series_of[r]][x] = y;
    if (ParseNumber(t.Cell(r, ci_column), e)) g.errors[t.series_of[r]][x] = e;
  }
  return g;
}

// One metric against a categorical x: a bar group per x value, a bar per series.
std::string BarMetricChart(const SweepTable& t, const std::string& metric,
                           const std::string& unit) {
  const MetricGrid g = GridOf(t, t.Column(metric), t.Column(metric + "_ci95"));
  std::vector<std::string> categories;
  for (const std::string& x : t.x_values) categories.push_back(ShortValue(x));
  SvgBarChart chart(metric, categories, t.x_label, AxisSpec{metric + " (" + unit + ")"}, 600, 320);
  bool any = false;
  for (size_t s = 0; s < g.values.size(); ++s) {
    any = any || std::any_of(g.values[s].begin(), g.values[s].end(),
                             [](double v) { return std::isfinite(v); });
    chart.AddSeries(t.series_keys[s], kPalette[s % kPaletteSize], g.values[s], g.errors[s]);
  }
  return any ? chart.Render() : "";
}

// A ring around each charted point whose run was not a steady state: red for overloaded, orange
// for a short run.
void AddLoadRings(const SweepTable& t, int column, SvgChart& chart) {
  for (const char* status : {"overloaded", "short_run"}) {
    std::vector<Point> points;
    std::vector<std::string> tooltips;
    for (size_t r = 1; r <= t.n; ++r) {
      double x = static_cast<double>(r - 1), y;
      if (t.series_of[r] >= kMaxSeries || t.LoadFlag(r) != status ||
          !ParseNumber(t.Cell(r, column), y)) {
        continue;
      }
      if (t.varied > 0) ParseNumber(t.Cell(r, 1), x);
      points.push_back({x, y});
      tooltips.push_back("point " + t.Cell(r, 0) + ": " + status + ", not a steady state");
    }
    if (!points.empty()) {
      chart.AddRings(std::string(status) == "overloaded" ? "#d62728" : "#e8710a", points, tooltips);
    }
  }
}

// The banner naming the points that are not a steady state; empty when there are none.
std::string LoadBanner(const SweepTable& t) {
  std::string items;
  for (const char* status : {"overloaded", "short_run"}) {
    std::string names;
    size_t count = 0;
    for (size_t r = 1; r <= t.n; ++r) {
      if (t.LoadFlag(r) != status) continue;
      if (++count > 20) continue;
      std::string point = "point " + t.Cell(r, 0);
      for (size_t k = 0; k < t.varied; ++k) {
        point += (k ? ", " : " (") + ShortKey(t.rows[0][1 + k]) + "=" +
                 ShortValue(t.Cell(r, static_cast<int>(1 + k))) + (k + 1 == t.varied ? ")" : "");
      }
      names += (names.empty() ? "" : "; ") + point;
    }
    if (count == 0) continue;
    if (count > 20) names += "; and " + std::to_string(count - 20) + " more";
    items += "<li><b>" + std::to_string(count) + " " + status + "</b>" +
             (std::string(status) == "overloaded"
                  ? " (arrivals outpaced service: the queue still grew when arrivals ended, so "
                    "latencies depend on the run's length; red rings)"
                  : " (too few requests or too short an arrival window for steady statistics; "
                    "orange rings)") +
             ": " + HtmlEscape(names) + "</li>\n";
  }
  if (items.empty()) return "";
  return "<div class=\"banner warn\" id=\"load\"><h2>Not every point is a steady state</h2>\n"
         "<ul>\n" +
         items +
         "</ul>\nTheir metrics are shown but are not the system's steady-state performance; "
         "their rows are shaded in the grid (column load_status).</div>\n";
}

// One metric against a numeric x (or the point index): a line and markers per series.
std::string LineMetricChart(const SweepTable& t, const std::string& metric,
                            const std::string& unit) {
  const int c = t.Column(metric);
  SvgChart chart(metric, AxisSpec{t.x_label}, AxisSpec{metric + " (" + unit + ")"}, 600, 320);
  bool any = false;
  for (size_t sidx = 0; sidx < t.series_keys.size() && sidx < kMaxSeries; ++sidx) {
    std::vector<Point> points;
    for (size_t r = 1; r <= t.n; ++r) {
      double x = static_cast<double>(r - 1), y;
      if (t.series_of[r] != sidx || !ParseNumber(t.Cell(r, c), y)) continue;
      if (t.varied > 0) ParseNumber(t.Cell(r, 1), x);
      points.push_back({x, y});
    }
    if (points.empty()) continue;
    any = true;
    const std::string name = t.series_keys[sidx].empty() ? metric : t.series_keys[sidx];
    chart.AddLine(name, kPalette[sidx % kPaletteSize], points);
    chart.AddMarkers("", kPalette[sidx % kPaletteSize], points);
  }
  AddLoadRings(t, c, chart);
  return any ? chart.Render() : "";
}

// The grid as a table (the first 500 rows) in a box that scrolls both ways.
std::string SweepGridTable(const SweepTable& t) {
  std::string html =
      "<h2 id=\"grid\">Grid</h2>\n<div class=\"scroll\" id=\"grid-table\">\n<table>\n<tr>";
  for (size_t c = 0; c < t.rows[0].size(); ++c) {
    const bool text = c <= t.varied || static_cast<int>(c) == t.load_column;
    html += std::string(text ? "<th>" : "<th class=\"num\">") + HtmlEscape(t.rows[0][c]) + "</th>";
  }
  html += "</tr>\n";
  for (size_t r = 1; r <= t.n && r <= kMaxTableRows; ++r) {
    const std::string flag = t.LoadFlag(r);
    html += flag.empty() ? "<tr>" : "<tr class=\"" + HtmlEscape(flag) + "\">";
    for (size_t c = 0; c < t.rows[r].size(); ++c) {
      html += c <= t.varied || static_cast<int>(c) == t.load_column
                  ? "<td>" + HtmlEscape(t.rows[r][c]) + "</td>"
                  : "<td class=\"num\">" + HtmlEscape(DisplayNumber(t.rows[r][c])) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n</div>\n";
  if (t.n > kMaxTableRows) {
    html += "<p class=\"meta\">(first " + std::to_string(kMaxTableRows) + " of " +
            std::to_string(t.n) + " rows; sweep.csv has them all)</p>\n";
  }
  return html;
}

}  // namespace

std::string RenderSweepHtml(const std::string& title, const std::string& csv, size_t varied) {
  SweepTable t;
  t.rows = SplitCsvRows(csv);
  t.varied = varied;
  std::string html = PageHead(title);
  html += "<h1>" + HtmlEscape(title) + "</h1>\n";
  if (t.rows.size() < 2 || t.rows[0].size() < 1 + varied) {
    html += "<p class=\"meta\">no points</p>\n</body>\n</html>\n";
    return html;
  }
  t.n = t.rows.size() - 1;
  t.load_column = t.Column("load_status");
  ClassifyPoints(t);
  html += "<p class=\"meta\">" + std::to_string(t.n) + " points";
  for (size_t k = 0; k < varied; ++k)
    html += (k ? ", " : "; varying ") + HtmlEscape(t.rows[0][1 + k]);
  html += t.numeric_x || varied == 0
              ? ". Charts: each metric against the first varied key"
              : ". Charts: each metric as a group of bars per value of the first varied key";
  if (t.series_keys.size() > 1) {
    html += ", one " + std::string(t.numeric_x ? "line" : "bar") +
            " per combination of the others" +
            (t.series_keys.size() > kMaxSeries ? " (the first " + std::to_string(kMaxSeries) + ")"
                                               : "");
  }
  if (t.Column("request_throughput_ci95") >= 0) html += "; error bars: 95 % confidence intervals";
  html += ".</p>\n<nav><a href=\"#metrics\">Metrics</a><a href=\"#grid\">Grid</a></nav>\n";
  html += "<h2 id=\"metrics\">Metrics</h2>\n" + LoadBanner(t) + "<div class=\"charts\">\n";
  const std::vector<std::pair<std::string, std::string>> metrics = {
      {"request_throughput", "requests/s"},
      {"output_throughput", "output tokens/s"},
      {"request_goodput", "good requests/s"},
      {"mean_ttft_ms", "ms"},
      {"p99_ttft_ms", "ms"},
      {"mean_tpot_ms", "ms"},
      {"p99_tpot_ms", "ms"},
      {"mean_itl_ms", "ms"},
      {"p99_itl_ms", "ms"},
      {"mean_e2el_ms", "ms"},
      {"p99_e2el_ms", "ms"}};
  const bool bars = !t.numeric_x && varied > 0;
  for (const auto& [metric, unit] : metrics) {
    if (t.Column(metric) < 0) continue;
    const std::string chart =
        bars ? BarMetricChart(t, metric, unit) : LineMetricChart(t, metric, unit);
    if (!chart.empty()) html += chart;
  }
  html += "</div>\n" + SweepGridTable(t);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace servesim
