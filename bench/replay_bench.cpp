// Simulator speed: replays the Azure conversation trace (19,366 requests) with Llama-3-8B on one
// H100, and a synthetic stream of 1,000,000 requests, with no CSV output. Prints wall seconds,
// steps per second and peak resident memory. Usage:
//   replay_bench [scenarios dir] [azure|synthetic|both] [repeats]
// With repeats > 1 each replay runs that many times and the best and median wall times are
// printed too (shared machines vary by 2x between runs; the best run is the machine's speed).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"

namespace {

long PeakRssKib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double ReplayOnce(const std::string& label, const std::string& path,
                  const std::vector<std::string>& overrides) {
  servesim::Scenario sc = servesim::LoadScenario(path, overrides);
  auto sources = servesim::MakeScenarioWorkloads(sc);
  servesim::Engine engine(sc.engine, std::move(sources));
  const auto start = std::chrono::steady_clock::now();
  const servesim::RunSummary s = engine.Run({});
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%-40s %8lld requests %9lld steps (%lld in decode stretches) %8.3f s wall %10.0f steps/s "
      "%10.0f requests/s  peak RSS %ld MiB\n",
      label.c_str(), static_cast<long long>(s.completed), static_cast<long long>(s.steps),
      static_cast<long long>(s.jumped_steps), wall, static_cast<double>(s.steps) / wall,
      static_cast<double>(s.completed) / wall, PeakRssKib() / 1024);
  return wall;
}

void Replay(const std::string& label, const std::string& path,
            const std::vector<std::string>& overrides, int repeats) {
  std::vector<double> walls;
  for (int i = 0; i < repeats; ++i) walls.push_back(ReplayOnce(label, path, overrides));
  if (repeats < 2) return;
  std::sort(walls.begin(), walls.end());
  std::printf("%-40s best of %d: %.3f s wall, median %.3f s\n", label.c_str(), repeats,
              walls.front(), walls[walls.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(SERVESIM_SOURCE_DIR) + "/scenarios";
  const std::string only = argc > 2 ? argv[2] : "both";
  if (only != "azure" && only != "synthetic" && only != "both") {
    std::fprintf(stderr,
                 "replay_bench: second argument: expected azure, synthetic or both, found '%s'\n",
                 only.c_str());
    return 1;
  }
  int repeats = 1;
  if (argc > 3) {
    char* end = nullptr;
    const long r = std::strtol(argv[3], &end, 10);
    if (end == argv[3] || *end != '\0' || r < 1 || r > 1000) {
      std::fprintf(stderr, "replay_bench: third argument: expected repeats 1..1000, found '%s'\n",
                   argv[3]);
      return 1;
    }
    repeats = static_cast<int>(r);
  }
  if (only != "synthetic") {
    try {
      Replay("azure conv trace, llama-3-8b, 1 x h100", dir + "/azure_conv_llama3_8b_h100.yaml", {},
             repeats);
    } catch (const std::exception& e) {
      std::printf("azure replay skipped: %s\n", e.what());
    }
  }
  if (only != "azure") {
    Replay("synthetic 1,000,000 requests", dir + "/default.yaml",
           {"workload.num_requests=1000000", "workload.rate_per_s=8", "output.requests_csv=false",
            "output.steps_csv=false"},
           repeats);
  }
  return 0;
}
