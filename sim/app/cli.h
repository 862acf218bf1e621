// The servesim command line: subcommands, their options, and the mapping of errors to exit codes.
#ifndef SERVESIM_SIM_APP_CLI_H_
#define SERVESIM_SIM_APP_CLI_H_

namespace servesim {

// Runs `servesim <argv...>`. Returns the process exit code: 0 on success, 1 on bad input (the
// message printed on stderr as one line), 2 on an internal error.
int RunCli(int argc, char** argv);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_CLI_H_
