// The attention occupancy term (hardware/occupancy.h) against hand-worked arithmetic.
#include "hardware/occupancy.h"

#include <catch2/catch.hpp>

namespace servesim {
namespace {

TEST_CASE("wave utilization: idle SMs and partial waves", "[unit][occupancy]") {
  CHECK(WaveUtilization(32, 188) == Approx(32.0 / 188.0));  // 16-token chunk, 32 heads
  CHECK(WaveUtilization(188, 188) == Approx(1.0));
  CHECK(WaveUtilization(256, 188) == Approx(256.0 / 376.0));  // two waves, the second partial
  CHECK(WaveUtilization(100, 0) == 1.0);                       // unknown SM count: no term
}

TEST_CASE("padded prefill pairs: whole query tiles", "[unit][occupancy]") {
  // 16 tokens over 16,384 cached keys, 64-row tiles: one tile of 64 rows over 16,384 + 16 keys.
  CHECK(PaddedPrefillPairs(16, 16384, 64) == Approx(64.0 * 16400.0));
  // 130 tokens, no context: tiles of 64 rows over 64, 128 and 130 keys.
  CHECK(PaddedPrefillPairs(130, 0, 64) == Approx(64.0 * (64 + 128 + 130)));
  // tile 0: the exact causal pairs, 10 x 5 + 10 x 11 / 2.
  CHECK(PaddedPrefillPairs(10, 5, 0) == Approx(105.0));
}

TEST_CASE("occupancy extra FLOPs of one short chunk", "[unit][occupancy]") {
  BatchShape b;
  b.Add(16, 16384, true);
  // 32 heads, head_dim 128, 188 SMs, 64-row tiles: 32 blocks; padded 32 x 64 x 16,400 pairs at
  // 32 / 188 of the device, minus the causal 32 x (16 x 16,384 + 16 x 17 / 2).
  const double padded = 32.0 * 64.0 * 16400.0 * 188.0 / 32.0;
  const double causal = 32.0 * (16.0 * 16384.0 + 136.0);
  CHECK(AttentionOccupancyExtraFlops(b, 32, 128, 188, 64) ==
        Approx(4.0 * 128.0 * (padded - causal)));
  CHECK(AttentionOccupancyExtraFlops(b, 32, 128, 188, 0) == 0.0);
  BatchShape decode;
  decode.Add(1, 4096, true);
  CHECK(AttentionOccupancyExtraFlops(decode, 32, 128, 188, 64) == 0.0);
}

}  // namespace
}  // namespace servesim
