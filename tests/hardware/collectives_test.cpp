#include "hardware/collectives.h"

#include <catch2/catch.hpp>

#include "hardware/presets.h"
#include "models/input_error.h"

namespace servesim {
namespace {

// A link with round numbers: 100 GB/s raw; LL 10 us per call, 1 us per step, half the rate;
// Simple 20 us per call, 2 us per step, the full rate.
Interconnect TestLink() {
  Interconnect l;
  l.name = "test";
  l.kind = LinkKind::kPcieSwitch;
  l.bandwidth_bytes_per_s = 100e9;
  l.low_latency = ProtocolCost{10e-6, 1e-6, 0.5};
  l.simple = ProtocolCost{20e-6, 2e-6, 1.0};
  return l;
}

constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

TEST_CASE("ring all-reduce: 2(n-1) steps, 2(n-1)/n of the buffer on the wire", "[collectives]") {
  const Interconnect l = TestLink();
  // 64 MiB on 4 ranks: 6 steps, 1.5 x 67,108,864 = 100,663,296 bytes. Simple: 20 + 6 x 2 +
  // 1006.633 us = 1038.633 us; LL: 10 + 6 + 2013.266 us. Simple wins.
  CHECK(AllReduceSeconds(64 * kMiB, 4, l) == Approx(1038.63296e-6).epsilon(1e-9));
  // 1 KiB on 2 ranks: 2 steps, 1,024 bytes. LL: 10 + 2 + 1024 / 50e9 s = 12.02048 us; Simple:
  // 24.01 us. LL wins.
  CHECK(AllReduceSeconds(1024, 2, l) == Approx(12.02048e-6).epsilon(1e-9));
  // A zero-byte all-reduce costs the latency floor; one rank costs nothing.
  CHECK(AllReduceSeconds(0, 2, l) == Approx(12e-6));
  CHECK(SmallMessageLatency(l) == Approx(12e-6));
  CHECK(AllReduceSeconds(64 * kMiB, 1, l) == 0);
}

TEST_CASE("reduce-scatter, all-gather, send/recv and all-to-all", "[collectives]") {
  const Interconnect l = TestLink();
  // Reduce-scatter / all-gather of 64 MiB on 4 ranks: 3 steps, 0.75 x 67,108,864 bytes.
  // Simple: 20 + 3 x 2 + 503.31648 us.
  CHECK(ReduceScatterSeconds(64 * kMiB, 4, l) == Approx(529.31648e-6).epsilon(1e-9));
  CHECK(AllGatherSeconds(64 * kMiB, 4, l) == Approx(529.31648e-6).epsilon(1e-9));
  // Send/recv of 1 MiB: one step. LL: 10 + 1 + 20.97152 = 31.97152 us; Simple: 20 + 2 +
  // 10.48576 = 32.48576 us. LL wins, just.
  CHECK(SendRecvSeconds(kMiB, l) == Approx(31.97152e-6).epsilon(1e-9));
  // All-to-all of 8 MiB on 8 ranks: every peer at once, 7/8 x 8,388,608 = 7,340,032 bytes.
  // Simple: 20 + 2 + 73.40032 us; LL: 10 + 1 + 146.80064 us.
  CHECK(AllToAllSeconds(8 * kMiB, 8, l) == Approx(95.40032e-6).epsilon(1e-9));
  CHECK(AllToAllSeconds(8 * kMiB, 1, l) == 0);
}

TEST_CASE("link latency override scales both protocols", "[collectives]") {
  Interconnect l = TestLink();
  SetSmallMessageLatency(l, 24e-6);  // the floor was 12 us: every latency doubles
  CHECK(l.low_latency.launch_s == Approx(20e-6));
  CHECK(l.low_latency.hop_s == Approx(2e-6));
  CHECK(l.simple.launch_s == Approx(40e-6));
  CHECK(l.simple.bus_eff == 1.0);
  CHECK(SmallMessageLatency(l) == Approx(24e-6));
  const Interconnect ideal = IdealLink(l);
  // Ideal: the raw rate, no latency: 64 MiB on 4 ranks = 1.5 x 67,108,864 / 100e9 s.
  CHECK(AllReduceSeconds(64 * kMiB, 4, ideal) == Approx(1006.63296e-6).epsilon(1e-9));
}

TEST_CASE("link kinds: names, media, presets", "[collectives]") {
  CHECK(LinkKindOrThrow("nvswitch", "x") == LinkKind::kNvswitch);
  CHECK_THROWS_WITH(LinkKindOrThrow("pcie-hostbridge", "hardware.interconnect"),
                    Catch::Contains("did you mean 'pcie-host-bridge'"));
  CHECK(SameMedium(LinkKind::kNvlink, LinkKind::kNvswitch));
  CHECK(SameMedium(LinkKind::kPcieSwitch, LinkKind::kCrossSocket));
  CHECK_FALSE(SameMedium(LinkKind::kNvlink, LinkKind::kPcieHostBridge));
  CHECK(DevicePresetOrThrow("h100-sxm", "t").interconnect.kind == LinkKind::kNvswitch);
  CHECK(DevicePresetOrThrow("a100-80gb", "t").interconnect.kind == LinkKind::kNvswitch);
  CHECK(DevicePresetOrThrow("mi300x", "t").interconnect.kind == LinkKind::kInfinityFabric);
  for (const char* pcie : {"rtx-pro-6000", "l40s", "rtx-4090", "h100-pcie"}) {
    CHECK(DevicePresetOrThrow(pcie, "t").interconnect.kind == LinkKind::kPcieHostBridge);
  }
  CHECK(DevicePresetOrThrow("apple-m2-max", "t").interconnect.kind == LinkKind::kNone);
}

TEST_CASE("every kind: time grows with the message, PCIe slower than NVSwitch", "[collectives]") {
  for (const auto& k : LinkKinds()) {
    if (k.kind == LinkKind::kNone) continue;
    const Interconnect l = MakeInterconnect("x", k.kind, 64e9);
    for (int ranks : {2, 4, 8}) {
      double last = 0;
      for (double bytes = 1024; bytes < 1e9; bytes *= 2) {
        const double t = AllReduceSeconds(bytes, ranks, l);
        CHECK(t > last);
        last = t;
      }
    }
  }
  // A 16 MiB TP-2 all-reduce (a 2,048-token prefill chunk of a 4,096-wide model) is
  // bandwidth-bound: a PCIe 5.0 card through the host bridge (64 GB/s x 0.40) takes over 4x what
  // an H100 board's NVSwitch (450 GB/s x 0.574) takes.
  const auto& pcie = DevicePresetOrThrow("rtx-pro-6000", "t").interconnect;
  const auto& nvs = DevicePresetOrThrow("h100-sxm", "t").interconnect;
  CHECK(AllReduceSeconds(16 * kMiB, 2, pcie) > 4 * AllReduceSeconds(16 * kMiB, 2, nvs));
}

}  // namespace servesim
