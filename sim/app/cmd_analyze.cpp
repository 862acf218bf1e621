// servesim analyze: one inference step priced operator by operator (roofline), with a memory-fit
// check; as text, JSON, CSV or a roofline page.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/analyze_whatif.h"
#include "sim/app/cli_common.h"
#include "sim/config/scenario.h"
#include "sim/output/analysis_report.h"
#include "sim/output/output_dir.h"
#include "sim/output/report_html.h"

namespace servesim {
namespace {

po::options_description AnalyzeOptions() {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "model", po::value<std::string>(),
      "model preset name, a Hugging Face config.json, or a model YAML file")(
      "device", po::value<std::string>(), "device preset name (servesim list devices)")(
      "tp", po::value<int>()->default_value(1), "tensor-parallel degree")(
      "dtype", po::value<std::string>(),
      "weights, activations and KV cache dtype: fp32|bf16|fp16|fp8|int8|int4|q4_0|q8_0 (integer "
      "and llama.cpp formats quantize the weights only)")("weight-dtype", po::value<std::string>(),
                                                          "weight dtype (overrides --dtype)")(
      "kv-dtype", po::value<std::string>(), "KV-cache dtype (overrides --dtype)")(
      "phase", po::value<std::string>()->default_value("decode"), "prefill | decode")(
      "batch", po::value<int64_t>()->default_value(1), "sequences in the step")(
      "tokens", po::value<int64_t>(),
      "new tokens per sequence (decode: 1; prefill: the prompt chunk)")(
      "context", po::value<int64_t>()->default_value(0), "tokens already cached per sequence")(
      "attention", po::value<std::string>()->default_value("flash"),
      "flash | naive (materialized scores)")(
      "ideal", "pure roofline: datasheet peaks, efficiency 1, no overheads")(
      "runtime", po::value<std::string>(),
      "engine overhead profile: none | cuda-graphs | eager | llama.cpp (servesim list runtimes; "
      "default: the device's, llama.cpp on Apple, phone and Jetson presets, else cuda-graphs)")(
      "memory-utilization", po::value<double>()->default_value(0.9),
      "fraction of device memory for weights + KV")(
      "block-size", po::value<int64_t>()->default_value(16), "KV block size in tokens")(
      "max-num-seqs", po::value<int64_t>()->default_value(256),
      "sequences of the profiling pass's sampler run that sizes the KV cache (vLLM's "
      "max_num_seqs)")("max-num-batched-tokens", po::value<int64_t>()->default_value(8192),
                       "tokens of the profiling forward pass that sizes the KV cache (vLLM's "
                       "max_num_batched_tokens)")(
      "format", po::value<std::string>()->default_value("text"), "text | json | csv")(
      "html", po::value<std::string>(),
      "also write a self-contained roofline page (operators by intensity vs FLOP/s, and the "
      "curves of --curves) to FILE")(
      "curves", po::value<std::string>(),
      "also write decode tokens/s, step time and prefill time against batch (1, 2, 4, ... the "
      "largest that fits) and sequence length (128, 256, ... the model's context) as CSV to FILE")(
      "no-what-if", "skip the what-if lines (each re-runs the analysis with one setting changed)")(
      "scenario", po::value<std::string>(),
      "take model, device, tp, dtypes, cost model, memory plan and offload placement from a "
      "scenario file (with --set overrides); --model and --device are then not needed")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "with --scenario: override a key (a.b.c=value)");
  return desc;
}

// Model, device and offload plan: from --scenario (returned, with its --set overrides), else from
// --model and --device.
std::optional<Scenario> ReadModelAndDevice(const po::variables_map& vm, AnalyzeRequest& r) {
  std::optional<Scenario> scenario;
  if (vm.count("scenario")) {
    for (const char* flag : {"model", "device", "dtype", "weight-dtype", "kv-dtype", "max-num-seqs",
                             "max-num-batched-tokens"}) {
      if (vm.count(flag) && !vm[flag].defaulted()) {
        throw InputError(std::string("servesim analyze: --") + flag +
                         " conflicts with --scenario (use --set to change the scenario)");
      }
    }
    std::vector<std::string> overrides;
    if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
    scenario.emplace(LoadScenario(vm["scenario"].as<std::string>(), overrides));
    for (const std::string& w : scenario->warnings) CliLog().warn("{}", w);
  } else {
    if (vm.count("set")) throw InputError("servesim analyze: --set needs --scenario");
    if (!vm.count("model"))
      throw InputError("servesim analyze: --model is required (servesim list models)");
    if (!vm.count("device"))
      throw InputError("servesim analyze: --device is required (servesim list devices)");
    r.model = ResolveModel(vm["model"].as<std::string>());
    r.device = DevicePresetOrThrow(vm["device"].as<std::string>(), "--device");
  }
  return scenario;
}

void ApplyDTypeFlags(const po::variables_map& vm, ModelSpec& model) {
  if (vm.count("dtype")) {
    const DType d = ParseDTypeFlag(vm["dtype"].as<std::string>(), "--dtype");
    model.weight_dtype = d;
    // Integer formats quantize weights only; activations stay 16-bit. llama.cpp's block formats
    // leave the KV cache alone too (llama.cpp's default cache is f16).
    if (!IsLlamaCppFormat(d)) model.kv_dtype = d;
    if (!IsQuantizedWeightFormat(d)) model.activation_dtype = d;
  }
  if (vm.count("weight-dtype"))
    model.weight_dtype = ParseDTypeFlag(vm["weight-dtype"].as<std::string>(), "--weight-dtype");
  if (vm.count("kv-dtype"))
    model.kv_dtype = ParseDTypeFlag(vm["kv-dtype"].as<std::string>(), "--kv-dtype");
  if (model.kv_dtype == DType::kInt4 || IsLlamaCppFormat(model.kv_dtype))
    throw InputError("--kv-dtype: " + std::string(DTypeName(model.kv_dtype)) +
                     " KV cache is not modeled; use fp8 or int8");
}

// Phase, batch shape, attention kernel, runtime profile and memory plan.
void ApplyStepFlags(const po::variables_map& vm, AnalyzeRequest& r) {
  const std::string phase = vm["phase"].as<std::string>();
  if (phase != "prefill" && phase != "decode") {
    throw InputError("--phase: expected prefill or decode, found '" + phase + "'");
  }
  r.phase = phase == "decode" ? StepPhase::kDecode : StepPhase::kPrefill;
  r.batch = vm["batch"].as<int64_t>();
  r.context = vm["context"].as<int64_t>();
  if (vm.count("tokens")) {
    r.tokens = vm["tokens"].as<int64_t>();
  } else if (r.phase == StepPhase::kPrefill) {
    throw InputError(
        "servesim analyze: --tokens is required for --phase prefill (the prompt chunk length)");
  }
  r.cost.tp = vm["tp"].as<int>();
  const std::string attention = vm["attention"].as<std::string>();
  if (attention != "flash" && attention != "naive") {
    throw InputError("--attention: expected flash or naive, found '" + attention + "'");
  }
  r.cost.attention = attention == "flash" ? AttentionImpl::kFlash : AttentionImpl::kNaive;
  r.cost.ideal = vm.count("ideal") > 0;
  r.runtime_name = r.cost.ideal          ? "none"
                   : vm.count("runtime") ? vm["runtime"].as<std::string>()
                                         : r.device.default_runtime;
  r.cost.runtime = RuntimeProfileOrThrow(r.runtime_name, "--runtime").overheads;
  r.memory.memory_utilization = vm["memory-utilization"].as<double>();
  r.memory.block_size_tokens = vm["block-size"].as<int64_t>();
  if (r.memory.block_size_tokens < 1 || r.memory.block_size_tokens > 4096) {
    throw InputError("--block-size: expected an integer in [1, 4096], found " +
                     std::to_string(r.memory.block_size_tokens));
  }
  // The profiling pass as vLLM runs it: the forward over the token budget, the sampler over
  // min(max_num_seqs, max_num_batched_tokens) requests.
  const int64_t seqs = vm["max-num-seqs"].as<int64_t>();
  const int64_t tokens = vm["max-num-batched-tokens"].as<int64_t>();
  if (seqs < 1 || seqs > (int64_t{1} << 20)) {
    throw InputError("--max-num-seqs: expected an integer in [1, 1048576], found " +
                     std::to_string(seqs));
  }
  if (tokens < 1 || tokens > (int64_t{1} << 24)) {
    throw InputError("--max-num-batched-tokens: expected an integer in [1, 16777216], found " +
                     std::to_string(tokens));
  }
  r.memory.profile_tokens = tokens;
  r.memory.profile_logit_tokens = std::min(seqs, tokens);
}

OutputFormat ParseFormat(const std::string& format) {
  if (format == "text") return OutputFormat::kText;
  if (format == "json") return OutputFormat::kJson;
  if (format == "csv") return OutputFormat::kCsv;
  throw InputError("--format: expected text, json or csv, found '" + format + "'");
}

}  // namespace

int CmdAnalyze(int argc, char** argv) {
  const po::options_description desc = AnalyzeOptions();
  const auto parsed = ParseOrHelp(
      "analyze", argc, argv, desc,
      "usage: servesim analyze --model M --device D [--tp N] [--dtype T] --phase prefill|decode "
      "--batch B\n"
      "                        [--tokens T] [--context C] [--format text|json|csv] [--ideal]\n\n"
      "Prices one forward step operator by operator. FLOPs, bytes and seconds of each operator "
      "are\n"
      "summed over all layers (per_layer: false in JSON); `repeats` says how many times it "
      "runs.\n"
      "Operator names: embed, norm, qkv_proj, rope, attention (naive: attn_score, attn_softmax,\n"
      "attn_value), o_proj, residual_add, gate_up_proj (up_proj for a plain FFN), act, "
      "down_proj,\n"
      "lm_head, tp_all_reduce. tokens_per_second counts generated tokens for decode and "
      "processed\n"
      "prompt tokens for prefill.");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  AnalyzeRequest r;
  const std::optional<Scenario> scenario = ReadModelAndDevice(vm, r);
  ApplyDTypeFlags(vm, r.model);
  ApplyStepFlags(vm, r);
  if (scenario) r = RequestFromScenario(*scenario, r);
  const OutputFormat f = ParseFormat(vm["format"].as<std::string>());
  for (const char* flag : {"html", "curves"}) {
    if (vm.count(flag) && vm[flag].as<std::string>().empty())
      throw InputError(std::string("--") + flag + ": expected a file name, found ''");
  }
  ValidateAnalyzeRequest(r);
  std::vector<CurvePoint> curves;
  if (vm.count("html") || vm.count("curves")) curves = AnalyzeCurves(r);
  if (vm.count("curves")) {
    WriteFileAtomically(vm["curves"].as<std::string>(), RenderCurvesCsv(curves), "--curves");
  }
  if (vm.count("html")) {
    std::string page = RenderRooflineHtml(r);
    const size_t body_end = page.rfind("</body>");
    page.insert(body_end == std::string::npos ? page.size() : body_end, RenderCurvesHtml(curves));
    WriteFileAtomically(vm["html"].as<std::string>(), page, "--html");
  }
  std::vector<WhatIf> what_ifs;
  if (!vm.count("no-what-if") && f != OutputFormat::kCsv) {
    std::vector<std::string> overrides;
    if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
    what_ifs = AnalyzeWhatIfs(r, scenario, overrides);
  }
  std::cout << RenderAnalysis(r, f, what_ifs);
  return 0;
}

}  // namespace servesim
