// report.html: a self-contained page about one run (and, for `servesim analyze --html`, a roofline
// page about one step), with inline SVG charts from sim/svg_chart.h and a little inline CSS; no
// script, font or network reference.
//
// Models (run report): summary.json as banners, an SLO result and grouped, formatted tables
// (sim/output/summary_html.h); empirical CDFs of TTFT, TPOT, ITL and E2E latency; time series of
// token throughput, mean ITL, batch size, queue length and KV usage; for offload runs, bytes
// streamed per second from each offload tier and the share of step time the transfer channel was busy and compute sat
// waiting on it; the scenario as run (YAML after overrides). Memory is bounded whatever the run's
// length: request latencies are kept for at most `max_samples` completed requests (all of them
// below that, else a uniform reservoir sample drawn with a fixed-seed generator, so reruns give
// the same page); inter-token latencies go into a fixed log-binned histogram (32 bins per octave,
// about 2 % wide, 1 us to 4096 s); step series accumulate into `time_buckets` equal time buckets
// whose width doubles (adjacent buckets merge) whenever the run outgrows them. Each bucket holds
// time-weighted averages over the bucket (a step's batch counts for the time it covers; idle time
// counts as zero) summed over replicas, KV usage averaged over replicas, tokens and bytes spread
// over their step's time, and inter-token latencies credited when their step ends.
// ITL comes from the steps: each of a step's decode sequences gets one inter-token latency, the
// time since the previous step on its replica ended (what the engine measures for a sequence that
// decoded in that step too; one per speculative round, whose tokens arrive together).
// Ignores: requests that never complete (no latencies), the longer gap of a sequence that sat out
// steps (preempted, or a static batch's padding slots, which count as decodes), per-replica
// breakdowns (series are summed or averaged over replicas), tiers beyond kMaxOffloadTiers (steps
// carry no more), and the wall-clock fields' variation (printed as given).
#ifndef SERVESIM_SIM_OUTPUT_REPORT_HTML_H_
#define SERVESIM_SIM_OUTPUT_REPORT_HTML_H_

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/analyze.h"
#include "sim/core/engine.h"
#include "sim/output/summary_html.h"
#include "sim/output/svg_chart.h"

namespace servesim {

struct ReportOptions {
  int replicas = 1;
  int time_buckets = 400;       // points per time-series chart
  int64_t max_samples = 20000;  // completed requests whose latencies the CDFs draw
  int cdf_points = 400;         // points per CDF line
  // Names of the offload tiers (device.offload_tiers, nearest first) that label the per-tier
  // streaming lines; a tier without a name here is "tier N".
  std::vector<std::string> offload_tiers;
};

class ReportCollector : public EngineObserver {
 public:
  explicit ReportCollector(const ReportOptions& options);

  void OnStep(const StepRecord& step) override;
  void OnRequest(const RequestRecord& request) override;

  // The page. `title` heads it; `scenario_yaml` (ScenarioYamlText) and `summary_json`
  // (SummaryJson) are echoed.
  std::string Render(const std::string& title, const std::string& scenario_yaml,
                     const std::string& summary_json) const;

  int64_t completed_seen() const { return completed_seen_; }
  int64_t itl_count() const { return itl_count_; }
  // The q-quantile of the inter-token latencies (nearest rank), as its bin's geometric middle.
  double ItlQuantileMs(double q) const;
  size_t samples_kept() const { return samples_.size(); }
  int64_t bucket_width_ns() const { return width_ns_; }

 private:
  struct Sample {
    double ttft_s, tpot_s, e2e_s;  // tpot NaN for single-token outputs
  };
  struct Bucket {
    double prefill_tokens = 0, decode_tokens = 0;         // spread over the step
    std::array<double, kMaxOffloadTiers> tier_bytes{};    // bytes streamed from each tier, the same
    double itl_sum_s = 0, itl_count = 0;                  // credited at step end
    double batch_ns = 0, waiting_ns = 0, swapped_ns = 0;  // value x overlapping ns
    double kv_ns = 0, kv_peak = 0;
    double busy_ns = 0, io_ns = 0, stall_ns = 0;  // step time; its shares busy / stalled
    void Merge(const Bucket& other);
  };
  void Grow(int64_t end_ns);
  void AddItl(double itl_s, int64_t count);
  std::vector<Point> ItlCdfMs() const;  // the histogram's CDF, at bin upper edges
  struct Series;                        // the time buckets as chart points
  Series TimeSeries() const;
  std::string LatencySection() const;
  std::string TimeSeriesSection() const;
  std::string OffloadSection() const;

  ReportOptions options_;
  std::vector<Sample> samples_;
  int64_t completed_seen_ = 0;
  uint64_t rng_state_;
  std::vector<Bucket> buckets_;
  int64_t origin_ns_ = -1, width_ns_, end_ns_ = 0;
  int64_t steps_ = 0;
  std::vector<int64_t> last_end_ns_;  // per replica: when its latest step ended (-1: none yet)
  std::vector<int64_t> itl_bins_;     // the ITL histogram
  int64_t itl_count_ = 0;
  bool any_io_ = false;
  std::array<bool, kMaxOffloadTiers> tier_used_{};  // a step read from the tier
};

// The YAML text of a scenario tree (Scenario::root) as yaml-cpp prints it.
std::string ScenarioYamlText(const YAML::Node& root);

// The roofline page of `servesim analyze --html`: the operators of one step placed by arithmetic
// intensity (FLOP/B, log x) and achieved FLOP/s (log y) under the device's compute ceiling and
// bandwidth slope, the ridge point marked, and the operator table. Operators with no FLOPs or no
// time (collectives, pure data movement) are listed but not placed. Throws InputError as
// RenderAnalysis does.
std::string RenderRooflineHtml(const AnalyzeRequest& request);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_REPORT_HTML_H_
