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

bool Finite(double v) { return std::isfinite(v); }

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
  const double px0 = kLeftPx, px1 = w - kRightPx, py0 = kTopPx, py1 = h - kBottomPx;
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
    o += "<line x1=\"" + SvgNumber(x) + "\" y1=\"" + SvgNumber(f.py0) + "\" x2=\"" + SvgNumber(x) +
         "\" y2=\"" + SvgNumber(f.py1) + "\" stroke=\"" + HtmlEscape(r.color) +
         "\" stroke-dasharray=\"3 3\"/><text x=\"" + SvgNumber(x + 3) + "\" y=\"" +
         SvgNumber(f.py0 + 11 + 11 * static_cast<double>(i % 2)) + "\" font-size=\"10\" fill=\"" +
         HtmlEscape(r.color) + "\">" + HtmlEscape(r.label) + "</text>\n";
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
      o += "<circle cx=\"" + SvgNumber(x) + "\" cy=\"" + SvgNumber(y) + "\" r=\"3.5\" fill=\"" +
           HtmlEscape(s.color) + "\"><title>" +
           HtmlEscape((label.empty() ? s.name : label) + " (" + FormatTick(p.x) + ", " +
                      FormatTick(p.y) + ")") +
           "</title></circle>\n";
      if (label.empty()) continue;
      const double lx = x + 6, width = kLabelCharPx * static_cast<double>(label.size());
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
        labels += "<line x1=\"" + SvgNumber(x) + "\" y1=\"" + SvgNumber(y) + "\" x2=\"" +
                  SvgNumber(lx - 1) + "\" y2=\"" + SvgNumber(ly - 4) + "\" stroke=\"#bbb\"/>";
      }
      labels += "<text x=\"" + SvgNumber(lx) + "\" y=\"" + SvgNumber(ly) + "\" font-size=\"10\">" +
                HtmlEscape(label) + "</text>\n";
    }
  }
  o += labels;
}

// The legend, one row under the title.
void SvgChart::RenderLegend(const Frame& f, std::string& o) const {
  const double px0 = f.px0;
  double lx = px0;
  for (const Series& s : series_) {
    if (s.name.empty()) continue;
    if (s.markers) {
      o += "<circle cx=\"" + SvgNumber(lx + 7) + "\" cy=\"32\" r=\"3.5\" fill=\"" +
           HtmlEscape(s.color) + "\"/>";
    } else {
      o += "<line x1=\"" + SvgNumber(lx) + "\" y1=\"32\" x2=\"" + SvgNumber(lx + 14) +
           "\" y2=\"32\" stroke=\"" + HtmlEscape(s.color) + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"4 2\"" : "") + "/>";
    }
    o += "<text x=\"" + SvgNumber(lx + 18) + "\" y=\"36\">" + HtmlEscape(s.name) + "</text>\n";
    lx += 30 + kCharPx * static_cast<double>(s.name.size());
  }
}

std::string SvgChart::Render() const {
  const Frame f = Layout();
  const double px0 = f.px0;
  std::string o;
  o += "<svg class=\"chart\" width=\"" + std::to_string(width_px_) + "\" height=\"" +
       std::to_string(height_px_) + "\" viewBox=\"0 0 " + std::to_string(width_px_) + " " +
       std::to_string(height_px_) + "\" role=\"img\" aria-label=\"" + HtmlEscape(title_) +
       "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o += "<title>" + HtmlEscape(title_) + "</title>\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  o += "<text x=\"" + SvgNumber(px0) + "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" +
       HtmlEscape(title_) + "</text>\n";

  RenderAxes(f, o);
  RenderLines(f, o);
  RenderMarkers(f, o);
  RenderLegend(f, o);
  o += "</svg>\n";
  return o;
}

}  // namespace servesim
