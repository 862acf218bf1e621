// How fast the cost model prices steps: the simulator prices one step per event, so this bounds
// the simulator's speed. Prints ns per priced step for representative batch shapes; the target is
// a 256-request decode step well under 10 us.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "hardware/profiled_cost_model.h"
#include "models/arithmetic.h"
#include "models/presets.h"

namespace {

double NsPerStep(const servesim::CostModel& model, const servesim::BatchShape& batch,
                 int iterations) {
  volatile double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) sink = sink + model.PriceStep(batch).seconds;
  const auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(end - start).count() / iterations;
}

}  // namespace

int main() {
  using namespace servesim;
  const ModelSpec& llama = ModelPresetOrThrow("llama-3-8b", "bench");
  const DeviceSpec& h100 = DevicePresetOrThrow("h100-sxm", "bench");
  CostModelOptions tp1, tp4;
  tp4.tp = 4;
  const auto m1 = MakeRooflineCostModel(llama, h100, tp1);
  const auto m70 = MakeRooflineCostModel(ModelPresetOrThrow("llama-3-70b", "bench"), h100, tp4);

  // The batch shape is built the way the engine does: one Add per request.
  BatchShape decode256;
  for (int i = 0; i < 256; ++i) decode256.Add(1, 500 + 7 * i, true);
  BatchShape mixed;
  for (int i = 0; i < 200; ++i) mixed.Add(1, 800 + i, true);
  mixed.Add(1848, 0, false);
  const BatchShape prefill = BatchShape::Uniform(1, 4096, 0);

  const int n = 2000000;
  std::printf("cost model: ns per priced step (%d iterations each)\n", n);
  std::printf("  llama-3-8b  h100 tp1 decode batch 256   %8.1f ns\n", NsPerStep(*m1, decode256, n));
  std::printf("  llama-3-8b  h100 tp1 mixed 200 + chunk  %8.1f ns\n", NsPerStep(*m1, mixed, n));
  std::printf("  llama-3-8b  h100 tp1 prefill 4096       %8.1f ns\n", NsPerStep(*m1, prefill, n));
  std::printf("  llama-3-70b h100 tp4 decode batch 256   %8.1f ns\n",
              NsPerStep(*m70, decode256, n));
  // Building the shape itself, per request, as the engine would without incremental sums.
  volatile int64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < n / 100; ++r) {
    BatchShape b;
    for (int i = 0; i < 256; ++i) b.Add(1, 500 + i, true);
    sink = sink + b.new_tokens;
  }
  const auto end = std::chrono::steady_clock::now();
  std::printf("  building a 256-request BatchShape       %8.1f ns\n",
              std::chrono::duration<double, std::nano>(end - start).count() / (n / 100));
  // The profiled cost model: the RTX PRO 6000 bundle of Llama-3.1-8B ($SERVESIM_DATA or
  // ../shared/data), when present.
  const char* env = std::getenv("SERVESIM_DATA");
  const std::string data = env && *env ? env : std::string(SERVESIM_SOURCE_DIR) + "/../shared/data";
  const std::string bundle =
      data + "/measured/llmservingsim_profiles/RTXPRO6000/meta-llama/Llama-3.1-8B/bf16";
  if (std::filesystem::exists(bundle + "/meta.yaml")) {
    const ModelSpec& l31 = ModelPresetOrThrow("llama-3.1-8b", "bench");
    CostModelOptions prof;
    prof.profile = LoadProfileFor(bundle, l31, 1, "bench");
    const auto mp = MakeProfiledCostModel(l31, DevicePresetOrThrow("rtx-pro-6000", "bench"), prof);
    std::printf("  llama-3.1-8b profiled tp1 decode 256    %8.1f ns\n",
                NsPerStep(*mp, decode256, n));
    std::printf("  llama-3.1-8b profiled tp1 mixed 200+chunk %6.1f ns\n", NsPerStep(*mp, mixed, n));
  } else {
    std::printf("  (profiled: no bundle under %s)\n", data.c_str());
  }
  const double decode_ns = NsPerStep(*m1, decode256, n);
  std::printf("steps priced per second (decode 256): %.3g\n", 1e9 / decode_ns);
  return 0;
}
