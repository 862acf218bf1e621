// servesim merge: combines sweep shards' directories into one sweep.csv (sim/app/sweep.h).
#include <cstdio>
#include <string>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/cli_common.h"
#include "sim/app/sweep.h"

namespace servesim {

int CmdMerge(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "dirs", po::value<std::vector<std::string>>()->composing(), "shard output directories")(
      "out", po::value<std::string>(), "output directory (required)");
  const auto parsed = ParseOrHelp(
      "merge", argc, argv, desc,
      "usage: servesim merge DIR1 DIR2 ... --out DIR\n\n"
      "Combines the sweep.csv of servesim sweep --shard runs into DIR/sweep.csv, identical to\n"
      "the unsharded run's; fails when shards come from different sweeps or a point is missing\n"
      "or duplicated.",
      "dirs", -1);
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  if (!vm.count("out")) throw InputError("servesim merge: --out DIR is required");
  const SweepResult r = MergeSweeps(Strings(vm, "dirs"));
  const std::string dir = vm["out"].as<std::string>();
  // Taken after the shards are read, so --out may name one of them.
  WriteSweepOutputs(dir, r.csv, r.info_json);
  std::fputs(r.load_note.c_str(), stdout);
  CliLog().info("merge: {} points from {} directories -> {}/sweep.csv", r.grid_points,
                Strings(vm, "dirs").size(), dir);
  return 0;
}

}  // namespace servesim
