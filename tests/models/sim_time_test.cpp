// Conversions into simulated time saturate at the horizon instead of overflowing.
#include "models/sim_time.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "sim/core/kernel.h"

namespace servesim {

TEST_CASE("NsToTicks rounds inside the horizon and saturates outside it", "[models][horizon]") {
  CHECK(NsToTicks(0.0) == 0);
  CHECK(NsToTicks(1.4) == 1);
  CHECK(NsToTicks(2.6) == 3);
  CHECK(NsToTicks(-5.0) == 0);
  CHECK(NsToTicks(std::nan("")) == 0);
  CHECK(NsToTicks(1e18) == 1'000'000'000'000'000'000);
  CHECK(NsToTicks(2.305843009213694e18) == kHorizonNs);  // 2^61 itself
  CHECK(NsToTicks(1e300) == kHorizonNs);
  CHECK(NsToTicks(std::numeric_limits<double>::infinity()) == kHorizonNs);
  CHECK(kHorizonS == Approx(2.305843e9).epsilon(1e-6));  // 73.07 years of 365.25 days
}

TEST_CASE("AddTicks caps at the horizon and cannot overflow", "[models][horizon]") {
  CHECK(AddTicks(3, 4) == 7);
  CHECK(AddTicks(kHorizonNs, kHorizonNs) == kHorizonNs);
  CHECK(AddTicks(kHorizonNs - 1, 1) == kHorizonNs);
}

TEST_CASE("SecondsToTicks: any work takes a tick, work past the horizon takes the horizon",
          "[sim][horizon]") {
  CHECK(SecondsToTicks(0) == 0);
  CHECK(SecondsToTicks(1e-12) == 1);
  CHECK(SecondsToTicks(1.5) == 1'500'000'000);
  CHECK(SecondsToTicks(1e12) == kHorizonNs);  // 1e9 GB over a 1e-9 GB/s tier, say
  CHECK(SecondsToTicks(std::numeric_limits<double>::infinity()) == kHorizonNs);
}

}  // namespace servesim
