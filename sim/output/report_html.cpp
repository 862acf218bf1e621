#include "sim/output/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "models/json_reader.h"
#include "sim/output/svg_chart.h"
#include "workloads/random.h"

namespace servesim {
namespace {

constexpr int64_t kInitialBucketNs = int64_t{1} << 20;  // ~1 ms; doubles as the run grows
constexpr const char* kBlue = "#1f77b4";
constexpr const char* kOrange = "#e8710a";
constexpr const char* kGreen = "#2ca02c";
constexpr const char* kRed = "#d62728";
constexpr const char* kPurple = "#7b4fb0";
constexpr const char* kGray = "#555";

constexpr const char* kCss = R"(body{font-family:sans-serif;margin:24px;color:#222;max-width:1300px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
p.meta{color:#555;margin:4px 0}nav a{margin-right:14px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.key{color:#444}
pre{background:#f6f6f6;padding:8px 12px;overflow:auto;max-height:520px;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:14px}
svg.chart{border:1px solid #e4e4e4}
)";

std::string PageHead(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         HtmlEscape(title) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n";
}

// A number for a table cell: integers as they are, others with about six significant digits.
std::string DisplayNumber(const std::string& text) {
  if (text.find_first_of(".eE") == std::string::npos) return text;
  const double v = std::strtod(text.c_str(), nullptr);
  char buf[48];
  const double a = std::fabs(v);
  if (v == 0) return "0";
  if (a >= 1e-3 && a < 1e12) {
    const int decimals = std::clamp(5 - static_cast<int>(std::floor(std::log10(a))), 0, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

// The scalar members of `object` into `out`, nested objects' names prefixed "outer.".
void CollectScalars(const JsonReader& reader, const JsonValue& object, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  for (const JsonValue* v = reader.FirstChild(object); v; v = reader.NextSibling(object, *v)) {
    const std::string name = prefix + DecodeJsonString(v->key);
    switch (v->kind) {
      case JsonValue::Kind::kObject:
        CollectScalars(reader, *v, name + ".", out);
        break;
      case JsonValue::Kind::kArray:
        break;
      case JsonValue::Kind::kString:
        out.emplace_back(name, DecodeJsonString(v->text));
        break;
      case JsonValue::Kind::kNumber:
      case JsonValue::Kind::kLiteral:
        out.emplace_back(name, std::string(v->text));
        break;
    }
  }
}

double Quantile(std::vector<double> sorted_values, double q) {
  if (sorted_values.empty()) return NAN;
  const size_t n = sorted_values.size();
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
  return sorted_values[std::min(n - 1, rank == 0 ? 0 : rank - 1)];
}

std::string CdfChart(const std::string& title, const std::string& unit, std::vector<double> values,
                     const char* color, int points) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v >= 0); }),
               values.end());
  std::sort(values.begin(), values.end());
  AxisSpec x{title + " (" + unit + ")", Scale::kLinear};
  AxisSpec y{"fraction of requests", Scale::kLinear, 0.0, 1.0};
  SvgChart chart(title + " CDF (" + std::to_string(values.size()) + " requests)", x, y, 380, 280);
  chart.AddLine("", color, CdfPoints(values, points));
  if (!values.empty()) {
    const double p50 = Quantile(values, 0.5), p99 = Quantile(values, 0.99);
    chart.AddVerticalRule(p50, kGray, "p50 " + FormatTick(p50));
    chart.AddVerticalRule(p99, kRed, "p99 " + FormatTick(p99));
  }
  return chart.Render();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> JsonScalarFields(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> out;
  JsonReader reader(JsonReader::Options{/*top_level_duplicates=*/false, false, "end of text"});
  try {
    CollectScalars(reader, reader.Parse(json), "", out);
  } catch (const JsonError& e) {
    throw std::runtime_error("malformed JSON at character " + std::to_string(e.offset + 1) + ": " +
                             e.message);
  }
  return out;
}

std::string ScenarioYamlText(const YAML::Node& root) {
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

// ---- the run report ---------------------------------------------------------------------------

ReportCollector::ReportCollector(const ReportOptions& options)
    : options_(options), rng_state_(0x5EEDC0FFEEull), width_ns_(kInitialBucketNs) {
  options_.time_buckets = std::max(options_.time_buckets, 2);
  options_.replicas = std::max(options_.replicas, 1);
  options_.max_samples = std::max<int64_t>(options_.max_samples, 1);
  buckets_.resize(static_cast<size_t>(options_.time_buckets));
}

void ReportCollector::Grow(int64_t end_ns) {
  const int64_t n = options_.time_buckets;
  while (end_ns - origin_ns_ > n * width_ns_) {
    for (int64_t i = 0; i < n; ++i) {
      Bucket merged;
      if (2 * i < n) {
        const Bucket& a = buckets_[static_cast<size_t>(2 * i)];
        const Bucket b = 2 * i + 1 < n ? buckets_[static_cast<size_t>(2 * i + 1)] : Bucket{};
        merged.prefill_tokens = a.prefill_tokens + b.prefill_tokens;
        merged.decode_tokens = a.decode_tokens + b.decode_tokens;
        merged.batch_ns = a.batch_ns + b.batch_ns;
        merged.waiting_ns = a.waiting_ns + b.waiting_ns;
        merged.swapped_ns = a.swapped_ns + b.swapped_ns;
        merged.kv_ns = a.kv_ns + b.kv_ns;
        merged.kv_peak = std::max(a.kv_peak, b.kv_peak);
      }
      buckets_[static_cast<size_t>(i)] = merged;
    }
    width_ns_ *= 2;
  }
}

void ReportCollector::OnStep(const StepRecord& step) {
  if (origin_ns_ < 0) origin_ns_ = step.start_ns;
  const int64_t start = std::max(step.start_ns, origin_ns_);
  const int64_t end = start + std::max<int64_t>(step.duration_ns, 0);
  Grow(std::max(end, start + 1));
  end_ns_ = std::max(end_ns_, end);
  ++steps_;
  const double batch = static_cast<double>(step.batch);
  const double waiting = static_cast<double>(step.waiting);
  const double swapped = static_cast<double>(step.swapped);
  for (int64_t b = (start - origin_ns_) / width_ns_; b * width_ns_ + origin_ns_ < end; ++b) {
    const int64_t lo = std::max(start, origin_ns_ + b * width_ns_);
    const int64_t hi = std::min(end, origin_ns_ + (b + 1) * width_ns_);
    const double overlap = static_cast<double>(hi - lo);
    Bucket& k = buckets_[static_cast<size_t>(b)];
    k.batch_ns += batch * overlap;
    k.waiting_ns += waiting * overlap;
    k.swapped_ns += swapped * overlap;
    k.kv_ns += step.kv_usage * overlap;
    k.kv_peak = std::max(k.kv_peak, step.kv_usage);
  }
  Bucket& done = buckets_[static_cast<size_t>((std::max(end - 1, start) - origin_ns_) / width_ns_)];
  done.prefill_tokens += static_cast<double>(step.prefill_tokens);
  done.decode_tokens += static_cast<double>(step.new_tokens - step.prefill_tokens);
  if (step.duration_ns <= 0) done.kv_peak = std::max(done.kv_peak, step.kv_usage);
}

void ReportCollector::OnRequest(const RequestRecord& r) {
  if (r.status != RequestStatus::kCompleted || r.first_token_ns < 0 || r.finish_ns < 0) return;
  Sample s;
  s.ttft_s = static_cast<double>(r.first_token_ns - r.arrival_ns) * 1e-9;
  s.e2e_s = static_cast<double>(r.finish_ns - r.arrival_ns) * 1e-9;
  s.tpot_s =
      r.output_tokens > 1 ? (s.e2e_s - s.ttft_s) / static_cast<double>(r.output_tokens - 1) : NAN;
  ++completed_seen_;
  if (static_cast<int64_t>(samples_.size()) < options_.max_samples) {
    samples_.push_back(s);
    return;
  }
  // Reservoir sampling (algorithm R): the kept set is a uniform sample of all completed requests.
  const uint64_t j = SplitMix64Next(rng_state_) % static_cast<uint64_t>(completed_seen_);
  if (j < static_cast<uint64_t>(options_.max_samples)) samples_[j] = s;
}

std::string ReportCollector::Render(const std::string& title, const std::string& scenario_yaml,
                                    const std::string& summary_json) const {
  std::string o = PageHead(title);
  o += "<h1>" + HtmlEscape(title) + "</h1>\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "<p class=\"meta\">servesim %s: %lld steps, %lld completed requests (latency CDFs "
                "from %zu of them%s); time series in %zu buckets of %s s.</p>\n",
                SERVESIM_VERSION, static_cast<long long>(steps_),
                static_cast<long long>(completed_seen_), samples_.size(),
                static_cast<int64_t>(samples_.size()) < completed_seen_ ? ", a uniform sample" : "",
                buckets_.size(), FormatTick(static_cast<double>(width_ns_) * 1e-9).c_str());
  o += line;
  o += "<nav><a href=\"#summary\">Summary</a><a href=\"#latency\">Latency</a>"
       "<a href=\"#timeseries\">Time series</a><a href=\"#scenario\">Scenario</a></nav>\n";

  // Summary table: three (field, value) pairs per row.
  o += "<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n";
  const auto fields = JsonScalarFields(summary_json);
  for (size_t i = 0; i < fields.size(); i += 3) {
    o += "<tr>";
    for (size_t k = i; k < i + 3; ++k) {
      if (k < fields.size()) {
        o += "<td class=\"key\">" + HtmlEscape(fields[k].first) + "</td><td class=\"num\">" +
             HtmlEscape(DisplayNumber(fields[k].second)) + "</td>";
      } else {
        o += "<td></td><td></td>";
      }
    }
    o += "</tr>\n";
  }
  o += "</table>\n";

  // Latency CDFs.
  std::vector<double> ttft_ms, tpot_ms, e2e_s;
  for (const Sample& s : samples_) {
    ttft_ms.push_back(s.ttft_s * 1e3);
    if (std::isfinite(s.tpot_s)) tpot_ms.push_back(s.tpot_s * 1e3);
    e2e_s.push_back(s.e2e_s);
  }
  o += "<h2 id=\"latency\">Latency distributions</h2>\n";
  if (samples_.empty()) o += "<p>No request completed.</p>\n";
  o += "<div class=\"charts\">\n";
  o += CdfChart("TTFT", "ms", std::move(ttft_ms), kBlue, options_.cdf_points);
  o += CdfChart("TPOT", "ms", std::move(tpot_ms), kOrange, options_.cdf_points);
  o += CdfChart("E2E latency", "s", std::move(e2e_s), kGreen, options_.cdf_points);
  o += "</div>\n";

  // Time series.
  std::vector<Point> prefill, decode, batch, waiting, swapped, kv_mean, kv_peak;
  bool any_swapped = false;
  if (steps_ > 0) {
    const double replicas = static_cast<double>(options_.replicas);
    for (size_t i = 0; i < buckets_.size(); ++i) {
      const int64_t lo = origin_ns_ + static_cast<int64_t>(i) * width_ns_;
      if (i > 0 && lo >= end_ns_) break;
      const int64_t width = std::max<int64_t>(std::min(width_ns_, end_ns_ - lo), 1);
      const double w = static_cast<double>(width);
      const double x = (static_cast<double>(lo) + w / 2) * 1e-9;
      const Bucket& b = buckets_[i];
      prefill.push_back({x, b.prefill_tokens / (w * 1e-9)});
      decode.push_back({x, b.decode_tokens / (w * 1e-9)});
      batch.push_back({x, b.batch_ns / w});
      waiting.push_back({x, b.waiting_ns / w});
      swapped.push_back({x, b.swapped_ns / w});
      any_swapped = any_swapped || b.swapped_ns > 0;
      kv_mean.push_back({x, 100 * b.kv_ns / (w * replicas)});
      kv_peak.push_back({x, 100 * b.kv_peak});
    }
  }
  const std::string time_label = "simulated time (s)";
  const std::string per = options_.replicas > 1 ? ", all replicas" : "";
  o += "<h2 id=\"timeseries\">Time series</h2>\n<div class=\"charts\">\n";
  {
    SvgChart c("Token throughput" + per, {time_label}, {"tokens/s"});
    c.AddLine("decode tokens/s", kBlue, decode);
    c.AddLine("prefill tokens/s", kOrange, prefill);
    o += c.Render();
  }
  {
    SvgChart c(std::string("Batch size") + (options_.replicas > 1 ? " (summed over replicas)" : ""),
               {time_label}, {"sequences per step"});
    c.AddLine("mean batch size", kGreen, batch);
    o += c.Render();
  }
  {
    SvgChart c("Queue length" + per, {time_label}, {"requests"});
    c.AddLine("waiting", kRed, waiting);
    if (any_swapped) c.AddLine("swapped", kPurple, swapped);
    o += c.Render();
  }
  {
    SvgChart c("KV cache usage", {time_label}, {"% of blocks in use", Scale::kLinear, 0.0});
    c.AddLine(options_.replicas > 1 ? "mean over replicas" : "mean", kPurple, kv_mean);
    c.AddLine("peak", kGray, kv_peak, true);
    o += c.Render();
  }
  o += "</div>\n<p class=\"meta\">Each point is one time bucket: throughput counts a step's tokens "
       "when the step ends; batch size and queue length are time-weighted means over the bucket "
       "(idle time counts as zero); KV usage is the time-weighted mean and the largest value a "
       "step saw.</p>\n";

  o += "<h2 id=\"scenario\">Scenario</h2>\n<pre>" + HtmlEscape(scenario_yaml) + "</pre>\n";
  o += "</body>\n</html>\n";
  return o;
}

// ---- the roofline page of `servesim analyze --html` -------------------------------------------

std::string RenderRooflineHtml(const AnalyzeRequest& request) {
  const RooflineData d = AnalyzeRoofline(request);
  const double peak = d.peak_flops_per_s, bw = d.bandwidth_bytes_per_s;
  const double ridge = bw > 0 ? peak / bw : 0;
  const auto placed = [](const RooflineOp& op) {
    return op.flops > 0 && op.bytes > 0 && op.seconds > 0;
  };
  double i_lo = ridge > 0 ? ridge : 1, i_hi = ridge > 0 ? ridge : 10;
  std::vector<Point> compute_ops, memory_ops, other_ops;
  std::vector<std::string> compute_labels, memory_labels, other_labels;
  for (const RooflineOp& op : d.ops) {
    if (!placed(op)) continue;
    const double intensity = op.flops / op.bytes;
    i_lo = std::min(i_lo, intensity);
    i_hi = std::max(i_hi, intensity);
    const Point p{intensity, op.flops / op.seconds};
    if (op.bound == "compute") {
      compute_ops.push_back(p);
      compute_labels.push_back(op.name);
    } else if (op.bound == "memory") {
      memory_ops.push_back(p);
      memory_labels.push_back(op.name);
    } else {
      other_ops.push_back(p);
      other_labels.push_back(op.name + " (" + op.bound + ")");
    }
  }
  const double x_lo = std::pow(10.0, std::floor(std::log10(i_lo)));
  const double x_hi = std::pow(10.0, std::ceil(std::log10(i_hi)));
  SvgChart chart("Roofline: " + d.title,
                 {"arithmetic intensity (FLOP/B)", Scale::kLog10, x_lo, x_hi},
                 {"achieved FLOP/s (per device)", Scale::kLog10}, 900, 520);
  if (peak > 0 && bw > 0) {
    chart.AddLine("roofline (datasheet peak, memory bandwidth)", kGray,
                  {{x_lo, bw * x_lo}, {ridge, peak}, {x_hi, peak}});
    chart.AddMarkers("ridge point", kRed, {{ridge, peak}},
                     {"ridge " + FormatTick(ridge) + " FLOP/B"});
  }
  if (!compute_ops.empty()) chart.AddMarkers("compute-bound", kOrange, compute_ops, compute_labels);
  if (!memory_ops.empty()) chart.AddMarkers("memory-bound", kBlue, memory_ops, memory_labels);
  if (!other_ops.empty()) chart.AddMarkers("other", kPurple, other_ops, other_labels);
  if (placed(d.step)) {
    chart.AddMarkers("whole step", kGreen,
                     {{d.step.flops / d.step.bytes, d.step.flops / d.step.seconds}}, {"step"});
  }

  const std::string title = "servesim analyze: " + d.title;
  std::string o = PageHead(title);
  o += "<h1>" + HtmlEscape(title) + "</h1>\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "<p class=\"meta\">Device ceilings: %s FLOP/s peak, %s B/s memory bandwidth, "
                "ridge point %s FLOP/B. Step: %.4f ms, %s-bound. Each operator's FLOPs, bytes and "
                "time are summed over its repeats (per device); achieved FLOP/s = FLOPs / time, "
                "with the cost model's efficiencies and kernel overheads inside the time.</p>\n",
                FormatTick(peak).c_str(), FormatTick(bw).c_str(), FormatTick(ridge).c_str(),
                d.step.seconds * 1e3, d.step.bound.c_str());
  o += line;
  o += "<div class=\"charts\">\n" + chart.Render() + "</div>\n";
  o += "<h2>Operators</h2>\n<table>\n<tr><th>operator</th><th>kind</th><th>x</th><th>FLOPs</th>"
       "<th>bytes</th><th>FLOP/B</th><th>achieved FLOP/s</th><th>of roofline</th><th>bound</th>"
       "<th>time (ms)</th><th>on chart</th></tr>\n";
  for (const RooflineOp& op : d.ops) {
    const double intensity = op.bytes > 0 ? op.flops / op.bytes : 0;
    const double achieved = op.seconds > 0 ? op.flops / op.seconds : 0;
    const double roof = std::min(peak, bw * intensity);
    char share[32] = "";
    if (roof > 0 && achieved > 0)
      std::snprintf(share, sizeof share, "%.1f %%", 100 * achieved / roof);
    std::snprintf(
        line, sizeof line,
        "<tr><td>%s</td><td>%s</td><td class=\"num\">%lld</td><td class=\"num\">%s</td>"
        "<td class=\"num\">%s</td><td class=\"num\">%.3g</td><td class=\"num\">%s</td>"
        "<td class=\"num\">%s</td><td>%s</td><td class=\"num\">%.4f</td><td>%s</td></tr>\n",
        HtmlEscape(op.name).c_str(), HtmlEscape(op.kind).c_str(),
        static_cast<long long>(op.repeats), FormatTick(op.flops).c_str(),
        FormatTick(op.bytes).c_str(), intensity, FormatTick(achieved).c_str(), share,
        HtmlEscape(op.bound).c_str(), op.seconds * 1e3, placed(op) ? "yes" : "no");
    o += line;
  }
  o += "</table>\n</body>\n</html>\n";
  return o;
}

namespace {

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

  int Column(const std::string& name) const {
    for (size_t c = 0; c < rows[0].size(); ++c) {
      if (rows[0][c] == name) return static_cast<int>(c);
    }
    return -1;
  }
};

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

// x: the first varied key, numeric if every value is; else its values' order of appearance.
// Series: the other varied keys' values.
void ClassifyPoints(SweepTable& t) {
  const std::vector<std::string>& header = t.rows[0];
  t.numeric_x = t.varied > 0;
  for (size_t r = 1; r <= t.n && t.varied > 0; ++r) {
    const std::string& v = t.rows[r].size() > 1 ? t.rows[r][1] : "";
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
      const std::string& name = header[1 + k];  // the last part of a.b.c keeps legends short
      key += (k > 1 ? ", " : "") + name.substr(name.rfind('.') + 1) + "=" +
             (1 + k < t.rows[r].size() ? t.rows[r][1 + k] : "");
    }
    auto it = std::find(t.series_keys.begin(), t.series_keys.end(), key);
    t.series_of[r] = static_cast<size_t>(it - t.series_keys.begin());
    if (it == t.series_keys.end()) t.series_keys.push_back(key);
  }
}

// One metric against x, a line and labelled markers per series (at most 10); "" when no point
// has the metric.
std::string SweepMetricChart(const SweepTable& t, const std::string& metric,
                             const std::string& unit) {
  static const char* const kPalette[] = {kBlue, kOrange,   kGreen,    kRed,      kPurple,
                                         kGray, "#17becf", "#bcbd22", "#8c564b", "#e377c2"};
  const int c = t.Column(metric);
  if (c < 0) return "";
  SvgChart chart(metric, AxisSpec{t.x_label}, AxisSpec{metric + " (" + unit + ")"}, 420, 280);
  bool any = false;
  for (size_t sidx = 0; sidx < t.series_keys.size() && sidx < 10; ++sidx) {
    std::vector<Point> points;
    std::vector<std::string> labels;
    for (size_t r = 1; r <= t.n; ++r) {
      if (t.series_of[r] != sidx || static_cast<size_t>(c) >= t.rows[r].size()) continue;
      double y;
      if (!ParseNumber(t.rows[r][static_cast<size_t>(c)], y)) continue;
      double x = static_cast<double>(r - 1);
      if (t.varied > 0) {
        const std::string& xv = t.rows[r][1];
        if (t.numeric_x) {
          ParseNumber(xv, x);
        } else {
          x = static_cast<double>(std::find(t.x_values.begin(), t.x_values.end(), xv) -
                                  t.x_values.begin());
          labels.push_back(xv);
        }
      }
      points.push_back({x, y});
    }
    if (points.empty()) continue;
    any = true;
    const std::string name = t.series_keys[sidx].empty() ? metric : t.series_keys[sidx];
    chart.AddLine(name, kPalette[sidx], points);
    chart.AddMarkers("", kPalette[sidx], points, labels);
  }
  return any ? chart.Render() + "\n" : "";
}

// The grid as a table (the first 500 rows).
std::string SweepGridTable(const SweepTable& t) {
  std::string html = "<h2>Grid</h2>\n<table>\n<tr>";
  for (const std::string& h : t.rows[0]) html += "<th>" + HtmlEscape(h) + "</th>";
  html += "</tr>\n";
  for (size_t r = 1; r <= t.n && r <= 500; ++r) {
    html += "<tr>";
    for (size_t c = 0; c < t.rows[r].size(); ++c) {
      html += c <= t.varied
                  ? "<td>" + HtmlEscape(t.rows[r][c]) + "</td>"
                  : "<td class=\"num\">" + HtmlEscape(DisplayNumber(t.rows[r][c])) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n";
  if (t.n > 500) html += "<p class=\"meta\">(first 500 of " + std::to_string(t.n) + " rows)</p>\n";
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
  html += "<p class=\"meta\">" + std::to_string(t.n) + " points";
  for (size_t k = 0; k < varied; ++k)
    html += (k ? ", " : "; varying ") + HtmlEscape(t.rows[0][1 + k]);
  html += "</p>\n";
  ClassifyPoints(t);
  html += "<h2>Metrics</h2>\n<div class=\"charts\">\n";
  const std::vector<std::pair<std::string, std::string>> metrics = {
      {"request_throughput", "requests/s"},
      {"output_throughput", "output tokens/s"},
      {"request_goodput", "good requests/s"},
      {"mean_ttft_ms", "ms"},
      {"p99_ttft_ms", "ms"},
      {"mean_tpot_ms", "ms"},
      {"p99_tpot_ms", "ms"},
      {"mean_e2el_ms", "ms"},
      {"p99_e2el_ms", "ms"}};
  for (const auto& [metric, unit] : metrics) html += SweepMetricChart(t, metric, unit);
  html += "</div>\n" + SweepGridTable(t);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace servesim
