// When does speculative decoding pay inside a batching server? Llama-3-70B TP4 on H100 with a
// Llama-3.2-1B draft on the same GPUs, ShareGPT lengths (scenarios/spec_llama3_70b_tp4_h100.yaml):
//  1. open-loop Poisson load swept from 0.5 to 16 req/s, with and without speculation: mean TPOT,
//     mean E2E and their speedups (vLLM reported 1.5x at 1 QPS and a 1.4x slowdown at high QPS
//     for this kind of setup);
//  2. closed-loop batch sizes (N clients, no think time): decode throughput speedup vs batch;
//  3. the KV blocks the draft's weights and KV take from the target.
// Writes markdown tables to stdout; bench/results/spec_compare.md keeps a copy.
// Usage: spec_compare [scenarios dir]
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"

namespace {

using servesim::RunSummary;

RunSummary Run(const std::string& path, const std::vector<std::string>& overrides) {
  servesim::Scenario sc = servesim::LoadScenario(path, overrides);
  servesim::Engine engine(sc.engine, servesim::MakeScenarioWorkloads(sc));
  return engine.Run({});
}

const std::vector<std::string> kNoSpec = {"speculative={impl: none}"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void Row(const char* label, const std::string& x, const RunSummary& base, const RunSummary& spec) {
  std::printf("| %s | %s | %.1f | %.1f | %.2fx | %.0f | %.0f | %.2fx | %.2f | %.0f %% |\n", label,
              x.c_str(), base.tpot_s.Mean() * 1e3, spec.tpot_s.Mean() * 1e3,
              base.tpot_s.Mean() / spec.tpot_s.Mean(), base.e2e_s.Mean() * 1e3,
              spec.e2e_s.Mean() * 1e3, base.e2e_s.Mean() / spec.e2e_s.Mean(),
              spec.batch_size_sum / static_cast<double>(spec.steps),
              spec.busy_s > 0 ? spec.spec_draft_s / spec.busy_s * 100 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(SERVESIM_SOURCE_DIR) + "/scenarios";
  const std::string path = dir + "/spec_llama3_70b_tp4_h100.yaml";
  try {
    const std::string head =
        "| speculation | load | TPOT ms off | TPOT ms on | TPOT speedup | E2E ms off | E2E ms on | "
        "E2E speedup | mean batch (on) | draft share of busy time |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
    std::printf("## Open-loop load (Poisson), k = 4, alpha = 0.75\n\n%s", head.c_str());
    const std::vector<std::pair<const char*, std::vector<std::string>>> variants = {
        {"k 4", {}},
        {"k 4, off above 16 decoding", {"speculative.disable_by_batch_size=16"}},
        {"adaptive k <= 4", {"speculative.adaptive_k=true"}},
        {"k 4, alpha 0.5", {"speculative.acceptance.alpha=0.5"}},
    };
    for (double rate : {0.5, 1.0, 2.0, 4.0, 8.0, 16.0}) {
      const std::string r = "workload.rate_per_s=" + std::to_string(rate);
      const RunSummary base = Run(path, With(kNoSpec, {r}));
      for (const auto& [label, o] : variants) {
        char x[32];
        std::snprintf(x, sizeof(x), "%.1f req/s", rate);
        Row(label, x, base, Run(path, With(o, {r})));
      }
    }
    std::printf("\n## Closed loop: N clients, no think time, 200 requests\n\n%s", head.c_str());
    for (int clients : {1, 4, 16, 64, 128}) {
      const std::string lengths =
          "{dist: empirical, path: ../../shared/data/traces/sharegpt8k_lengths.csv}";
      const std::vector<std::string> closed = {
          "workload={impl: closed_loop, clients: " + std::to_string(clients) +
          ", num_requests: 200, max_prompt_tokens: 4096, max_output_tokens: 1024, prompt_tokens: " +
          lengths + ", output_tokens: " + lengths + "}"};
      const RunSummary base = Run(path, With(kNoSpec, closed));
      const RunSummary spec = Run(path, closed);
      Row("k 4", std::to_string(clients) + " clients", base, spec);
    }
    const RunSummary base = Run(path, With(kNoSpec, {"workload.num_requests=1"}));
    const RunSummary spec = Run(path, {"workload.num_requests=1"});
    std::printf(
        "\n## Memory\n\nKV blocks per replica (16 tokens): %lld without the draft, %lld with "
        "the co-resident Llama-3.2-1B draft (its weights and its KV for every cached "
        "token).\n",
        static_cast<long long>(base.kv_blocks_per_replica),
        static_cast<long long>(spec.kv_blocks_per_replica));
  } catch (const std::exception& e) {
    std::printf("spec comparison stopped: %s\n", e.what());
    return 1;
  }
  return 0;
}
