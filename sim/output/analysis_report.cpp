#include "sim/output/analysis_report.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "models/arithmetic.h"
#include "policies/registry.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

// 1234567 -> "1.23 M"; units of 1000.
std::string Si(double v, const char* unit) {
  const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (v >= 1000.0 && i < 5) {
    v /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3g %s%s", v, prefixes[i], unit);
  return buf;
}

std::string GiB(double bytes) { return Fmt("%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

void WhatIfJson(JsonWriter& j, const AnalyzeRequest& r, const Analysis& a,
                const std::vector<WhatIf>& what_ifs) {
  j.Key("limits").BeginArray();
  for (const std::string& line : DescribeLimits(r, a)) j.String(line);
  j.EndArray();
  j.Key("what_if").BeginArray();
  for (const WhatIf& w : what_ifs) {
    j.BeginObject();
    j.Field("change", w.change).Field("tokens_per_second", w.tokens_per_second);
    j.Field("step_seconds", w.step_seconds).Field("bound", w.bound).Field("fits", w.fits);
    j.Field("streamed_bytes_per_pass", w.streamed_bytes_per_pass);
    j.EndObject();
  }
  j.EndArray();
}

std::string RenderJson(const AnalyzeRequest& r, const Analysis& a,
                       const std::vector<WhatIf>& what_ifs) {
  JsonWriter j;
  j.BeginObject();
  j.Field("model", r.model.name).Field("device", r.device.name).Field("tp", r.cost.tp);
  j.Field("phase", r.phase == StepPhase::kDecode ? "decode" : "prefill");
  j.Field("batch", r.batch).Field("tokens", r.tokens).Field("context", r.context);
  j.Field("ideal", r.cost.ideal).Field("runtime", r.runtime_name);
  j.Field("weight_dtype", DTypeName(r.model.weight_dtype))
      .Field("kv_dtype", DTypeName(r.model.kv_dtype));
  j.Field("params", a.params.Total());
  j.Key("params_by_part").BeginObject();
  j.Field("embedding", a.params.embedding)
      .Field("attention", a.params.attention)
      .Field("ffn", a.params.ffn);
  j.Field("norms", a.params.norms)
      .Field("lm_head", a.params.lm_head)
      .Field("active", a.params.active);
  j.EndObject();
  j.Field("weight_bytes", a.weight_bytes).Field("kv_bytes_per_token", a.kv_bytes_per_token);
  j.Field("step_seconds", a.step.seconds).Field("tokens_per_second", a.tokens_per_second);
  j.Field("device_seconds", a.step.device_s).Field("launch_seconds", a.step.launch_s);
  j.Field("overhead_seconds", a.step.overhead_s);
  if (a.llama_bench_tg128_tokens_per_s > 0) {
    j.Field("llama_bench_pp512_tokens_per_second", a.llama_bench_pp512_tokens_per_s);
    j.Field("llama_bench_tg128_tokens_per_second", a.llama_bench_tg128_tokens_per_s);
  }
  j.Field("flops", a.step.flops)
      .Field("bytes", a.step.bytes)
      .Field("bound", BoundName(a.step.bound));
  if (a.profiled) {
    j.Key("cost_model").BeginObject();
    j.Field("impl", "profiled").Field("profile", r.cost.profile_dir);
    j.Field("format", ProfileFormatName(*r.cost.profile));
    j.Field("outside_seconds", a.step.outside_s);
    j.EndObject();
  }
  if (r.use_offload_plan && FindOffloadPlanner(r.offload.impl).caps.offloads) {
    const OffloadPlan& o = r.offload;
    j.Key("offload").BeginObject();
    j.Field("impl", o.impl)
        .Field("residency", o.residency == Residency::kPinned ? "pinned" : "page_cache");
    j.Field("weight_bytes", o.weight_bytes).Field("resident_bytes", o.resident_bytes);
    j.Field("page_cache_bytes", o.page_cache_bytes).Field("buffer_bytes", o.buffer_bytes);
    j.Key("streamed_per_pass").BeginArray();
    for (size_t t = 0; t < o.tiers.size(); ++t) {
      j.BeginObject();
      j.Field("tier", o.tiers[t].name).Field("bytes", o.streamed_per_pass[t]);
      j.Field("bandwidth_bytes_per_s", o.tiers[t].bandwidth_bytes_per_s);
      j.EndObject();
    }
    j.EndArray();
    j.Field("kv_host_blocks", o.kv_host_blocks);
    j.Field("step_io_seconds", a.step.io_s).Field("step_io_bytes", a.step.io_bytes);
    j.Field("step_stall_seconds", a.step.stall_s);
    j.EndObject();
  }
  j.Key("memory").BeginObject();
  j.Field("device_bytes", a.memory.device_bytes).Field("usable_bytes", a.memory.usable_bytes);
  j.Field("weight_bytes_per_device", a.memory.weight_bytes);
  j.Field("activation_bytes", a.memory.activation_bytes);
  j.Field("non_torch_bytes", a.memory.non_torch_bytes);
  j.Field("cuda_graph_bytes", a.memory.cuda_graph_bytes);
  j.Field("kv_budget_bytes", a.memory.kv_budget_bytes);
  j.Field("kv_bytes_per_token_per_device", a.memory.kv_bytes_per_token);
  j.Field("kv_blocks", a.memory.kv_blocks).Field("kv_token_capacity", a.memory.kv_token_capacity);
  if (r.kv_blocks_override > 0) j.Field("kv_blocks_override", r.kv_blocks_override);
  j.Field("batch_kv_bytes", a.batch_kv_bytes);
  j.Field("fits", a.fits).Field("max_batch", a.max_batch);
  // For completeness: training the same model with AdamW mixed precision at this batch x context.
  j.Field("training_bytes", TrainingMemoryBytes(r.model, r.batch, r.context + r.tokens));
  j.EndObject();
  WhatIfJson(j, r, a, what_ifs);
  j.Field("per_layer", false);
  j.Key("ops").BeginArray();
  for (const OpCost& c : a.ops) {
    const double reps = static_cast<double>(c.work.repeats);
    j.BeginObject();
    j.Field("name", OpName(c.work.id))
        .Field("kind", OpKindName(c.work.kind))
        .Field("repeats", c.work.repeats);
    j.Field("flops", c.work.flops * reps).Field("bytes", c.work.Bytes() * reps);
    j.Field("intensity", c.work.Intensity())
        .Field("bound", BoundName(c.bound))
        .Field("seconds", c.seconds);
    if (a.profiled) j.Field("source", c.measured ? "measured" : "roofline");
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

std::string RenderCsv(const Analysis& a) {
  // A profiled analysis adds whether each operator's time was measured or from the roofline.
  std::string out = "name,kind,repeats,flops,bytes,intensity,bound,seconds";
  out += a.profiled ? ",source\n" : "\n";
  for (const OpCost& c : a.ops) {
    const double reps = static_cast<double>(c.work.repeats);
    out += std::string(OpName(c.work.id)) + "," + std::string(OpKindName(c.work.kind)) + "," +
           std::to_string(c.work.repeats) + "," + FormatNumber(c.work.flops * reps) + "," +
           FormatNumber(c.work.Bytes() * reps) + "," + FormatNumber(c.work.Intensity()) + "," +
           std::string(BoundName(c.bound)) + "," + FormatNumber(c.seconds);
    if (a.profiled) out += c.measured ? ",measured" : ",roofline";
    out += "\n";
  }
  out += "total,,," + FormatNumber(a.step.flops) + "," + FormatNumber(a.step.bytes) + ",," +
         std::string(BoundName(a.step.bound)) + "," + FormatNumber(a.step.seconds) +
         (a.profiled ? ",\n" : "\n");
  return out;
}

std::string Gb(double bytes) { return Fmt("%.3f GB", bytes / 1e9); }

template <typename... Args>
std::string Printf(const char* format, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

std::string RenderOffloadText(const OffloadPlan& o, const StepCost& step) {
  std::string out = "offload (" + o.impl + ", " +
                    (o.residency == Residency::kPinned ? "pinned" : "page_cache") + "):\n";
  out += "  weights " + Gb(o.weight_bytes) + " per device: " + Gb(o.resident_bytes) + " pinned";
  if (o.page_cache_bytes > 0) out += ", page cache " + Gb(o.page_cache_bytes);
  out += ", streaming buffers " + Gb(o.buffer_bytes) + "\n";
  double floor_s = 0;
  for (size_t t = 0; t < o.tiers.size(); ++t) {
    if (o.streamed_per_pass[t] <= 0) continue;
    const double s = o.streamed_per_pass[t] / o.tiers[t].bandwidth_bytes_per_s;
    floor_s += s;
    out += Printf("  streams %s per pass from %s at %.3g GB/s: %.4f s\n",
                  Gb(o.streamed_per_pass[t]).c_str(), o.tiers[t].name.c_str(),
                  o.tiers[t].bandwidth_bytes_per_s / 1e9, s);
  }
  if (o.kv_host_blocks > 0) {
    out += Printf("  KV: %lld more blocks in %s (moved over the link when attended)\n",
                  static_cast<long long>(o.kv_host_blocks),
                  o.tiers[static_cast<size_t>(o.kv_tier)].name.c_str());
  }
  if (floor_s > 0) {
    out += Printf(
        "  I/O floor %.4f s per pass = %.3f passes/s; this step: transfers %.4f s (%s), "
        "compute waited %.4f s\n",
        floor_s, 1.0 / floor_s, step.io_s, Gb(step.io_bytes).c_str(), step.stall_s);
  }
  for (const std::string& n : o.notes) out += "  " + n + "\n";
  // Units as runs of equal placement: "layers 12-39: 0.00 + 0.18 GB each".
  out += "  placement (resident + streamed per unit):\n";
  auto streamed_of = [](const WeightUnit& u) {
    double b = 0;
    for (double x : u.streamed) b += x;
    return b;
  };
  for (size_t i = 0; i < o.units.size();) {
    size_t j = i + 1;
    const bool layer = o.units[i].name.rfind("layer ", 0) == 0;
    while (layer && j < o.units.size() && o.units[j].name.rfind("layer ", 0) == 0 &&
           std::fabs(o.units[j].resident_bytes - o.units[i].resident_bytes) < 1 &&
           std::fabs(streamed_of(o.units[j]) - streamed_of(o.units[i])) < 1)
      ++j;
    const std::string name =
        j - i > 1 ? "layers " + o.units[i].name.substr(6) + "-" + o.units[j - 1].name.substr(6)
                  : o.units[i].name;
    out += Printf("    %-16s %.3f + %.3f GB%s\n", name.c_str(), o.units[i].resident_bytes / 1e9,
                  streamed_of(o.units[i]) / 1e9, j - i > 1 ? " each" : "");
    i = j;
  }
  return out;
}

std::string RenderText(const AnalyzeRequest& r, const Analysis& a) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line),
                "%s on %s x%d, %s: batch %lld, %lld new token(s) over %lld cached%s\n",
                r.model.name.c_str(), r.device.name.c_str(), r.cost.tp,
                r.phase == StepPhase::kDecode ? "decode" : "prefill",
                static_cast<long long>(r.batch), static_cast<long long>(r.tokens),
                static_cast<long long>(r.context), r.cost.ideal ? " (ideal roofline)" : "");
  out += line;
  if (a.profiled) {
    std::snprintf(
        line, sizeof(line),
        "cost model: profiled (%s tables at %s); %.1f%% of kernel time from the roofline\n",
        std::string(ProfileFormatName(*r.cost.profile)).c_str(), r.cost.profile_dir.c_str(),
        a.step.device_s > 0 ? 100.0 * a.step.outside_s / a.step.device_s : 0.0);
    out += line;
  }
  std::snprintf(line, sizeof(line), "%-14s %7s %12s %12s %10s %-9s %12s %6s%s\n", "operator", "x",
                "FLOPs", "bytes", "FLOP/B", "bound", "time", "share", a.profiled ? "  source" : "");
  out += line;
  for (const OpCost& c : a.ops) {
    const double reps = static_cast<double>(c.work.repeats);
    std::snprintf(line, sizeof(line), "%-14s %7lld %12s %12s %10.2f %-9s %12s %5.1f%%%s\n",
                  std::string(OpName(c.work.id)).c_str(), static_cast<long long>(c.work.repeats),
                  Si(c.work.flops * reps, "").c_str(), Si(c.work.Bytes() * reps, "B").c_str(),
                  c.work.Intensity(), std::string(BoundName(c.bound)).c_str(),
                  Fmt("%.4f ms", c.seconds * 1e3).c_str(),
                  a.step.device_s > 0 ? 100.0 * c.seconds / a.step.device_s : 0.0,
                  !a.profiled  ? ""
                  : c.measured ? "  measured"
                               : "  roofline");
    out += line;
  }
  std::snprintf(
      line, sizeof(line),
      "step: %.4f ms (kernels %.4f ms, launch %.4f ms, engine overhead %.4f ms), %s-bound\n",
      a.step.seconds * 1e3, a.step.device_s * 1e3, a.step.launch_s * 1e3, a.step.overhead_s * 1e3,
      std::string(BoundName(a.step.bound)).c_str());
  out += line;
  std::snprintf(line, sizeof(line),
                "throughput: %.1f tokens/s (%s), %.3g FLOP, %s moved per device\n",
                a.tokens_per_second, r.phase == StepPhase::kDecode ? "generated" : "prefilled",
                a.step.flops, Si(a.step.bytes, "B").c_str());
  out += line;
  if (a.llama_bench_tg128_tokens_per_s > 0) {
    std::snprintf(line, sizeof(line),
                  "llama-bench estimate (batch 1): pp512 %.1f tokens/s, tg128 %.1f tokens/s\n",
                  a.llama_bench_pp512_tokens_per_s, a.llama_bench_tg128_tokens_per_s);
    out += line;
  }
  const double peak = r.device.PeakFlopsFor(r.model.activation_dtype);
  std::snprintf(line, sizeof(line), "device ridge point: %.1f FLOP/B; step intensity %.2f FLOP/B\n",
                peak / r.device.memory.bandwidth_bytes_per_s,
                a.step.bytes > 0 ? a.step.flops / a.step.bytes : 0.0);
  out += line;
  out += "memory (per device):\n";
  std::snprintf(line, sizeof(line), "  params %s (%s weights in total, %s per device)\n",
                Si(static_cast<double>(a.params.Total()), "").c_str(), GiB(a.weight_bytes).c_str(),
                GiB(a.memory.weight_bytes).c_str());
  out += line;
  std::snprintf(line, sizeof(line), "  KV cache %s per token (model), %s per token per device\n",
                Si(a.kv_bytes_per_token, "B").c_str(),
                Si(a.memory.kv_bytes_per_token, "B").c_str());
  out += line;
  std::snprintf(line, sizeof(line),
                "  device %s x %.2f = %s usable; activations %s; non-torch %s; KV budget %s = "
                "%lld blocks of %lld tokens\n",
                GiB(a.memory.device_bytes).c_str(), r.memory.memory_utilization,
                GiB(a.memory.usable_bytes).c_str(), GiB(a.memory.activation_bytes).c_str(),
                GiB(a.memory.reserve_bytes).c_str(), GiB(a.memory.kv_budget_bytes).c_str(),
                static_cast<long long>(a.memory.kv_blocks),
                static_cast<long long>(r.memory.block_size_tokens));
  out += line;
  if (r.kv_blocks_override > 0) {
    std::snprintf(
        line, sizeof(line), "  hardware.kv_blocks: %lld blocks used instead of the %lld computed\n",
        static_cast<long long>(r.kv_blocks_override), static_cast<long long>(a.memory.kv_blocks));
    out += line;
  }
  std::snprintf(line, sizeof(line),
                "  this batch needs %s of KV: %s; largest batch at this context: %lld\n",
                GiB(a.batch_kv_bytes).c_str(), a.fits ? "fits" : "does NOT fit",
                static_cast<long long>(a.max_batch));
  out += line;
  std::snprintf(line, sizeof(line),
                "  (training it with AdamW at this batch x length would need %s in total)\n",
                GiB(TrainingMemoryBytes(r.model, r.batch, r.context + r.tokens)).c_str());
  out += line;
  if (r.use_offload_plan && FindOffloadPlanner(r.offload.impl).caps.offloads)
    out += RenderOffloadText(r.offload, a.step);
  return out;
}

std::string RenderLimitsText(const AnalyzeRequest& r, const Analysis& a,
                             const std::vector<WhatIf>& what_ifs) {
  std::string out = "limits:\n";
  for (const std::string& line : DescribeLimits(r, a)) out += "  " + line + "\n";
  if (what_ifs.empty()) return out;
  out += Printf("what would change it (re-analyzed; now %.1f tokens/s):\n", a.tokens_per_second);
  for (const WhatIf& w : what_ifs) {
    std::string note = w.bound + "-bound";
    if (StreamedBytesPerPass(r) > 0)
      note += w.streamed_bytes_per_pass > 0
                  ? ", streams " + Gb(w.streamed_bytes_per_pass) + " per pass"
                  : ", weights fully resident";
    if (!w.fits) note += ", does NOT fit";
    out += Printf("  %-36s -> %8.1f tokens/s (%s)\n", w.change.c_str(), w.tokens_per_second,
                  note.c_str());
  }
  return out;
}

}  // namespace

std::string RenderAnalysis(const AnalyzeRequest& request, OutputFormat format,
                           const std::vector<WhatIf>& what_ifs) {
  const Analysis a = Analyze(request);
  switch (format) {
    case OutputFormat::kJson:
      return RenderJson(request, a, what_ifs);
    case OutputFormat::kCsv:
      return RenderCsv(a);
    case OutputFormat::kText:
      break;
  }
  return RenderText(request, a) + RenderLimitsText(request, a, what_ifs);
}

}  // namespace servesim
