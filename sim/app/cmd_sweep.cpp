// servesim sweep: a thin wrapper over sim/app/sweep.h (the grid of --vary values on all cores).
#include <cstdio>
#include <optional>
#include <string>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/cli_common.h"
#include "sim/app/sweep.h"

namespace servesim {

int CmdSweep(int argc, char** argv) {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  desc.add_options()(
      "vary", po::value<std::vector<std::string>>()->composing(),
      "an axis of the grid: --vary scheduler.max_num_seqs=64,128,256 (repeat for more axes)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a key at every point: --set workload.num_requests=500");
  AddOutOption(desc);
  desc.add_options()("jobs,j", po::value<int>(), "threads (default: all hardware threads)")(
      "shard", po::value<std::string>(), "run only points p with p % N == i: --shard i/N")(
      "replications", po::value<std::string>(),
      "run each point N times (1..1000; replication k uses the same seed at every point); "
      "sweep.csv holds means and <metric>_ci95 columns (95 % CI half-widths)")(
      "independent-seeds",
      "give each point its own derived seed instead of the scenario seed (common random numbers)")(
      "common-seed", "deprecated, the default now: every point runs with the scenario seed");
  const auto parsed = ParseOrHelp(
      "sweep", argc, argv, desc,
      "usage: servesim sweep SCENARIO.yaml --vary KEY=V1,V2,... [--vary ...]\n"
      "                      [--set key=value ...] [--out DIR] [--jobs N] [--shard i/N]\n"
      "                      [--replications N] [--independent-seeds]\n\n"
      "Runs the Cartesian grid of the --vary values (first --vary varies slowest) and writes\n"
      "DIR/sweep.csv (point, the varied values, summary metrics; byte-identical for any --jobs\n"
      "or sharding) and DIR/sweep_info.json. Every point runs with the scenario's seed, so all\n"
      "points see the same requests (common random numbers); --independent-seeds gives each\n"
      "point SplitMix64(scenario seed XOR FNV-1a-64 of its sorted \"key=value\" strings). With\n"
      "--shard i/N only the points p with p % N == i run, and servesim merge combines the\n"
      "shards' directories.",
      "scenario");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  SweepOptions o;
  o.scenario_path = ScenarioPath(vm, "sweep");
  o.overrides = Strings(vm, "set");
  o.axes = ParseSweepAxes(Strings(vm, "vary"));
  if (vm.count("shard")) o.shard = ParseShard(vm["shard"].as<std::string>());
  o.jobs = JobsFlag(vm);
  o.independent_seeds = SeedModeFlags(vm);
  if (vm.count("replications")) {
    o.replications = ParseReplications(vm["replications"].as<std::string>());
  }
  const std::string dir = vm["out"].as<std::string>();
  std::optional<OutputDir> out;
  o.before_runs = [&] { out.emplace(dir, SweepOutputFiles(), kSweepMarker); };
  const SweepResult r = RunSweep(o);
  WriteSweepOutputs(*out, r.csv, r.info_json);
  out->Commit();
  std::fputs(r.table.c_str(), stdout);
  std::fputs(r.load_note.c_str(), stdout);
  CliLog().info("sweep: {} of {} points in {:.3f} s wall, {:.2f} points/s -> {}/sweep.csv",
                r.points_run, r.grid_points, r.wall_s,
                r.wall_s > 0 ? static_cast<double>(r.points_run) / r.wall_s : 0.0, dir);
  return 0;
}

}  // namespace servesim
