// The servesim command line: the table of commands, the global flags every command takes
// (--log-level, --log-file), and the mapping of errors to exit codes. Each command lives in its
// own sim/app/cmd_NAME.cpp.
#ifndef SERVESIM_SIM_APP_CLI_H_
#define SERVESIM_SIM_APP_CLI_H_

#include <span>
#include <string>
#include <string_view>

namespace servesim {

// One command of `servesim <command> [options]`.
struct Command {
  std::string_view name;
  std::string_view help;  // its line in `servesim --help`
  // Runs the command on argv[0..argc) (argv[0] is the command's name); returns the exit code and
  // throws InputError on bad input.
  int (*run)(int argc, char** argv);
};

// The commands, in the order `servesim --help` lists them.
std::span<const Command> Commands();

// The text of `servesim --help`: the table's names and help lines.
std::string UsageText();

// Runs `servesim <argv...>`. Returns the process exit code: 0 on success, 1 on bad input (the
// message printed on stderr as one line), 2 on an internal error.
int RunCli(int argc, char** argv);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_CLI_H_
