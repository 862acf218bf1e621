// Number formatting and alignment of the terminal summary: separators, units by size, plural
// nouns, and columns that stay aligned whatever the size of a value.
#include "sim/output/summary_table.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/presets.h"

namespace servesim {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("counts and fixed numbers get thousands separators", "[summary_table]") {
  CHECK(FormatCount(0) == "0");
  CHECK(FormatCount(999) == "999");
  CHECK(FormatCount(1000) == "1,000");
  CHECK(FormatCount(1234567) == "1,234,567");
  CHECK(FormatCount(-28518) == "-28,518");
  CHECK(FormatFixed(1234.56, 1) == "1,234.6");
  CHECK(FormatFixed(3342974.64, 2) == "3,342,974.64");
  CHECK(FormatFixed(-0.001, 1) == "0.0");
  CHECK(FormatFixed(std::nan(""), 1) == "n/a");
}

TEST_CASE("numbers keep about four significant digits", "[summary_table]") {
  CHECK(FormatNumber4(9517.2) == "9,517");
  CHECK(FormatNumber4(376.73) == "376.7");
  CHECK(FormatNumber4(27.176) == "27.18");
  CHECK(FormatNumber4(8.0388) == "8.039");
  CHECK(FormatNumber4(0.84298) == "0.843");
  CHECK(FormatNumber4(0.003) == "0.003");
  CHECK(FormatNumber4(9.9996) == "10.00");  // rounds up a decade: still four digits
  CHECK(FormatNumber4(999.96) == "1,000");
  CHECK(FormatNumber4(0) == "0");
}

TEST_CASE("durations pick ms or s by size", "[summary_table]") {
  CHECK(FormatDuration(0.04346) == "43.46 ms");
  CHECK(FormatDuration(0.00045) == "0.450 ms");
  CHECK(FormatDuration(0.9999999) == "1.00 s");  // rounds to 1,000.00 ms: shown in s
  CHECK(FormatDuration(1.5) == "1.50 s");
  CHECK(FormatDuration(72.34) == "72.34 s");
  CHECK(FormatDuration(99.999) == "100 s");
  // The mooncake scenario's mean TTFT, 3342974.64 ms.
  CHECK(FormatDuration(3342.97464) == "3,343 s");
  CHECK(FormatDuration(0) == "0 ms");
  CHECK(FormatDuration(INFINITY) == "n/a");
}

TEST_CASE("bounds in ms print as given", "[summary_table]") {
  CHECK(FormatMs(300) == "300 ms");
  CHECK(FormatMs(300 * 1e-3 * 1e3) == "300 ms");  // a bound that went through seconds
  CHECK(FormatMs(1000) == "1,000 ms");
  CHECK(FormatMs(12.5) == "12.50 ms");
}

TEST_CASE("text columns align left, number columns right", "[summary_table]") {
  TextTable t(2);
  t.AddRow({"requests", "1,000 completed", "7"});
  t.AddRow({"load", "ok", "1,234"});
  CHECK(t.Render("") == "requests  1,000 completed      7\nload      ok               1,234\n");
}

TEST_CASE("count nouns are singular for one", "[summary_table]") {
  CHECK(CountNoun(1, "device", "devices") == "1 device");
  CHECK(CountNoun(4, "device", "devices") == "4 devices");
  CHECK(CountNoun(0, "preemption", "preemptions") == "0 preemptions");
  CHECK(CountNoun(4940, "preemption", "preemptions") == "4,940 preemptions");
}

TEST_CASE("table columns stay aligned with huge values", "[summary_table]") {
  TextTable t;
  t.AddRow({"latency", "mean", "median", "p99"});
  t.AddRow({"TTFT", FormatDuration(3342.97464), FormatDuration(3437.0), FormatDuration(6218.0)});
  t.AddRow({"TPOT", FormatDuration(0.08494), FormatDuration(0.07907), FormatDuration(0.29016)});
  t.AddRow({"E2E", FormatDuration(1e7), FormatDuration(1.0), FormatDuration(0.001)});
  const std::vector<std::string> lines = Lines(t.Render("  "));
  REQUIRE(lines.size() == 4);
  // Every row ends its columns at the same offsets: right-aligned cells end where the header's do.
  for (const std::string& line : lines) CHECK(line.size() == lines[0].size());
  // Widths: 7 (latency), 12 (10,000,000 s), 8 (84.94 ms), 9 (290.16 ms); two spaces apart.
  CHECK(lines[0] == "  latency          mean    median        p99");
  CHECK(lines[1] == "  TTFT          3,343 s   3,437 s    6,218 s");
  CHECK(lines[2] == "  TPOT         84.94 ms  79.07 ms  290.16 ms");
  CHECK(lines[3] == "  E2E      10,000,000 s    1.00 s    1.00 ms");
}

TEST_CASE("a device label names the preset fields a scenario overrode", "[summary_table]") {
  DeviceSpec d = DevicePresetOrThrow("rtx-4060", "test");
  CHECK(DeviceLabel(d) == "rtx-4060");
  d.memory.capacity_bytes = 16.0 * 1073741824.0;
  d.memory.bandwidth_bytes_per_s = 100e9;
  d.peak.bf16 = 3.6e12;
  const std::string label = DeviceLabel(d);
  // The preset: 8188 MiB (7.996 GiB) at 272 GB/s (NVIDIA's spec page, hardware/presets.cpp).
  CHECK(label.rfind("rtx-4060 (overridden: memory_gib 16.00 (preset 7.996), "
                    "memory_bandwidth_gbps 100.0 (preset 272.0), bf16_tflops 3.600 (preset ",
                    0) == 0);
  d.name = "not-a-preset";
  CHECK(DeviceLabel(d) == "not-a-preset");
}

}  // namespace servesim
