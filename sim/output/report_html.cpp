#include "sim/output/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "sim/output/html_page.h"
#include "sim/output/svg_chart.h"
#include "workloads/random.h"

namespace servesim {
namespace {

constexpr int64_t kInitialBucketNs = int64_t{1} << 20;  // ~1 ms; doubles as the run grows
// The ITL histogram: 32 bins per octave from 2^-20 s (~1 us) to 2^12 s.
constexpr int kItlBinsPerOctave = 32;
constexpr int kItlMinLog2 = -20, kItlMaxLog2 = 12;
constexpr int kItlBins = (kItlMaxLog2 - kItlMinLog2) * kItlBinsPerOctave;

double ItlBinUpper(int bin) {
  return std::exp2(kItlMinLog2 + static_cast<double>(bin + 1) / kItlBinsPerOctave);
}

double Quantile(std::vector<double> sorted_values, double q) {
  if (sorted_values.empty()) return NAN;
  const size_t n = sorted_values.size();
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
  return sorted_values[std::min(n - 1, rank == 0 ? 0 : rank - 1)];
}

// A CDF chart of `points` with its p50 and p99 marked; `what` counts the samples.
std::string CdfChartOf(const std::string& title, const std::string& unit, const std::string& what,
                       const std::vector<Point>& points, double p50, double p99,
                       const char* color) {
  AxisSpec x{title + " (" + unit + ")", Scale::kLinear};
  // A long tail would squeeze the body of the distribution into the left edge: past twice the
  // p99, the axis stops at 1.2 x p99 (the tail leaves the plot; the p99 rule stays on it).
  if (!points.empty() && points.back().x > 2 * p99 && p99 > 0) {
    x.min = 0;
    x.max = 1.2 * p99;
    x.label += ", axis cut at 1.2 \u00d7 p99 (max " + FormatTick(points.back().x) + ")";
  }
  AxisSpec y{"fraction of " + what.substr(what.find(' ') + 1), Scale::kLinear, 0.0, 1.0};
  SvgChart chart(title + " CDF (" + what + ")", x, y, 600, 300);
  chart.AddLine("", color, points);
  if (!points.empty()) {
    chart.AddVerticalRule(p50, kGray, "p50 " + FormatTick(p50));
    chart.AddVerticalRule(p99, kRed, "p99 " + FormatTick(p99));
  }
  return chart.Render();
}

std::string CdfChart(const std::string& title, const std::string& unit, std::vector<double> values,
                     const char* color, int points) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v >= 0); }),
               values.end());
  std::sort(values.begin(), values.end());
  return CdfChartOf(title, unit, Grouped(static_cast<double>(values.size()), 0) + " requests",
                    CdfPoints(values, points), Quantile(values, 0.5), Quantile(values, 0.99),
                    color);
}

}  // namespace

std::string ScenarioYamlText(const YAML::Node& root) {
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

// ---- the run report ---------------------------------------------------------------------------

ReportCollector::ReportCollector(const ReportOptions& options)
    : options_(options),
      rng_state_(0x5EEDC0FFEEull),
      width_ns_(kInitialBucketNs),
      itl_bins_(kItlBins, 0) {
  options_.time_buckets = std::max(options_.time_buckets, 2);
  options_.replicas = std::max(options_.replicas, 1);
  options_.max_samples = std::max<int64_t>(options_.max_samples, 1);
  buckets_.resize(static_cast<size_t>(options_.time_buckets));
  last_end_ns_.assign(static_cast<size_t>(options_.replicas), -1);
}

void ReportCollector::Bucket::Merge(const Bucket& b) {
  prefill_tokens += b.prefill_tokens;
  decode_tokens += b.decode_tokens;
  itl_sum_s += b.itl_sum_s;
  itl_count += b.itl_count;
  for (size_t t = 0; t < kMaxOffloadTiers; ++t) tier_bytes[t] += b.tier_bytes[t];
  batch_ns += b.batch_ns;
  waiting_ns += b.waiting_ns;
  swapped_ns += b.swapped_ns;
  kv_ns += b.kv_ns;
  kv_peak = std::max(kv_peak, b.kv_peak);
  busy_ns += b.busy_ns;
  io_ns += b.io_ns;
  stall_ns += b.stall_ns;
}

void ReportCollector::Grow(int64_t end_ns) {
  const int64_t n = options_.time_buckets;
  while (end_ns - origin_ns_ > n * width_ns_) {
    for (int64_t i = 0; i < n; ++i) {
      Bucket merged;
      if (2 * i < n) {
        merged = buckets_[static_cast<size_t>(2 * i)];
        if (2 * i + 1 < n) merged.Merge(buckets_[static_cast<size_t>(2 * i + 1)]);
      }
      buckets_[static_cast<size_t>(i)] = merged;
    }
    width_ns_ *= 2;
  }
}

void ReportCollector::AddItl(double itl_s, int64_t count) {
  if (count <= 0 || !(itl_s >= 0)) return;
  const double pos = itl_s > 0 ? (std::log2(itl_s) - kItlMinLog2) * kItlBinsPerOctave : 0;
  const int bin = std::clamp(static_cast<int>(std::floor(pos)), 0, kItlBins - 1);
  itl_bins_[static_cast<size_t>(bin)] += count;
  itl_count_ += count;
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
  const double step_s = static_cast<double>(step.duration_ns) * 1e-9;
  const double io_share = step_s > 0 ? std::min(step.io_s / step_s, 1.0) : 0;
  const double stall_share = step_s > 0 ? std::min(step.stall_s / step_s, 1.0) : 0;
  const double prefill = static_cast<double>(step.prefill_tokens);
  const double decode = static_cast<double>(step.new_tokens - step.prefill_tokens);
  any_io_ = any_io_ || step.io_s > 0 || step.io_bytes > 0;
  for (size_t t = 0; t < kMaxOffloadTiers; ++t) {
    tier_used_[t] = tier_used_[t] || step.io_tier_bytes[t] > 0;
  }
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
    k.busy_ns += overlap;
    k.io_ns += io_share * overlap;
    k.stall_ns += stall_share * overlap;
    // Tokens and bytes spread over the step's time, so a long step reads as a rate, not a spike.
    const double part = overlap / static_cast<double>(end - start);
    k.prefill_tokens += prefill * part;
    k.decode_tokens += decode * part;
    for (size_t t = 0; t < kMaxOffloadTiers; ++t) k.tier_bytes[t] += step.io_tier_bytes[t] * part;
  }
  Bucket& done = buckets_[static_cast<size_t>((std::max(end - 1, start) - origin_ns_) / width_ns_)];
  if (end <= start) {  // a step of no time: credited where it stands
    done.prefill_tokens += prefill;
    done.decode_tokens += decode;
    for (size_t t = 0; t < kMaxOffloadTiers; ++t) done.tier_bytes[t] += step.io_tier_bytes[t];
    done.kv_peak = std::max(done.kv_peak, step.kv_usage);
  }
  // Each decode sequence's token arrives at the step's end, the previous one at the end of the
  // replica's previous step.
  const size_t replica = static_cast<size_t>(std::max(step.replica, 0));
  if (replica >= last_end_ns_.size()) last_end_ns_.resize(replica + 1, -1);
  if (last_end_ns_[replica] >= 0 && step.decode_seqs > 0) {
    const double itl_s =
        static_cast<double>(step.start_ns + step.duration_ns - last_end_ns_[replica]) * 1e-9;
    AddItl(itl_s, step.decode_seqs);
    done.itl_sum_s += itl_s * static_cast<double>(step.decode_seqs);
    done.itl_count += static_cast<double>(step.decode_seqs);
  }
  last_end_ns_[replica] = step.start_ns + step.duration_ns;
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

std::vector<Point> ReportCollector::ItlCdfMs() const {
  std::vector<Point> points;
  if (itl_count_ == 0) return points;
  int64_t seen = 0;
  for (int b = 0; b < kItlBins; ++b) {
    if (itl_bins_[static_cast<size_t>(b)] == 0) continue;
    seen += itl_bins_[static_cast<size_t>(b)];
    points.push_back(
        {ItlBinUpper(b) * 1e3, static_cast<double>(seen) / static_cast<double>(itl_count_)});
  }
  return points;
}

double ReportCollector::ItlQuantileMs(double q) const {
  if (itl_count_ == 0) return NAN;
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(itl_count_))));
  int64_t seen = 0;
  for (int b = 0; b < kItlBins; ++b) {
    seen += itl_bins_[static_cast<size_t>(b)];
    if (seen >= rank) return std::sqrt(ItlBinUpper(b - 1) * ItlBinUpper(b)) * 1e3;  // geometric mid
  }
  return NAN;
}

std::string ReportCollector::LatencySection() const {
  std::vector<double> ttft_ms, tpot_ms, e2e_s;
  for (const Sample& s : samples_) {
    ttft_ms.push_back(s.ttft_s * 1e3);
    if (std::isfinite(s.tpot_s)) tpot_ms.push_back(s.tpot_s * 1e3);
    e2e_s.push_back(s.e2e_s);
  }
  std::string o = "<h2 id=\"latency\">Latency distributions</h2>\n";
  if (samples_.empty()) o += "<p>No request completed.</p>\n";
  o += "<div class=\"charts\">\n";
  o += CdfChart("TTFT", "ms", std::move(ttft_ms), kBlue, options_.cdf_points);
  o += CdfChart("TPOT", "ms", std::move(tpot_ms), kOrange, options_.cdf_points);
  o += CdfChartOf("ITL", "ms", Grouped(static_cast<double>(itl_count_), 0) + " inter-token gaps",
                  ItlCdfMs(), ItlQuantileMs(0.5), ItlQuantileMs(0.99), kPurple);
  o += CdfChart("E2E latency", "s", std::move(e2e_s), kGreen, options_.cdf_points);
  o += "</div>\n<p class=\"meta\">TTFT, TPOT and E2E from the completed requests (or a uniform "
       "sample of them); ITL from the steps: one gap per decoding sequence per step, the time "
       "since its replica's previous step ended, binned 32 to an octave (about 2 %).</p>\n";
  return o;
}
struct ReportCollector::Series {
  std::vector<Point> prefill, decode, itl_ms, batch, waiting, swapped, kv_mean, kv_peak;
  std::vector<Point> io_share, stall_share;
  std::array<std::vector<Point>, kMaxOffloadTiers> tier_gb_per_s;
  bool any_swapped = false;
};

ReportCollector::Series ReportCollector::TimeSeries() const {
  Series t;
  if (steps_ == 0) return t;
  const double replicas = static_cast<double>(options_.replicas);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const int64_t lo = origin_ns_ + static_cast<int64_t>(i) * width_ns_;
    if (i > 0 && lo >= end_ns_) break;
    const int64_t width = std::max<int64_t>(std::min(width_ns_, end_ns_ - lo), 1);
    const double w = static_cast<double>(width);
    const double x = (static_cast<double>(lo) + w / 2) * 1e-9;
    const Bucket& b = buckets_[i];
    t.prefill.push_back({x, b.prefill_tokens / (w * 1e-9)});
    t.decode.push_back({x, b.decode_tokens / (w * 1e-9)});
    if (b.itl_count > 0) t.itl_ms.push_back({x, 1e3 * b.itl_sum_s / b.itl_count});
    t.batch.push_back({x, b.batch_ns / w});
    t.waiting.push_back({x, b.waiting_ns / w});
    t.swapped.push_back({x, b.swapped_ns / w});
    t.any_swapped = t.any_swapped || b.swapped_ns > 0;
    t.kv_mean.push_back({x, 100 * b.kv_ns / (w * replicas)});
    t.kv_peak.push_back({x, 100 * b.kv_peak});
    for (size_t k = 0; k < kMaxOffloadTiers; ++k) {
      if (tier_used_[k]) t.tier_gb_per_s[k].push_back({x, b.tier_bytes[k] / w});  // B/ns = GB/s
    }
    t.io_share.push_back({x, b.busy_ns > 0 ? 100 * b.io_ns / b.busy_ns : NAN});
    t.stall_share.push_back({x, b.busy_ns > 0 ? 100 * b.stall_ns / b.busy_ns : NAN});
  }
  return t;
}

std::string ReportCollector::TimeSeriesSection() const {
  const Series t = TimeSeries();
  const std::string time_label = "simulated time (s)";
  const std::string per = options_.replicas > 1 ? ", all replicas" : "";
  std::string o = "<h2 id=\"timeseries\">Time series</h2>\n<div class=\"charts\">\n";
  {
    SvgChart c("Token throughput" + per, {time_label}, {"tokens/s"}, 600, 300);
    c.AddLine("decode tokens/s", kBlue, t.decode);
    c.AddLine("prefill tokens/s", kOrange, t.prefill);
    o += c.Render();
  }
  {
    SvgChart c("Inter-token latency", {time_label}, {"ms"}, 600, 300);
    c.AddLine("mean ITL of the tokens emitted", kPurple, t.itl_ms);
    o += c.Render();
  }
  {
    SvgChart c(std::string("Batch size") + (options_.replicas > 1 ? " (summed over replicas)" : ""),
               {time_label}, {"sequences per step"}, 600, 300);
    c.AddLine("mean batch size", kGreen, t.batch);
    o += c.Render();
  }
  {
    SvgChart c("Queue length" + per, {time_label}, {"requests"}, 600, 300);
    c.AddLine("waiting", kRed, t.waiting);
    if (t.any_swapped) c.AddLine("swapped", kPurple, t.swapped);
    o += c.Render();
  }
  {
    SvgChart c("KV cache usage", {time_label}, {"% of blocks in use", Scale::kLinear, 0.0}, 600,
               300);
    c.AddLine(options_.replicas > 1 ? "mean over replicas" : "mean", kPurple, t.kv_mean);
    c.AddLine("peak", kGray, t.kv_peak, true);
    o += c.Render();
  }
  o +=
      "</div>\n<p class=\"meta\">Each point is one time bucket: throughput spreads a step's tokens "
      "over the step's time; ITL is the mean gap of the tokens decoded in the bucket; batch size "
      "and queue length are time-weighted means over the bucket (idle time counts as zero); KV "
      "usage is the time-weighted mean and the largest value a step saw.</p>\n";
  return o;
}

std::string ReportCollector::OffloadSection() const {
  if (!any_io_) return "";
  const Series t = TimeSeries();
  const std::string time_label = "simulated time (s)";
  std::string o = "<h2 id=\"offload\">Offload I/O</h2>\n<div class=\"charts\">\n";
  {
    SvgChart c(
        "Bytes streamed to the device" + std::string(options_.replicas > 1 ? ", all replicas" : ""),
        {time_label}, {"GB/s"}, 600, 300);
    const char* colors[] = {kBlue, kOrange, kGreen, kPurple};
    static_assert(std::size(colors) == kMaxOffloadTiers);
    for (size_t k = 0; k < kMaxOffloadTiers; ++k) {
      if (!tier_used_[k]) continue;
      const std::string name =
          k < options_.offload_tiers.size() && !options_.offload_tiers[k].empty()
              ? options_.offload_tiers[k]
              : "tier " + std::to_string(k);
      c.AddLine("from " + name, colors[k], t.tier_gb_per_s[k]);
    }
    o += c.Render();
  }
  {
    SvgChart c("I/O share of step time", {time_label},
               {"% of step time", Scale::kLinear, 0.0, 100.0}, 600, 300);
    c.AddLine("transfer channel busy", kOrange, t.io_share);
    c.AddLine("compute waiting on transfers", kRed, t.stall_share);
    o += c.Render();
  }
  o += "</div>\n<p class=\"meta\">A step's bytes are spread over its time. Shares are of the time "
       "steps ran in the bucket: the channel overlaps compute when prefetching, so its busy share "
       "may exceed the waiting share; a step is I/O-bound when it waits more than half its "
       "time. One line per offload tier that moved bytes (weights, and host KV from the tier "
       "holding it).</p>\n";
  return o;
}

std::string ReportCollector::Render(const std::string& title, const std::string& scenario_yaml,
                                    const std::string& summary_json) const {
  std::string o = PageHead(title);
  o += "<h1>" + HtmlEscape(title) + "</h1>\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "<p class=\"meta\">servesim %s: %s steps, %s completed requests (latency CDFs "
                "from %s of them%s); time series in %zu buckets of %s s.</p>\n",
                SERVESIM_VERSION, Grouped(static_cast<double>(steps_), 0).c_str(),
                Grouped(static_cast<double>(completed_seen_), 0).c_str(),
                Grouped(static_cast<double>(samples_.size()), 0).c_str(),
                static_cast<int64_t>(samples_.size()) < completed_seen_ ? ", a uniform sample" : "",
                buckets_.size(), FormatTick(static_cast<double>(width_ns_) * 1e-9).c_str());
  o += line;
  o += std::string(
           "<nav><a href=\"#summary\">Summary</a><a href=\"#latency\">Latency</a>"
           "<a href=\"#timeseries\">Time series</a>") +
       (any_io_ ? "<a href=\"#offload\">Offload I/O</a>" : "") +
       "<a href=\"#scenario\">Scenario</a></nav>\n";
  o += RenderSummaryHtml(summary_json);
  o += LatencySection();
  o += TimeSeriesSection();
  o += OffloadSection();
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
  o += "<div class=\"single\">\n" + chart.Render() + "</div>\n";
  o += "<h2>Operators</h2>\n<div "
       "class=\"scroll\">\n<table>\n<tr><th>operator</th><th>kind</th><th>x</th><th>FLOPs</th>"
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
  o += "</table>\n</div>\n</body>\n</html>\n";
  return o;
}

}  // namespace servesim
