// Capacity search: the highest request rate at which a scenario meets a set of latency SLOs, per
// configuration of a --vary grid, with requests per dollar when devices have a price.
//
// The rate is the workload's own: impl synthetic (arrival poisson, gamma or constant) sets
// workload.rate_per_s; impl trace scales time with workload.time_scale, the rate being the
// trace's mean arrival rate ((n - 1) / (last - first arrival), its window and max_requests
// applied) times the scale. closed_loop (a concurrency, not a rate) and burst arrivals cannot be
// scaled: an InputError.
//
// A rate meets the SLOs when its run completes at least one request, rejects none for a full queue
// (simulation.max_waiting), is not overloaded (sim/core/load_check.h: its queue still growing
// through the last half of the arrivals, whatever its percentiles say), and every SLO statistic
// (vLLM bench names, e.g. p99_ttft_ms) is at most its bound. Search: run the scenario's own rate; double it until a rate fails (or halve it until
// one passes), at most kMaxBracketSteps times; then bisect [passing, failing] until
// failing - passing <= tolerance * passing. The capacity is the highest rate that passed, so it
// lies within `tolerance` below the true boundary. This assumes pass/fail is monotone in the rate:
// at a fixed seed a synthetic source's gaps and a trace's times scale exactly with the rate.
//
// Each configuration runs with the seed `servesim sweep` gives its grid point (the scenario seed,
// so every configuration sees the same requests; with --independent-seeds PointSeed of its --vary
// assignment, the rate not part of it), so results do not depend on --jobs.
// request_goodput at the capacity counts requests whose own TTFT, TPOT and E2E latency are within
// the scenario's output.slo, or, where that is unset, within the bound of the highest percentile
// of that metric in --slo (p99_ttft_ms=500 -> ttft_ms: 500). Requests per dollar =
// capacity * 3600 / (devices * price per device-hour), devices = hardware.tp x hardware.replicas;
// the price is --price-per-device-hour or --price, else the device's own
// (hardware.price_per_hour_usd or the preset's). At the capacity's run: output tokens per joule
// (sim/core/energy.h; devices with power figures) and output tokens per dollar (output tokens/s *
// 3600 / (devices * price)). --rank-by orders the rows (best first) by output tokens/s, tokens
// per joule or tokens per dollar at the capacity.
//
// Ignores: the devices of a speculative draft_device; runs cut at simulation.max_time_s are judged
// on the requests that finished.
#ifndef SERVESIM_SIM_APP_CAPACITY_H_
#define SERVESIM_SIM_APP_CAPACITY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/app/sweep.h"
#include "sim/core/engine.h"

namespace servesim {

constexpr int kMaxBracketSteps = 30;  // doublings or halvings from the scenario's rate

// One SLO: a LatencyMetricNames() statistic and its upper bound.
struct Slo {
  std::string metric;  // e.g. p99_ttft_ms
  double bound_ms = 0;
};

// Parses "metric=bound_ms,metric=bound_ms,..." (e.g. p99_ttft_ms=500,p99_tpot_ms=50). Throws
// InputError naming `flag` for a missing '=', a bound that is not a positive number, an unknown
// metric (with the nearest name suggested) or a metric given twice.
std::vector<Slo> ParseSlos(const std::string& text, const std::string& flag = "--slo");

// Parses vLLM's goodput syntax (`vllm bench serve --goodput ttft:300 tpot:50`): "KEY:MS[,...]",
// KEY ttft, tpot or e2el, per-request bounds in ms. Throws InputError naming --goodput, as
// ParseSlos does.
std::vector<Slo> ParseGoodput(const std::string& text);

// The --goodput values as overrides of output.slo.ttft_ms, tpot_ms and e2e_ms, each named
// "--goodput KEY:MS"; a key given twice across them is an InputError.
std::vector<Override> GoodputFlagOverrides(const std::vector<std::string>& texts);

// Per-request SLO overrides for goodput: output.slo.<key> from the highest percentile of each
// metric in `slos` (p99_ttft_ms=500 -> output.slo.ttft_ms=500), where the scenario sets none.
std::vector<Override> GoodputOverrides(const Scenario& sc, const std::vector<Slo>& slos);

enum class CapacityStatus {
  kOk,         // bracketed and bisected
  kNoRate,     // no rate down to start / 2^kMaxBracketSteps meets the SLOs: capacity 0
  kUnbounded,  // start * 2^kMaxBracketSteps still meets them: capacity is that rate, at least
};
const char* CapacityStatusName(CapacityStatus status);

struct CapacitySearch {
  CapacityStatus status = CapacityStatus::kOk;
  double capacity_per_s = 0;  // the highest rate that met the SLOs (0 with kNoRate)
  double failing_per_s = 0;   // the lowest rate that failed (0 with kUnbounded)
  int evaluations = 0;
};

// The bracketing + bisection above over any predicate `meets(rate)`; start_per_s > 0,
// 0 < tolerance < 1. `meets` is called in a deterministic sequence; the last call that returned
// true was at the returned capacity.
CapacitySearch SearchCapacity(double start_per_s, double tolerance,
                              const std::function<bool(double)>& meets);

// How capacity.csv and the printed lines are ordered: the configurations' grid order, or best first
// by a figure at the capacity.
enum class CapacityRank { kGrid, kThroughput, kTokensPerJoule, kTokensPerDollar };

// "throughput", "tokens_per_joule" or "tokens_per_dollar"; InputError naming --rank-by otherwise.
CapacityRank ParseCapacityRank(const std::string& text);

struct CapacityOptions {
  SweepOptions grid;  // scenario, --set, --vary, --jobs, --independent-seeds (shard unused)
  std::vector<Slo> slos;
  double tolerance = 0.01;
  std::optional<double> price_per_device_hour;
  std::map<std::string, double> device_prices;  // device preset name -> price per device-hour
  CapacityRank rank = CapacityRank::kGrid;
};

// Parses `--price DEVICE=USD_PER_HOUR[,DEVICE=...]` entries (device presets, positive prices).
std::map<std::string, double> ParseDevicePrices(const std::vector<std::string>& texts);

struct CapacityRow {
  int64_t config = 0;
  std::vector<std::string> assignment;  // "key=value" per --vary axis
  CapacitySearch search;
  std::string rate_key;      // workload.rate_per_s or workload.time_scale
  double rate_value = 0;     // its value at the capacity
  bool has_metrics = false;  // false with kNoRate
  RunSummary at_capacity;    // the run at the capacity
  EngineConfig config_at_capacity;
  std::vector<double> slo_values_ms;  // at the capacity, in the order of CapacityOptions::slos
  int64_t devices = 0;
  std::optional<double> price_per_device_hour;
  double requests_per_dollar = 0;
  // At the capacity (0 without metrics): output tokens/s, per joule (0 when the device has no
  // power figures) and per dollar (0 without a price).
  double output_tokens_per_s = 0;
  double tokens_per_joule = 0;
  double tokens_per_dollar = 0;
};

// Why the capacity's run does not show a sustained rate (empty: it does, or there was no run):
// the load verdict's messages (overloaded or too short, sim/core/load_check.h), and a run that
// served under kMinServedShare of the offered rate (it ended before queues built up: the trace
// or request count is too short to support that rate).
inline constexpr double kMinServedShare = 0.8;
std::vector<std::string> NotSustainedReasons(const CapacityRow& row);

struct CapacityResult {
  std::vector<CapacityRow> rows;
  std::string csv;  // capacity.csv
  double wall_s = 0;
};

// Validates every configuration (scenario, workload, rate knob, price), then searches each one,
// configurations in parallel.
CapacityResult RunCapacity(const CapacityOptions& options);

}  // namespace servesim

#endif  // SERVESIM_SIM_APP_CAPACITY_H_
