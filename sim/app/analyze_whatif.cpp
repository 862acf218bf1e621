#include "sim/app/analyze_whatif.h"

#include <algorithm>

#include "models/input_error.h"

namespace servesim {

AnalyzeRequest RequestFromScenario(const Scenario& s, const AnalyzeRequest& step) {
  AnalyzeRequest r = step;
  r.model = s.engine.model;
  r.device = s.engine.device;
  r.use_offload_plan = true;
  r.offload = s.engine.offload;
  r.cost = s.engine.cost;  // the scenario's engine settings win over the flags' defaults
  r.runtime_name = s.runtime_name;
  r.memory.tp = r.cost.tp;
  r.pp = s.engine.pp;
  r.memory.pp = r.pp;
  r.memory.memory_utilization = s.memory.usable_bytes / s.memory.device_bytes;
  r.memory.block_size_tokens = s.engine.kv.block_size;
  r.kv_blocks_override = s.kv_blocks_override;
  return r;
}

namespace {

// The scenario with one more override, as a request; nullopt when the change is invalid there.
std::optional<AnalyzeRequest> Reloaded(const Scenario& s, std::vector<std::string> overrides,
                                       const std::string& change, const AnalyzeRequest& step) {
  overrides.push_back(change);
  try {
    const AnalyzeRequest r = RequestFromScenario(LoadScenario(s.path, overrides), step);
    ValidateAnalyzeRequest(r);
    return r;
  } catch (const InputError&) {
    return std::nullopt;
  }
}

// Shorter KV reserves, largest first (powers of two below the current one, down to the step's
// sequence length or 128 tokens): the first, and the first that keeps every weight resident (or the last tried).
void KvReserveWhatIfs(const AnalyzeRequest& r, const Scenario& s,
                      const std::vector<std::string>& overrides, std::vector<WhatIf>& out) {
  if (StreamedBytesPerPass(r) <= 0) return;
  const YAML::Node off = s.root["offload"];
  const bool explicit_reserve = off && off.IsMap() && off["kv_reserve_tokens"];
  const std::string key =
      explicit_reserve ? "offload.kv_reserve_tokens" : "scheduler.max_model_len";
  const std::string label = explicit_reserve ? "offload.kv_reserve_tokens " : "max_model_len ";
  int64_t current = s.engine.scheduler.max_model_len;
  if (explicit_reserve) {
    try {
      current = off["kv_reserve_tokens"].as<int64_t>();
    } catch (const YAML::Exception&) {
      return;
    }
  }
  // Reserves under 128 tokens hold no useful request; nor can one be shorter than this step.
  const int64_t floor_tokens = std::max<int64_t>(128, r.context + r.tokens);
  int64_t len = 1;
  while (len * 2 < current) len *= 2;
  std::vector<WhatIf> tried;
  for (; len >= floor_tokens && len < current; len /= 2) {
    const auto changed = Reloaded(s, overrides, key + "=" + std::to_string(len), r);
    if (!changed) continue;
    WhatIf w = PriceWhatIf(label + std::to_string(len), *changed);
    const bool resident = w.streamed_bytes_per_pass <= 0;
    if (tried.empty() || resident) out.push_back(w);
    tried.push_back(w);
    if (resident) return;
  }
  if (tried.size() > 1) out.push_back(tried.back());
}

// Narrower weights than the current ones.
void DTypeWhatIfs(const AnalyzeRequest& r, const std::optional<Scenario>& s,
                  const std::vector<std::string>& overrides, std::vector<WhatIf>& out) {
  for (const DType d : {DType::kInt8, DType::kInt4}) {
    if (DTypeBits(d) >= DTypeBits(r.model.weight_dtype)) continue;
    const std::string name(DTypeName(d));
    std::optional<AnalyzeRequest> changed;
    if (s) {
      changed = Reloaded(*s, overrides, "model.weight_dtype=" + name, r);
    } else {
      changed = r;
      changed->model.weight_dtype = d;
    }
    if (changed) out.push_back(PriceWhatIf("weight dtype " + name, *changed));
  }
}

// Twice the batch, and the largest batch whose KV fits.
void BatchWhatIfs(const AnalyzeRequest& r, std::vector<WhatIf>& out) {
  const Analysis a = Analyze(r);
  const int64_t top = std::min(a.max_batch, kMaxCurveBatch);
  AnalyzeRequest changed = r;
  if (r.batch * 2 <= top) {
    changed.batch = r.batch * 2;
    out.push_back(PriceWhatIf("batch " + std::to_string(changed.batch), changed));
  }
  if (top > r.batch * 2) {
    changed.batch = top;
    const std::string why = top == a.max_batch
                                ? " (the largest that fits)"
                                : " (the largest tried; " + std::to_string(a.max_batch) + " fit)";
    out.push_back(PriceWhatIf("batch " + std::to_string(top) + why, changed));
  }
}

// Twice the tensor parallelism, where the model splits and the device has a link.
void TensorParallelWhatIfs(const AnalyzeRequest& r, std::vector<WhatIf>& out) {
  if (!(r.device.interconnect.bandwidth_bytes_per_s > 0)) return;
  AnalyzeRequest changed = r;
  changed.cost.tp = r.cost.tp * 2;
  try {
    out.push_back(PriceWhatIf("tp " + std::to_string(changed.cost.tp), changed));
  } catch (const InputError&) {
  }
}

}  // namespace

std::vector<WhatIf> AnalyzeWhatIfs(const AnalyzeRequest& r, const std::optional<Scenario>& s,
                                   const std::vector<std::string>& overrides) {
  std::vector<WhatIf> out;
  if (s) KvReserveWhatIfs(r, *s, overrides, out);
  DTypeWhatIfs(r, s, overrides, out);
  BatchWhatIfs(r, out);
  if (!s) TensorParallelWhatIfs(r, out);
  return out;
}

}  // namespace servesim
