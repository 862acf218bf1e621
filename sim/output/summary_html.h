// The summary part of report.html, read from summary.json's text: a banner when the run's load was
// not sustainable or the run ended early, the SLO result, a latency table (TTFT, TPOT, ITL, E2E and
// queue time by mean and percentile) and the other fields in groups (requests, throughput, KV
// cache, batch, utilisation, speculative decoding, offload, load, simulation), each value in
// human units (ms or s, %, GB, thousands separators) with its summary.json key beside it.
//
// Models: the keys summary.json writes, each given a group, a label and a unit; a key this table
// does not know lands in "other", printed as a number, so a new key is never lost. Optional keys
// (load, slo_attainment, spec_*, offload_*) are shown when present and omitted when absent.
// Ignores: nested objects other than "load" and "sim" (their scalars go to "other" by full name)
// and arrays other than load.messages.
#ifndef SERVESIM_SIM_OUTPUT_SUMMARY_HTML_H_
#define SERVESIM_SIM_OUTPUT_SUMMARY_HTML_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace servesim {

// The scalar fields of a JSON object, in document order, as (key, text) pairs; fields of nested
// objects are named "outer.inner"; arrays are skipped; strings are unquoted and unescaped.
// Throws std::runtime_error on malformed JSON.
std::vector<std::pair<std::string, std::string>> JsonScalarFields(std::string_view json);

// The strings of the array `outer.key` (or top-level `key` when `outer` is empty); empty when
// absent. Non-string elements are printed as written. Throws as JsonScalarFields.
std::vector<std::string> JsonStringArray(std::string_view json, std::string_view outer,
                                         std::string_view key);

// A summary.json value in its unit: "123 ms", "1.23 s", "31.2 %", "2,888 tok/s", "60.0 GB",
// "84,489", "yes"; "n/a" for null. `key` picks the unit; unknown keys print as numbers.
std::string FormatSummaryValue(const std::string& key, const std::string& text);

// The banner (empty when the load was ok and the run complete), the SLO section (when the summary
// has slo_attainment), the latency table and the grouped fields, as HTML. Throws as
// JsonScalarFields.
std::string RenderSummaryHtml(std::string_view summary_json);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_SUMMARY_HTML_H_
