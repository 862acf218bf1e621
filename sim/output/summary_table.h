// The terminal summary of a run, formatted for people: thousands separators, units chosen by
// size (ms below 1 s, s from 1 s, whole seconds from 100 s), singular and plural counts, and
// tables whose columns are as wide as their widest cell, so no value breaks the alignment.
// The header names the device fields a scenario overrode, with the preset's values beside them.
// Ignores: colour and terminal width (long rows wrap as the terminal wraps them).
#ifndef SERVESIM_SIM_OUTPUT_SUMMARY_TABLE_H_
#define SERVESIM_SIM_OUTPUT_SUMMARY_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hardware/device_spec.h"
#include "sim/core/engine.h"

namespace servesim {

// 1234567 -> "1,234,567"; negative numbers keep their sign.
std::string FormatCount(int64_t n);

// `v` with `decimals` decimals and thousands separators: (1234.56, 1) -> "1,234.6".
std::string FormatFixed(double v, int decimals);

// About four significant digits with separators: 9517.2 -> "9,517", 376.73 -> "376.7",
// 27.176 -> "27.18", 8.0388 -> "8.039", 0.84298 -> "0.843"; non-finite -> "n/a".
std::string FormatNumber4(double v);

// A time: below 1 s in ms ("43.46 ms", "0.450 ms"), below 100 s in s ("72.34 s"), else whole
// seconds with separators ("3,343 s"); non-finite -> "n/a".
std::string FormatDuration(double seconds);

// "1 device", "4 devices": `n`, a space and the singular or plural noun.
std::string CountNoun(int64_t n, const std::string& singular, const std::string& plural);

// Rows of cells; Render left-aligns the first `left_columns` columns and right-aligns the rest
// (numbers), each padded to its widest cell, two spaces apart, each line starting with `indent`
// (trailing spaces trimmed).
class TextTable {
 public:
  explicit TextTable(size_t left_columns = 1) : left_columns_(left_columns) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string Render(const std::string& indent) const;

 private:
  size_t left_columns_;
  std::vector<std::vector<std::string>> rows_;
};

// A bound in ms as given: whole numbers with separators ("1,000 ms"), else four digits.
std::string FormatMs(double ms);

// The device's preset name, and when fields differ from that preset (hardware.memory_gib, ...
// or --set), each as `key value (preset value)`: "rtx-4060 (overridden: memory_gib 16 (preset 8),
// ...)". Just the name when nothing differs or the name is no preset.
std::string DeviceLabel(const DeviceSpec& device);

// A latency SLO on a statistic (--slo p99_ttft_ms=500) and the run's value of it.
struct SloLine {
  std::string metric;
  double value_ms = 0;
  double bound_ms = 0;
};

// The whole summary `servesim run` prints, each line ending in a newline: header, requests,
// throughput (and decode tokens/s per stream), goodput when SLOs are set, the load verdict,
// the latency table and the simulator's own speed.
std::string RunSummaryText(const RunSummary& s, const EngineConfig& config,
                           const std::string& scenario_path, const std::vector<SloLine>& slos);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_SUMMARY_TABLE_H_
