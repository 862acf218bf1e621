// servesim capacity: a thin wrapper over sim/app/capacity.h (the highest request rate meeting the
// SLOs, per configuration of a --vary grid).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/capacity.h"
#include "sim/app/cli_common.h"
#include "sim/app/sweep.h"
#include "sim/output/output_dir.h"
#include "sim/output/summary_table.h"

namespace servesim {
namespace {

// One configuration's line on stdout; when the run at the capacity is not sustained (overloaded,
// too short, or ended before queues built up) "NOT SUSTAINED" there with each reason, which
// stderr also warns.
void PrintCapacityRow(const CapacityRow& row, const std::vector<Slo>& slos) {
  std::string label;
  for (const auto& a : row.assignment) label += (label.empty() ? "" : ", ") + a;
  std::printf("config %lld%s%s%s: ", static_cast<long long>(row.config), label.empty() ? "" : " (",
              label.c_str(), label.empty() ? "" : ")");
  if (row.search.status == CapacityStatus::kNoRate) {
    std::printf("no rate meets the SLOs (down to %.4g req/s)\n", row.search.failing_per_s);
    return;
  }
  const RunSummary& s = row.at_capacity;
  const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
  std::printf("capacity %s%s req/s (%s=%.6g), goodput %s req/s",
              row.search.status == CapacityStatus::kUnbounded ? "at least " : "",
              FormatNumber4(row.search.capacity_per_s).c_str(), row.rate_key.c_str(),
              row.rate_value, FormatNumber4(static_cast<double>(s.good_requests) / dur).c_str());
  for (size_t i = 0; i < slos.size(); ++i) {
    std::printf(", %s %s <= %s", slos[i].metric.c_str(), FormatMs(row.slo_values_ms[i]).c_str(),
                FormatMs(slos[i].bound_ms).c_str());
  }
  if (row.price_per_device_hour) {
    std::printf(", %s requests per $ (%s at $%.4g/h)",
                FormatNumber4(row.requests_per_dollar).c_str(),
                CountNoun(row.devices, "device", "devices").c_str(), *row.price_per_device_hour);
  }
  if (row.tokens_per_joule > 0) {
    std::printf(", %s output tokens per J", FormatNumber4(row.tokens_per_joule).c_str());
  }
  if (row.tokens_per_dollar > 0) {
    std::printf(", %s output tokens per $", FormatNumber4(row.tokens_per_dollar).c_str());
  }
  const std::vector<std::string> reasons = NotSustainedReasons(row);
  std::printf("; %d runs%s\n", row.search.evaluations, reasons.empty() ? "" : "; NOT SUSTAINED");
  for (const std::string& r : reasons) {
    std::printf("  NOT SUSTAINED: %s\n", r.c_str());
    CliLog().warn("config {} is not sustained: {}", row.config, r);
  }
}

}  // namespace

int CmdCapacity(int argc, char** argv) {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  desc.add_options()("slo", po::value<std::vector<std::string>>()->composing(),
                     "SLOs, all met at the capacity: p99_ttft_ms=500,p99_tpot_ms=50 (statistics "
                     "mean|median|p90|p95|p99 of ttft|tpot|itl|e2el|queue, in ms)")(
      "vary", po::value<std::vector<std::string>>()->composing(),
      "one capacity per configuration of the grid: --vary hardware.tp=1,2,4")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a key")(
      "tolerance", po::value<double>()->default_value(0.01),
      "relative width of the final [passing, failing] rate interval")(
      "price-per-device-hour", po::value<double>(),
      "USD per device-hour: adds requests per dollar")(
      "price", po::value<std::vector<std::string>>()->composing(),
      "USD per device-hour by device preset: --price h100-sxm=2.5,a100-80gb=1.5")(
      "rank-by", po::value<std::string>(),
      "order configurations best first by output tokens/s, tokens per joule or tokens per dollar "
      "at the capacity: throughput|tokens_per_joule|tokens_per_dollar");
  AddOutOption(desc);
  desc.add_options()("jobs,j", po::value<int>(),
                     "threads over configurations (default: all hardware threads)")(
      "independent-seeds",
      "give each configuration its own derived seed instead of the scenario seed")(
      "common-seed",
      "deprecated, the default now: every configuration runs with the scenario seed");
  const auto parsed = ParseOrHelp(
      "capacity", argc, argv, desc,
      "usage: servesim capacity SCENARIO.yaml --slo METRIC=MS[,METRIC=MS...] [--vary KEY=V1,V2]\n"
      "                         [--set key=value ...]\n"
      "                         [--price-per-device-hour X | --price DEVICE=X,...]\n"
      "                         [--rank-by throughput|tokens_per_joule|tokens_per_dollar]\n\n"
      "Finds the highest request rate meeting every SLO: doubles the workload's rate (synthetic\n"
      "rate_per_s, trace time_scale) until one fails, then bisects to --tolerance. Writes\n"
      "DIR/capacity.csv (one row per configuration: capacity, metrics there, requests per\n"
      "dollar with devices = tp x replicas, output tokens per joule and per dollar) and prints a\n"
      "line per configuration. Without --price the device's own price is used where it has one.",
      "scenario");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  const std::string scenario_path = ScenarioPath(vm, "capacity");
  if (!vm.count("slo")) {
    throw InputError(
        "servesim capacity: --slo is required (e.g. --slo p99_ttft_ms=500,p99_tpot_ms=50)");
  }
  CapacityOptions o;
  o.grid.scenario_path = scenario_path;
  o.grid.overrides = Strings(vm, "set");
  o.grid.axes = ParseSweepAxes(Strings(vm, "vary"));
  o.grid.jobs = JobsFlag(vm);
  o.grid.independent_seeds = SeedModeFlags(vm);
  for (const std::string& s : Strings(vm, "slo")) {
    for (Slo& slo : ParseSlos(s)) {
      for (const Slo& have : o.slos) {
        if (have.metric == slo.metric) throw InputError("--slo " + slo.metric + ": given twice");
      }
      o.slos.push_back(slo);
    }
  }
  o.tolerance = vm["tolerance"].as<double>();
  if (vm.count("price-per-device-hour"))
    o.price_per_device_hour = vm["price-per-device-hour"].as<double>();
  o.device_prices = ParseDevicePrices(Strings(vm, "price"));
  if (vm.count("rank-by")) o.rank = ParseCapacityRank(vm["rank-by"].as<std::string>());
  const std::filesystem::path dir = vm["out"].as<std::string>();
  std::optional<OutputDir> out;
  o.grid.before_runs = [&] {
    out.emplace(dir, std::vector<std::string>{"capacity.csv"}, "capacity.csv");
  };
  const CapacityResult r = RunCapacity(o);
  out->Write("capacity.csv", r.csv);
  out->Commit();
  for (const CapacityRow& row : r.rows) PrintCapacityRow(row, o.slos);
  CliLog().info("capacity: {} configurations in {:.3f} s wall -> {}", r.rows.size(), r.wall_s,
                (dir / "capacity.csv").string());
  return 0;
}

}  // namespace servesim
