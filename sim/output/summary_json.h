// summary.json: a run's summary in vLLM's benchmark names (`vllm bench serve`: completed,
// request_throughput, mean/median/p90/p95/p99 of ttft, tpot, itl and e2el in ms) plus servesim's
// own fields (rejections, preemptions, KV usage, prefix cache, swap, speculation, offload, data
// parallel MoE (a `data_parallel` object, only in such runs), MFU / MBU, energy and cost when the
// device has power figures or a price) and a `sim` block (events, steps; with wall_clock also
// wall_seconds and steps_per_second,
// the only fields that differ between two runs of the same scenario and seed).
// Ignores: per-request detail (requests.csv) and time series (steps.csv, report.html).
#ifndef SERVESIM_SIM_OUTPUT_SUMMARY_JSON_H_
#define SERVESIM_SIM_OUTPUT_SUMMARY_JSON_H_

#include <string>

#include "sim/core/engine.h"

namespace servesim {

// The document, ending in a newline.
std::string SummaryJson(const RunSummary& s, const EngineConfig& config, bool wall_clock);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_SUMMARY_JSON_H_
