// The memory plan against vLLM v1's KV sizing, by hand and against vLLM's own profiler logs.
#include "hardware/memory_plan.h"

#include <catch2/catch.hpp>

#include "hardware/presets.h"
#include "models/presets.h"

namespace servesim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

ModelSpec Fp16(std::string_view preset) {
  ModelSpec s = ModelPresetOrThrow(preset, "test");
  s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;
  return s;
}

}  // namespace

TEST_CASE("memory plan: vLLM v1's num_gpu_blocks by hand", "[hardware]") {
  // Llama-2-7B fp16 on an A100 80GB (81,920 MiB) at 0.9, profiling pass of 8,192 tokens and 256
  // sequences. Forward peak, bf16: 2 n h + max(attention (32 + 64) x 128 + 32 x 128, FFN
  // 3 x 11,008) per token = 8,192 x 41,216 x 2 B = 675,282,944 B. Sampler: 8,192 x 4,096 x 2 B of
  // hidden states + 9.566 x 256 x 32,000 x 4 B = 380,567,552 B, under the forward's peak.
  // Non-torch 0.13 GiB. Weights 2 x 6,738,415,616 B. Block: 16 x 524,288 B.
  // (77,309,411,328 - 13,476,831,232 - 675,282,944 - 0.13 GiB) / 8,388,608 = 7,512.x
  const ModelSpec m = Fp16("llama-2-7b");
  const DeviceSpec a100 = DevicePresetOrThrow("a100-80gb", "test");
  MemoryPlanOptions o;
  const MemoryPlan p = PlanMemory(m, a100, o);
  CHECK(p.activation_bytes == 675282944.0);
  CHECK(p.non_torch_bytes == 0.13 * kGiB);
  CHECK(p.cuda_graph_bytes == 0);
  CHECK(p.kv_blocks == 7512);
  // 1,024 sequences: the sampler's 8,192 x 4,096 x 2 + 9.566 x 1,024 x 32,000 x 4 =
  // 1,320,943,616 B sets the peak; (77,309,411,328 - 13,476,831,232 - 1,320,943,616
  // - 139,586,437) / 8,388,608 = 7,435.x
  o.profile_logit_tokens = 1024;
  const MemoryPlan p1024 = PlanMemory(m, a100, o);
  CHECK(p1024.activation_bytes == Approx(1320943616.0).epsilon(1e-12));
  CHECK(p1024.kv_blocks == 7435);
  // TP 2: half the weights, heads and FFN per device (forward 404,750,336 B, above the sampler's
  // 380,567,552 B: the logits are gathered whole on every device), non-torch 0.55 GiB, half the
  // KV per token (262,144 B): (77,309,411,328 - 6,738,415,616 - 404,750,336 - 590,558,003)
  // / 4,194,304 = 16,588.x
  o.profile_logit_tokens = 256;
  o.tp = 2;
  const MemoryPlan p2 = PlanMemory(m, a100, o);
  CHECK(p2.activation_bytes == 404750336.0);
  CHECK(p2.non_torch_bytes == 0.55 * kGiB);
  CHECK(p2.kv_blocks == 16588);
  // A CUDA graph pool the engine deducts (vLLM >= 0.21) comes out of the budget.
  o.tp = 1;
  o.cuda_graph_bytes = 64.0 * 8388608;
  CHECK(PlanMemory(m, a100, o).kv_blocks == 7512 - 64);
}

TEST_CASE("memory plan: vLLM v1's logged KV memory on an H100 (measured)", "[hardware]") {
  // vLLM v1's profiler on an H100 (CUDA total 79.18 GiB), gpu_memory_utilization 0.9,
  // max_num_batched_tokens 8,192 and max_num_seqs 1,024 (vllm serve's defaults on a >= 70 GiB
  // GPU), bf16 (llm-d/llm-d-benchmark config_explorer/empirical-vllm-memory-results.md):
  //   Llama-3.1-8B: weights 14.99, torch peak increase 4.76, non-torch 0.13, KV 51.38 GiB;
  //   Qwen3-32B:    weights 61.03, torch peak increase 5.64, non-torch 0.14, KV  4.45 GiB.
  // The sampler constant (models/arithmetic.h) was taken from that source's Qwen3-0.6B row only;
  // these two rows are out of sample for it.
  DeviceSpec h100 = DevicePresetOrThrow("h100-sxm", "test");
  h100.memory.capacity_bytes = 79.18 * kGiB;
  MemoryPlanOptions o;
  o.profile_tokens = 8192;
  o.profile_logit_tokens = 1024;
  const MemoryPlan llama = PlanMemory(ModelPresetOrThrow("llama-3.1-8b", "test"), h100, o);
  CHECK(llama.activation_bytes / kGiB == Approx(4.76).epsilon(0.01));
  CHECK(llama.kv_budget_bytes / kGiB == Approx(51.38).epsilon(0.005));
  const MemoryPlan qwen = PlanMemory(ModelPresetOrThrow("qwen3-32b", "test"), h100, o);
  CHECK(qwen.activation_bytes / kGiB == Approx(5.64).epsilon(0.01));
  CHECK(qwen.kv_budget_bytes / kGiB == Approx(4.45).epsilon(0.02));
}

}  // namespace servesim
