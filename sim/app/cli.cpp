#include "sim/app/cli.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/calibration.h"
#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/hf_config.h"
#include "models/input_error.h"
#include "models/model_yaml.h"
#include "models/presets.h"
#include "policies/registry.h"
#include "sim/app/capacity.h"
#include "sim/app/sweep.h"
#include "sim/config/scenario.h"
#include "sim/output/analysis_report.h"
#include "sim/output/csv_writers.h"
#include "sim/output/json_writer.h"
#include "sim/output/report_html.h"
#include "sim/output/summary_json.h"
#include "sim/output/trace_json.h"

namespace servesim {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage = R"(usage: servesim <command> [options]

commands:
  run         simulate a scenario: servesim run SCENARIO.yaml [--set key=value ...] [--out DIR]
  validate    check a scenario file without running it
  sweep       run the grid of --vary values on all cores: servesim sweep FILE --vary k=v1,v2
  merge       combine sweep shards into one sweep.csv: servesim merge DIR1 DIR2 ... --out DIR
  capacity    highest request rate meeting SLOs: servesim capacity FILE --slo p99_ttft_ms=500,...
  analyze     per-operator roofline analysis of one inference step, with a memory-fit check
  list        print the catalogs: servesim list models|devices|runtimes|policies
  calibrate   fit a device's cost-model efficiencies to measured kernel timings
  version     print the version

servesim <command> --help describes each command's options.
)";

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --model accepts a preset name, a Hugging Face config.json (file or directory), or a YAML file
// holding a `model:`-style mapping.
ModelSpec ResolveModel(const std::string& value) {
  if (EndsWith(value, ".json")) return ModelSpecFromHfConfigFile(value);
  if (EndsWith(value, ".yaml") || EndsWith(value, ".yml")) {
    YAML::Node node;
    CheckInputFileSize(value, 16u << 20, "model YAML file");
    try {
      node = YAML::LoadFile(value);
    } catch (const YAML::BadFile&) {
      throw InputError("--model: cannot open '" + value + "'");
    } catch (const YAML::Exception& e) {
      throw InputError(value + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
    }
    const auto slash = value.find_last_of('/');
    return ModelSpecFromYaml(node, value, slash == std::string::npos ? "" : value.substr(0, slash));
  }
  return ModelPresetOrThrow(value, "--model");
}

DType ParseDTypeFlag(const std::string& value, const std::string& flag) {
  const auto d = ParseDType(value);
  if (!d) {
    throw InputError(flag + ": unknown dtype '" + value + "'; expected one of " + DTypeChoices());
  }
  return *d;
}

// Parses argv for one subcommand; unknown options and stray positionals are errors.
po::variables_map Parse(const std::string& command, int argc, char** argv,
                        const po::options_description& desc,
                        const po::positional_options_description* positional = nullptr) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(argc, argv).options(desc);
    po::positional_options_description none;
    parser.positional(positional ? *positional : none);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError("servesim " + command + ": " + e.what() + " (see servesim " + command +
                     " --help)");
  }
  return vm;
}

void PrintHelp(const std::string& synopsis, const po::options_description& desc) {
  std::cout << synopsis << "\n\n" << desc << "\n";
}

int CmdVersion() {
  std::printf("servesim %s\n", SERVESIM_VERSION);
  return 0;
}

int CmdList(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "format", po::value<std::string>()->default_value("text"), "text | json")(
      "what", po::value<std::string>(), "models | devices | runtimes | policies | tiers");
  po::positional_options_description pos;
  pos.add("what", 1);
  const auto vm = Parse("list", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp("usage: servesim list models|devices|runtimes|policies|tiers [--format text|json]",
              desc);
    return 0;
  }
  if (!vm.count("what"))
    throw InputError("servesim list: expected what to list: models, devices, runtimes or policies");
  const std::string what = vm["what"].as<std::string>();
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    throw InputError("--format: expected text or json, found '" + format + "'");
  }
  const bool json = format == "json";
  JsonWriter j;
  if (what == "models") {
    if (json)
      j.BeginArray();
    else
      std::printf("%-18s %16s %6s %7s %6s %4s %7s %8s  %s\n", "name", "params", "layers", "hidden",
                  "heads", "kv", "ffn", "context", "source");
    for (const auto& p : ModelPresets()) {
      const ModelSpec& s = p.spec;
      const int64_t params = CountParams(s).Total();
      if (json) {
        j.BeginObject().Field("name", s.name).Field("params", params).Field("layers", s.num_layers);
        j.Field("hidden_size", s.hidden_size)
            .Field("num_heads", s.num_heads)
            .Field("num_kv_heads", s.num_kv_heads);
        j.Field("intermediate_size", s.intermediate_size).Field("vocab_size", s.vocab_size);
        j.Field("max_context", s.max_context).Field("kv_bytes_per_token", KvBytesPerToken(s));
        j.Field("source", p.source).EndObject();
      } else {
        std::printf("%-18s %16lld %6lld %7lld %6lld %4lld %7lld %8lld  %s\n", s.name.c_str(),
                    static_cast<long long>(params), static_cast<long long>(s.num_layers),
                    static_cast<long long>(s.hidden_size), static_cast<long long>(s.num_heads),
                    static_cast<long long>(s.num_kv_heads),
                    static_cast<long long>(s.intermediate_size),
                    static_cast<long long>(s.max_context), p.source.c_str());
      }
    }
    if (json) std::cout << j.EndArray().str() << "\n";
  } else if (what == "devices") {
    if (json)
      j.BeginArray();
    else
      std::printf("%-24s %10s %9s %9s %10s  %s\n", "name", "bf16 TF/s", "mem GB", "TB/s",
                  "link GB/s", "description");
    for (const auto& p : DevicePresets()) {
      const DeviceSpec& d = p.spec;
      if (json) {
        j.BeginObject().Field("name", d.name).Field("description", d.description);
        j.Field("bf16_flops_per_s", d.peak.bf16).Field("fp8_flops_per_s", d.peak.fp8);
        j.Field("memory_bytes", d.memory.capacity_bytes)
            .Field("memory_bytes_per_s", d.memory.bandwidth_bytes_per_s);
        j.Field("link_bytes_per_s", d.interconnect.bandwidth_bytes_per_s)
            .Field("source", d.source)
            .EndObject();
      } else {
        std::printf("%-24s %10.1f %9.1f %9.3f %10.1f  %s\n", d.name.c_str(), d.peak.bf16 / 1e12,
                    d.memory.capacity_bytes / 1e9, d.memory.bandwidth_bytes_per_s / 1e12,
                    d.interconnect.bandwidth_bytes_per_s / 1e9, d.description.c_str());
      }
    }
    if (json) std::cout << j.EndArray().str() << "\n";
  } else if (what == "runtimes") {
    for (const auto& r : RuntimeProfiles()) {
      std::printf("%-12s step %.2f ms + %.1f us/seq, launch %.1f us/kernel%s  %s\n", r.name,
                  r.overheads.step_s * 1e3, r.overheads.step_per_seq_s * 1e6,
                  r.overheads.kernel_launch_s * 1e6,
                  r.overheads.cuda_graphs ? " (graphs for decode)" : "", r.description);
    }
  } else if (what == "tiers") {
    // Offload tier presets for hardware.offload_tiers ({preset: NAME, ...overrides}).
    for (const MemoryTier& t : TierPresets()) {
      std::printf("%-12s %8.2f GB/s  latency %6.1f us  capacity %g GB\n", t.name.c_str(),
                  t.bandwidth_bytes_per_s / 1e9, t.latency_s * 1e6, t.capacity_bytes / 1e9);
    }
  } else if (what == "policies") {
    // The registry table: every `impl:` name a scenario slot accepts.
    if (json) j.BeginArray();
    for (const ImplEntry& e : Implementations()) {
      if (json) {
        j.BeginObject().Field("slot", e.slot).Field("impl", e.name);
        j.Field("description", e.description).EndObject();
      } else {
        std::printf("%-12s %-15s %s\n", e.slot, e.name, e.description);
      }
    }
    if (json) std::cout << j.EndArray().str() << "\n";
  } else {
    throw InputError("servesim list: unknown catalog '" + what + "'" +
                     DidYouMean(what, {"models", "devices", "runtimes", "policies", "tiers"}) +
                     "; expected models, devices, runtimes, policies or tiers");
  }
  return 0;
}

int CmdAnalyze(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "model", po::value<std::string>(),
      "model preset name, a Hugging Face config.json, or a model YAML file")(
      "device", po::value<std::string>(), "device preset name (servesim list devices)")(
      "tp", po::value<int>()->default_value(1), "tensor-parallel degree")(
      "dtype", po::value<std::string>(),
      "weights, activations and KV cache dtype: fp32|bf16|fp16|fp8|int8|int4")(
      "weight-dtype", po::value<std::string>(), "weight dtype (overrides --dtype)")(
      "kv-dtype", po::value<std::string>(), "KV-cache dtype (overrides --dtype)")(
      "phase", po::value<std::string>()->default_value("decode"), "prefill | decode")(
      "batch", po::value<int64_t>()->default_value(1), "sequences in the step")(
      "tokens", po::value<int64_t>(),
      "new tokens per sequence (decode: 1; prefill: the prompt chunk)")(
      "context", po::value<int64_t>()->default_value(0), "tokens already cached per sequence")(
      "attention", po::value<std::string>()->default_value("flash"),
      "flash | naive (materialized scores)")(
      "ideal", "pure roofline: datasheet peaks, efficiency 1, no overheads")(
      "runtime", po::value<std::string>()->default_value("cuda-graphs"),
      "engine overhead profile: none | cuda-graphs | eager (servesim list runtimes)")(
      "memory-utilization", po::value<double>()->default_value(0.9),
      "fraction of device memory for weights + KV")(
      "block-size", po::value<int64_t>()->default_value(16), "KV block size in tokens")(
      "format", po::value<std::string>()->default_value("text"), "text | json | csv")(
      "html", po::value<std::string>(),
      "also write a self-contained roofline page (operators by intensity vs FLOP/s) to FILE")(
      "scenario", po::value<std::string>(),
      "take model, device, tp, dtypes, cost model, memory plan and offload placement from a "
      "scenario file (with --set overrides); --model and --device are then not needed")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "with --scenario: override a key (a.b.c=value)");
  const auto vm = Parse("analyze", argc, argv, desc);
  if (vm.count("help")) {
    PrintHelp(
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
        "prompt tokens for prefill.",
        desc);
    return 0;
  }
  AnalyzeRequest r;
  std::optional<Scenario> scenario;
  if (vm.count("scenario")) {
    for (const char* flag : {"model", "device", "dtype", "weight-dtype", "kv-dtype"}) {
      if (vm.count(flag)) {
        throw InputError(std::string("servesim analyze: --") + flag +
                         " conflicts with --scenario (use --set to change the scenario)");
      }
    }
    std::vector<std::string> overrides;
    if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
    scenario.emplace(LoadScenario(vm["scenario"].as<std::string>(), overrides));
    r.model = scenario->engine.model;
    r.device = scenario->engine.device;
    r.use_offload_plan = true;
    r.offload = scenario->engine.offload;
  } else {
    if (vm.count("set")) throw InputError("servesim analyze: --set needs --scenario");
    if (!vm.count("model"))
      throw InputError("servesim analyze: --model is required (servesim list models)");
    if (!vm.count("device"))
      throw InputError("servesim analyze: --device is required (servesim list devices)");
    r.model = ResolveModel(vm["model"].as<std::string>());
    r.device = DevicePresetOrThrow(vm["device"].as<std::string>(), "--device");
  }
  if (vm.count("dtype")) {
    const DType d = ParseDTypeFlag(vm["dtype"].as<std::string>(), "--dtype");
    r.model.weight_dtype = r.model.kv_dtype = d;
    // Integer formats quantize weights only; activations stay 16-bit.
    r.model.activation_dtype =
        (d == DType::kInt4 || d == DType::kInt8) ? r.model.activation_dtype : d;
  }
  if (vm.count("weight-dtype"))
    r.model.weight_dtype = ParseDTypeFlag(vm["weight-dtype"].as<std::string>(), "--weight-dtype");
  if (vm.count("kv-dtype"))
    r.model.kv_dtype = ParseDTypeFlag(vm["kv-dtype"].as<std::string>(), "--kv-dtype");
  if (r.model.kv_dtype == DType::kInt4)
    throw InputError("--kv-dtype: int4 KV cache is not modeled; use fp8 or int8");
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
  r.runtime_name = r.cost.ideal ? "none" : vm["runtime"].as<std::string>();
  r.cost.runtime = RuntimeProfileOrThrow(r.runtime_name, "--runtime").overheads;
  r.memory.memory_utilization = vm["memory-utilization"].as<double>();
  r.memory.block_size_tokens = vm["block-size"].as<int64_t>();
  if (r.memory.block_size_tokens < 1 || r.memory.block_size_tokens > 4096) {
    throw InputError("--block-size: expected an integer in [1, 4096], found " +
                     std::to_string(r.memory.block_size_tokens));
  }
  if (scenario) {  // the scenario's engine settings win over the flags' defaults
    r.cost = scenario->engine.cost;
    r.runtime_name = scenario->runtime_name;
    r.memory.tp = r.cost.tp;
    r.memory.memory_utilization = scenario->memory.usable_bytes / scenario->memory.device_bytes;
    r.memory.block_size_tokens = scenario->engine.kv.block_size;
  }
  const std::string format = vm["format"].as<std::string>();
  OutputFormat f;
  if (format == "text")
    f = OutputFormat::kText;
  else if (format == "json")
    f = OutputFormat::kJson;
  else if (format == "csv")
    f = OutputFormat::kCsv;
  else
    throw InputError("--format: expected text, json or csv, found '" + format + "'");
  if (vm.count("html")) {
    const std::string path = vm["html"].as<std::string>();
    std::ofstream html(path);
    if (!(html << RenderRooflineHtml(r)) || !html.flush())
      throw InputError("--html " + path + ": cannot write the file");
  }
  std::cout << RenderAnalysis(r, f);
  return 0;
}

void PrintErrors(std::ostream& out, const std::vector<ErrorStats>& stats) {
  out << "| group | n | median abs err | p90 abs err | mean signed err "
         "|\n|---|---:|---:|---:|---:|\n";
  char line[256];
  for (const auto& e : stats) {
    std::snprintf(line, sizeof(line), "| %s | %zu | %.1f %% | %.1f %% | %+.1f %% |\n",
                  e.group.c_str(), e.count, 100 * e.median_abs_rel, 100 * e.p90_abs_rel,
                  100 * e.mean_signed_rel);
    out << line;
  }
}

void PrintTuning(std::ostream& out, const char* name, const KernelTuning& k) {
  char line[256];
  std::snprintf(line, sizeof(line),
                "  %s: {compute_eff: %.3f, memory_eff: %.3f, overhead_us: %.2f}\n", name,
                k.compute_eff, k.memory_eff, k.overhead_s * 1e6);
  out << line;
}

int CmdCalibrate(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("device", po::value<std::string>(),
                                                 "device preset whose efficiencies are fitted")(
      "ops", po::value<std::vector<std::string>>()->multitoken(),
      "per-operator timing CSVs (Vidur *_ops.csv layout)")(
      "attention", po::value<std::vector<std::string>>()->multitoken(),
      "attention timing CSVs (Vidur layout)")("allreduce",
                                              po::value<std::vector<std::string>>()->multitoken(),
                                              "NCCL all-reduce timing CSVs (Vidur layout)")(
      "steps", po::value<std::vector<std::string>>()->multitoken(),
      "whole-step timing CSVs (Splitwise perf_model layout): fits the engine overheads")(
      "steps-hardware", po::value<std::string>()->default_value("a100-80gb"),
      "`hardware` value of the step rows to use")(
      "runtime", po::value<std::string>()->default_value("eager"),
      "engine profile the step fit starts from (its cuda_graphs setting is kept)");
  const auto vm = Parse("calibrate", argc, argv, desc);
  if (vm.count("help")) {
    PrintHelp(
        "usage: servesim calibrate --device D --ops FILE... [--attention FILE...] [--allreduce "
        "FILE...]\n\n"
        "Fits the device's kernel efficiencies and overheads (and its all-reduce bandwidth and "
        "latency)\n"
        "to measured medians, and prints the fitted parameters and the error before/after as "
        "markdown.\n"
        "Copy the fitted values into the device's preset in hardware/presets.cpp.",
        desc);
    return 0;
  }
  if (!vm.count("device")) throw InputError("servesim calibrate: --device is required");
  const DeviceSpec& device = DevicePresetOrThrow(vm["device"].as<std::string>(), "--device");
  std::vector<OpMeasurement> ops;
  std::vector<CollectiveMeasurement> collectives;
  auto files = [&](const char* key) {
    return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
  };
  for (const auto& f : files("ops")) {
    auto rows = ReadVidurOpsCsv(f);
    ops.insert(ops.end(), rows.begin(), rows.end());
  }
  for (const auto& f : files("attention")) {
    auto rows = ReadVidurAttentionCsv(f);
    ops.insert(ops.end(), rows.begin(), rows.end());
  }
  for (const auto& f : files("allreduce")) {
    auto rows = ReadVidurAllReduceCsv(f);
    collectives.insert(collectives.end(), rows.begin(), rows.end());
  }
  std::vector<StepMeasurement> steps;
  for (const auto& f : files("steps")) {
    auto rows = ReadSplitwiseStepsCsv(f, vm["steps-hardware"].as<std::string>());
    steps.insert(steps.end(), rows.begin(), rows.end());
  }
  if (ops.empty() && collectives.empty() && steps.empty()) {
    throw InputError(
        "servesim calibrate: no measurements given (--ops, --attention, --allreduce or --steps)");
  }
  const CalibrationReport rep = Calibrate(device, ops, collectives);
  std::ostringstream out;
  if (!steps.empty()) {
    // Whole steps are fitted with the kernel efficiencies just fitted (or the preset's).
    DeviceSpec fitted = device;
    if (!ops.empty()) fitted.efficiency = rep.efficiency;
    if (!collectives.empty()) fitted.interconnect = rep.interconnect;
    const RuntimeProfile& start =
        RuntimeProfileOrThrow(vm["runtime"].as<std::string>(), "--runtime");
    const RuntimeCalibration rc = CalibrateRuntime(fitted, steps, start.overheads);
    out << "## " << device.name << ": " << steps.size() << " whole-step measurements, runtime '"
        << start.name << "'\n\nBefore (profile as shipped):\n\n";
    PrintErrors(out, rc.before);
    out << "\nAfter the fit:\n\n";
    PrintErrors(out, rc.after);
    char line[256];
    std::snprintf(line, sizeof(line),
                  "\n```yaml\nruntime: {step_ms: %.3f, step_per_seq_us: %.2f, kernel_launch_us: "
                  "%.2f, cuda_graphs: %s}\n```\n\n",
                  rc.overheads.step_s * 1e3, rc.overheads.step_per_seq_s * 1e6,
                  rc.overheads.kernel_launch_s * 1e6, rc.overheads.cuda_graphs ? "true" : "false");
    out << line;
    if (ops.empty() && collectives.empty()) {
      std::cout << out.str();
      return 0;
    }
  }
  out << "## " << device.name << ": " << ops.size() << " kernel and " << collectives.size()
      << " all-reduce measurements\n\nBefore (current preset):\n\n";
  PrintErrors(out, rep.before);
  out << "\nAfter the fit:\n\n";
  PrintErrors(out, rep.after);
  const Efficiency& e = rep.efficiency;
  out << "\nFitted parameters:\n\n```yaml\nefficiency:\n";
  PrintTuning(out, "gemm", e.gemm);
  char line[256];
  std::snprintf(line, sizeof(line), "  gemm_ramp_tokens: %.2f\n  roofline_sharpness: %.3f\n",
                e.gemm_ramp_tokens, e.roofline_sharpness);
  out << line;
  PrintTuning(out, "attention", e.attention);
  std::snprintf(line, sizeof(line),
                "  attention_row_keys: %.1f\n  attention_masked_fraction: %.3f\n",
                e.attention_row_keys, e.attention_masked_fraction);
  out << line;
  PrintTuning(out, "norm", e.norm);
  PrintTuning(out, "rope", e.rope);
  PrintTuning(out, "act", e.act);
  PrintTuning(out, "residual_add", e.residual_add);
  PrintTuning(out, "embed", e.embed);
  std::snprintf(line, sizeof(line),
                "  allreduce_bus_eff: %.3f\ninterconnect_latency_us: %.2f\n```\n",
                e.allreduce_bus_eff, rep.interconnect.latency_s * 1e6);
  out << line;
  std::cout << out.str();
  return 0;
}

std::vector<std::string> Strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

void PrintSummaryTable(const RunSummary& s, const Scenario& sc) {
  auto row = [](const char* name, double mean, double p50, double p99) {
    std::printf("  %-6s mean %10.2f ms   median %10.2f ms   p99 %10.2f ms\n", name, mean * 1e3,
                p50 * 1e3, p99 * 1e3);
  };
  std::printf("%s: %s on %d x %s (tp %d), %lld KV blocks of %lld tokens per replica\n",
              sc.path.c_str(), sc.engine.model.name.c_str(), sc.engine.replicas,
              sc.engine.device.name.c_str(), sc.engine.cost.tp,
              static_cast<long long>(sc.engine.kv.capacity_blocks),
              static_cast<long long>(sc.engine.kv.block_size));
  std::printf(
      "  requests: %lld completed, %lld rejected, %lld in flight at end%s; %lld preemptions\n",
      static_cast<long long>(s.completed), static_cast<long long>(s.rejected),
      static_cast<long long>(s.in_flight_at_end),
      s.truncated ? " (stopped at simulation.max_time_s)" : "",
      static_cast<long long>(s.preemptions));
  const double dur = s.duration_s > 0 ? s.duration_s : 1;
  std::printf("  duration %.2f s; %.3f req/s; %.1f output tok/s; %.1f total tok/s\n", s.duration_s,
              static_cast<double>(s.completed) / dur, static_cast<double>(s.output_tokens) / dur,
              static_cast<double>(s.input_tokens + s.output_tokens) / dur);
  row("TTFT", s.ttft_s.Mean(), s.ttft_s.Quantile(0.5), s.ttft_s.Quantile(0.99));
  row("TPOT", s.tpot_s.Mean(), s.tpot_s.Quantile(0.5), s.tpot_s.Quantile(0.99));
  row("ITL", s.itl_s.Mean(), s.itl_s.Quantile(0.5), s.itl_s.Quantile(0.99));
  row("E2E", s.e2e_s.Mean(), s.e2e_s.Quantile(0.5), s.e2e_s.Quantile(0.99));
  std::printf("  simulated %lld steps in %.3f s wall (%.0f steps/s)\n",
              static_cast<long long>(s.steps), s.wall_s,
              s.wall_s > 0 ? static_cast<double>(s.steps) / s.wall_s : 0.0);
}

int CmdValidate(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                 "scenario YAML file")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a key: --set scheduler.max_num_seqs=128");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  const auto vm = Parse("validate", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp("usage: servesim validate SCENARIO.yaml [--set key=value ...]", desc);
    return 0;
  }
  if (!vm.count("scenario")) throw InputError("servesim validate: expected a scenario file");
  const Scenario sc = LoadScenario(vm["scenario"].as<std::string>(), Strings(vm, "set"));
  for (const auto& w : sc.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  MakeScenarioWorkloads(sc);  // opens traces and checks workload keys
  const long long blocks = static_cast<long long>(sc.engine.kv.capacity_blocks);
  const std::string kv = sc.engine.replicas > 1 ? std::to_string(sc.engine.replicas) +
                                                      " replicas of " + std::to_string(blocks) +
                                                      " KV blocks, routed " + sc.engine.routing.impl
                                                : std::to_string(blocks) + " KV blocks";
  std::printf("%s: ok (%s on %s, tp %d, %s)\n", sc.path.c_str(), sc.engine.model.name.c_str(),
              sc.engine.device.name.c_str(), sc.engine.cost.tp, kv.c_str());
  return 0;
}

int CmdRun(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                 "scenario YAML file")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a key: --set scheduler.max_num_seqs=128")(
      "out", po::value<std::string>()->default_value("results"), "output directory")(
      "compare", po::value<std::vector<std::string>>()->composing(),
      "also run a baseline with this override (SLOT.impl=NAME replaces the whole slot, e.g. "
      "speculative.impl=none) and write DIR/baseline_summary.json and DIR/compare.json")(
      "trace", "also write DIR/trace.json (Chrome trace events: Perfetto, chrome://tracing)")(
      "html", "also write DIR/report.html (self-contained charts of the run)")(
      "quiet,q", "no terminal summary");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  const auto vm = Parse("run", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp(
        "usage: servesim run SCENARIO.yaml [--set key=value ...] [--out DIR]\n\n"
        "Writes DIR/summary.json (vLLM bench names + servesim fields + a sim block), "
        "DIR/requests.csv\n"
        "(one row per request) and DIR/steps.csv (one row per step), and prints a summary.",
        desc);
    return 0;
  }
  if (!vm.count("scenario")) throw InputError("servesim run: expected a scenario file");
  Scenario sc = LoadScenario(vm["scenario"].as<std::string>(), Strings(vm, "set"));
  for (const auto& w : sc.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  // A --compare baseline: the same scenario and seed with the compare overrides on top, loaded
  // (validated) before anything runs.
  std::optional<Scenario> base_sc;
  if (vm.count("compare")) {
    std::vector<std::string> overrides = Strings(vm, "set");
    for (const std::string& c : Strings(vm, "compare")) {
      const auto eq = c.find('=');
      const std::string key = c.substr(0, eq == std::string::npos ? c.size() : eq);
      const std::string suffix = ".impl";
      if (eq != std::string::npos && key.size() > suffix.size() &&
          key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
        overrides.push_back(key.substr(0, key.size() - suffix.size()) +
                            "={impl: " + c.substr(eq + 1) + "}");
      } else {
        overrides.push_back(c);
      }
    }
    base_sc = LoadScenario(vm["scenario"].as<std::string>(), overrides);
  }
  auto sources = MakeScenarioWorkloads(sc);
  const std::filesystem::path dir = vm["out"].as<std::string>();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("--out " + dir.string() + ": cannot create directory: " + ec.message());
  auto open = [&](const char* name) {
    auto f = std::make_unique<std::ofstream>(dir / name);
    if (!*f) throw InputError("--out " + dir.string() + ": cannot write " + name);
    return f;
  };
  // Each output is an observer, installed only when asked for (none: no cost).
  std::vector<EngineObserver*> observers;
  std::unique_ptr<std::ofstream> requests, steps;
  std::unique_ptr<RequestsCsvWriter> requests_writer;
  std::unique_ptr<StepsCsvWriter> steps_writer;
  if (sc.write_requests_csv) {
    requests = open("requests.csv");
    requests_writer = std::make_unique<RequestsCsvWriter>(*requests);
    observers.push_back(requests_writer.get());
  }
  if (sc.write_steps_csv) {
    steps = open("steps.csv");
    steps_writer = std::make_unique<StepsCsvWriter>(*steps);
    observers.push_back(steps_writer.get());
  }
  std::unique_ptr<std::ofstream> trace_file;
  std::unique_ptr<TraceWriter> trace;
  std::unique_ptr<ReportCollector> report;
  if (vm.count("trace") || sc.write_trace_json) {
    trace_file = open("trace.json");
    TraceOptions trace_options;
    trace_options.replicas = sc.engine.replicas;
    trace_options.max_steps = sc.trace_max_steps;
    trace_options.max_requests = sc.trace_requests;
    trace = std::make_unique<TraceWriter>(*trace_file, trace_options);
    observers.push_back(trace.get());
  }
  if (vm.count("html") || sc.write_report_html) {
    ReportOptions report_options;
    report_options.replicas = sc.engine.replicas;
    report = std::make_unique<ReportCollector>(report_options);
    observers.push_back(report.get());
  }
  const bool tty = isatty(STDERR_FILENO) && !vm.count("quiet");
  CallbackObserver progress;
  if (tty) {
    progress.on_progress = [](double sim_s, int64_t completed) {
      std::fprintf(stderr, "\r  simulated %.1f s, %lld requests completed", sim_s,
                   static_cast<long long>(completed));
    };
    observers.push_back(&progress);
  }
  Engine engine(sc.engine, std::move(sources));
  const RunSummary s = engine.Run(observers);
  if (s.stalled) {
    std::fprintf(stderr,
                 "warning: %s: the run stalled with %lld request(s) never scheduled (no rule of "
                 "this scheduler / KV configuration can run them); summary.json has "
                 "\"stalled\": true\n",
                 sc.path.c_str(), static_cast<long long>(s.in_flight_at_end));
  }
  if (tty) std::fprintf(stderr, "\r%60s\r", "");
  auto summary = open("summary.json");
  *summary << SummaryJson(s, sc.engine, sc.wall_clock);
  for (auto* f : {requests.get(), steps.get(), summary.get()}) {
    if (f && !f->flush()) throw InputError("--out " + dir.string() + ": write failed (disk full?)");
  }
  if (trace) {
    trace->Finish();
    if (!trace_file->flush())
      throw InputError("--out " + dir.string() + ": write failed (disk full?)");
  }
  if (report) {
    auto html = open("report.html");
    *html << report->Render("servesim run " + sc.path, ScenarioYamlText(sc.root),
                            SummaryJson(s, sc.engine, sc.wall_clock));
    if (!html->flush()) throw InputError("--out " + dir.string() + ": write failed (disk full?)");
  }
  if (!vm.count("quiet")) PrintSummaryTable(s, sc);
  if (base_sc) {
    Engine base_engine(base_sc->engine, MakeScenarioWorkloads(*base_sc));
    const RunSummary b = base_engine.Run({});
    auto base_summary = open("baseline_summary.json");
    *base_summary << SummaryJson(b, base_sc->engine, base_sc->wall_clock);
    auto ratio = [](double a, double d) { return d > 0 ? a / d : 0.0; };
    const double dur = s.duration_s > 0 ? s.duration_s : 1,
                 bdur = b.duration_s > 0 ? b.duration_s : 1;
    JsonWriter j;
    j.BeginObject();
    j.Key("baseline_overrides").BeginArray();
    for (const std::string& c : Strings(vm, "compare")) j.String(c);
    j.EndArray();
    // Speedups of this run over the baseline: > 1 means this run is faster.
    j.Field("speedup_mean_ttft", ratio(b.ttft_s.Mean(), s.ttft_s.Mean()));
    j.Field("speedup_mean_tpot", ratio(b.tpot_s.Mean(), s.tpot_s.Mean()));
    j.Field("speedup_mean_e2el", ratio(b.e2e_s.Mean(), s.e2e_s.Mean()));
    j.Field("speedup_p99_e2el", ratio(b.e2e_s.Quantile(0.99), s.e2e_s.Quantile(0.99)));
    j.Field("speedup_output_throughput", ratio(static_cast<double>(s.output_tokens) / dur,
                                               static_cast<double>(b.output_tokens) / bdur));
    j.EndObject();
    auto compare = open("compare.json");
    *compare << j.str() << "\n";
    for (auto* f : {base_summary.get(), compare.get()}) {
      if (!f->flush()) throw InputError("--out " + dir.string() + ": write failed (disk full?)");
    }
    if (!vm.count("quiet")) {
      std::printf("  vs baseline (%s): TPOT %.2fx, E2E %.2fx, output throughput %.2fx faster\n",
                  Strings(vm, "compare").front().c_str(), ratio(b.tpot_s.Mean(), s.tpot_s.Mean()),
                  ratio(b.e2e_s.Mean(), s.e2e_s.Mean()),
                  ratio(static_cast<double>(s.output_tokens) / dur,
                        static_cast<double>(b.output_tokens) / bdur));
    }
  }
  return 0;
}

// ---- sweep, merge, capacity: thin wrappers over sim/sweep.h and sim/capacity.h.

int JobsFlag(const po::variables_map& vm) {
  if (!vm.count("jobs")) return 0;
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1) {
    throw InputError("--jobs: expected a positive number of threads, found " +
                     std::to_string(jobs));
  }
  return jobs;
}

int CmdSweep(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                 "scenario YAML file")(
      "vary", po::value<std::vector<std::string>>()->composing(),
      "an axis of the grid: --vary scheduler.max_num_seqs=64,128,256 (repeat for more axes)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a key at every point: --set workload.num_requests=500")(
      "out", po::value<std::string>()->default_value("results"), "output directory")(
      "jobs,j", po::value<int>(), "threads (default: all hardware threads)")(
      "shard", po::value<std::string>(), "run only points p with p % N == i: --shard i/N")(
      "common-seed", "every point runs with the scenario seed instead of a per-point seed");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  const auto vm = Parse("sweep", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp(
        "usage: servesim sweep SCENARIO.yaml --vary KEY=V1,V2,... [--vary ...]\n"
        "                      [--set key=value ...] [--out DIR] [--jobs N] [--shard i/N]\n"
        "                      [--common-seed]\n\n"
        "Runs the Cartesian grid of the --vary values (first --vary varies slowest) and writes\n"
        "DIR/sweep.csv (point, the varied values, summary metrics; byte-identical for any --jobs\n"
        "or sharding) and DIR/sweep_info.json. Each point's seed is SplitMix64(scenario seed XOR\n"
        "FNV-1a-64 of its sorted \"key=value\" strings); with --shard i/N only the points p with\n"
        "p % N == i run, and servesim merge combines the shards' directories.",
        desc);
    return 0;
  }
  if (!vm.count("scenario")) throw InputError("servesim sweep: expected a scenario file");
  SweepOptions o;
  o.scenario_path = vm["scenario"].as<std::string>();
  o.overrides = Strings(vm, "set");
  o.axes = ParseSweepAxes(Strings(vm, "vary"));
  if (vm.count("shard")) o.shard = ParseShard(vm["shard"].as<std::string>());
  o.jobs = JobsFlag(vm);
  o.common_seed = vm.count("common-seed") > 0;
  const SweepResult r = RunSweep(o);
  const std::string dir = vm["out"].as<std::string>();
  WriteSweepOutputs(dir, r.csv, r.info_json);
  std::fprintf(stderr, "sweep: %lld of %lld points in %.3f s wall, %.2f points/s -> %s/sweep.csv\n",
               static_cast<long long>(r.points_run), static_cast<long long>(r.grid_points),
               r.wall_s, r.wall_s > 0 ? static_cast<double>(r.points_run) / r.wall_s : 0.0,
               dir.c_str());
  return 0;
}

int CmdMerge(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "dirs", po::value<std::vector<std::string>>()->composing(), "shard output directories")(
      "out", po::value<std::string>(), "output directory (required)");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  const auto vm = Parse("merge", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp(
        "usage: servesim merge DIR1 DIR2 ... --out DIR\n\n"
        "Combines the sweep.csv of servesim sweep --shard runs into DIR/sweep.csv, identical to\n"
        "the unsharded run's; fails when shards come from different sweeps or a point is missing\n"
        "or duplicated.",
        desc);
    return 0;
  }
  if (!vm.count("out")) throw InputError("servesim merge: --out DIR is required");
  const SweepResult r = MergeSweeps(Strings(vm, "dirs"));
  const std::string dir = vm["out"].as<std::string>();
  WriteSweepOutputs(dir, r.csv, r.info_json);
  std::fprintf(stderr, "merge: %lld points from %zu directories -> %s/sweep.csv\n",
               static_cast<long long>(r.grid_points), Strings(vm, "dirs").size(), dir.c_str());
  return 0;
}

int CmdCapacity(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                 "scenario YAML file")(
      "slo", po::value<std::vector<std::string>>()->composing(),
      "SLOs, all met at the capacity: p99_ttft_ms=500,p99_tpot_ms=50 (statistics "
      "mean|median|p90|p95|p99 of ttft|tpot|itl|e2el|queue, in ms)")(
      "vary", po::value<std::vector<std::string>>()->composing(),
      "one capacity per configuration of the grid: --vary hardware.tp=1,2,4")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a key")(
      "tolerance", po::value<double>()->default_value(0.01),
      "relative width of the final [passing, failing] rate interval")(
      "price-per-device-hour", po::value<double>(),
      "USD per device-hour: adds requests per dollar")(
      "price", po::value<std::vector<std::string>>()->composing(),
      "USD per device-hour by device preset: --price h100-sxm=2.5,a100-80gb=1.5")(
      "out", po::value<std::string>()->default_value("results"), "output directory")(
      "jobs,j", po::value<int>(), "threads over configurations (default: all hardware threads)")(
      "common-seed", "every configuration runs with the scenario seed");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  const auto vm = Parse("capacity", argc, argv, desc, &pos);
  if (vm.count("help")) {
    PrintHelp(
        "usage: servesim capacity SCENARIO.yaml --slo METRIC=MS[,METRIC=MS...] [--vary KEY=V1,V2]\n"
        "                         [--set key=value ...]\n"
        "                         [--price-per-device-hour X | --price DEVICE=X,...]\n\n"
        "Finds the highest request rate meeting every SLO: doubles the workload's rate (synthetic\n"
        "rate_per_s, trace time_scale) until one fails, then bisects to --tolerance. Writes\n"
        "DIR/capacity.csv (one row per configuration: capacity, metrics there, requests per\n"
        "dollar with devices = tp x replicas) and prints a line per configuration.",
        desc);
    return 0;
  }
  if (!vm.count("scenario")) throw InputError("servesim capacity: expected a scenario file");
  if (!vm.count("slo")) {
    throw InputError(
        "servesim capacity: --slo is required (e.g. --slo p99_ttft_ms=500,p99_tpot_ms=50)");
  }
  CapacityOptions o;
  o.grid.scenario_path = vm["scenario"].as<std::string>();
  o.grid.overrides = Strings(vm, "set");
  o.grid.axes = ParseSweepAxes(Strings(vm, "vary"));
  o.grid.jobs = JobsFlag(vm);
  o.grid.common_seed = vm.count("common-seed") > 0;
  for (const std::string& s : Strings(vm, "slo")) {
    for (Slo& slo : ParseSlos(s)) {
      for (const Slo& have : o.slos) {
        if (have.metric == slo.metric) throw InputError("--slo " + slo.metric + ": given twice");
      }
      o.slos.push_back(slo);
    }
  }
  o.tolerance = vm["tolerance"].as<double>();
  if (vm.count("price-per-device-hour"))
    o.price_per_device_hour = vm["price-per-device-hour"].as<double>();
  o.device_prices = ParseDevicePrices(Strings(vm, "price"));
  const CapacityResult r = RunCapacity(o);
  const std::filesystem::path dir = vm["out"].as<std::string>();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("--out " + dir.string() + ": cannot create directory: " + ec.message());
  std::ofstream f(dir / "capacity.csv", std::ios::binary);
  if (!f || !(f << r.csv) || !f.flush()) {
    throw InputError("--out " + dir.string() + ": cannot write capacity.csv");
  }
  for (const CapacityRow& row : r.rows) {
    std::string label;
    for (const auto& a : row.assignment) label += (label.empty() ? "" : ", ") + a;
    std::printf("config %lld%s%s%s: ", static_cast<long long>(row.config),
                label.empty() ? "" : " (", label.c_str(), label.empty() ? "" : ")");
    if (row.search.status == CapacityStatus::kNoRate) {
      std::printf("no rate meets the SLOs (down to %.4g req/s)\n", row.search.failing_per_s);
      continue;
    }
    const RunSummary& s = row.at_capacity;
    const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
    std::printf("capacity %s%.4g req/s (%s=%.6g), goodput %.4g req/s",
                row.search.status == CapacityStatus::kUnbounded ? "at least " : "",
                row.search.capacity_per_s, row.rate_key.c_str(), row.rate_value,
                static_cast<double>(s.good_requests) / dur);
    for (size_t i = 0; i < o.slos.size(); ++i) {
      std::printf(", %s %.4g <= %.4g", o.slos[i].metric.c_str(), row.slo_values_ms[i],
                  o.slos[i].bound_ms);
    }
    if (row.price_per_device_hour) {
      std::printf(", %.4g requests per $ (%lld devices at $%.4g/h)", row.requests_per_dollar,
                  static_cast<long long>(row.devices), *row.price_per_device_hour);
    }
    std::printf("; %d runs\n", row.search.evaluations);
    const double served_per_s = static_cast<double>(s.completed) / dur;
    if (served_per_s < 0.8 * row.search.capacity_per_s) {
      std::fprintf(stderr,
                   "warning: config %lld served %.4g req/s at an offered %.4g req/s: the run ends "
                   "before queues build up; raise workload.num_requests or duration_s for a "
                   "sustained capacity\n",
                   static_cast<long long>(row.config), served_per_s, row.search.capacity_per_s);
    }
  }
  std::fprintf(stderr, "capacity: %zu configurations in %.3f s wall -> %s\n", r.rows.size(),
               r.wall_s, (dir / "capacity.csv").c_str());
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  try {
    if (argc < 2) {
      throw InputError(
          "servesim: expected a command (run, validate, analyze, list, calibrate, sweep, merge, "
          "capacity, version); see servesim --help");
    }
    const std::string command = argv[1];
    // Subcommands parse their own options from argv[1..] (argv[1] plays the program name).
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (command == "--version" || command == "version") return CmdVersion();
    if (command == "list") return CmdList(argc - 1, argv + 1);
    if (command == "analyze") return CmdAnalyze(argc - 1, argv + 1);
    if (command == "run") return CmdRun(argc - 1, argv + 1);
    if (command == "validate") return CmdValidate(argc - 1, argv + 1);
    if (command == "calibrate") return CmdCalibrate(argc - 1, argv + 1);
    if (command == "sweep") return CmdSweep(argc - 1, argv + 1);
    if (command == "merge") return CmdMerge(argc - 1, argv + 1);
    if (command == "capacity") return CmdCapacity(argc - 1, argv + 1);
    throw InputError("servesim: unknown command '" + command + "'" +
                     DidYouMean(command, {"run", "validate", "analyze", "list", "calibrate",
                                          "sweep", "merge", "capacity", "version"}) +
                     "; see servesim --help");
  } catch (const InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 2;
  }
}

}  // namespace servesim
