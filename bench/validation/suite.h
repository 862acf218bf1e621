// The fidelity suite: every measured run and step table the project has, replayed through the
// simulator's public API, with the error of each metric and the error budget it must meet.
//
// Sources (../shared/data/README.md, ../shared/REFERENCES.md section 5):
//   1. a real vLLM 0.19 serving run (Llama-3.1-8B, one RTX PRO 6000): TTFT / TPOT / E2E mean, p50,
//      p99 computed here from the run's requests.jsonl, against scenarios/rtxpro6000_vllm_replay.yaml;
//   2. Splitwise's measured A100 whole steps (Llama-2-70B, TP 2/4/8, prompt and decode);
//   3. Vidur's CodeLlama-34B TP2 A100 step table, and the measured per-operator medians of the
//      same shapes in vidur_a100/ (CodeLlama-34b_ops.csv, attention_8192h_64q_8kv_tp2.csv);
//   4. DistServe's OPT-13B A100 prefill fit, 128-4096 tokens;
//   5. LLM-Viewer's pure roofline (ideal mode), a sanity row;
//   6. llama.cpp's Apple Silicon benchmark (LLaMA-2-7B F16 / Q8_0 / Q4_0, pp512 and tg128 per
//      M-series chip; bench/validation/llamacpp_apple.csv), priced with each preset's default
//      runtime (`llama.cpp`); the chips of kLlamaCppInSample fitted the Apple efficiencies.
// Each source is priced with the runtime profile of the engine that produced it (a property of the
// source, never tuned per run): the vLLM run with `cuda-graphs`, Splitwise with `eager` (its
// profile was fitted there), Vidur with `none` (Vidur's step times are kernel and collective
// times; its CPU-overhead model is off by default), DistServe with `cuda-graphs`.
//
// Used by bench/validation.cpp (prints the markdown report) and tests/validation/ (asserts the
// budgets). Header-only so both targets share one definition without a library of their own.
#ifndef SERVESIM_BENCH_VALIDATION_SUITE_H_
#define SERVESIM_BENCH_VALIDATION_SUITE_H_

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hardware/calibration.h"
#include "hardware/cost_model.h"
#include "hardware/memory_plan.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "sim/config/scenario.h"
#include "sim/core/analyze.h"
#include "sim/core/engine.h"

namespace servesim::validation {

// $SERVESIM_DATA, else <source>/../shared/data.
inline std::string DataDir(const std::string& source_dir) {
  if (const char* env = std::getenv("SERVESIM_DATA"); env && *env) return env;
  return source_dir + "/../shared/data";
}

inline bool HasFile(const std::string& path) { return std::filesystem::exists(path); }

// One compared figure. `error` is (simulated - measured) / measured for a single figure, or a
// median of absolute errors for an aggregate row (then simulated / measured are NaN). `budget`
// is the largest |error| the project accepts (0: reported, not budgeted).
struct Row {
  std::string group;
  std::string metric;
  double simulated = std::nan("");
  double measured = std::nan("");
  double error = 0;
  double budget = 0;
  std::string note;
  bool Budgeted() const { return budget > 0; }
  bool Within() const { return !Budgeted() || std::abs(error) <= budget + 1e-12; }
};

inline Row Compare(std::string group, std::string metric, double simulated, double measured,
                   double budget, std::string note = "") {
  Row r;
  r.group = std::move(group);
  r.metric = std::move(metric);
  r.simulated = simulated;
  r.measured = measured;
  r.error = (simulated - measured) / measured;
  r.budget = budget;
  r.note = std::move(note);
  return r;
}

// numpy's default percentile (linear interpolation between closest ranks), the way the run's
// published figures were computed.
inline double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

inline double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? std::nan("") : s / static_cast<double>(v.size());
}

// Per-request latencies of a serving run, seconds, and its makespan (first arrival to last
// token).
struct RequestLatencies {
  std::vector<double> ttft_s, tpot_s, e2e_s;
  double makespan_s = 0;
  double kv_usage_peak = 0;  // simulated runs: peak fraction of the KV blocks in use
};

// The measured run: TTFT = first_token_ts - queued_ts, E2E = last_token_ts - queued_ts,
// TPOT = (last_token_ts - first_token_ts) / (output_toks - 1) (requests with one output token
// have no TPOT). JSON lines are read with the YAML parser (JSON is YAML's flow syntax).
inline RequestLatencies ReadVllmRequests(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  RequestLatencies out;
  std::string line;
  int64_t line_no = 0;
  double first_queued = 0, last_token = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    double queued = 0, first = 0, last = 0;
    int64_t outputs = 0;
    try {
      const YAML::Node n = YAML::Load(line);
      for (const char* key : {"output_toks", "queued_ts", "first_token_ts", "last_token_ts"}) {
        if (!n[key]) throw InputError(where + ": missing field '" + key + "'");
      }
      queued = n["queued_ts"].as<double>();
      first = n["first_token_ts"].as<double>();
      last = n["last_token_ts"].as<double>();
      outputs = n["output_toks"].as<int64_t>();
    } catch (const YAML::Exception& e) {
      throw InputError(where + ": expected a JSON object of numbers: " + e.msg);
    }
    out.ttft_s.push_back(first - queued);
    out.e2e_s.push_back(last - queued);
    if (outputs > 1) out.tpot_s.push_back((last - first) / static_cast<double>(outputs - 1));
    first_queued = out.ttft_s.size() == 1 ? queued : std::min(first_queued, queued);
    last_token = std::max(last_token, last);
  }
  out.makespan_s = last_token - first_queued;
  return out;
}

// The simulated run of `scenario` (its trace path replaced by `trace`), same definitions. With
// `efficiency`, the device's calibrated efficiencies are replaced by those.
inline RequestLatencies SimulateRun(const std::string& scenario, const std::string& trace,
                                    const Efficiency* efficiency = nullptr,
                                    MemoryPlan* memory = nullptr,
                                    const std::vector<std::string>& more_overrides = {}) {
  std::vector<std::string> overrides = {"workload.path=" + trace};
  overrides.insert(overrides.end(), more_overrides.begin(), more_overrides.end());
  Scenario sc = LoadScenario(scenario, overrides);
  if (efficiency) sc.engine.device.efficiency = *efficiency;
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  RequestLatencies out;
  CallbackObserver outputs;
  outputs.on_request = [&out](const RequestRecord& r) {
    if (r.status != RequestStatus::kCompleted) return;
    const double arrival = static_cast<double>(r.arrival_ns) * 1e-9;
    const double first = static_cast<double>(r.first_token_ns) * 1e-9;
    const double finish = static_cast<double>(r.finish_ns) * 1e-9;
    out.ttft_s.push_back(first - arrival);
    out.e2e_s.push_back(finish - arrival);
    if (r.output_tokens > 1)
      out.tpot_s.push_back((finish - first) / static_cast<double>(r.output_tokens - 1));
  };
  const RunSummary summary = engine.Run({&outputs});
  out.makespan_s = summary.duration_s;
  out.kv_usage_peak = summary.kv_usage_peak;
  if (memory) *memory = sc.memory;
  return out;
}

inline std::string VllmRunFile(const std::string& data_dir) {
  return data_dir + "/measured/vllm_runs/rtxpro6000_llama31_8b/requests.jsonl";
}

inline std::string VllmScenario(const std::string& source_dir) {
  return source_dir + "/scenarios/rtxpro6000_vllm_replay.yaml";
}

// The same run priced from the GPU's LLMServingSim profile bundle (kernel data only).
inline std::string VllmProfiledScenario(const std::string& source_dir) {
  return source_dir + "/scenarios/rtxpro6000_vllm_replay_profiled.yaml";
}
inline std::string VllmRunBundle(const std::string& data_dir) {
  return data_dir + "/measured/llmservingsim_profiles/RTXPRO6000/meta-llama/Llama-3.1-8B/bf16";
}

// Budgets of the fidelity issue.
constexpr double kRunMeanBudget = 0.10;
constexpr double kRunP99Budget = 0.20;
// The run priced from the profile bundle (out of sample): the fidelity issue's goal.
constexpr double kProfiledMeanBudget = 0.05;
constexpr double kProfiledP99Budget = 0.10;
constexpr double kSplitwiseMedianBudget = 0.10;
constexpr double kVidurBudget = 0.15;
constexpr double kDistServeBudget = 0.15;
constexpr double kIdealBudget = 0.05;

inline constexpr char kVllmGroup[] =
    "vLLM 0.19, Llama-3.1-8B, RTX PRO 6000 (out of sample: roofline fitted to this GPU's kernel "
    "profiles only)";
inline constexpr char kVllmProfiledGroup[] =
    "vLLM 0.19, Llama-3.1-8B, RTX PRO 6000, profile bundle (out of sample)";

// 1. The vLLM run. Empty when the data is absent. `group` names the table; `efficiency`
// replaces the device preset's (see SimulateRun).
inline std::vector<Row> VllmRunRows(const std::string& source_dir, const std::string& data_dir,
                                    MemoryPlan* memory = nullptr,
                                    const Efficiency* efficiency = nullptr,
                                    const std::string& group = kVllmGroup,
                                    double* kv_usage_peak = nullptr, bool profiled = false) {
  const std::string run = VllmRunFile(data_dir);
  if (!HasFile(run)) return {};
  const std::string bundle = VllmRunBundle(data_dir);
  if (profiled && !HasFile(bundle + "/meta.yaml")) return {};
  const RequestLatencies meas = ReadVllmRequests(run);
  const RequestLatencies sim =
      profiled ? SimulateRun(VllmProfiledScenario(source_dir),
                             std::filesystem::absolute(run).string(), efficiency, memory,
                             {"cost_model.profile=" + std::filesystem::absolute(bundle).string()})
               : SimulateRun(VllmScenario(source_dir), std::filesystem::absolute(run).string(),
                             efficiency, memory);
  const double mean_budget = profiled ? kProfiledMeanBudget : kRunMeanBudget;
  const double p99_budget = profiled ? kProfiledP99Budget : kRunP99Budget;
  if (kv_usage_peak) *kv_usage_peak = sim.kv_usage_peak;
  std::vector<Row> rows;
  struct Metric {
    const char* name;
    const std::vector<double>& s;
    const std::vector<double>& m;
  };
  for (const Metric& x :
       {Metric{"TTFT", sim.ttft_s, meas.ttft_s}, Metric{"TPOT", sim.tpot_s, meas.tpot_s},
        Metric{"E2E", sim.e2e_s, meas.e2e_s}}) {
    rows.push_back(Compare(group, std::string(x.name) + " mean", Mean(x.s) * 1e3, Mean(x.m) * 1e3,
                           mean_budget));
    rows.push_back(Compare(group, std::string(x.name) + " p50", Percentile(x.s, 50) * 1e3,
                           Percentile(x.m, 50) * 1e3, 0));
    rows.push_back(Compare(group, std::string(x.name) + " p99", Percentile(x.s, 99) * 1e3,
                           Percentile(x.m, 99) * 1e3, p99_budget));
  }
  rows.push_back(Compare(group, "makespan (s)", sim.makespan_s, meas.makespan_s, 0,
                         "first arrival to last token"));
  return rows;
}

inline double MedianAbsError(const std::vector<double>& sim, const std::vector<double>& meas) {
  std::vector<double> e;
  for (size_t i = 0; i < sim.size(); ++i) e.push_back(std::abs(sim[i] / meas[i] - 1));
  return Percentile(e, 50);
}

inline Row Aggregate(std::string group, std::string metric, const std::vector<double>& sim,
                     const std::vector<double>& meas, double budget) {
  Row r;
  r.group = std::move(group);
  r.metric = std::move(metric) + " (n=" + std::to_string(sim.size()) + ")";
  r.error = MedianAbsError(sim, meas);
  r.budget = budget;
  double bias = 0;
  for (size_t i = 0; i < sim.size(); ++i) bias += sim[i] / meas[i] - 1;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "mean signed %+.1f %%",
                100 * bias / std::max<size_t>(1, sim.size()));
  r.note = buf;
  return r;
}

inline constexpr char kSplitwiseGroup[] =
    "Splitwise A100, Llama-2-70B (eager; in sample: the eager runtime is fitted to these steps)";

// 2. Splitwise: median |error| per phase and TP degree, overall per phase, and the figures
// REFERENCES.md quotes (TP8 decode batch 1/16/64 at prompt 512, prompt 512 at batch 1).
inline std::vector<Row> SplitwiseRows(const std::string& data_dir) {
  const std::string path = data_dir + "/measured/splitwise_a100_steps.csv";
  if (!HasFile(path)) return {};
  const DeviceSpec& a100 = DevicePresetOrThrow("a100-80gb", "validation");
  const RuntimeOverheads eager = RuntimeProfileOrThrow("eager", "validation").overheads;
  std::map<std::pair<bool, int>, std::pair<std::vector<double>, std::vector<double>>> by;
  std::vector<double> all_s, all_m;
  for (const auto& m : ReadSplitwiseStepsCsv(path, "a100-80gb")) {
    const double p = PredictStep(m, a100, eager);
    for (int tp : {m.tp, 0}) {  // 0: the phase over all TP degrees
      by[{m.prefill, tp}].first.push_back(p);
      by[{m.prefill, tp}].second.push_back(m.measured_s);
    }
    all_s.push_back(p);
    all_m.push_back(m.measured_s);
  }
  std::vector<Row> rows;
  for (const auto& [key, sm] : by) {
    const std::string phase = key.first ? "prompt steps" : "decode steps";
    const std::string which =
        key.second == 0 ? phase + ", all TP" : phase + ", TP " + std::to_string(key.second);
    // The budget is on each phase over all TP degrees; per-TP rows are reported.
    rows.push_back(Aggregate(kSplitwiseGroup, which, sm.first, sm.second,
                             key.second == 0 ? kSplitwiseMedianBudget : 0));
  }
  rows.push_back(Aggregate(kSplitwiseGroup, "all steps", all_s, all_m, kSplitwiseMedianBudget));
  // REFERENCES.md section 5 (Splitwise, TP8, prompt 512, 128 generated tokens).
  const ModelSpec m70 = [] {
    ModelSpec s = ModelPresetOrThrow("llama-2-70b", "validation");
    s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;
    return s;
  }();
  CostModelOptions o;
  o.tp = 8;
  o.runtime = eager;
  const auto cm = MakeRooflineCostModel(m70, a100, o);
  const struct {
    int64_t batch;
    double ms;
  } decodes[] = {{1, 45.03}, {16, 50.44}, {64, 71.61}};
  for (const auto& d : decodes) {
    rows.push_back(Compare(kSplitwiseGroup,
                           "TP8 decode batch " + std::to_string(d.batch) + " (REFERENCES)",
                           cm->PriceStep(BatchShape::Uniform(d.batch, 1, 512 + 64)).seconds * 1e3,
                           d.ms, 0, "context 512 + 64"));
  }
  rows.push_back(Compare(kSplitwiseGroup, "TP8 prompt 512 batch 1 (REFERENCES)",
                         cm->PriceStep(BatchShape::Uniform(1, 512, 0)).seconds * 1e3, 93.0, 0));
  return rows;
}

inline constexpr char kVidurGroup[] =
    "Vidur A100, CodeLlama-34B TP2 (in sample: A100 efficiencies fitted to Vidur's kernels)";

inline std::unique_ptr<CostModel> VidurModel() {
  CostModelOptions o;
  o.tp = 2;
  o.runtime = RuntimeProfileOrThrow("none", "validation").overheads;
  ModelSpec m = ModelPresetOrThrow("codellama-34b", "validation");
  m.weight_dtype = m.activation_dtype = m.kv_dtype = DType::kFp16;  // Vidur profiles in fp16
  return MakeRooflineCostModel(m, DevicePresetOrThrow("a100-80gb", "validation"), o);
}

// 3a. Vidur's published step table (REFERENCES.md section 5): no data file needed.
inline std::vector<Row> VidurTableRows() {
  const auto cm = VidurModel();
  std::vector<Row> rows;
  const struct {
    int64_t batch;
    double ms;
  } decodes[] = {{1, 30.1}, {8, 31.2}, {32, 34.3}, {128, 47.3}};
  for (const auto& d : decodes) {
    rows.push_back(Compare(kVidurGroup, "decode ctx 1024 batch " + std::to_string(d.batch),
                           cm->PriceStep(BatchShape::Uniform(d.batch, 1, 1024)).seconds * 1e3, d.ms,
                           kVidurBudget));
  }
  const struct {
    int64_t tokens;
    double ms;
  } prefills[] = {{512, 97.4}, {1024, 194.6}, {2048, 366.8}, {4096, 766.1}};
  for (const auto& p : prefills) {
    rows.push_back(Compare(kVidurGroup, "prefill " + std::to_string(p.tokens),
                           cm->PriceStep(BatchShape::Uniform(1, p.tokens, 0)).seconds * 1e3, p.ms,
                           kVidurBudget));
  }
  return rows;
}

inline constexpr char kVidurOpsGroup[] =
    "Vidur A100 kernels, CodeLlama-34B TP2 (one layer; in sample)";

// 3b. The measured kernels behind those shapes: one layer's operators (sum of the medians of
// CodeLlama-34b_ops.csv at TP 2) and the attention kernel (attention_8192h_64q_8kv_tp2.csv) vs the
// cost model's operators at the same shapes. Reported, not budgeted: they explain the step rows.
inline std::vector<Row> VidurKernelRows(const std::string& data_dir) {
  const std::string ops_path = data_dir + "/measured/vidur_a100/CodeLlama-34b_ops.csv";
  const std::string attn_path = data_dir + "/measured/vidur_a100/attention_8192h_64q_8kv_tp2.csv";
  if (!HasFile(ops_path) || !HasFile(attn_path)) return {};
  const DeviceSpec& a100 = DevicePresetOrThrow("a100-80gb", "validation");
  std::vector<Row> rows;
  // Per token count: the layer's operators summed per CSV row (embedding excluded: it runs once
  // per model), averaged over the rows of that count (the CSV repeats some shapes).
  std::map<int64_t, std::pair<double, double>> layer;  // tokens -> (sim, meas) seconds
  std::map<int64_t, std::set<std::string>> csv_rows;   // tokens -> "file:line" of its rows
  for (const auto& m : ReadVidurOpsCsv(ops_path)) {
    if (m.tp != 2 || m.op == OpId::kEmbed) continue;
    const int64_t t = m.batch.new_tokens;
    if (t != 1 && t != 8 && t != 32 && t != 128 && t != 512 && t != 1024 && t != 2048 && t != 4096)
      continue;
    layer[t].first += PredictOp(m, a100);
    layer[t].second += m.measured_s;
    csv_rows[t].insert(m.label.substr(0, m.label.find(' ')));
  }
  for (const auto& [t, sm] : layer) {
    const double n = static_cast<double>(csv_rows[t].size());
    rows.push_back(Compare(kVidurOpsGroup,
                           "linear + norm + act ops, " + std::to_string(t) + " tokens",
                           sm.first / n * 1e3, sm.second / n * 1e3, 0));
  }
  // Attention: decode at batch 1/8/32/128 over the KV length nearest 1024, prefill chunks.
  std::map<std::string, std::pair<double, int64_t>> best;  // label -> (|kv - 1024|, index)
  const auto attn = ReadVidurAttentionCsv(attn_path);
  for (size_t i = 0; i < attn.size(); ++i) {
    const OpMeasurement& m = attn[i];
    const bool prefill = m.batch.prefill_tokens > 0;
    const int64_t seqs = m.batch.num_seqs;
    const int64_t kv = seqs > 0 ? m.batch.context_tokens / seqs : 0;
    std::string label;
    if (prefill) {
      const int64_t chunk = m.batch.new_tokens;
      if (kv != 0 || (chunk != 512 && chunk != 1024 && chunk != 2048 && chunk != 4096)) continue;
      label = "attention prefill " + std::to_string(chunk);
    } else {
      if (seqs != 1 && seqs != 8 && seqs != 32 && seqs != 128) continue;
      label = "attention decode batch " + std::to_string(seqs) + " kv ~1024";
    }
    const double d = std::abs(static_cast<double>(kv) - (prefill ? 0.0 : 1024.0));
    auto it = best.find(label);
    if (it == best.end() || d < it->second.first) best[label] = {d, static_cast<int64_t>(i)};
  }
  for (const auto& [label, b] : best) {
    const OpMeasurement& m = attn[static_cast<size_t>(b.second)];
    const int64_t kv = m.batch.num_seqs > 0 ? m.batch.context_tokens / m.batch.num_seqs : 0;
    rows.push_back(Compare(kVidurOpsGroup, label, PredictOp(m, a100) * 1e3, m.measured_s * 1e3, 0,
                           "kv " + std::to_string(kv)));
  }
  return rows;
}

inline constexpr char kDistServeGroup[] = "DistServe fit, OPT-13B prefill, A100 (out of sample)";

// 4. DistServe's fitted prefill time: 18.10 + 0.1019 l + 7.12e-6 l^2 ms (one sequence of l tokens).
inline std::vector<Row> DistServeRows() {
  CostModelOptions o;
  o.runtime = RuntimeProfileOrThrow("cuda-graphs", "validation").overheads;
  const auto cm = MakeRooflineCostModel(ModelPresetOrThrow("opt-13b", "validation"),
                                        DevicePresetOrThrow("a100-80gb", "validation"), o);
  std::vector<Row> rows;
  for (int64_t l : {128, 256, 512, 1024, 2048, 4096}) {
    const double x = static_cast<double>(l);
    const double fit_ms = 18.10 + 0.1019 * x + 7.12e-6 * x * x;
    rows.push_back(Compare(kDistServeGroup, "prefill " + std::to_string(l),
                           cm->PriceStep(BatchShape::Uniform(1, l, 0)).seconds * 1e3, fit_ms,
                           kDistServeBudget));
  }
  return rows;
}

inline constexpr char kIdealGroup[] = "LLM-Viewer pure roofline (ideal mode; nothing fitted)";

// 5. LLM-Viewer: Llama-2-7B fp16 decode, batch 1, context 1024: A100-80G 6.752 ms, H100 4.482 ms
// (LLM-Viewer's H100 uses 3,072 GB/s, so the H100 row does too).
inline std::vector<Row> IdealRows() {
  CostModelOptions o;
  o.ideal = true;
  ModelSpec m = ModelPresetOrThrow("llama-2-7b", "validation");
  m.weight_dtype = m.activation_dtype = m.kv_dtype = DType::kFp16;
  DeviceSpec h100 = DevicePresetOrThrow("h100-sxm", "validation");
  h100.memory.bandwidth_bytes_per_s = 3.072e12;
  const BatchShape b = BatchShape::Uniform(1, 1, 1024);
  return {
      Compare(kIdealGroup, "Llama-2-7B decode b1 ctx1024, A100-80G",
              MakeRooflineCostModel(m, DevicePresetOrThrow("a100-80gb", "validation"), o)
                      ->PriceStep(b)
                      .seconds *
                  1e3,
              6.752, kIdealBudget),
      Compare(kIdealGroup, "Llama-2-7B decode b1 ctx1024, H100 (3.072 TB/s)",
              MakeRooflineCostModel(m, h100, o)->PriceStep(b).seconds * 1e3, 4.482, kIdealBudget)};
}

// 6. llama.cpp on Apple Silicon. The figures of bench/validation/llamacpp_apple.csv whose chip has
// a preset (the GPU bins with the most cores), against EstimateLlamaBench of LLaMA-2-7B in that
// format (KV cache f16, as llama-bench's default) on the preset with its default runtime.
inline constexpr char kLlamaCppInGroup[] =
    "llama.cpp LLaMA-2-7B batch 1, Apple Silicon (in sample: fitted the Apple efficiencies)";
inline constexpr char kLlamaCppOutGroup[] =
    "llama.cpp LLaMA-2-7B batch 1, Apple Silicon (out of sample)";
constexpr double kLlamaCppGenBudget = 0.15;
constexpr double kLlamaCppPromptBudget = 0.25;

// The chips whose figures fitted hardware/presets.cpp's Apple efficiencies and the llama.cpp
// runtime's per-kernel cost: two or three per GPU family (chips of one family with different
// bandwidths separate memory time from the fixed per-token cost) and the M2 Ultra for the two-die
// factor; the base chips, M1 Pro, M3 Pro and the M1 and M3 Ultras are held out.
inline bool LlamaCppInSample(const std::string& preset) {
  for (const char* p : {"apple-m1-max", "apple-m2-max", "apple-m2-pro", "apple-m2-ultra",
                        "apple-m3-max", "apple-m4-max", "apple-m4-pro"}) {
    if (preset == p) return true;
  }
  return false;
}

struct LlamaCppFigure {
  std::string chip, preset, quant, test, status;
  int gpu_cores = 0;
  double tokens_per_s = 0;
};

inline std::string LlamaCppCsv(const std::string& source_dir) {
  return source_dir + "/bench/validation/llamacpp_apple.csv";
}

// Rows of the CSV ('#' lines are comments; the header names the columns).
inline std::vector<LlamaCppFigure> ReadLlamaCppCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  std::vector<LlamaCppFigure> out;
  std::string line;
  int64_t line_no = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() == 7) f.emplace_back();
    if (f.size() != 8) {
      throw InputError(path + ":" + std::to_string(line_no) + ": expected 8 columns, found " +
                       std::to_string(f.size()));
    }
    LlamaCppFigure x;
    x.chip = f[0];
    x.gpu_cores = std::stoi(f[1]);
    x.quant = f[3];
    x.test = f[4];
    x.tokens_per_s = std::stod(f[5]);
    x.preset = f[6];
    x.status = f[7];
    out.push_back(x);
  }
  return out;
}

inline ModelSpec LlamaCppModel(const std::string& quant) {
  ModelSpec m = ModelPresetOrThrow("llama-2-7b", "validation");
  m.activation_dtype = m.kv_dtype = DType::kFp16;
  m.weight_dtype = ParseDType(quant).value_or(DType::kFp16);
  if (quant == "F16") m.weight_dtype = DType::kFp16;
  return m;
}

// llama-bench's estimate for one figure's preset and format, with `device` and `runtime` (the
// preset's and its default runtime unless a fit substitutes its own).
inline double PriceLlamaCppFigure(const LlamaCppFigure& f, const DeviceSpec& device,
                                  const RuntimeOverheads& runtime) {
  CostModelOptions o;
  o.runtime = runtime;
  const auto cm = MakeRooflineCostModel(LlamaCppModel(f.quant), device, o);
  const LlamaBenchEstimate e = EstimateLlamaBench(*cm);
  return f.test == "pp512" ? e.pp512_tokens_per_s : e.tg128_tokens_per_s;
}

inline std::vector<Row> LlamaCppAppleRows(const std::string& source_dir) {
  std::vector<Row> in_rows, out_rows;
  for (const LlamaCppFigure& f : ReadLlamaCppCsv(LlamaCppCsv(source_dir))) {
    if (f.preset.empty()) continue;
    const DeviceSpec& d = DevicePresetOrThrow(f.preset, "validation");
    const RuntimeOverheads rt = RuntimeProfileOrThrow(d.default_runtime, "validation").overheads;
    const bool in = LlamaCppInSample(f.preset);
    const std::string metric =
        f.chip + " " + std::to_string(f.gpu_cores) + "c " + f.quant + " " + f.test + " (tokens/s)";
    (in ? in_rows : out_rows)
        .push_back(Compare(in ? kLlamaCppInGroup : kLlamaCppOutGroup, metric,
                           PriceLlamaCppFigure(f, d, rt), f.tokens_per_s,
                           f.test == "tg128" ? kLlamaCppGenBudget : kLlamaCppPromptBudget,
                           f.status));
  }
  in_rows.insert(in_rows.end(), out_rows.begin(), out_rows.end());
  return in_rows;
}

// The fit behind the Apple presets, redone from the CSV: per GPU family (M1/M2, M3/M4) the GEMM
// compute efficiency, the memory efficiency and the dequantization overhead, and the llama.cpp
// runtime's per-kernel cost shared by both, minimizing the sum of squared log errors over the
// in-sample chips' figures (cyclic golden-section search, each parameter within its bounds), and
// the factor on the memory efficiency of two-die chips (the "-ultra" presets).
struct LlamaCppFit {
  double compute_eff[2] = {0, 0}, memory_eff[2] = {0, 0}, dequant[2] = {0, 0};
  double two_die_memory_factor = 0;  // Ultra chips (the "-ultra" presets)
  double launch_s = 0;
  double rms_log_error = 0;
  int figures = 0;
};

inline int AppleFamilyIndex(const std::string& preset) {
  return preset.rfind("apple-m1", 0) == 0 || preset.rfind("apple-m2", 0) == 0 ? 0 : 1;
}

inline LlamaCppFit FitLlamaCppApple(const std::string& source_dir) {
  std::vector<LlamaCppFigure> figs;
  for (const LlamaCppFigure& f : ReadLlamaCppCsv(LlamaCppCsv(source_dir))) {
    if (!f.preset.empty() && LlamaCppInSample(f.preset)) figs.push_back(f);
  }
  // p: compute, memory, dequant for family 0, then family 1, the launch cost (us), the two-die
  // memory factor.
  std::vector<double> p = {0.75, 0.93, 0.1, 0.75, 0.93, 0.05, 12, 0.9};
  const double lo[] = {0.3, 0.5, 0, 0.3, 0.5, 0, 0, 0.5}, hi[] = {1, 1, 0.5, 1, 1, 0.5, 40, 1};
  auto loss = [&](const std::vector<double>& q) {
    double sum = 0;
    RuntimeOverheads rt = RuntimeProfileOrThrow("llama.cpp", "validation").overheads;
    rt.kernel_launch_s = q[6] * 1e-6;
    for (const LlamaCppFigure& f : figs) {
      DeviceSpec d = DevicePresetOrThrow(f.preset, "validation");
      const int fam = AppleFamilyIndex(f.preset);
      Efficiency& e = d.efficiency;
      e.gemm.compute_eff = e.attention.compute_eff = q[3 * fam];
      const bool two_dies = f.preset.find("-ultra") != std::string::npos;
      for (KernelTuning* k :
           {&e.gemm, &e.attention, &e.norm, &e.rope, &e.act, &e.residual_add, &e.embed}) {
        k->memory_eff = q[3 * fam + 1] * (two_dies ? q[7] : 1.0);
      }
      e.dequant_compute_overhead = q[3 * fam + 2];
      const double r = std::log(PriceLlamaCppFigure(f, d, rt) / f.tokens_per_s);
      sum += r * r;
    }
    return sum;
  };
  const double golden = 0.5 * (std::sqrt(5.0) - 1.0);
  for (int round = 0; round < 4; ++round) {
    for (size_t i = 0; i < p.size(); ++i) {
      double a = lo[i], b = hi[i];
      for (int it = 0; it < 30; ++it) {
        std::vector<double> x1 = p, x2 = p;
        x1[i] = b - golden * (b - a);
        x2[i] = a + golden * (b - a);
        if (loss(x1) < loss(x2)) {
          b = x2[i];
        } else {
          a = x1[i];
        }
      }
      p[i] = 0.5 * (a + b);
    }
  }
  LlamaCppFit fit;
  for (int fam = 0; fam < 2; ++fam) {
    fit.compute_eff[fam] = p[static_cast<size_t>(3 * fam)];
    fit.memory_eff[fam] = p[static_cast<size_t>(3 * fam + 1)];
    fit.dequant[fam] = p[static_cast<size_t>(3 * fam + 2)];
  }
  fit.launch_s = p[6] * 1e-6;
  fit.two_die_memory_factor = p[7];
  fit.figures = static_cast<int>(figs.size());
  fit.rms_log_error = figs.empty() ? 0 : std::sqrt(loss(p) / static_cast<double>(figs.size()));
  return fit;
}

// Markdown: one table per group.
inline std::string Markdown(const std::vector<Row>& rows) {
  std::ostringstream out;
  std::string group;
  char buf[512];
  auto num = [](double v) {
    char b[32];
    if (std::isnan(v)) return std::string("–");
    std::snprintf(b, sizeof(b), v >= 100 ? "%.0f" : "%.2f", v);
    return std::string(b);
  };
  for (const Row& r : rows) {
    if (r.group != group) {
      group = r.group;
      out << "\n### " << group << "\n\n"
          << "| metric | simulated | measured | error | budget | status | note |\n"
          << "|---|---:|---:|---:|---:|---|---|\n";
    }
    const bool aggregate = std::isnan(r.simulated);
    const std::string budget =
        r.Budgeted() ? "±" + std::to_string(std::lround(100 * r.budget)) + " %" : "–";
    std::snprintf(buf, sizeof(buf), "| %s | %s | %s | %s%.1f %% | %s | %s | %s |\n",
                  r.metric.c_str(), num(r.simulated).c_str(), num(r.measured).c_str(),
                  aggregate || r.error < 0 ? "" : "+", 100 * r.error, budget.c_str(),
                  r.Budgeted() ? (r.Within() ? "ok" : "**MISS**") : "", r.note.c_str());
    out << buf;
  }
  return out.str();
}

}  // namespace servesim::validation

#endif  // SERVESIM_BENCH_VALIDATION_SUITE_H_
