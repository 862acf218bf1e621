#include "models/sim_time.h"

#include <cmath>

namespace servesim {

int64_t NsToTicks(double ns) {
  if (!(ns > 0)) return 0;
  if (!(ns < static_cast<double>(kHorizonNs))) return kHorizonNs;
  return static_cast<int64_t>(std::nearbyint(ns));  // < 2^61: the cast is exact and defined
}

}  // namespace servesim
