// report.html: a self-contained page about one run (and, for `servesim analyze --html`, a roofline
// page about one step), with inline SVG charts from sim/svg_chart.h and a little inline CSS; no
// script, font or network reference.
//
// Models (run report): the scenario as run (YAML after overrides), the scalar fields of
// summary.json as a table, empirical CDFs of TTFT, TPOT and E2E latency, and time series of token
// throughput, batch size, queue length and KV usage. Memory is bounded whatever the run's length:
// latencies are kept for at most `max_samples` completed requests (all of them below that, else a
// uniform reservoir sample drawn with a fixed-seed generator, so reruns give the same page); step
// series accumulate into `time_buckets` equal time buckets whose width doubles (adjacent buckets
// merge) whenever the run outgrows them. Each bucket holds time-weighted averages over the bucket
// (a step's batch counts for the time it covers; idle time counts as zero) summed over replicas,
// KV usage averaged over replicas, and tokens credited when their step ends.
// Ignores: requests that never complete (no latencies), per-replica breakdowns (series are summed
// or averaged over replicas), and the wall-clock fields' variation (they are printed as given).
#ifndef SERVESIM_SIM_OUTPUT_REPORT_HTML_H_
#define SERVESIM_SIM_OUTPUT_REPORT_HTML_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/analyze.h"
#include "sim/core/engine.h"

namespace servesim {

struct ReportOptions {
  int replicas = 1;
  int time_buckets = 400;       // points per time-series chart
  int64_t max_samples = 20000;  // completed requests whose latencies the CDFs draw
  int cdf_points = 400;         // points per CDF line
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
  size_t samples_kept() const { return samples_.size(); }
  int64_t bucket_width_ns() const { return width_ns_; }

 private:
  struct Sample {
    double ttft_s, tpot_s, e2e_s;  // tpot NaN for single-token outputs
  };
  struct Bucket {
    double prefill_tokens = 0, decode_tokens = 0;         // credited at step end
    double batch_ns = 0, waiting_ns = 0, swapped_ns = 0;  // value x overlapping ns
    double kv_ns = 0, kv_peak = 0;
  };
  void Grow(int64_t end_ns);

  ReportOptions options_;
  std::vector<Sample> samples_;
  int64_t completed_seen_ = 0;
  uint64_t rng_state_;
  std::vector<Bucket> buckets_;
  int64_t origin_ns_ = -1, width_ns_, end_ns_ = 0;
  int64_t steps_ = 0;
};

// The YAML text of a scenario tree (Scenario::root) as yaml-cpp prints it.
std::string ScenarioYamlText(const YAML::Node& root);

// The scalar fields of a JSON object, in document order, as (key, text) pairs; fields of nested
// objects are named "outer.inner"; arrays are skipped; strings are unquoted and unescaped.
// Throws std::runtime_error on malformed JSON.
std::vector<std::pair<std::string, std::string>> JsonScalarFields(std::string_view json);

// The roofline page of `servesim analyze --html`: the operators of one step placed by arithmetic
// intensity (FLOP/B, log x) and achieved FLOP/s (log y) under the device's compute ceiling and
// bandwidth slope, the ridge point marked, and the operator table. Operators with no FLOPs or no
// time (collectives, pure data movement) are listed but not placed. Throws InputError as
// RenderAnalysis does.
std::string RenderRooflineHtml(const AnalyzeRequest& request);

// The page of `servesim sweep` / `merge` (DIR/sweep.html), from sweep.csv's text: one chart per
// headline metric (throughputs, goodput, mean and p99 TTFT / TPOT / E2E) against the first varied
// key, one line per combination of the other varied keys (a non-numeric first key is drawn at
// its grid positions with its values as labels), then the grid as a table (first 500 rows).
// `varied` is the number of varied-key columns after `point`.
std::string RenderSweepHtml(const std::string& title, const std::string& csv, size_t varied);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_REPORT_HTML_H_
