// What the commands share: option parsing with one-line errors, the help layout, and the flags
// that several commands take (--model, dtypes, --jobs). Each command lives in its own
// sim/app/cmd_*.cpp; the table in cli.cpp names them.
#ifndef SERVESIM_SIM_APP_CLI_COMMON_H_
#define SERVESIM_SIM_APP_CLI_COMMON_H_

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/dtype.h"
#include "models/model_spec.h"

namespace servesim {

namespace po = boost::program_options;

// Parses argv (argv[0] is the command's name) for one command; unknown options and stray
// positionals throw InputError "servesim COMMAND: ... (see servesim COMMAND --help)".
po::variables_map Parse(const std::string& command, int argc, char** argv,
                        const po::options_description& desc,
                        const po::positional_options_description* positional = nullptr);

// Prints a command's --help: the synopsis, a blank line, then the options.
void PrintHelp(const std::string& synopsis, const po::options_description& desc);

// Parse, then --help: prints PrintHelp(synopsis, desc) and returns std::nullopt, after which the
// command exits 0. `positional` names the option that takes the positional arguments (at most
// `max_positional` of them, -1: any number); nullptr: none are accepted.
std::optional<po::variables_map> ParseOrHelp(const std::string& command, int argc, char** argv,
                                             const po::options_description& desc,
                                             const std::string& synopsis,
                                             const char* positional = nullptr,
                                             int max_positional = 1);

// Adds the options every scenario command opens with: --help and the positional scenario file.
void AddHelpAndScenarioOptions(po::options_description& desc);

// Adds --out DIR (default "results").
void AddOutOption(po::options_description& desc);

// The positional scenario file; InputError "servesim COMMAND: expected a scenario file" when
// absent.
std::string ScenarioPath(const po::variables_map& vm, const std::string& command);

// The values of a repeatable string option; empty when it was not given.
std::vector<std::string> Strings(const po::variables_map& vm, const char* key);

// --jobs: 0 (all hardware threads) when absent; InputError unless positive.
int JobsFlag(const po::variables_map& vm);

// --independent-seeds / --common-seed of sweep and capacity: true for independent seeds. Common
// random numbers are the default, so --common-seed changes nothing (a deprecation warning);
// both together are an InputError.
bool SeedModeFlags(const po::variables_map& vm);

// --model accepts a preset name, a Hugging Face config.json (file or directory), or a YAML file
// holding a `model:`-style mapping.
ModelSpec ResolveModel(const std::string& value);

// A dtype flag's value; InputError naming `flag` and the choices otherwise.
DType ParseDTypeFlag(const std::string& value, const std::string& flag);

// The commands, each in its sim/app/cmd_NAME.cpp: argv[0] is the command's name, the result the
// exit code. They throw InputError on bad input.
int CmdRun(int argc, char** argv);
int CmdValidate(int argc, char** argv);
int CmdSweep(int argc, char** argv);
int CmdMerge(int argc, char** argv);
int CmdCapacity(int argc, char** argv);
int CmdAnalyze(int argc, char** argv);
int CmdList(int argc, char** argv);
int CmdCalibrate(int argc, char** argv);
int CmdVersion(int argc, char** argv);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_CLI_COMMON_H_
