// Tokens/s of models that do not fit their device, against published figures and closed forms:
//  1. the source documents' storage-bound floor (7.7 GB model, 3.5 GB pinned, UFS at 4 GB/s);
//  2. the page-cache trap (20 GB model, 16 GB laptop, ~1 GB/s NVMe: ~4 s pinned, ~20 s mmap);
//  3. speculative decoding on the phone: tokens/s with a resident draft vs without, over alpha
//     and k, beside the closed form E(alpha, k) / (T_verify + k T_draft) with T_verify = bytes
//     streamed per pass / storage bandwidth and T_draft = draft bytes / memory bandwidth;
//  4. FlexGen's T4 box with OPT-30B (FlexGen measured 7.32 tokens/s);
//  5. a 24 GB GPU streaming a 70B model over PCIe: throughput as the batch grows.
// Writes markdown to stdout; bench/results/offload_compare.md keeps a copy.
// Usage: offload_compare [scenarios dir]
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "models/arithmetic.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"

namespace {

using servesim::RunSummary;
using servesim::Scenario;

RunSummary Run(const std::string& path, const std::vector<std::string>& overrides) {
  const Scenario sc = servesim::LoadScenario(path, overrides);
  servesim::Engine engine(sc.engine, servesim::MakeScenarioWorkloads(sc));
  return engine.Run({});
}

double Streamed(const Scenario& sc) {
  double b = 0;
  for (double x : sc.engine.offload.streamed_per_pass) b += x;
  return b;
}

// Seconds to stream one pass's bytes at each tier's bandwidth (the I/O floor).
double IoFloor(const Scenario& sc) {
  const auto& o = sc.engine.offload;
  double s = 0;
  for (size_t t = 0; t < o.tiers.size(); ++t)
    s += o.streamed_per_pass[t] / o.tiers[t].bandwidth_bytes_per_s;
  return s;
}

// The same with each read request's latency: bytes / bw + ceil(bytes / request) * latency.
double IoWithLatency(const Scenario& sc) {
  const auto& o = sc.engine.offload;
  double s = 0;
  for (size_t t = 0; t < o.tiers.size(); ++t) {
    if (o.streamed_per_pass[t] <= 0) continue;
    s += o.streamed_per_pass[t] / o.tiers[t].bandwidth_bytes_per_s +
         std::ceil(o.streamed_per_pass[t] / o.read_bytes) * o.tiers[t].latency_s / o.io_depth;
  }
  return s;
}

double Expected(double alpha, int k) {
  return alpha >= 1 ? k + 1.0 : (1.0 - std::pow(alpha, k + 1)) / (1.0 - alpha);
}

// 1. The source documents' bound.
void SourceDocumentsBound(const std::string& dir) {
  const std::string phone = dir + "/offload_phone_llama2_13b.yaml";
  // The test's setup: a 7.7 GB model (group size 36), 3.5 GB pinned, storage at 4 GB/s with
  // no per-request latency, memory not binding.
  const std::vector<std::string> o = {
      "model={preset: llama-2-13b, weight_dtype: int4, weight_group_size: 36, "
      "activation_dtype: fp16, kv_dtype: fp16}",
      "hardware.memory_gib=12", "hardware.memory_utilization=0.9",
      "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: 4}]",
      "offload.resident_gb=3.5"};
  const Scenario sc = servesim::LoadScenario(phone, o);
  const RunSummary s = Run(phone, o);
  std::printf("## 1. Storage-bound floor (source documents)\n\n");
  std::printf("| model | pinned | storage | source | simulated s/token | tokens/s | error |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  std::printf(
      "| %.2f GB | %.2f GB | 4 GB/s | 1.05 s/token, 0.95 tokens/s | %.4f | %.3f | "
      "%+.1f %% |\n\n",
      sc.engine.offload.weight_bytes / 1e9, sc.engine.offload.resident_bytes / 1e9, s.tpot_s.Mean(),
      1.0 / s.tpot_s.Mean(), (s.tpot_s.Mean() / 1.05 - 1) * 100);
  // The shipped phone scenario sizes the resident set by budget instead.
  const Scenario real = servesim::LoadScenario(phone, {});
  const RunSummary r = Run(phone, {});
  std::printf(
      "The shipped `offload_phone_llama2_13b.yaml` (Q4_0-sized 7.79 GB, 3.5 GB of RAM "
      "for everything) pins only %.2f GB: the KV cache for 512 tokens, activations "
      "and two streaming buffers (%.2f GB) come first, so it streams %.2f GB per "
      "token: %.3f s/token, %.2f tokens/s.\n\n",
      real.engine.offload.resident_bytes / 1e9, real.engine.offload.buffer_bytes / 1e9,
      Streamed(real) / 1e9, r.tpot_s.Mean(), 1.0 / r.tpot_s.Mean());
}

// 2. The page-cache trap.
void PageCacheTrap(const std::string& dir) {
  const std::string laptop = dir + "/offload_laptop_page_cache.yaml";
  std::printf("## 2. The page-cache trap (llama.cpp, 16 GB RAM, ~1 GB/s NVMe, 20 GB model)\n\n");
  std::printf(
      "| residency | streamed per token | simulated s/token | llama.cpp users | "
      "error |\n|---|---|---|---|---|\n");
  for (const char* residency : {"pinned", "page_cache"}) {
    const std::vector<std::string> o = {std::string("offload.residency=") + residency};
    const Scenario sc = servesim::LoadScenario(laptop, o);
    const RunSummary s = Run(laptop, o);
    const double ref = std::string(residency) == "pinned" ? 4.0 : 20.0;
    std::printf("| %s | %.2f GB | %.2f | ~%.0f | %+.0f %% |\n", residency, Streamed(sc) / 1e9,
                s.tpot_s.Mean(), ref, (s.tpot_s.Mean() / ref - 1) * 100);
  }
  std::printf(
      "\nPinned: the memory left after the KV cache, activations and two streaming "
      "buffers stays resident; the rest streams. Page cache: LRU over a sequential "
      "scan larger than the cache evicts each layer before the next token needs it "
      "again, so every token reads the whole file (the embedding table is read by "
      "rows and is the only part that stays).\n\n");
}

// 3. Speculative decoding on the phone.
void PhoneSpeculation(const std::string& dir) {
  const std::string spec = dir + "/offload_phone_llama2_13b_spec.yaml";
  const std::string plain = dir + "/offload_phone_llama2_13b.yaml";
  const std::vector<std::string> longer = {"workload.num_requests=8", "workload.output_tokens=256",
                                           "scheduler.max_model_len=512"};
  const RunSummary base = Run(plain, longer);
  const Scenario sc = servesim::LoadScenario(spec, longer);
  const double t_verify = IoWithLatency(sc);
  const auto& draft = sc.engine.speculative.draft;
  const double t_draft =
      servesim::WeightBytes(draft) / sc.engine.device.memory.bandwidth_bytes_per_s;
  std::printf("## 3. Speculative decoding on the phone (TinyLlama-1.1B fp16 draft, resident)\n\n");
  std::printf(
      "Without a draft the target pins %.2f GB and decodes %.3f tokens/s. The draft's "
      "%.2f GB come out of the target's resident budget: with it the target streams "
      "%.2f GB per pass (T_verify = %.3f s: at 4 GB/s in 16 MiB reads of 200 us latency); "
      "a draft pass reads its weights from RAM (T_draft = %.1f ms at 76.8 GB/s). Closed form: "
      "E(alpha, k) / "
      "(T_verify + k T_draft), E = (1 - alpha^(k+1)) / (1 - alpha).\n\n",
      servesim::LoadScenario(plain, longer).engine.offload.resident_bytes / 1e9,
      1.0 / base.tpot_s.Mean(), servesim::WeightBytes(draft) / 1e9, Streamed(sc) / 1e9, t_verify,
      t_draft * 1e3);
  std::printf("| alpha | k | simulated tokens/s | closed form | error | speedup vs no draft |\n");
  std::printf("|---|---|---|---|---|---|\n");
  double worst = 0;
  for (double alpha : {0.5, 0.6, 0.7, 0.8, 0.9}) {
    for (int k : {1, 2, 4, 8}) {
      std::vector<std::string> o = longer;
      o.push_back("speculative.k=" + std::to_string(k));
      o.push_back("speculative.acceptance.alpha=" + std::to_string(alpha));
      const RunSummary s = Run(spec, o);
      const double sim = 1.0 / s.tpot_s.Mean();
      const double closed = Expected(alpha, k) / (t_verify + k * t_draft);
      const double err = (sim / closed - 1) * 100;
      worst = std::max(worst, std::fabs(err));
      std::printf("| %.1f | %d | %.3f | %.3f | %+.1f %% | %.2fx |\n", alpha, k, sim, closed, err,
                  sim * base.tpot_s.Mean());
    }
  }
  std::printf(
      "\nLargest deviation from the closed form: %.1f %% ; the simulation runs "
      "draft passes at the calibrated memory efficiency (not the ideal bandwidth the "
      "closed form uses), which shows most at k = 8, and cuts a request's last round "
      "at its output length.\n\n",
      worst);
}

// 4. FlexGen's box.
void FlexGenBox(const std::string& dir) {
  const std::string t4 = dir + "/offload_t4_flexgen_opt30b.yaml";
  const RunSummary s = Run(t4, {});
  const double tput = static_cast<double>(s.output_tokens) / s.duration_s;
  std::printf(
      "## 4. FlexGen's T4 box: OPT-30B, weights 20 %% GPU / 80 %% DRAM, KV in DRAM, "
      "batch 144, in 512 / out 32\n\n");
  std::printf("| | tokens/s | prefill s | decode s/step |\n|---|---|---|---|\n");
  std::printf("| FlexGen (measured) | 7.32 | | |\n");
  std::printf("| servesim | %.2f | %.1f | %.2f |\n\n", tput, s.ttft_s.Mean() - 0, s.tpot_s.Mean());
  std::printf(
      "servesim is %+.0f %% off. Each decode step streams the 48 GB host share of the weights "
      "over PCIe (3.7 s at 12.89 GB/s) and moves the whole batch's host-resident KV cache "
      "(144 x ~528 tokens x 1.38 MB = ~105 GB, ~8 s) to the GPU. FlexGen instead attends to "
      "host-resident KV on the CPU (its cpu_cache_compute) and overlaps that with the weight "
      "stream; it also splits the batch into GPU micro-batches that reuse each layer's load. "
      "We model neither CPU compute nor micro-batching, and the T4's GEMM efficiency is the "
      "A100 fit, not a T4 measurement; prefill (one 73,728-token pass) is compute-bound at "
      "that efficiency.\n\n",
      (tput / 7.32 - 1) * 100);
}

// 5. A 24 GB GPU streaming a 70B model.
void Rtx4090Streaming(const std::string& dir) {
  const std::string g = dir + "/offload_rtx4090_llama3_70b.yaml";
  const Scenario sc = servesim::LoadScenario(g, {});
  std::printf(
      "## 5. RTX 4090 + Llama-3-70B int4: %.1f GB pinned, %.1f GB streamed per pass "
      "over PCIe 4.0 (I/O floor %.2f s)\n\n",
      sc.engine.offload.resident_bytes / 1e9, Streamed(sc) / 1e9, IoFloor(sc));
  std::printf("| clients | mean TPOT ms | output tokens/s |\n|---|---|---|\n");
  for (int clients : {1, 2, 4, 8, 16}) {
    const std::vector<std::string> o = {"workload.clients=" + std::to_string(clients),
                                        "workload.num_requests=" + std::to_string(clients * 2)};
    const RunSummary s = Run(g, o);
    std::printf("| %d | %.0f | %.2f |\n", clients, s.tpot_s.Mean() * 1e3,
                static_cast<double>(s.output_tokens) / s.duration_s);
  }
  std::printf(
      "\nEvery pass streams the same bytes whatever the batch, so throughput grows "
      "with the batch until compute catches up with the stream.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(SERVESIM_SOURCE_DIR) + "/scenarios";
  try {
    std::printf("# Offload: tokens/s on devices that cannot hold the model\n\n");
    std::printf("Generated by `build/offload_compare` from the scenarios in `scenarios/`.\n\n");

    SourceDocumentsBound(dir);
    PageCacheTrap(dir);
    PhoneSpeculation(dir);
    FlexGenBox(dir);
    Rtx4090Streaming(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "offload_compare: %s\n", e.what());
    return 1;
  }
  return 0;
}
