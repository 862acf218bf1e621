// servesim run: simulates one scenario, writes its outputs (summary.json, requests.csv, steps.csv,
// and on request trace.json, report.html and a --compare baseline) and prints a summary.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/log.h"
#include "models/sim_time.h"
#include "sim/app/cli_common.h"
#include "sim/app/quick_start.h"
#include "sim/app/run_slos.h"
#include "sim/app/sweep.h"
#include "sim/config/scenario.h"
#include "sim/core/load_check.h"
#include "sim/output/csv_writers.h"
#include "sim/output/json_writer.h"
#include "sim/output/output_dir.h"
#include "sim/output/report_html.h"
#include "sim/output/summary_json.h"
#include "sim/output/summary_table.h"
#include "sim/output/trace_json.h"

namespace servesim {
namespace {

po::options_description RunOptions() {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  AddQuickStartOptions(desc);
  desc.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                     "override a key: --set scheduler.max_num_seqs=128");
  AddRunSloOptions(desc);
  AddOutOption(desc);
  desc.add_options()(
      "compare", po::value<std::vector<std::string>>()->composing(),
      "also run a baseline with this override (SLOT.impl=NAME replaces the whole slot, e.g. "
      "speculative.impl=none) and write DIR/baseline_summary.json and DIR/compare.json")(
      "html", "also write DIR/report.html (self-contained charts of the run)")(
      "quiet,q", "no terminal summary");
  return desc;
}

// A --compare baseline: the same scenario and seed with the compare overrides on top, loaded
// (validated) before anything runs. SLOT.impl=NAME replaces the whole slot.
std::optional<Scenario> LoadBaseline(const po::variables_map& vm, const RunSlos& slos) {
  if (!vm.count("compare")) return std::nullopt;
  std::vector<Override> overrides = slos.overrides;  // --set and the SLO flags
  for (const std::string& c : Strings(vm, "compare")) {
    const auto eq = c.find('=');
    const std::string key = c.substr(0, eq == std::string::npos ? c.size() : eq);
    const std::string suffix = ".impl";
    std::string assignment = c;
    if (eq != std::string::npos && key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
      assignment = key.substr(0, key.size() - suffix.size()) + "={impl: " + c.substr(eq + 1) + "}";
    }
    overrides.push_back({assignment, "--compare " + c});
  }
  return LoadRunScenario(vm, overrides);
}

// Every file `servesim run` may write into --out DIR; summary.json, committed last, marks a
// complete run (sim/output/output_dir.h).
const std::vector<std::string>& RunOutputFiles() {
  static const std::vector<std::string> kFiles = {
      "summary.json", "requests.csv",          "steps.csv",    "trace.json",
      "report.html",  "baseline_summary.json", "compare.json", "scenario.yaml"};
  return kFiles;
}

// The outputs written while the engine runs. Each is an observer, installed only when asked for
// (none: no cost), streaming into its file's temporary in the output directory.
struct RunObservers {
  std::vector<EngineObserver*> list;
  std::unique_ptr<RequestsCsvWriter> requests_writer;
  std::unique_ptr<StepsCsvWriter> steps_writer;
  std::unique_ptr<TraceWriter> trace;
  std::unique_ptr<ReportCollector> report;
};

void InstallObservers(const Scenario& sc, const po::variables_map& vm, OutputDir& out,
                      RunObservers& o) {
  if (sc.write_requests_csv) {
    o.requests_writer = std::make_unique<RequestsCsvWriter>(out.Open("requests.csv"));
    o.list.push_back(o.requests_writer.get());
  }
  if (sc.write_steps_csv) {
    o.steps_writer = std::make_unique<StepsCsvWriter>(out.Open("steps.csv"));
    o.list.push_back(o.steps_writer.get());
  }
  if (WantsTraceJson(vm) || sc.write_trace_json) {
    TraceOptions trace_options;
    trace_options.replicas = sc.engine.replicas;
    trace_options.max_steps = sc.trace_max_steps;
    trace_options.max_requests = sc.trace_requests;
    o.trace = std::make_unique<TraceWriter>(out.Open("trace.json"), trace_options);
    o.list.push_back(o.trace.get());
  }
  if (vm.count("html") || sc.write_report_html) {
    ReportOptions report_options;
    report_options.replicas = sc.engine.replicas;
    for (const MemoryTier& t : sc.engine.offload.tiers)
      report_options.offload_tiers.push_back(t.name);
    o.report = std::make_unique<ReportCollector>(report_options);
    o.list.push_back(o.report.get());
  }
}

// The latency statistics whose baseline -> candidate change --compare reports.
const std::vector<std::string>& CompareDeltaMetrics() {
  static const std::vector<std::string> kNames = {"median_ttft_ms", "p99_ttft_ms",
                                                  "median_tpot_ms", "p99_tpot_ms",
                                                  "median_itl_ms",  "p99_itl_ms"};
  return kNames;
}

// Writes compare.json's "deltas": per metric baseline, candidate (this run), candidate - baseline
// and that as a percentage of the baseline (null for a zero baseline). Returns the terminal table.
std::string CompareDeltas(const RunSummary& b, const RunSummary& s, JsonWriter& j) {
  TextTable table;  // columns as wide as their widest value
  table.AddRow({"candidate vs baseline", "baseline", "candidate", "delta", "%"});
  auto ms = [](double v) { return FormatFixed(v, 2) + " ms"; };
  auto sign = [](std::string text) { return text[0] == '-' ? text : "+" + text; };
  j.Key("deltas").BeginObject();
  for (const std::string& m : CompareDeltaMetrics()) {
    const double base = *LatencyMetricMs(b, m), cand = *LatencyMetricMs(s, m);
    const double delta = cand - base;
    const double pct = base != 0 ? 100.0 * delta / base : std::nan("");
    j.Key(m).BeginObject().Field("baseline", base).Field("candidate", cand);
    j.Field("delta", delta).Field("delta_pct", pct).EndObject();
    table.AddRow({m, ms(base), ms(cand), sign(ms(delta)),
                  std::isfinite(pct) ? sign(FormatFixed(pct, 1)) + " %" : "n/a"});
  }
  j.EndObject();
  return table.Render("  ");
}

// Runs the --compare baseline and writes baseline_summary.json and compare.json (speedups of this
// run over the baseline: > 1 means this run is faster). Returns the terminal line about it.
std::string RunBaseline(const Scenario& base_sc, const RunSummary& s, const po::variables_map& vm,
                        OutputDir& out) {
  Engine base_engine(base_sc.engine, MakeScenarioWorkloads(base_sc));
  const RunSummary b = base_engine.Run({});
  out.Write("baseline_summary.json", SummaryJson(b, base_sc.engine, base_sc.wall_clock));
  auto ratio = [](double a, double d) { return d > 0 ? a / d : 0.0; };
  const double dur = s.duration_s > 0 ? s.duration_s : 1,
               bdur = b.duration_s > 0 ? b.duration_s : 1;
  JsonWriter j;
  j.BeginObject();
  j.Key("baseline_overrides").BeginArray();
  for (const std::string& c : Strings(vm, "compare")) j.String(c);
  j.EndArray();
  j.Field("speedup_mean_ttft", ratio(b.ttft_s.Mean(), s.ttft_s.Mean()));
  j.Field("speedup_mean_tpot", ratio(b.tpot_s.Mean(), s.tpot_s.Mean()));
  j.Field("speedup_mean_e2el", ratio(b.e2e_s.Mean(), s.e2e_s.Mean()));
  j.Field("speedup_p99_e2el", ratio(b.e2e_s.Quantile(0.99), s.e2e_s.Quantile(0.99)));
  j.Field("speedup_output_throughput", ratio(static_cast<double>(s.output_tokens) / dur,
                                             static_cast<double>(b.output_tokens) / bdur));
  const std::string deltas = CompareDeltas(b, s, j);
  j.EndObject();
  out.Write("compare.json", j.str() + "\n");
  char line[512];
  std::snprintf(line, sizeof(line),
                "  vs baseline (%s): TPOT %.2fx, E2E %.2fx, output throughput %.2fx faster\n",
                Strings(vm, "compare").front().c_str(), ratio(b.tpot_s.Mean(), s.tpot_s.Mean()),
                ratio(b.e2e_s.Mean(), s.e2e_s.Mean()),
                ratio(static_cast<double>(s.output_tokens) / dur,
                      static_cast<double>(b.output_tokens) / bdur));
  return line + deltas;
}

}  // namespace

// The warnings a finished run owes its reader: a stall, the horizon, and the load verdict's
// problems (overloaded, short run).
void WarnAboutRun(const RunSummary& s, const std::string& path) {
  if (s.stalled) {
    CliLog().warn(
        "{}: the run stalled with {} request(s) never scheduled (no rule of this scheduler / KV "
        "configuration can run them); summary.json has \"stalled\": true",
        path, s.in_flight_at_end);
  }
  if (s.horizon_exceeded) {
    CliLog().warn(
        "{}: the run reached the simulation horizon ({:.3g} s of simulated time) and stopped with "
        "{} request(s) in flight and {} not arrived; a time scale, rate, think time or bandwidth "
        "puts events beyond it; summary.json has \"horizon_exceeded\": true",
        path, kHorizonS, s.in_flight_at_end, s.not_arrived);
  }
  for (const std::string& m : CheckRunLoad(s).messages) CliLog().warn("{}: {}", path, m);
}

int CmdRun(int argc, char** argv) {
  const po::options_description desc = RunOptions();
  const auto parsed = ParseOrHelp(
      "run", argc, argv, desc,
      "usage: servesim run SCENARIO.yaml [--set key=value ...] [--goodput ttft:MS tpot:MS]\n"
      "                    [--slo METRIC=MS,...] [--out DIR]\n"
      "       servesim run --model M --device D (--trace FILE | --rate R) [...] [--out DIR]\n\n"
      "Writes DIR/summary.json (vLLM bench names + servesim fields + a sim block), "
      "DIR/requests.csv\n"
      "(one row per request) and DIR/steps.csv (one row per step), and prints a summary. Without\n"
      "a scenario file, --model and --device build one from flags (saved as DIR/scenario.yaml).",
      "scenario");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  RunSlos slos;
  Scenario sc = LoadRunScenarioWithSlos(vm, slos);
  for (const std::string& w : sc.warnings) CliLog().warn("{}", w);
  const std::optional<Scenario> base_sc = LoadBaseline(vm, slos);
  auto sources = MakeScenarioWorkloads(sc);
  // Taken after the inputs are read: a typo does not cost the previous run's outputs.
  const std::string saved = SavedScenarioPath(vm);
  OutputDir out(vm["out"].as<std::string>(), RunOutputFiles(), "summary.json");
  if (!saved.empty()) sc.path = saved;
  RunObservers outputs;
  InstallObservers(sc, vm, out, outputs);
  // The progress line redraws itself in place with carriage returns; it stays a direct stderr
  // write, a terminal display rather than a log line (a logger ends each line with a newline,
  // and a --log-file would not take it back off the terminal).
  const bool tty = isatty(STDERR_FILENO) && !vm.count("quiet");
  CallbackObserver progress;
  if (tty) {
    progress.on_progress = [](double sim_s, int64_t completed) {
      std::fprintf(stderr, "\r  simulated %.1f s, %lld requests completed", sim_s,
                   static_cast<long long>(completed));
    };
    outputs.list.push_back(&progress);
  }
  Engine engine(sc.engine, std::move(sources));
  const RunSummary s = engine.Run(outputs.list);
  if (tty) std::fprintf(stderr, "\r%60s\r", "");
  WarnAboutRun(s, sc.path);
  const std::string summary_json = SummaryJson(s, sc.engine, sc.wall_clock);
  out.Write("summary.json", summary_json);
  if (outputs.trace) outputs.trace->Finish();
  if (outputs.report) {
    out.Write("report.html", outputs.report->Render("servesim run " + sc.path,
                                                    ScenarioYamlText(sc.root), summary_json));
  }
  const std::string baseline_line = base_sc ? RunBaseline(*base_sc, s, vm, out) : "";
  if (!saved.empty()) out.Write("scenario.yaml", ScenarioYamlText(sc.root));
  out.Commit();
  if (!saved.empty())
    CliLog().info("saved the scenario as {0}: rerun with servesim run {0}", saved);
  if (!vm.count("quiet")) {
    std::fputs(RunSummaryText(s, sc.engine, sc.path, CheckSlos(s, slos.statistics)).c_str(),
               stdout);
    std::fputs(baseline_line.c_str(), stdout);
  }
  return 0;
}

}  // namespace servesim
