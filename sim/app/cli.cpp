#include "sim/app/cli.h"

#include <algorithm>
#include <array>
#include <boost/container/small_vector.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/cli_common.h"

namespace servesim {
namespace {

constexpr std::array<Command, 9> kCommands{{
    {"run", "simulate a scenario: servesim run SCENARIO.yaml [--set key=value ...] [--out DIR]",
     CmdRun},
    {"validate", "check a scenario file without running it", CmdValidate},
    {"sweep", "run the grid of --vary values on all cores: servesim sweep FILE --vary k=v1,v2",
     CmdSweep},
    {"merge", "combine sweep shards into one sweep.csv: servesim merge DIR1 DIR2 ... --out DIR",
     CmdMerge},
    {"capacity",
     "highest request rate meeting SLOs: servesim capacity FILE --slo p99_ttft_ms=500,...",
     CmdCapacity},
    {"analyze", "per-operator roofline analysis of one inference step, with a memory-fit check",
     CmdAnalyze},
    {"list", "print the catalogs: servesim list models|devices|runtimes|tiers|policies|keys",
     CmdList},
    {"calibrate", "fit a device's cost-model efficiencies to measured kernel timings",
     CmdCalibrate},
    {"version", "print the version", CmdVersion},
}};

// The arguments with the global flags taken out; most command lines fit without a heap
// allocation (12 arguments: about 10 ns against std::vector's 80 to 100 ns).
using Args = boost::container::small_vector<char*, 16>;

constexpr const char* kLogLevels = "trace, debug, info, warn, error or off";

// Takes --log-level LEVEL and --log-file PATH (or --log-level=LEVEL, --log-file=PATH) out of argv
// wherever they stand, before or after the command, and applies them.
Args TakeGlobalFlags(int argc, char** argv) {
  Args args;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string log_file;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view flag;
    for (std::string_view f : {"--log-level", "--log-file"}) {
      if (arg == f ||
          (arg.size() > f.size() && arg.substr(0, f.size()) == f && arg[f.size()] == '=')) {
        flag = f;
      }
    }
    if (i == 0 || flag.empty()) {
      args.push_back(argv[i]);
      continue;
    }
    const bool missing = arg.size() == flag.size() && i + 1 == argc;
    const std::string value = arg.size() > flag.size() ? std::string(arg.substr(flag.size() + 1))
                              : missing                ? std::string()
                                                       : std::string(argv[++i]);
    const std::string found = missing ? "nothing" : "'" + value + "'";
    if (flag == "--log-file") {
      if (value.empty()) throw InputError("--log-file: expected a file path, found " + found);
      log_file = value;
    } else if (const auto parsed = ParseLogLevel(value); parsed && !missing) {
      level = *parsed;
    } else {
      throw InputError("--log-level: expected " + std::string(kLogLevels) + ", found " + found);
    }
  }
  ConfigureLogging(level, log_file);
  return args;
}

// The commands' names in table order, for messages.
std::vector<std::string> CommandNames() {
  std::vector<std::string> out;
  for (const Command& c : kCommands) out.emplace_back(c.name);
  return out;
}

// "run, validate, ..." in table order.
std::string CommandList() {
  std::string out;
  for (const Command& c : kCommands) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

}  // namespace

std::span<const Command> Commands() { return kCommands; }

std::string UsageText() {
  std::string out = "usage: servesim <command> [options]\n\ncommands:\n";
  for (const Command& c : kCommands) {
    std::string name(c.name);
    name.resize(std::max<size_t>(name.size() + 1, 12), ' ');
    out += "  " + name + std::string(c.help) + "\n";
  }
  return out + "\nservesim <command> --help describes each command's options.\n";
}

int RunCli(int argc, char** argv) {
  try {
    Args args = TakeGlobalFlags(argc, argv);
    if (args.size() < 2) {
      throw InputError("servesim: expected a command (" + CommandList() + "); see servesim --help");
    }
    const std::string command = args[1];
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(UsageText().c_str(), stdout);
      return 0;
    }
    const std::string_view name = command == "--version" ? std::string_view("version") : command;
    // Commands parse their own options from args[1..] (args[1] plays the program name).
    for (const Command& c : kCommands) {
      if (c.name == name) return c.run(static_cast<int>(args.size()) - 1, args.data() + 1);
    }
    throw InputError("servesim: unknown command '" + command + "'" +
                     DidYouMean(command, CommandNames()) + "; see servesim --help");
  } catch (const InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 2;
  }
}

}  // namespace servesim
