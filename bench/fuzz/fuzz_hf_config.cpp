// libFuzzer target: the Hugging Face config.json importer (models/hf_config.h) on arbitrary bytes.
//
// The input is the config text. InputError is the expected outcome for junk; any other exception,
// a crash, a hang or a sanitizer report is a finding. A config that imports has passed
// ValidateModelSpec, whose limits promise that the arithmetic on it stays far from overflow, so the
// target also counts its parameters, weight and KV bytes and builds the operators of a small
// mixed prefill + decode step at tp 1 (UBSan reports any signed overflow there).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/fuzz/fuzz_common.h"
#include "models/arithmetic.h"
#include "models/hf_config.h"
#include "models/input_error.h"
#include "models/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace servesim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ModelSpec spec;
  try {
    spec = ModelSpecFromHfConfigText(text, "fuzz/config.json");
  } catch (const InputError& e) {
    fuzz::ExpectedError(e);
    return 0;
  }
  const ParamCount params = CountParams(spec);
  if (params.Total() <= 0 || params.active <= 0 || params.active > params.Total()) {
    fuzz::Violation("parameter count " + std::to_string(params.Total()) + ", active " +
                    std::to_string(params.active));
  }
  const double weight_bytes = WeightBytes(spec);
  const double kv_bytes = KvBytesPerToken(spec);
  if (!(weight_bytes > 0) || !std::isfinite(weight_bytes) || !(kv_bytes > 0) ||
      !std::isfinite(kv_bytes)) {
    fuzz::Violation("weight bytes " + std::to_string(weight_bytes) + ", KV bytes per token " +
                    std::to_string(kv_bytes));
  }
  BatchShape batch;
  batch.Add(std::min<int64_t>(spec.max_context, 64), 0, true);  // a prefill
  batch.Add(1, spec.max_context - 1, true);                     // a decode at full context
  std::vector<OpWork> ops;
  BuildStepOps(spec, batch, StepOptions{}, ops);
  for (const OpWork& op : ops) {
    if (!(op.flops >= 0) || !(op.Bytes() >= 0) || !std::isfinite(op.flops) ||
        !std::isfinite(op.Bytes())) {
      fuzz::Violation("operator " + std::string(OpName(op.id)) + " has flops " +
                      std::to_string(op.flops) + ", bytes " + std::to_string(op.Bytes()));
    }
  }
  return 0;
}
