// The quick start of `servesim run`: a scenario built from flags instead of a YAML file,
//   servesim run --model M --device D --trace FILE [--columns ...] [--time-scale X | --rate R]
//   servesim run --model M --device D --rate R [--num-requests N] [--prompt-tokens L] ...
// The flags become a scenario tree (QuickStartTree) that then goes through the scenario file's
// validation (LoadScenarioTree in sim/config/scenario.h): a message about a key a flag wrote
// names the flag ("--model: unknown model preset 'x'; expected one of ..."). `run` saves the tree
// it ran as DIR/scenario.yaml, which reruns to the same outputs.
//
// Flag -> key: --model -> model (a preset name, or {hf_config: PATH} for a config.json or its
// directory), --device -> hardware.device, --tp, --replicas -> hardware.*, --scheduler ->
// scheduler.impl (vllm_v1), --seed -> seed (0), --trace FILE -> workload {impl: trace, path,
// format}, --trace-format -> workload.format (guessed from the file when absent), --columns
// K=C,... -> workload.columns, --time-scale -> workload.time_scale, --rate with a trace ->
// workload.time_scale making the mean arrival gap 1/R, --rate alone -> a synthetic Poisson stream
// (rate_per_s), --num-requests -> num_requests (1000) or a trace's max_requests, --prompt-tokens
// / --output-tokens (YAML lengths: 512 or {dist: ...}) -> the synthetic lengths (chat-like
// lognormals by default, as scenarios/default.yaml). File paths are written absolute, so the
// saved scenario runs from any directory. --set applies on top, as to a file.
//
// A scenario file and the quick start do not mix: --model or --device beside a file is an error
// (--set model=... changes a file's model), and so is a quick-start-only flag without them.
//
// `--trace` keeps its older meaning too: alone (no FILE after it) it asks for DIR/trace.json, as
// --trace-json does; `servesim run --trace FILE.yaml` (no scenario otherwise) still runs FILE.yaml.
#ifndef SERVESIM_SIM_APP_QUICK_START_H_
#define SERVESIM_SIM_APP_QUICK_START_H_

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sim/app/cli_common.h"
#include "sim/config/scenario.h"

namespace servesim {

// What messages about keys no flag wrote name instead of a file ("command line: hardware: ...").
inline constexpr const char* kQuickStartName = "command line";

// Adds the quick-start flags and --trace [FILE], --trace-json to `run`'s options.
void AddQuickStartOptions(po::options_description& desc);

// True when --model or --device was given: the scenario comes from flags.
bool IsQuickStart(const po::variables_map& vm);

// The scenario tree the flags describe and, for each key a flag wrote, that flag. Throws
// InputError naming the flag for flags that conflict, are missing, or do not parse as a value.
struct QuickStartTree {
  YAML::Node root;
  std::vector<OverriddenKey> origins;
};
QuickStartTree BuildQuickStartTree(const po::variables_map& vm);

// The scenario `run` simulates, from the file or from the flags, with `overrides` on top.
Scenario LoadRunScenario(const po::variables_map& vm, const std::vector<Override>& overrides);

// Where `run` saves the scenario it ran (its tree after --set), "" for nowhere: --out's
// scenario.yaml for the quick start, and for a rerun of DIR/scenario.yaml into DIR, which would
// otherwise remove it as an earlier run's output. Asked before the output directory is cleared.
std::string SavedScenarioPath(const po::variables_map& vm);

// Whether `run` writes DIR/trace.json: --trace-json, or --trace without a file to replay.
bool WantsTraceJson(const po::variables_map& vm);

// A trace file's format name for workload.format: the layout GuessTraceFormat
// (workloads/trace.h) recognizes, else (and always with `generic`, when --columns maps the fields)
// csv or jsonl by the file's first character. InputError naming `flag` when the file cannot be
// read.
std::string GuessTraceFormatName(const std::string& path, bool generic, const std::string& flag);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_QUICK_START_H_
