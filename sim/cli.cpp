#include "sim/cli.h"

#include <cstdio>

namespace servesim {

int RunCli(int, char**) {
  std::puts("servesim " SERVESIM_VERSION);
  return 0;
}

}  // namespace servesim
