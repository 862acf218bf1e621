// servesim version (and --version): prints the version.
#include <cstdio>

#include "sim/app/cli_common.h"

namespace servesim {

int CmdVersion(int /*argc*/, char** /*argv*/) {
  std::printf("servesim %s\n", SERVESIM_VERSION);
  return 0;
}

}  // namespace servesim
