// Sweep throughput: a 100-point grid (scheduler.max_num_seqs x hardware.memory_utilization, 10 x 10)
// of the Azure conversation trace replay (19,366 requests, Llama-3-8B on one H100), run on all
// hardware threads as `servesim sweep` runs it. Prints wall seconds and points per second.
// Needs ../shared/data (or $SERVESIM_DATA); skips with a message when the trace is absent.
// Usage: sweep_bench [scenarios dir] [jobs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>

#include "sim/app/sweep.h"

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(SERVESIM_SOURCE_DIR) + "/scenarios";
  const int jobs = argc > 2 ? std::atoi(argv[2]) : 0;
  const char* env = std::getenv("SERVESIM_DATA");
  const std::string data = env && *env ? env : std::string(SERVESIM_SOURCE_DIR) + "/../shared/data";
  const std::string trace = data + "/traces/azure2023_conv.csv";
  if (!std::filesystem::exists(trace)) {
    std::printf("sweep_bench skipped: %s not found (set SERVESIM_DATA)\n", trace.c_str());
    return 0;
  }
  servesim::SweepOptions o;
  o.scenario_path = dir + "/azure_conv_llama3_8b_h100.yaml";
  o.overrides = {"workload.path=" + std::filesystem::absolute(trace).string(),
                 "output.requests_csv=false", "output.steps_csv=false"};
  o.axes = servesim::ParseSweepAxes(
      {"scheduler.max_num_seqs=16,32,48,64,96,128,160,192,224,256",
       "hardware.memory_utilization=0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95"});
  o.jobs = jobs;
  try {
    const servesim::SweepResult r = servesim::RunSweep(o);
    const unsigned threads =
        jobs > 0 ? static_cast<unsigned>(jobs) : std::max(1u, std::thread::hardware_concurrency());
    std::printf(
        "sweep of the azure conv replay (llama-3-8b, 1 x h100), %lld points (10 x 10), %u "
        "threads: %.3f s wall, %.2f points/s\n",
        static_cast<long long>(r.points_run), threads, r.wall_s,
        static_cast<double>(r.points_run) / r.wall_s);
  } catch (const std::exception& e) {
    std::printf("sweep_bench failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
