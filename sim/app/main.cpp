// The servesim command-line entry point: everything lives in sim/app/cli.cpp and its commands.
#include "sim/app/cli.h"

int main(int argc, char** argv) { return servesim::RunCli(argc, argv); }
