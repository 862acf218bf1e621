// Parameter sweeps: the Cartesian grid of a scenario's overrides, run on all cores, one CSV row per
// grid point; deterministic slices of the grid (shards) for many processes or hosts, and the merge
// of their outputs.
//
// A grid point is the scenario with the --set overrides, then one "key=value" per --vary axis (the
// same override mechanism as --set, so any scenario key can be varied). Every point runs with the
// scenario's seed (common random numbers: each point sees the same request stream, since the
// workload's random streams are named and seeded apart from the router's and the speculative
// acceptance draws, so a difference between points comes from the policy, not the draws). With
// independent_seeds (--independent-seeds) a point adds "seed=S" with S = PointSeed(scenario seed,
// the point's "key=value" strings). Varying `seed` itself uses its values either way. Points are
// numbered in grid order, the first axis varying slowest; point p belongs to shard p % N. Every
// point of the whole grid is validated (scenario and workload) before any runs. A point's row
// depends only on the scenario, the overrides and its assignment, never on --jobs, the shard or
// the order threads finish in.
//
// Replications (--replications R): each point runs R times; replication k runs with
// ReplicationSeed(the point's seed, k), replication 0 with the point's seed itself, so replication
// k of every point sees the same request stream. The metric columns then hold the mean over the R
// runs and R > 1 appends one `<metric>_ci95` column per metric: the half-width of the 95 %
// confidence interval (Student t, R - 1 degrees of freedom; sim/app/confidence.h).
//
// Outputs in DIR: sweep.csv (header, then one row per point of the shard in point order; columns:
// point, the varied keys' values, SweepMetricColumns(), with R > 1 the _ci95 columns, then
// load_status (the run's CheckRunLoad verdict; the worst over the replications); numbers by
// FormatNumber, so the same grid gives the same bytes) and sweep_info.json (grid size, shard,
// replications when R > 1, a fingerprint of the inputs: what MergeSweeps checks). Merging the N
// shards' directories gives the unsharded run's bytes.
//
// Ignores: per-request and per-step CSVs of points (`servesim run` one point for those) and wall
// time (printed, never written).
#ifndef SERVESIM_SIM_APP_SWEEP_H_
#define SERVESIM_SIM_APP_SWEEP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/core/load_check.h"
#include "sim/output/output_dir.h"

namespace servesim {

// Grids larger than this are an input error (a typo such as 1..1000 x 1..1000 would run for days).
constexpr int64_t kMaxSweepPoints = 100'000;

// One --vary flag: a scenario key and the values it takes, in order.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;  // YAML text, as --set takes it
};

// Parses "key=v1,v2,...". Commas inside {}, [] or quotes do not split, so a value may be a YAML
// flow mapping (`scheduler={impl: sarathi, chunk_size: 256},{impl: vllm_v1}`). Throws InputError
// naming `flag` for a missing '=', an empty key, an empty list or an empty value.
SweepAxis ParseSweepAxis(const std::string& text, const std::string& flag = "--vary");

// ParseSweepAxis for each flag, and no key twice.
std::vector<SweepAxis> ParseSweepAxes(const std::vector<std::string>& texts,
                                      const std::string& flag = "--vary");

// The number of grid points; InputError when it exceeds `max_points`.
int64_t SweepGridSize(const std::vector<SweepAxis>& axes, int64_t max_points = kMaxSweepPoints);

// The "key=value" overrides of grid point `point`, in axis order.
std::vector<std::string> SweepAssignment(const std::vector<SweepAxis>& axes, int64_t point);

// The seed of a point with the given "key=value" assignment under independent seeds:
// SplitMix64(scenario_seed XOR FNV-1a-64 of the assignment sorted and joined with '\n'), top bit
// cleared (seeds are non-negative int64 in a scenario). An empty assignment keeps the scenario
// seed.
uint64_t PointSeed(uint64_t scenario_seed, std::vector<std::string> assignment);

// The seed of replication `replication` (0-based) of a point whose seed is `point_seed`: the point
// seed itself for replication 0, else PointSeed(point_seed, {"replication=K"}).
uint64_t ReplicationSeed(uint64_t point_seed, int64_t replication);

// --replications: an integer from 1 to kMaxReplications; InputError naming `flag` otherwise.
constexpr int kMaxReplications = 1000;
int ParseReplications(const std::string& text, const std::string& flag = "--replications");

// `--shard i/N`: 0 <= i < N.
struct ShardSpec {
  int64_t index = 0;
  int64_t count = 1;
};
ShardSpec ParseShard(const std::string& text);

// Runs body(0..n-1) on `jobs` threads (0: all hardware threads). After a body throws, no new
// index starts; the exception of the lowest index that threw is rethrown, which is the first
// failing index in order (every lower index had started before it and finished).
void ParallelFor(int64_t n, int jobs, const std::function<void(int64_t)>& body);

// What all points share: the scenario, the overrides and the axes.
struct SweepOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set, applied before the axes
  std::vector<SweepAxis> axes;
  ShardSpec shard;
  int jobs = 0;                    // 0: all hardware threads
  bool independent_seeds = false;  // each point its PointSeed instead of the scenario seed
  int replications = 1;            // runs per point (sweep only; capacity runs one)
  int64_t max_points = kMaxSweepPoints;
  // Called once every point is validated, before any runs: the CLI takes its output directory
  // there, so that a bad --vary value costs no earlier outputs and a busy directory no runs.
  std::function<void()> before_runs;
};

// The complete override list of one point (--set, the assignment as --vary, with
// independent_seeds the derived seed).
std::vector<Override> SweepPointOverrides(const SweepOptions& options, uint64_t scenario_seed,
                                          int64_t point);

// Loads every grid point (scenario and workload) in parallel; the first bad point in grid order
// throws an InputError that names the --vary key it comes from when the loader's message names
// one, else the point and its assignment. Logs each distinct warning of the points once. Returns
// the scenario seed (with --set applied); fills `point_seeds` (when given) with each point's seed.
uint64_t ValidateSweepGrid(const SweepOptions& options,
                           std::vector<uint64_t>* point_seeds = nullptr);

// `message` about grid point `point` prefixed with the --vary axis it names ("--vary KEY (value
// 'V', grid point P): ..."), else with the point and its assignment (`what` names the point:
// "grid point", "configuration"); unchanged when there are no axes.
std::string SweepPointError(const std::vector<SweepAxis>& axes, int64_t point,
                            const std::string& message, const std::string& what);

struct SweepResult {
  std::string csv;        // sweep.csv
  std::string table;      // with replications: the terminal table of headline means and CIs
  std::string load_note;  // SweepLoadNote: the points that are not ok; empty when all are
  std::string info_json;  // sweep_info.json
  int64_t grid_points = 0;
  int64_t points_run = 0;  // in this shard
  double wall_s = 0;       // validation and runs; not written to any file
};

// Validates the grid, runs the shard's points and formats the outputs.
SweepResult RunSweep(const SweepOptions& options);

// The files a sweep or merge writes into its directory; sweep_info.json, committed last, marks a
// complete one (sim/output/output_dir.h).
const std::vector<std::string>& SweepOutputFiles();
inline constexpr const char* kSweepMarker = "sweep_info.json";

// Writes sweep.csv, sweep.html and sweep_info.json into `out` (committed by the caller).
void WriteSweepOutputs(OutputDir& out, const std::string& csv, const std::string& info_json);

// The same into `dir` (created, locked, committed). Throws InputError naming `flag`.
void WriteSweepOutputs(const std::string& dir, const std::string& csv, const std::string& info_json,
                       const std::string& flag = "--out");

// Combines the shard directories' outputs into the unsharded run's: rows sorted by point. Throws
// InputError when a directory lacks the files, the headers or fingerprints differ, or a point is
// missing, duplicated or out of range.
SweepResult MergeSweeps(const std::vector<std::string>& dirs);

// ---- Load verdicts (sim/core/load_check.h) per point.

// sweep.csv's last column: the point's load status (ok, overloaded, short_run). With replications,
// the worst over its runs (overloaded > short_run > ok): one saturated run already makes the
// mean's latencies depend on the run's length.
inline constexpr const char* kSweepLoadColumn = "load_status";

// The worse of two statuses: overloaded > short_run > ok.
LoadStatus WorseLoad(LoadStatus a, LoadStatus b);

// The status named as LoadStatusName names it; nullopt for anything else.
std::optional<LoadStatus> ParseLoadStatus(std::string_view name);

// Terminal lines, one per status other than ok, naming its points (the first kLoadNotePoints)
// and their varied values; empty when every point is ok. points[i] has status load[i].
inline constexpr size_t kLoadNotePoints = 8;
std::string SweepLoadNote(const std::vector<SweepAxis>& axes, const std::vector<int64_t>& points,
                          const std::vector<LoadStatus>& load);

// ---- Metrics shared with capacity.csv.

// The metric columns of sweep.csv, after point and the varied keys.
const std::vector<std::string>& SweepMetricColumns();

// One run's values in the order of SweepMetricColumns(). request_goodput is empty when the
// point sets no SLO (output.slo).
std::vector<std::string> SweepMetricValues(const RunSummary& s, const EngineConfig& config);

// The same as numbers (nullopt: request_goodput without an SLO).
std::vector<std::optional<double>> SweepMetricNumbers(const RunSummary& s,
                                                      const EngineConfig& config);

// The columns after the varied keys with `replications` runs per point: SweepMetricColumns(),
// then for replications > 1 "<metric>_ci95" for each.
std::vector<std::string> SweepCsvMetricColumns(int replications);

// The means and CI half-widths of several runs' SweepMetricNumbers, in the order of
// SweepCsvMetricColumns(runs.size()) (runs.size() > 1). Empty where request_goodput is.
std::vector<std::string> SweepReplicatedValues(
    const std::vector<std::vector<std::optional<double>>>& runs);

// The SLO-able statistics, named as vLLM bench names them: {mean,median,p90,p95,p99}_
// {ttft,tpot,itl,e2el,queue}_ms.
const std::vector<std::string>& LatencyMetricNames();

// The value of a LatencyMetricNames() entry in ms; nullopt for another name.
std::optional<double> LatencyMetricMs(const RunSummary& s, std::string_view name);

// Runs one scenario (with `overrides`) to completion without CSV outputs.
RunSummary RunScenarioOnce(const std::string& path, const std::vector<Override>& overrides,
                           EngineConfig* config = nullptr);

// `value` as a CSV field: quoted (with "" for ") when it holds a comma, a quote or a newline.
std::string CsvField(std::string_view value);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_SWEEP_H_
