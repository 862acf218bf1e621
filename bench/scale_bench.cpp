// Simulator scale: a cluster of many replicas (default 1,024 x Llama-3.2-1B, one H100 each,
// vLLM-v1-style scheduling, round-robin routing) replaying a synthetic Poisson stream of N
// requests (default 10,000,000) at a rate per replica that keeps every replica busy but not
// overloaded (80 req/s: about 70 % of the ~112 req/s one replica sustains with the default
// scenario's prompt/output lengths). Prints requests, replicas, simulated seconds, wall seconds,
// requests per wall second, steps and peak resident memory (getrusage), once without outputs and,
// with --outputs, once more writing requests.csv and steps.csv (to /dev/null, or to a directory).
// Usage:
//   scale_bench [--requests N] [--replicas R] [--rate-per-replica X] [--model M]
//               [--outputs none|null|DIR] [--scenario FILE] [--set key=value ...]
// The defaults (10 M requests, the scenario's prefix caching on) take many minutes and ~9.3 GiB
// on a 2-core VM (bench/results/scale.md); start with --requests 100000 or 1000000.
// The peak RSS is the process's: a run with outputs after one without reports the larger of the
// two; run the bench twice (once per mode) to see each alone.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/output/csv_writers.h"

namespace {

struct Options {
  long long requests = 10'000'000;
  long long replicas = 1024;
  double rate_per_replica_per_s = 80;
  std::string model = "llama-3.2-1b";
  std::string outputs = "none";  // none: only the run without outputs
  std::string scenario = std::string(SERVESIM_SOURCE_DIR) + "/scenarios/default.yaml";
  std::vector<std::string> extra;  // --set key=value, applied after the bench's own
};

long PeakRssKib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// User + system CPU seconds of the process so far (wall time on a shared machine overstates the
// simulator's cost; CPU time does not count waiting for the core).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "error: scale_bench: %s\n", message.c_str());
  std::exit(1);
}

long long ParseCount(const std::string& flag, const char* text, long long lo, long long hi) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) {
    Fail(flag + ": expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) +
         ", found '" + text + "'");
  }
  return v;
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Fail(flag + ": expected a value or an unknown flag");
    const char* value = argv[++i];
    if (flag == "--requests") {
      o.requests = ParseCount(flag, value, 1, 1'000'000'000);
    } else if (flag == "--replicas") {
      o.replicas = ParseCount(flag, value, 1, 1'000'000);
    } else if (flag == "--rate-per-replica") {
      char* end = nullptr;
      o.rate_per_replica_per_s = std::strtod(value, &end);
      if (end == value || *end != '\0' || !(o.rate_per_replica_per_s > 0)) {
        Fail(flag + ": expected a positive number of requests/s, found '" + value + "'");
      }
    } else if (flag == "--model") {
      o.model = value;
    } else if (flag == "--outputs") {
      o.outputs = value;
    } else if (flag == "--scenario") {
      o.scenario = value;
    } else if (flag == "--set") {
      o.extra.push_back(value);
    } else {
      Fail("unknown flag '" + flag +
           "' (expected --requests, --replicas, --rate-per-replica, --model, --outputs, "
           "--scenario, --set)");
    }
  }
  return o;
}

// One replay; `outputs` empty: no CSV, else the directory ("/dev/null": both files go there).
void ReplayOnce(const Options& o, const std::string& outputs) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.6g",
                o.rate_per_replica_per_s * static_cast<double>(o.replicas));
  std::vector<std::string> overrides = {"model=" + o.model,
                                        "hardware.replicas=" + std::to_string(o.replicas),
                                        "workload.num_requests=" + std::to_string(o.requests),
                                        "workload.rate_per_s=" + std::string(rate),
                                        "output.requests_csv=false",
                                        "output.steps_csv=false"};
  overrides.insert(overrides.end(), o.extra.begin(), o.extra.end());
  servesim::Scenario sc = servesim::LoadScenario(o.scenario, overrides);
  auto sources = servesim::MakeScenarioWorkloads(sc);
  servesim::Engine engine(sc.engine, std::move(sources));
  std::ofstream requests_file, steps_file;
  std::vector<servesim::EngineObserver*> observers;
  std::unique_ptr<servesim::RequestsCsvWriter> requests_writer;
  std::unique_ptr<servesim::StepsCsvWriter> steps_writer;
  if (!outputs.empty()) {
    const bool null = outputs == "/dev/null";
    requests_file.open(null ? outputs : outputs + "/requests.csv");
    steps_file.open(null ? outputs : outputs + "/steps.csv");
    if (!requests_file || !steps_file) Fail("--outputs: cannot open files in '" + outputs + "'");
    requests_writer = std::make_unique<servesim::RequestsCsvWriter>(requests_file);
    steps_writer = std::make_unique<servesim::StepsCsvWriter>(steps_file);
    observers = {requests_writer.get(), steps_writer.get()};
  }
  const double cpu0_s = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const servesim::RunSummary s = engine.Run(observers);
  requests_file.flush();
  steps_file.flush();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_s = CpuSeconds() - cpu0_s;
  std::printf(
      "outputs: %s\n  requests %lld (completed %lld, rejected %lld)\n  replicas %lld (%s, %.0f "
      "req/s each, %s req/s in all)\n  simulated %.1f s\n  wall %.2f s (cpu %.2f s)\n  requests/s "
      "of wall "
      "%.0f\n  steps %lld (%lld in decode stretches), events %lld\n  peak RSS %ld MiB\n",
      outputs.empty() ? "none" : outputs.c_str(), static_cast<long long>(s.arrived),
      static_cast<long long>(s.completed), static_cast<long long>(s.rejected), o.replicas,
      o.model.c_str(), o.rate_per_replica_per_s, rate, s.duration_s, wall_s, cpu_s,
      static_cast<double>(s.arrived) / wall_s, static_cast<long long>(s.steps),
      static_cast<long long>(s.jumped_steps), static_cast<long long>(s.events),
      PeakRssKib() / 1024);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  try {
    ReplayOnce(o, "");
    if (o.outputs == "null")
      ReplayOnce(o, "/dev/null");
    else if (o.outputs != "none")
      ReplayOnce(o, o.outputs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: scale_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
