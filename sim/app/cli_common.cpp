#include "sim/app/cli_common.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>

#include "models/hf_config.h"
#include "models/input_error.h"
#include "models/log.h"
#include "models/model_yaml.h"
#include "models/presets.h"
#include "models/yaml_reader.h"

namespace servesim {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

po::variables_map Parse(const std::string& command, int argc, char** argv,
                        const po::options_description& desc,
                        const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(argc, argv).options(desc);
    po::positional_options_description none;
    parser.positional(positional ? *positional : none);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError("servesim " + command + ": " + e.what() + " (see servesim " + command +
                     " --help)");
  }
  return vm;
}

void PrintHelp(const std::string& synopsis, const po::options_description& desc) {
  std::cout << synopsis << "\n\n" << desc << "\n";
}

std::optional<po::variables_map> ParseOrHelp(const std::string& command, int argc, char** argv,
                                             const po::options_description& desc,
                                             const std::string& synopsis, const char* positional,
                                             int max_positional) {
  po::positional_options_description pos;
  if (positional) pos.add(positional, max_positional);
  po::variables_map vm = Parse(command, argc, argv, desc, positional ? &pos : nullptr);
  if (vm.count("help")) {
    PrintHelp(synopsis, desc);
    return std::nullopt;
  }
  return vm;
}

void AddHelpAndScenarioOptions(po::options_description& desc) {
  desc.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                 "scenario YAML file");
}

void AddOutOption(po::options_description& desc) {
  desc.add_options()("out", po::value<std::string>()->default_value("results"), "output directory");
}

std::string ScenarioPath(const po::variables_map& vm, const std::string& command) {
  if (!vm.count("scenario")) throw InputError("servesim " + command + ": expected a scenario file");
  return vm["scenario"].as<std::string>();
}

std::vector<std::string> Strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

int JobsFlag(const po::variables_map& vm) {
  if (!vm.count("jobs")) return 0;
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1) {
    throw InputError("--jobs: expected a positive number of threads, found " +
                     std::to_string(jobs));
  }
  return jobs;
}

bool SeedModeFlags(const po::variables_map& vm) {
  const bool independent = vm.count("independent-seeds") > 0;
  if (vm.count("common-seed")) {
    if (independent) {
      throw InputError(
          "--common-seed and --independent-seeds: give one of them (common random "
          "numbers, the scenario seed at every point, are the default)");
    }
    CliLog().warn(
        "--common-seed is deprecated and changes nothing: every point runs with the scenario "
        "seed by default now (--independent-seeds gives each point its own seed)");
  }
  return independent;
}

ModelSpec ResolveModel(const std::string& value) {
  if (EndsWith(value, ".json")) return ModelSpecFromHfConfigFile(value);
  if (EndsWith(value, ".yaml") || EndsWith(value, ".yml")) {
    std::error_code ec;
    if (!std::filesystem::exists(value, ec))
      throw InputError("--model: cannot open '" + value + "'");
    const YAML::Node node = LoadYamlFile(value, "model YAML file");
    const auto slash = value.find_last_of('/');
    return ModelSpecFromYaml(node, value, slash == std::string::npos ? "" : value.substr(0, slash));
  }
  return ModelPresetOrThrow(value, "--model");
}

DType ParseDTypeFlag(const std::string& value, const std::string& flag) {
  const auto d = ParseDType(value);
  if (!d) {
    throw InputError(flag + ": unknown dtype '" + value + "'; expected one of " + DTypeChoices());
  }
  return *d;
}

}  // namespace servesim
