#include "sim/output/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace servesim {
namespace {

constexpr double kLeftPx = 70, kRightPx = 24, kTopPx = 46, kBottomPx = 48;
constexpr double kCharPx = 6.2;       // estimated width of a character of the 11 px legend text
constexpr double kLabelCharPx = 5.6;  // and of the 10 px marker labels

constexpr double kLegendRowPx = 14;     // a legend row's height
constexpr double kCategoryLinePx = 12;  // a category label line's height

bool Finite(double v) { return std::isfinite(v); }

// Code points of UTF-8 text (continuation bytes not counted).
size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The first `n` code points of `text`.
std::string Utf8Prefix(std::string_view text, size_t n) {
  size_t i = 0, seen = 0;
  for (; i < text.size(); ++i) {
    if ((text[i] & 0xC0) != 0x80 && seen++ == n) break;
  }
  return std::string(text.substr(0, i));
}

// A legend entry as placed: its series' index, row, x and (possibly ellipsized) text.
struct LegendSlot {
  size_t index;
  int row;
  double x;
  std::string text;
};

// Legend entries left to right from `x0`, onto a new row whenever the next would pass `x1`.
std::vector<LegendSlot> PlaceLegend(const std::vector<std::string>& names, double x0, double x1) {
  std::vector<LegendSlot> slots;
  const size_t fit = static_cast<size_t>(std::max(4.0, (x1 - x0 - 18) / kCharPx));
  double x = x0;
  int row = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    std::string text = Ellipsize(names[i], fit);
    const double width = 30 + kCharPx * static_cast<double>(Utf8Length(text));
    if (x > x0 && x + width - 12 > x1) {
      ++row;
      x = x0;
    }
    slots.push_back({i, row, x, std::move(text)});
    x += width;
  }
  return slots;
}

int LegendRows(const std::vector<LegendSlot>& slots) {
  return slots.empty() ? 1 : slots.back().row + 1;
}

// One legend entry: a line or a dot in `color`, then its text (the full name as a tooltip when
// the text was cut).
void RenderLegendSlot(const LegendSlot& slot, const std::string& name, const std::string& color,
                      bool marker, bool dashed, std::string& o) {
  const double y = 32 + kLegendRowPx * slot.row;
  const double lx = slot.x;
  o += "<g>";
  if (slot.text != name) o += "<title>" + HtmlEscape(name) + "</title>";
  if (marker) {
    o += "<circle cx=\"" + SvgNumber(lx + 7) + "\" cy=\"" + SvgNumber(y) + "\" r=\"3.5\" fill=\"" +
         HtmlEscape(color) + "\"/>";
  } else {
    o += "<line x1=\"" + SvgNumber(lx) + "\" y1=\"" + SvgNumber(y) + "\" x2=\"" +
         SvgNumber(lx + 14) + "\" y2=\"" + SvgNumber(y) + "\" stroke=\"" + HtmlEscape(color) +
         "\" stroke-width=\"" + (dashed ? "2\" stroke-dasharray=\"4 2\"" : "2\"") + "/>";
  }
  o += "<text x=\"" + SvgNumber(lx + 18) + "\" y=\"" + SvgNumber(y + 4) + "\">" +
       HtmlEscape(slot.text) + "</text></g>\n";
}

// The chart's frame, title and background: the opening of every chart.
void RenderChartHead(const std::string& title, int width_px, int height_px, double title_x,
                     std::string& o) {
  o += "<svg class=\"chart\" width=\"" + std::to_string(width_px) + "\" height=\"" +
       std::to_string(height_px) + "\" viewBox=\"0 0 " + std::to_string(width_px) + " " +
       std::to_string(height_px) + "\" role=\"img\" aria-label=\"" + HtmlEscape(title) +
       "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o += "<title>" + HtmlEscape(title) + "</title>\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  o += "<text x=\"" + SvgNumber(title_x) + "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" +
       HtmlEscape(title) + "</text>\n";
}

// The axis range: the spec's bounds where given, else fitted to `values`.
std::pair<double, double> FitRange(const AxisSpec& axis, const std::vector<double>& values) {
  double lo = axis.min, hi = axis.max;
  double data_lo = INFINITY, data_hi = -INFINITY;
  for (double v : values) {
    if (!Finite(v) || (axis.scale == Scale::kLog10 && v <= 0)) continue;
    data_lo = std::min(data_lo, v);
    data_hi = std::max(data_hi, v);
  }
  const bool have = data_lo <= data_hi;
  if (axis.scale == Scale::kLog10) {
    if (!Finite(lo) || lo <= 0) lo = have ? std::pow(10.0, std::floor(std::log10(data_lo))) : 1.0;
    if (!Finite(hi) || hi <= 0) hi = have ? std::pow(10.0, std::ceil(std::log10(data_hi))) : 10.0;
    if (hi <= lo) hi = lo * 10;
    return {lo, hi};
  }
  const bool auto_lo = !Finite(lo), auto_hi = !Finite(hi);
  if (auto_lo) lo = have ? (data_lo >= 0 ? 0.0 : data_lo) : 0.0;
  if (auto_hi) hi = have ? data_hi : 1.0;
  if (hi <= lo) hi = lo + (lo != 0 ? std::fabs(lo) : 1.0);
  const std::vector<double> ticks = LinearTicks(lo, hi, 5);
  if (ticks.size() >= 2) {
    const double step = ticks[1] - ticks[0];
    if (auto_lo) lo = std::floor(lo / step + 1e-9) * step;
    if (auto_hi) hi = std::ceil(hi / step - 1e-9) * step;
  }
  return {lo, hi};
}

class Mapper {
 public:
  Mapper(Scale scale, double lo, double hi, double px_lo, double px_hi)
      : log_(scale == Scale::kLog10), px_lo_(px_lo), px_hi_(px_hi) {
    lo_ = log_ ? std::log10(lo) : lo;
    hi_ = log_ ? std::log10(hi) : hi;
  }
  // NaN for values a log axis cannot show.
  double operator()(double v) const {
    if (log_) {
      if (!(v > 0)) return NAN;
      v = std::log10(v);
    }
    return px_lo_ + (v - lo_) / (hi_ - lo_) * (px_hi_ - px_lo_);
  }

 private:
  bool log_;
  double lo_, hi_, px_lo_, px_hi_;
};

}  // namespace

std::string SvgNumber(double value) {
  if (!Finite(value)) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  if (std::string(buf) == "-0.0") return "0.0";
  return buf;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Ellipsize(const std::string& label, size_t max_chars) {
  if (Utf8Length(label) <= max_chars) return label;
  if (max_chars == 0) return "";
  return Utf8Prefix(label, max_chars - 1) + "\u2026";
}

std::vector<std::string> WrapLabel(const std::string& label, size_t max_chars, size_t max_lines) {
  std::vector<std::string> lines;
  if (max_lines == 0) return lines;
  max_chars = std::max<size_t>(max_chars, 2);
  std::string_view rest = label;
  while (!rest.empty() && lines.size() + 1 < max_lines) {
    if (Utf8Length(rest) <= max_chars) break;
    // The last space that keeps the line within max_chars, else a hard break.
    const std::string head = Utf8Prefix(rest, max_chars + 1);
    size_t cut = head.rfind(' ');
    size_t skip = 1;
    if (cut == std::string::npos || cut == 0) {
      cut = Utf8Prefix(rest, max_chars).size();
      skip = 0;
    }
    lines.emplace_back(rest.substr(0, cut));
    rest = rest.substr(std::min(rest.size(), cut + skip));
  }
  if (!rest.empty() || lines.empty()) lines.push_back(Ellipsize(std::string(rest), max_chars));
  return lines;
}

std::vector<double> LinearTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!Finite(lo) || !Finite(hi) || hi <= lo || target < 1) return ticks;
  const double raw = (hi - lo) / target;
  const int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double mag = std::pow(10.0, exponent);
  const double norm = raw / mag;
  const double units = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  // Tick k is k * units * 10^exponent, divided rather than multiplied by the power of ten when
  // the exponent is negative, so that 3 x 0.2 prints as 0.6.
  const double inverse = std::pow(10.0, -exponent);
  const auto tick = [&](double k) { return exponent >= 0 ? k * units * mag : k * units / inverse; };
  const double step = units * mag;
  for (double k = std::ceil(lo / step - 1e-9);; k += 1) {
    const double v = tick(k);
    if (v > hi + step * 1e-9) break;
    ticks.push_back(v == 0 ? 0.0 : v);
    if (ticks.size() > 1000) break;
  }
  return ticks;
}

std::vector<double> LogTicks(double lo, double hi) {
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi > lo)) return ticks;
  for (int e = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
       e <= static_cast<int>(std::floor(std::log10(hi) + 1e-9)); ++e) {
    ticks.push_back(std::pow(10.0, e));
  }
  return ticks;
}

std::string FormatTick(double value) {
  if (value == 0 || !Finite(value)) return "0";
  char buf[32];
  const double a = std::fabs(value);
  if (a >= 1e3 && a < 1e18) {
    const char* suffix[] = {"k", "M", "G", "T", "P"};
    int i = -1;
    double v = value;
    while (std::fabs(v) >= 1e3 && i < 4) {
      v /= 1e3;
      ++i;
    }
    std::snprintf(buf, sizeof buf, "%.3g%s", v, suffix[i]);
  } else if (a < 1e-3 || a >= 1e18) {
    std::snprintf(buf, sizeof buf, "%.2g", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", value);
  }
  return buf;
}

std::vector<Point> CdfPoints(std::vector<double> values, int max_points) {
  std::vector<Point> points;
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !Finite(v); }),
               values.end());
  if (values.empty() || max_points < 1) return points;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const size_t m = std::min(n, static_cast<size_t>(max_points));
  size_t last = n;  // rank of the previous point, to skip duplicates
  for (size_t i = 0; i <= m; ++i) {
    // Ranks 0 .. n-1 evenly, the first and the last included.
    const size_t rank = m == 0 ? 0 : (i * (n - 1) + m / 2) / m;
    if (rank == last) continue;
    last = rank;
    points.push_back({values[rank], static_cast<double>(rank + 1) / static_cast<double>(n)});
  }
  return points;
}

SvgChart::SvgChart(std::string title, AxisSpec x, AxisSpec y, int width_px, int height_px)
    : title_(std::move(title)),
      x_(std::move(x)),
      y_(std::move(y)),
      width_px_(width_px),
      height_px_(height_px) {}

void SvgChart::AddLine(std::string name, std::string color, std::vector<Point> points,
                       bool dashed) {
  series_.push_back({std::move(name), std::move(color), std::move(points), {}, false, dashed});
}

void SvgChart::AddMarkers(std::string name, std::string color, std::vector<Point> points,
                          std::vector<std::string> labels) {
  series_.push_back(
      {std::move(name), std::move(color), std::move(points), std::move(labels), true, false});
}

void SvgChart::AddRings(std::string color, std::vector<Point> points,
                        std::vector<std::string> tooltips) {
  series_.push_back({"", std::move(color), std::move(points), std::move(tooltips), true, false});
  series_.back().rings = true;
}

void SvgChart::AddVerticalRule(double x, std::string color, std::string label) {
  rules_.push_back({x, std::move(color), std::move(label)});
}

// The plot's geometry: axis ranges, pixel bounds and the value -> pixel mappers.
struct SvgChart::Frame {
  double x_lo, x_hi, y_lo, y_hi;
  double w, h, px0, px1, py0, py1;
  Mapper mx, my;
};

SvgChart::Frame SvgChart::Layout() const {
  std::vector<double> xs, ys;
  for (const Series& s : series_) {
    for (const Point& p : s.points) {
      if (!Finite(p.x) || !Finite(p.y)) continue;
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
  }
  for (const Rule& r : rules_) xs.push_back(r.x);
  // Plain variables, not structured bindings: clang 14 cannot capture those in the lambdas below.
  const std::pair<double, double> x_range = FitRange(x_, xs), y_range = FitRange(y_, ys);
  const double x_lo = x_range.first, x_hi = x_range.second;
  const double y_lo = y_range.first, y_hi = y_range.second;
  const double w = width_px_, h = height_px_;
  std::vector<std::string> names;
  for (const Series& s : series_) names.push_back(s.name);
  const int rows = LegendRows(PlaceLegend(names, kLeftPx, w - kRightPx));
  const double px0 = kLeftPx, px1 = w - kRightPx, py1 = h - kBottomPx;
  const double py0 = kTopPx + kLegendRowPx * (rows - 1);
  const Mapper mx(x_.scale, x_lo, x_hi, px0, px1);
  const Mapper my(y_.scale, y_lo, y_hi, py1, py0);

  return Frame{x_lo, x_hi, y_lo, y_hi, w, h, px0, px1, py0, py1, mx, my};
}

// Grid lines and tick labels of both axes, the plot's border and the axis labels.
void SvgChart::RenderAxes(const Frame& f, std::string& o) const {
  const auto grid = [&](bool is_x, double v, bool label, bool minor) {
    const double p = is_x ? f.mx(v) : f.my(v);
    if (!Finite(p)) return;
    const std::string stroke = minor ? "#f1f1f1" : "#e2e2e2";
    if (is_x) {
      o += "<line x1=\"" + SvgNumber(p) + "\" y1=\"" + SvgNumber(f.py0) + "\" x2=\"" +
           SvgNumber(p) + "\" y2=\"" + SvgNumber(f.py1) + "\" stroke=\"" + stroke + "\"/>";
      if (label) {
        o += "<text x=\"" + SvgNumber(p) + "\" y=\"" + SvgNumber(f.py1 + 15) +
             "\" text-anchor=\"middle\">" + FormatTick(v) + "</text>";
      }
    } else {
      o += "<line x1=\"" + SvgNumber(f.px0) + "\" y1=\"" + SvgNumber(p) + "\" x2=\"" +
           SvgNumber(f.px1) + "\" y2=\"" + SvgNumber(p) + "\" stroke=\"" + stroke + "\"/>";
      if (label) {
        o += "<text x=\"" + SvgNumber(f.px0 - 6) + "\" y=\"" + SvgNumber(p + 4) +
             "\" text-anchor=\"end\">" + FormatTick(v) + "</text>";
      }
    }
    o += "\n";
  };
  const auto axis_grid = [&](bool is_x, const AxisSpec& a, double lo, double hi) {
    if (a.scale == Scale::kLinear) {
      for (double t : LinearTicks(lo, hi, is_x ? 8 : 5)) grid(is_x, t, true, false);
      return;
    }
    const std::vector<double> decades = LogTicks(lo, hi);
    if (decades.size() <= 7) {  // minor grid at 2..9 x 10^k
      for (int e = static_cast<int>(std::floor(std::log10(lo)));
           e < static_cast<int>(std::ceil(std::log10(hi))); ++e) {
        for (int m = 2; m <= 9; ++m) {
          const double v = m * std::pow(10.0, e);
          if (v > lo && v < hi) grid(is_x, v, decades.size() <= 2 && (m == 2 || m == 5), true);
        }
      }
    }
    const size_t stride = decades.size() > 12 ? (decades.size() + 11) / 12 : 1;
    for (size_t i = 0; i < decades.size(); ++i) grid(is_x, decades[i], i % stride == 0, false);
  };
  axis_grid(true, x_, f.x_lo, f.x_hi);
  axis_grid(false, y_, f.y_lo, f.y_hi);
  o += "<rect x=\"" + SvgNumber(f.px0) + "\" y=\"" + SvgNumber(f.py0) + "\" width=\"" +
       SvgNumber(f.px1 - f.px0) + "\" height=\"" + SvgNumber(f.py1 - f.py0) +
       "\" fill=\"none\" stroke=\"#777\"/>\n";
  o += "<text x=\"" + SvgNumber((f.px0 + f.px1) / 2) + "\" y=\"" + SvgNumber(f.h - 10) +
       "\" text-anchor=\"middle\">" + HtmlEscape(x_.label) + "</text>\n";
  o += "<text transform=\"translate(14 " + SvgNumber((f.py0 + f.py1) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + HtmlEscape(y_.label) + "</text>\n";
}

// Line series, clipped to the plot area, then the vertical rules with their labels.
void SvgChart::RenderLines(const Frame& f, std::string& o) const {
  const auto in_x = [&](double v) { return v >= f.x_lo && v <= f.x_hi; };
  // Lines are clipped by a nested viewport the size of the plot area.
  o += "<svg x=\"" + SvgNumber(f.px0) + "\" y=\"" + SvgNumber(f.py0) + "\" width=\"" +
       SvgNumber(f.px1 - f.px0) + "\" height=\"" + SvgNumber(f.py1 - f.py0) + "\" viewBox=\"" +
       SvgNumber(f.px0) + " " + SvgNumber(f.py0) + " " + SvgNumber(f.px1 - f.px0) + " " +
       SvgNumber(f.py1 - f.py0) + "\" overflow=\"hidden\">\n";
  for (const Series& s : series_) {
    if (s.markers) continue;
    std::string run;
    const auto flush = [&] {
      if (!run.empty()) {
        o += "<polyline fill=\"none\" stroke=\"" + HtmlEscape(s.color) +
             "\" stroke-width=\"1.6\" stroke-linejoin=\"round\"" +
             (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"" + run + "\"/>\n";
      }
      run.clear();
    };
    for (const Point& p : s.points) {
      const double x = f.mx(p.x), y = f.my(p.y);
      if (!Finite(x) || !Finite(y)) {
        flush();
        continue;
      }
      if (!run.empty()) run += ' ';
      run += SvgNumber(x) + "," + SvgNumber(y);
    }
    flush();
  }
  o += "</svg>\n";

  for (size_t i = 0; i < rules_.size(); ++i) {  // labels on alternate lines, so close rules' differ
    const Rule& r = rules_[i];
    const double x = f.mx(r.x);
    if (!Finite(x) || !in_x(r.x)) continue;
    // Right of the rule, or left of it where the label would leave the plot.
    const bool left = x + 3 + kLabelCharPx * static_cast<double>(Utf8Length(r.label)) > f.px1;
    o += "<line x1=\"" + SvgNumber(x) + "\" y1=\"" + SvgNumber(f.py0) + "\" x2=\"" + SvgNumber(x) +
         "\" y2=\"" + SvgNumber(f.py1) + "\" stroke=\"" + HtmlEscape(r.color) +
         "\" stroke-dasharray=\"3 3\"/><text x=\"" + SvgNumber(left ? x - 3 : x + 3) + "\" y=\"" +
         SvgNumber(f.py0 + 11 + 11 * static_cast<double>(i % 2)) + "\" font-size=\"10\" fill=\"" +
         HtmlEscape(r.color) + (left ? "\" text-anchor=\"end\">" : "\">") + HtmlEscape(r.label) +
         "</text>\n";
  }
}

// Marker series; each label moved down a line at a time until it overlaps no earlier one.
void SvgChart::RenderMarkers(const Frame& f, std::string& o) const {
  const auto in_x = [&](double v) { return v >= f.x_lo && v <= f.x_hi; };
  const auto in_y = [&](double v) { return v >= f.y_lo && v <= f.y_hi; };
  // Markers, then their labels on top, each label moved down a line at a time until it overlaps
  // no earlier one (a thin leader joins a moved label to its marker).
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed;
  std::string labels;
  for (const Series& s : series_) {
    if (!s.markers) continue;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const Point& p = s.points[i];
      if (!in_x(p.x) || !in_y(p.y)) continue;
      const double x = f.mx(p.x), y = f.my(p.y);
      if (!Finite(x) || !Finite(y)) continue;
      const std::string label = i < s.labels.size() ? s.labels[i] : std::string();
      if (s.rings) {
        o += "<circle class=\"ring\" cx=\"" + SvgNumber(x) + "\" cy=\"" + SvgNumber(y) +
             "\" r=\"6.5\" fill=\"none\" stroke=\"" + HtmlEscape(s.color) +
             "\" stroke-width=\"2\"><title>" + HtmlEscape(label) + "</title></circle>\n";
        continue;
      }
      o += "<circle cx=\"" + SvgNumber(x) + "\" cy=\"" + SvgNumber(y) + "\" r=\"3.5\" fill=\"" +
           HtmlEscape(s.color) + "\"><title>" +
           HtmlEscape((label.empty() ? s.name : label) + " (" + FormatTick(p.x) + ", " +
                      FormatTick(p.y) + ")") +
           "</title></circle>\n";
      if (label.empty()) continue;
      // A label that would run past the chart's right edge goes on the marker's left.
      const double width = kLabelCharPx * static_cast<double>(label.size());
      const double lx = x + 6 + width > f.w - 2 ? x - 6 - width : x + 6;
      const double first = y - 14 < f.py0 ? y + 14 : y - 5;
      double ly = first;
      for (int tries = 0; tries < 40; ++tries) {
        const bool clash = std::any_of(placed.begin(), placed.end(), [&](const Box& b) {
          return lx < b.x1 && lx + width > b.x0 && ly - 9 < b.y1 && ly + 2 > b.y0;
        });
        if (!clash) break;
        ly += 11;
      }
      placed.push_back({lx, ly - 9, lx + width, ly + 2});
      if (ly != first) {
        const double lead_x = lx > x ? lx - 1 : lx + width + 1;
        labels += "<line x1=\"" + SvgNumber(x) + "\" y1=\"" + SvgNumber(y) + "\" x2=\"" +
                  SvgNumber(lead_x) + "\" y2=\"" + SvgNumber(ly - 4) + "\" stroke=\"#bbb\"/>";
      }
      labels += "<text x=\"" + SvgNumber(lx) + "\" y=\"" + SvgNumber(ly) + "\" font-size=\"10\">" +
                HtmlEscape(label) + "</text>\n";
    }
  }
  o += labels;
}

// The legend, in rows under the title.
void SvgChart::RenderLegend(const Frame& f, std::string& o) const {
  std::vector<std::string> names;
  for (const Series& s : series_) names.push_back(s.name);
  for (const LegendSlot& slot : PlaceLegend(names, f.px0, f.px1)) {
    const Series& s = series_[slot.index];
    RenderLegendSlot(slot, s.name, s.color, s.markers, s.dashed, o);
  }
}

std::string SvgChart::Render() const {
  const Frame f = Layout();
  std::string o;
  RenderChartHead(title_, width_px_, height_px_, f.px0, o);
  RenderAxes(f, o);
  RenderLines(f, o);
  RenderMarkers(f, o);
  RenderLegend(f, o);
  o += "</svg>\n";
  return o;
}

// ---- grouped bars ------------------------------------------------------------------------------

SvgBarChart::SvgBarChart(std::string title, std::vector<std::string> categories,
                         std::string x_label, AxisSpec y, int width_px, int height_px)
    : title_(std::move(title)),
      categories_(std::move(categories)),
      x_label_(std::move(x_label)),
      y_(std::move(y)),
      width_px_(width_px),
      height_px_(height_px) {
  y_.scale = Scale::kLinear;  // bars are lengths from zero
}

void SvgBarChart::AddSeries(std::string name, std::string color, std::vector<double> values,
                            std::vector<double> errors) {
  values.resize(categories_.size(), NAN);
  if (!errors.empty()) errors.resize(categories_.size(), NAN);
  series_.push_back({std::move(name), std::move(color), std::move(values), std::move(errors)});
}

namespace {

// A category's label under its group: wrapped onto up to three lines (or, when groups are too
// narrow for six characters, one line slanted up to the left), the full text as its tooltip.
void RenderCategoryLabel(const std::string& label, double cx, double top, double group_px,
                         std::string& o) {
  o += "<g class=\"category\"><title>" + HtmlEscape(label) + "</title>";
  const size_t fit = static_cast<size_t>(group_px / kLabelCharPx);
  if (fit < 6) {
    o += "<text font-size=\"10\" text-anchor=\"end\" transform=\"translate(" + SvgNumber(cx + 3) +
         " " + SvgNumber(top + 8) + ") rotate(-40)\">" + HtmlEscape(Ellipsize(label, 16)) +
         "</text></g>\n";
    return;
  }
  o += "<text font-size=\"10\" text-anchor=\"middle\" y=\"" + SvgNumber(top + 10) + "\">";
  const std::vector<std::string> lines = WrapLabel(label, fit, 3);
  for (size_t i = 0; i < lines.size(); ++i) {
    o += "<tspan x=\"" + SvgNumber(cx) + "\"" + (i ? " dy=\"12\"" : "") + ">" +
         HtmlEscape(lines[i]) + "</tspan>";
  }
  o += "</text></g>\n";
}

}  // namespace

// The bar chart's geometry: plot bounds, the y mapper, group width and the legend's placement.
struct SvgBarChart::Frame {
  double px0, px1, py0, py1, group_px;
  double y_lo, y_hi;
  Mapper my;
  std::vector<LegendSlot> legend;
};

SvgBarChart::Frame SvgBarChart::Layout() const {
  const double w = width_px_, h = height_px_;
  std::vector<std::string> names;
  std::vector<double> ys;
  for (const Series& s : series_) {
    names.push_back(s.name);
    for (size_t c = 0; c < s.values.size(); ++c) {
      if (!Finite(s.values[c])) continue;
      // 6 % headroom above each bar for its value label.
      const double e = c < s.errors.size() && Finite(s.errors[c]) ? std::fabs(s.errors[c]) : 0;
      ys.push_back(s.values[c]);
      ys.push_back((s.values[c] + e) * 1.06);
    }
  }
  std::vector<LegendSlot> legend = PlaceLegend(names, kLeftPx, w - kRightPx);
  const double px0 = kLeftPx, px1 = w - kRightPx;
  const double group_px =
      (px1 - px0) / static_cast<double>(std::max<size_t>(categories_.size(), 1));
  const size_t fit = static_cast<size_t>(group_px / kLabelCharPx);
  size_t label_lines = 1;
  for (const std::string& c : categories_) {
    label_lines = std::max(label_lines, fit < 6 ? 5 : WrapLabel(c, fit, 3).size());
  }
  const double py0 = kTopPx + kLegendRowPx * (LegendRows(legend) - 1);
  const double py1 = h - (30 + kCategoryLinePx * static_cast<double>(label_lines));
  const std::pair<double, double> range = FitRange(y_, ys);
  return Frame{px0,
               px1,
               py0,
               py1,
               group_px,
               range.first,
               range.second,
               Mapper(Scale::kLinear, range.first, range.second, py1, py0),
               std::move(legend)};
}

// One bar with its tooltip, whisker and value label.
void SvgBarChart::RenderBar(const Frame& f, size_t series, size_t category, double x, double bar_px,
                            bool value_label, std::string& o) const {
  const Series& s = series_[series];
  const double v = s.values[category];
  if (!Finite(v)) return;
  const double e =
      category < s.errors.size() && Finite(s.errors[category]) ? std::fabs(s.errors[category]) : 0;
  const double base = f.my(std::max(f.y_lo, 0.0));
  const double top = std::clamp(f.my(v), f.py0, f.py1);
  std::string tip =
      (s.name.empty() ? "" : s.name + ", ") + categories_[category] + ": " + FormatTick(v);
  if (e > 0) tip += " \u00b1 " + FormatTick(e);
  o += "<rect class=\"bar\" x=\"" + SvgNumber(x + 1) + "\" y=\"" + SvgNumber(std::min(top, base)) +
       "\" width=\"" + SvgNumber(std::max(bar_px - 2, 1.0)) + "\" height=\"" +
       SvgNumber(std::fabs(base - top)) + "\" fill=\"" + HtmlEscape(s.color) + "\"><title>" +
       HtmlEscape(tip) + "</title></rect>\n";
  const double mid = x + bar_px / 2;
  const double hi = e > 0 ? std::clamp(f.my(v + e), f.py0, f.py1) : top;
  if (e > 0) {
    const double lo = std::clamp(f.my(v - e), f.py0, f.py1);
    o += "<path d=\"M" + SvgNumber(mid) + " " + SvgNumber(lo) + "V" + SvgNumber(hi) + "M" +
         SvgNumber(mid - 4) + " " + SvgNumber(hi) + "H" + SvgNumber(mid + 4) + "M" +
         SvgNumber(mid - 4) + " " + SvgNumber(lo) + "H" + SvgNumber(mid + 4) +
         "\" stroke=\"#222\" fill=\"none\"/>\n";
  }
  if (value_label) {
    o += "<text x=\"" + SvgNumber(mid) + "\" y=\"" + SvgNumber(std::max(f.py0 + 10, hi - 3)) +
         "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333\">" + FormatTick(v) + "</text>\n";
  }
}

std::string SvgBarChart::Render() const {
  const Frame f = Layout();
  std::string o;
  RenderChartHead(title_, width_px_, height_px_, f.px0, o);
  for (double t : LinearTicks(f.y_lo, f.y_hi, 5)) {
    const double p = f.my(t);
    o += "<line x1=\"" + SvgNumber(f.px0) + "\" y1=\"" + SvgNumber(p) + "\" x2=\"" +
         SvgNumber(f.px1) + "\" y2=\"" + SvgNumber(p) + "\" stroke=\"#e2e2e2\"/><text x=\"" +
         SvgNumber(f.px0 - 6) + "\" y=\"" + SvgNumber(p + 4) + "\" text-anchor=\"end\">" +
         FormatTick(t) + "</text>\n";
  }
  // 80 % of a group's width shared by the series, each bar at most 60 px wide.
  const double nseries = static_cast<double>(std::max<size_t>(series_.size(), 1));
  const double bar_px = std::min(60.0, f.group_px * 0.8 / nseries);
  for (size_t c = 0; c < categories_.size(); ++c) {
    const double cx = f.px0 + f.group_px * (static_cast<double>(c) + 0.5);
    for (size_t k = 0; k < series_.size(); ++k) {
      const double x = cx - bar_px * nseries / 2 + bar_px * static_cast<double>(k);
      RenderBar(f, k, c, x, bar_px, bar_px >= 26, o);
    }
    RenderCategoryLabel(categories_[c], cx, f.py1 + 4, f.group_px, o);
  }
  o += "<rect x=\"" + SvgNumber(f.px0) + "\" y=\"" + SvgNumber(f.py0) + "\" width=\"" +
       SvgNumber(f.px1 - f.px0) + "\" height=\"" + SvgNumber(f.py1 - f.py0) +
       "\" fill=\"none\" stroke=\"#777\"/>\n";
  o += "<text x=\"" + SvgNumber((f.px0 + f.px1) / 2) + "\" y=\"" + SvgNumber(height_px_ - 8) +
       "\" text-anchor=\"middle\">" + HtmlEscape(x_label_) + "</text>\n";
  o += "<text transform=\"translate(14 " + SvgNumber((f.py0 + f.py1) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + HtmlEscape(y_.label) + "</text>\n";
  for (const LegendSlot& slot : f.legend) {  // square swatches, as the bars are
    const Series& s = series_[slot.index];
    const double y = 32 + kLegendRowPx * slot.row;
    o += "<g>";
    if (slot.text != s.name) o += "<title>" + HtmlEscape(s.name) + "</title>";
    o += "<rect x=\"" + SvgNumber(slot.x + 2) + "\" y=\"" + SvgNumber(y - 5) +
         "\" width=\"10\" height=\"10\" fill=\"" + HtmlEscape(s.color) + "\"/><text x=\"" +
         SvgNumber(slot.x + 18) + "\" y=\"" + SvgNumber(y + 4) + "\">" + HtmlEscape(slot.text) +
         "</text></g>\n";
  }
  o += "</svg>\n";
  return o;
}

}  // namespace servesim
