// servesim run: simulates one scenario, writes its outputs (summary.json, requests.csv, steps.csv,
// and on request trace.json, report.html and a --compare baseline) and prints a summary.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/cli_common.h"
#include "sim/config/scenario.h"
#include "sim/output/csv_writers.h"
#include "sim/output/json_writer.h"
#include "sim/output/report_html.h"
#include "sim/output/summary_json.h"
#include "sim/output/trace_json.h"

namespace servesim {
namespace {

po::options_description RunOptions() {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  desc.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                     "override a key: --set scheduler.max_num_seqs=128");
  AddOutOption(desc);
  desc.add_options()(
      "compare", po::value<std::vector<std::string>>()->composing(),
      "also run a baseline with this override (SLOT.impl=NAME replaces the whole slot, e.g. "
      "speculative.impl=none) and write DIR/baseline_summary.json and DIR/compare.json")(
      "trace", "also write DIR/trace.json (Chrome trace events: Perfetto, chrome://tracing)")(
      "html", "also write DIR/report.html (self-contained charts of the run)")(
      "quiet,q", "no terminal summary");
  return desc;
}

// A --compare baseline: the same scenario and seed with the compare overrides on top, loaded
// (validated) before anything runs. SLOT.impl=NAME replaces the whole slot.
std::optional<Scenario> LoadBaseline(const po::variables_map& vm) {
  if (!vm.count("compare")) return std::nullopt;
  std::vector<Override> overrides = FlagOverrides("--set", Strings(vm, "set"));
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
  return LoadScenarioWithOrigins(vm["scenario"].as<std::string>(), overrides);
}

std::unique_ptr<std::ofstream> OpenOutput(const std::filesystem::path& dir, const char* name) {
  auto f = std::make_unique<std::ofstream>(dir / name);
  if (!*f) throw InputError("--out " + dir.string() + ": cannot write " + name);
  return f;
}

void CheckWritten(std::ostream* f, const std::filesystem::path& dir) {
  if (f && !f->flush()) throw InputError("--out " + dir.string() + ": write failed (disk full?)");
}

// The outputs written while the engine runs. Each is an observer, installed only when asked for
// (none: no cost).
struct RunObservers {
  std::vector<EngineObserver*> list;
  std::unique_ptr<std::ofstream> requests, steps, trace_file;
  std::unique_ptr<RequestsCsvWriter> requests_writer;
  std::unique_ptr<StepsCsvWriter> steps_writer;
  std::unique_ptr<TraceWriter> trace;
  std::unique_ptr<ReportCollector> report;
};

void InstallObservers(const Scenario& sc, const po::variables_map& vm,
                      const std::filesystem::path& dir, RunObservers& o) {
  if (sc.write_requests_csv) {
    o.requests = OpenOutput(dir, "requests.csv");
    o.requests_writer = std::make_unique<RequestsCsvWriter>(*o.requests);
    o.list.push_back(o.requests_writer.get());
  }
  if (sc.write_steps_csv) {
    o.steps = OpenOutput(dir, "steps.csv");
    o.steps_writer = std::make_unique<StepsCsvWriter>(*o.steps);
    o.list.push_back(o.steps_writer.get());
  }
  if (vm.count("trace") || sc.write_trace_json) {
    o.trace_file = OpenOutput(dir, "trace.json");
    TraceOptions trace_options;
    trace_options.replicas = sc.engine.replicas;
    trace_options.max_steps = sc.trace_max_steps;
    trace_options.max_requests = sc.trace_requests;
    o.trace = std::make_unique<TraceWriter>(*o.trace_file, trace_options);
    o.list.push_back(o.trace.get());
  }
  if (vm.count("html") || sc.write_report_html) {
    ReportOptions report_options;
    report_options.replicas = sc.engine.replicas;
    o.report = std::make_unique<ReportCollector>(report_options);
    o.list.push_back(o.report.get());
  }
}

void PrintSummaryTable(const RunSummary& s, const Scenario& sc) {
  auto row = [](const char* name, double mean, double p50, double p99) {
    std::printf("  %-6s mean %10.2f ms   median %10.2f ms   p99 %10.2f ms\n", name, mean * 1e3,
                p50 * 1e3, p99 * 1e3);
  };
  std::printf("%s: %s on %d x %s (tp %d), %lld KV blocks of %lld tokens per replica\n",
              sc.path.c_str(), sc.engine.model.name.c_str(), sc.engine.replicas,
              sc.engine.device.name.c_str(), sc.engine.cost.tp,
              static_cast<long long>(sc.engine.kv.capacity_blocks),
              static_cast<long long>(sc.engine.kv.block_size));
  std::printf(
      "  requests: %lld completed, %lld rejected, %lld in flight at end%s; %lld preemptions\n",
      static_cast<long long>(s.completed), static_cast<long long>(s.rejected),
      static_cast<long long>(s.in_flight_at_end),
      s.truncated ? " (stopped at simulation.max_time_s)" : "",
      static_cast<long long>(s.preemptions));
  const double dur = s.duration_s > 0 ? s.duration_s : 1;
  std::printf("  duration %.2f s; %.3f req/s; %.1f output tok/s; %.1f total tok/s\n", s.duration_s,
              static_cast<double>(s.completed) / dur, static_cast<double>(s.output_tokens) / dur,
              static_cast<double>(s.input_tokens + s.output_tokens) / dur);
  row("TTFT", s.ttft_s.Mean(), s.ttft_s.Quantile(0.5), s.ttft_s.Quantile(0.99));
  row("TPOT", s.tpot_s.Mean(), s.tpot_s.Quantile(0.5), s.tpot_s.Quantile(0.99));
  row("ITL", s.itl_s.Mean(), s.itl_s.Quantile(0.5), s.itl_s.Quantile(0.99));
  row("E2E", s.e2e_s.Mean(), s.e2e_s.Quantile(0.5), s.e2e_s.Quantile(0.99));
  std::printf("  simulated %lld steps in %.3f s wall (%.0f steps/s)\n",
              static_cast<long long>(s.steps), s.wall_s,
              s.wall_s > 0 ? static_cast<double>(s.steps) / s.wall_s : 0.0);
}

// Runs the --compare baseline and writes baseline_summary.json and compare.json (speedups of this
// run over the baseline: > 1 means this run is faster).
void RunBaseline(const Scenario& base_sc, const RunSummary& s, const po::variables_map& vm,
                 const std::filesystem::path& dir) {
  Engine base_engine(base_sc.engine, MakeScenarioWorkloads(base_sc));
  const RunSummary b = base_engine.Run({});
  auto base_summary = OpenOutput(dir, "baseline_summary.json");
  *base_summary << SummaryJson(b, base_sc.engine, base_sc.wall_clock);
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
  j.EndObject();
  auto compare = OpenOutput(dir, "compare.json");
  *compare << j.str() << "\n";
  CheckWritten(base_summary.get(), dir);
  CheckWritten(compare.get(), dir);
  if (!vm.count("quiet")) {
    std::printf("  vs baseline (%s): TPOT %.2fx, E2E %.2fx, output throughput %.2fx faster\n",
                Strings(vm, "compare").front().c_str(), ratio(b.tpot_s.Mean(), s.tpot_s.Mean()),
                ratio(b.e2e_s.Mean(), s.e2e_s.Mean()),
                ratio(static_cast<double>(s.output_tokens) / dur,
                      static_cast<double>(b.output_tokens) / bdur));
  }
}

}  // namespace

int CmdRun(int argc, char** argv) {
  const po::options_description desc = RunOptions();
  const auto parsed = ParseOrHelp(
      "run", argc, argv, desc,
      "usage: servesim run SCENARIO.yaml [--set key=value ...] [--out DIR]\n\n"
      "Writes DIR/summary.json (vLLM bench names + servesim fields + a sim block), "
      "DIR/requests.csv\n"
      "(one row per request) and DIR/steps.csv (one row per step), and prints a summary.",
      "scenario");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  Scenario sc = LoadScenario(ScenarioPath(vm, "run"), Strings(vm, "set"));
  for (const std::string& w : sc.warnings) CliLog().warn("{}", w);
  const std::optional<Scenario> base_sc = LoadBaseline(vm);
  auto sources = MakeScenarioWorkloads(sc);
  const std::filesystem::path dir = vm["out"].as<std::string>();
  CreateOutputDirectory(dir);
  RunObservers outputs;
  InstallObservers(sc, vm, dir, outputs);
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
  if (s.stalled) {
    CliLog().warn(
        "{}: the run stalled with {} request(s) never scheduled (no rule of this scheduler / KV "
        "configuration can run them); summary.json has \"stalled\": true",
        sc.path, s.in_flight_at_end);
  }
  if (tty) std::fprintf(stderr, "\r%60s\r", "");
  auto summary = OpenOutput(dir, "summary.json");
  *summary << SummaryJson(s, sc.engine, sc.wall_clock);
  for (std::ostream* f : {outputs.requests.get(), outputs.steps.get(), summary.get()}) {
    CheckWritten(f, dir);
  }
  if (outputs.trace) {
    outputs.trace->Finish();
    CheckWritten(outputs.trace_file.get(), dir);
  }
  if (outputs.report) {
    auto html = OpenOutput(dir, "report.html");
    *html << outputs.report->Render("servesim run " + sc.path, ScenarioYamlText(sc.root),
                                    SummaryJson(s, sc.engine, sc.wall_clock));
    CheckWritten(html.get(), dir);
  }
  if (!vm.count("quiet")) PrintSummaryTable(s, sc);
  if (base_sc) RunBaseline(*base_sc, s, vm, dir);
  return 0;
}

}  // namespace servesim
