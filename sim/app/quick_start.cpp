#include "sim/app/quick_start.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "models/input_error.h"
#include "models/yaml_reader.h"
#include "workloads/trace.h"
#include "workloads/workload.h"

namespace servesim {
namespace {

// A flag only the quick start takes, and the scenario key it sets (for the hint that points a
// scenario file's user at --set).
struct QuickFlag {
  const char* name;
  const char* key;
  const char* help;
};

const std::vector<QuickFlag>& QuickFlags() {
  static const std::vector<QuickFlag> kFlags = {
      {"model", "model",
       "simulate without a scenario file: a model preset (servesim list models) or a "
       "config.json (file or directory); needs --device"},
      {"device", "hardware.device", "device preset (servesim list devices)"},
      {"tp", "hardware.tp", "tensor-parallel degree per replica (default 1)"},
      {"replicas", "hardware.replicas", "replicas behind one load balancer (default 1)"},
      {"scheduler", "scheduler.impl", "batch scheduler (default vllm_v1)"},
      {"seed", "seed", "scenario seed (default 0)"},
      {"trace-format", "workload.format",
       "azure|mooncake|csv|jsonl (default: told from the file's first line)"},
      {"columns", "workload.columns",
       "csv / jsonl column names: arrival_s=ts,prompt_tokens=in,output_tokens=out "
       "(arrival_ms for milliseconds)"},
      {"time-scale", "workload.time_scale", "replay the trace this many times faster"},
      {"rate", "workload.rate_per_s",
       "requests/s: without --trace a synthetic Poisson stream; with it, the time scale that "
       "makes the trace's mean arrival gap 1/R"},
      {"num-requests", "workload.num_requests",
       "synthetic requests (default 1000), or replay only a trace's first N"},
      {"prompt-tokens", "workload.prompt_tokens",
       "synthetic prompt lengths, YAML: 512 or '{dist: uniform, min: 100, max: 900}' (default "
       "lognormal, mean 1000, std 800)"},
      {"output-tokens", "workload.output_tokens",
       "synthetic output lengths (default lognormal, mean 200, std 150)"},
  };
  return kFlags;
}

bool Has(const po::variables_map& vm, const char* name) { return vm.count(name) > 0; }

std::string Value(const po::variables_map& vm, const char* name) {
  return vm[name].as<std::string>();
}

// The trace file to replay: --trace FILE ("" when --trace is absent or stands alone).
std::string TraceFile(const po::variables_map& vm) {
  return Has(vm, "trace") ? Value(vm, "trace") : "";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// `path` made absolute, so the saved scenario finds it from its own directory.
std::string Absolute(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// Builds the tree and records, for each key a flag sets, that flag.
class TreeBuilder {
 public:
  // Sets the key `path` ("workload.rate_per_s") to `value`; messages about it name `flag` when
  // given.
  void Set(const std::string& path, const YAML::Node& value, const std::string& flag = "") {
    std::vector<std::string> keys;
    for (size_t start = 0;;) {
      const size_t dot = path.find('.', start);
      keys.push_back(path.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    Assign(tree_.root, keys, 0, value);
    if (!flag.empty()) tree_.origins.push_back({path, path, flag, true});
  }
  void SetText(const std::string& path, const std::string& text, const std::string& flag = "") {
    Set(path, YAML::Node(text), flag);
  }
  // --NAME's value, when given, at `path`; `fallback` otherwise ("" for none).
  void SetFlag(const po::variables_map& vm, const char* name, const std::string& path,
               const std::string& fallback = "") {
    if (Has(vm, name)) {
      SetText(path, Value(vm, name), std::string("--") + name);
    } else if (!fallback.empty()) {
      SetText(path, fallback);
    }
  }
  QuickStartTree& tree() { return tree_; }

 private:
  // node[keys[i]][keys[i + 1]]... = value, through temporaries: yaml-cpp handles are references,
  // and assigning one handle to another would rebind into the tree.
  static void Assign(YAML::Node node, const std::vector<std::string>& keys, size_t i,
                     const YAML::Node& value) {
    if (i + 1 == keys.size()) {
      node[keys[i]] = value;
      return;
    }
    Assign(node[keys[i]], keys, i + 1, value);
  }
  QuickStartTree tree_{YAML::Node(YAML::NodeType::Map), {}};
};

// A YAML value given to `flag` (a length: 512 or {dist: ...}).
YAML::Node YamlValue(const std::string& text, const std::string& flag) {
  try {
    return LoadYamlText(text, flag);
  } catch (const YAML::Exception& e) {
    throw InputError(flag + ": value is not valid YAML: " + e.msg);
  }
}

// --columns arrival_s=ts,prompt_tokens=in,...: the map of workload.columns; its keys are checked
// where a file's are (an unknown one names --columns and the keys it takes).
YAML::Node ColumnsNode(const std::string& text) {
  YAML::Node columns(YAML::NodeType::Map);
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      throw InputError(
          "--columns: expected KEY=COLUMN[,KEY=COLUMN...] (e.g. "
          "arrival_s=ts,prompt_tokens=in,output_tokens=out), found '" +
          item + "'");
    }
    const std::string key = item.substr(0, eq);
    if (columns[key]) throw InputError("--columns: key '" + key + "' given twice");
    columns[key] = item.substr(eq + 1);
    start = comma + 1;
  }
  return columns;
}

// The model key: a preset name, or {hf_config: PATH} for a config.json or a directory.
void SetModel(TreeBuilder& b, const std::string& value) {
  std::error_code ec;
  if (EndsWith(value, ".json") || std::filesystem::is_directory(value, ec)) {
    b.Set("model", YAML::Node(YAML::NodeType::Map), "--model");
    b.SetText("model.hf_config", Absolute(value), "--model");
  } else {
    b.SetText("model", value, "--model");
  }
}

void SetTraceWorkload(TreeBuilder& b, const po::variables_map& vm) {
  const std::string file = TraceFile(vm);
  for (const char* synthetic_only : {"prompt-tokens", "output-tokens"}) {
    if (Has(vm, synthetic_only)) {
      throw InputError(std::string("--") + synthetic_only +
                       ": sets a synthetic stream's lengths; a trace's rows give them (drop "
                       "--trace FILE or this flag)");
    }
  }
  if (Has(vm, "rate") && Has(vm, "time-scale")) {
    throw InputError("--rate and --time-scale: give one of them (both set the trace's speed)");
  }
  b.SetText("workload.impl", "trace");
  b.SetText("workload.path", Absolute(file), "--trace");
  if (Has(vm, "trace-format")) {
    b.SetFlag(vm, "trace-format", "workload.format");
  } else {
    b.SetText("workload.format", GuessTraceFormatName(file, Has(vm, "columns"), "--trace"));
  }
  if (Has(vm, "columns")) b.Set("workload.columns", ColumnsNode(Value(vm, "columns")), "--columns");
  b.SetFlag(vm, "time-scale", "workload.time_scale");
  b.SetFlag(vm, "num-requests", "workload.max_requests");
}

void SetSyntheticWorkload(TreeBuilder& b, const po::variables_map& vm) {
  for (const char* trace_only : {"trace-format", "columns", "time-scale"}) {
    if (Has(vm, trace_only)) {
      throw InputError(std::string("--") + trace_only + ": applies to --trace FILE only");
    }
  }
  if (!Has(vm, "rate")) {
    throw InputError(
        "--trace or --rate: required with --model and --device (a trace file to replay, or the "
        "requests per second of a synthetic stream)");
  }
  b.SetText("workload.impl", "synthetic");
  b.SetText("workload.arrival", "poisson");
  b.SetFlag(vm, "rate", "workload.rate_per_s");
  b.SetFlag(vm, "num-requests", "workload.num_requests", "1000");
  for (const auto& [flag, key, mean, std] :
       {std::tuple{"prompt-tokens", "workload.prompt_tokens", 1000, 800},
        std::tuple{"output-tokens", "workload.output_tokens", 200, 150}}) {
    if (Has(vm, flag)) {
      const std::string name = std::string("--") + flag;
      b.Set(key, YamlValue(Value(vm, flag), name), name);
    } else {
      b.Set(key, YamlValue("{dist: lognormal, mean: " + std::to_string(mean) +
                               ", std: " + std::to_string(std) + "}",
                           key));
    }
  }
}

// With --trace FILE and --rate R: the trace's mean arrival rate, (n - 1) gaps over its span, as
// the scenario replays it (--num-requests and --set included), gives time_scale = R / that.
void ScaleTraceToRate(QuickStartTree& t, const std::string& rate_text,
                      const std::vector<Override>& overrides) {
  char* end = nullptr;
  const double rate = std::strtod(rate_text.c_str(), &end);
  if (rate_text.empty() || *end != '\0' || !std::isfinite(rate) || rate <= 0) {
    throw InputError("--rate: expected a positive number of requests per second, found '" +
                     rate_text + "'");
  }
  const Scenario unscaled = LoadScenarioTree(t.root, kQuickStartName, "", t.origins, overrides);
  auto sources = MakeScenarioWorkloads(unscaled);
  Request r;
  int64_t n = 0, first_ns = 0, last_ns = 0;
  while (sources.front()->Next(r) == Pull::kRequest) {
    if (n++ == 0) first_ns = r.arrival_ns;
    last_ns = r.arrival_ns;
  }
  if (n < 2 || last_ns == first_ns) {
    throw InputError("--rate: the trace's " + std::to_string(n) +
                     " request(s) arrive at one instant: no rate to scale (use --time-scale)");
  }
  const double trace_rate =
      static_cast<double>(n - 1) / (static_cast<double>(last_ns - first_ns) * 1e-9);
  char scale[40];
  std::snprintf(scale, sizeof(scale), "%.17g", rate / trace_rate);
  t.root["workload"]["time_scale"] = std::string(scale);
  t.origins.push_back({"workload.time_scale", "workload.time_scale", "--rate", false});
}

// The scenario file of a run without the quick start; its flags are refused there.
std::string FileScenarioPath(const po::variables_map& vm) {
  for (const QuickFlag& f : QuickFlags()) {
    if (!Has(vm, f.name)) continue;
    throw InputError(std::string("--") + f.name +
                     ": a flag of the quick start (with --model and --device); to change a "
                     "scenario file's " +
                     f.key + " use --set " + f.key + "=VALUE");
  }
  const std::string trace = TraceFile(vm);
  if (!trace.empty() && Has(vm, "scenario")) {
    throw InputError("--trace " + trace +
                     ": replays a trace in the quick start (with --model and --device); to "
                     "change a scenario file's trace use --set workload.path=FILE");
  }
  if (Has(vm, "scenario")) return Value(vm, "scenario");
  if (!trace.empty()) return trace;  // `run --trace FILE.yaml`: --trace (trace.json) and the file
  throw InputError(
      "servesim run: expected a scenario file, or --model and --device (see servesim run --help)");
}

}  // namespace

void AddQuickStartOptions(po::options_description& desc) {
  for (const QuickFlag& f : QuickFlags())
    desc.add_options()(f.name, po::value<std::string>(), f.help);
  desc.add_options()(
      "trace", po::value<std::string>()->implicit_value(""),
      "--trace FILE: with --model, replay this trace (csv, jsonl, Azure, Mooncake); --trace "
      "alone: also write DIR/trace.json, as --trace-json")(
      "trace-json", "also write DIR/trace.json (Chrome trace events: Perfetto, chrome://tracing)");
}

bool IsQuickStart(const po::variables_map& vm) { return Has(vm, "model") || Has(vm, "device"); }

QuickStartTree BuildQuickStartTree(const po::variables_map& vm) {
  if (!Has(vm, "model")) {
    throw InputError(
        "--device: needs --model too (a preset from servesim list models, or a "
        "config.json)");
  }
  if (!Has(vm, "device")) {
    throw InputError("--model: needs --device too (a preset from servesim list devices)");
  }
  TreeBuilder b;
  b.SetFlag(vm, "seed", "seed", "0");
  SetModel(b, Value(vm, "model"));
  b.SetFlag(vm, "device", "hardware.device");
  b.SetFlag(vm, "tp", "hardware.tp");
  b.SetFlag(vm, "replicas", "hardware.replicas");
  b.SetFlag(vm, "scheduler", "scheduler.impl", "vllm_v1");
  if (!TraceFile(vm).empty()) {
    SetTraceWorkload(b, vm);
  } else {
    SetSyntheticWorkload(b, vm);
  }
  return std::move(b.tree());
}

Scenario LoadRunScenario(const po::variables_map& vm, const std::vector<Override>& overrides) {
  if (!IsQuickStart(vm)) return LoadScenarioWithOrigins(FileScenarioPath(vm), overrides);
  if (Has(vm, "scenario")) {
    throw InputError(std::string(Has(vm, "model") ? "--model" : "--device") +
                     ": builds a scenario from flags, and a scenario file was given too ('" +
                     Value(vm, "scenario") + "'); give one of them (--set model=NAME changes a " +
                     "file's model)");
  }
  QuickStartTree t = BuildQuickStartTree(vm);
  if (!TraceFile(vm).empty() && Has(vm, "rate")) ScaleTraceToRate(t, Value(vm, "rate"), overrides);
  return LoadScenarioTree(t.root, kQuickStartName, "", t.origins, overrides);
}

std::string SavedScenarioPath(const po::variables_map& vm) {
  const std::string saved = (std::filesystem::path(Value(vm, "out")) / "scenario.yaml").string();
  if (IsQuickStart(vm)) return saved;
  std::error_code ec;
  return std::filesystem::equivalent(FileScenarioPath(vm), saved, ec) ? saved : "";
}

bool WantsTraceJson(const po::variables_map& vm) {
  if (Has(vm, "trace-json")) return true;
  if (!Has(vm, "trace")) return false;
  // `run --trace FILE.yaml` without another scenario: FILE.yaml is the scenario.
  return TraceFile(vm).empty() || (!IsQuickStart(vm) && !Has(vm, "scenario"));
}

std::string GuessTraceFormatName(const std::string& path, bool generic, const std::string& flag) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(flag + ": '" + path + "' is a directory; expected a trace file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(flag + ": cannot open '" + path + "': " + std::strerror(errno));
  std::string line;
  for (char c; line.size() < 65536 && in.get(c) && c != '\n' && c != '\r';) line += c;
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  line.erase(0, std::min(line.find_first_not_of(" \t"), line.size()));
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A known layout (its header or keys) names its format; otherwise, or when --columns maps the
  // fields, the generic reader of the file's shape (its error then names the missing column).
  if (!generic) {
    if (const std::optional<TraceFormat> known = GuessTraceFormat(path)) {
      return TraceFormatName(*known);
    }
  }
  const bool json =
      line.empty() ? (ext == ".jsonl" || ext == ".json" || ext == ".ndjson") : line[0] == '{';
  return json ? "jsonl" : "csv";
}

}  // namespace servesim
