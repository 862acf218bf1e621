// The quick start of `servesim run`: flags -> scenario tree, the trace format guess, --rate on a
// trace, and the errors that name the flag.
#include "sim/app/quick_start.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::InputErrorOf;
using testing::TempDir;

// `servesim run ARGS...` parsed as run parses them (the quick-start flags, the scenario, --out).
po::variables_map RunFlags(std::vector<std::string> args) {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  AddQuickStartOptions(desc);
  AddOutOption(desc);
  args.insert(args.begin(), "run");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  po::positional_options_description pos;
  pos.add("scenario", 1);
  return Parse("run", static_cast<int>(argv.size()), argv.data(), desc, &pos);
}

std::string At(const YAML::Node& root, const std::string& a, const std::string& b = "",
               const std::string& c = "") {
  // Separate handles: assigning one yaml-cpp handle to another would write into the tree.
  const YAML::Node n = !c.empty() ? root[a][b][c] : !b.empty() ? root[a][b] : root[a];
  return n && n.IsScalar() ? n.Scalar() : "<absent>";
}

TEST_CASE("quick start: synthetic flags map to the documented keys and defaults", "[quick_start]") {
  const QuickStartTree t =
      BuildQuickStartTree(RunFlags({"--model", "llama-3.1-8b", "--device", "h100-sxm", "--rate",
                                    "4", "--tp", "2", "--seed", "7"}));
  CHECK(At(t.root, "seed") == "7");
  CHECK(At(t.root, "model") == "llama-3.1-8b");
  CHECK(At(t.root, "hardware", "device") == "h100-sxm");
  CHECK(At(t.root, "hardware", "tp") == "2");
  CHECK(At(t.root, "hardware", "replicas") == "<absent>");  // the scenario's default applies
  CHECK(At(t.root, "scheduler", "impl") == "vllm_v1");
  CHECK(At(t.root, "workload", "impl") == "synthetic");
  CHECK(At(t.root, "workload", "arrival") == "poisson");
  CHECK(At(t.root, "workload", "rate_per_s") == "4");
  CHECK(At(t.root, "workload", "num_requests") == "1000");
  CHECK(At(t.root, "workload", "prompt_tokens", "dist") == "lognormal");
  CHECK(At(t.root, "workload", "prompt_tokens", "mean") == "1000");
  CHECK(At(t.root, "workload", "prompt_tokens", "std") == "800");
  CHECK(At(t.root, "workload", "output_tokens", "mean") == "200");
  CHECK(At(t.root, "workload", "output_tokens", "std") == "150");
  const QuickStartTree u = BuildQuickStartTree(
      RunFlags({"--model", "opt-1.3b", "--device", "a100-80gb", "--rate", "2", "--prompt-tokens",
                "{dist: uniform, min: 10, max: 20}", "--output-tokens", "64", "--num-requests",
                "30", "--scheduler", "sarathi"}));
  CHECK(At(u.root, "workload", "prompt_tokens", "max") == "20");
  CHECK(At(u.root, "workload", "output_tokens") == "64");
  CHECK(At(u.root, "workload", "num_requests") == "30");
  CHECK(At(u.root, "scheduler", "impl") == "sarathi");
  CHECK(At(u.root, "seed") == "0");
}

TEST_CASE("quick start: a trace's flags, absolute paths and a config.json", "[quick_start]") {
  TempDir dir;
  const std::string trace = dir.Write("t.csv", "ts,in,out\n0,100,10\n0.5,200,20\n");
  const std::string config = dir.Write("m/config.json", "{}");
  const QuickStartTree t =
      BuildQuickStartTree(RunFlags({"--model", config, "--device", "h100-sxm", "--trace", trace,
                                    "--columns", "arrival_s=ts,prompt_tokens=in,output_tokens=out",
                                    "--time-scale", "2", "--num-requests", "1"}));
  CHECK(At(t.root, "model", "hf_config") == std::filesystem::path(config).string());
  CHECK(At(t.root, "workload", "impl") == "trace");
  CHECK(At(t.root, "workload", "path") == trace);
  CHECK(At(t.root, "workload", "format") == "csv");
  CHECK(At(t.root, "workload", "columns", "arrival_s") == "ts");
  CHECK(At(t.root, "workload", "columns", "prompt_tokens") == "in");
  CHECK(At(t.root, "workload", "columns", "output_tokens") == "out");
  CHECK(At(t.root, "workload", "time_scale") == "2");
  CHECK(At(t.root, "workload", "max_requests") == "1");
  // A relative path is written absolute: the saved scenario runs from any directory.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const QuickStartTree r = BuildQuickStartTree(
      RunFlags({"--model", "llama-3.1-8b", "--device", "h100-sxm", "--trace", "t.csv"}));
  std::filesystem::current_path(cwd);
  CHECK(At(r.root, "workload", "path") == trace);
}

TEST_CASE("quick start: the trace format is told from the first line", "[quick_start]") {
  TempDir dir;
  const std::string azure = dir.Write(
      "a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n");
  const std::string mooncake =
      dir.Write("m.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 2}\n");
  const std::string jsonl = dir.Write("j.txt", "{\"t\": 0, \"p\": 10, \"o\": 2}\n");
  const std::string bom_csv = dir.Write("v.csv",
                                        "\xEF\xBB\xBF"
                                        "arrived_at,x\r\n");
  CHECK(GuessTraceFormatName(azure, false, "--trace") == "azure");
  CHECK(GuessTraceFormatName(azure, true, "--trace") == "csv");  // columns mapped: generic
  CHECK(GuessTraceFormatName(mooncake, false, "--trace") == "mooncake");
  CHECK(GuessTraceFormatName(mooncake, true, "--trace") == "jsonl");
  CHECK(GuessTraceFormatName(jsonl, false, "--trace") == "jsonl");
  CHECK(GuessTraceFormatName(bom_csv, false, "--trace") == "csv");
  CHECK(GuessTraceFormatName(dir.Write("e.jsonl", ""), false, "--trace") == "jsonl");
  // Separators are detected by the csv reader; an unknown header goes to it with its columns.
  CHECK(GuessTraceFormatName(dir.Write("x.tsv", "a\tb\n"), false, "--trace") == "csv");
  const std::string burst = dir.Write(
      "b.csv", "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n");
  CHECK(GuessTraceFormatName(burst, false, "--trace") == "burstgpt");
  CHECK(Contains(
      InputErrorOf([&] { GuessTraceFormatName(dir.str() + "/none.csv", false, "--trace"); }),
      "--trace: cannot open '" + dir.str() + "/none.csv'"));
}

TEST_CASE("quick start: --rate on a trace scales it to that mean rate", "[quick_start]") {
  TempDir dir;
  // Four arrivals over 3 s: three gaps of 1 s on average, 1 request/s; --rate 2 halves the gaps.
  const std::string trace = dir.Write(
      "t.csv",
      "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n0.5,10,2\n2,10,2\n3,10,2\n");
  const Scenario sc = LoadRunScenario(RunFlags({"--model", "llama-3.1-8b", "--device", "h100-sxm",
                                                "--trace", trace, "--rate", "2"}),
                                      {});
  CHECK(sc.root["workload"]["time_scale"].Scalar() == "2");
  // --num-requests 2 replays the first two: one gap of 0.5 s, 2 requests/s; --rate 1 halves it.
  const Scenario two =
      LoadRunScenario(RunFlags({"--model", "llama-3.1-8b", "--device", "h100-sxm", "--trace", trace,
                                "--rate", "1", "--num-requests", "2"}),
                      {});
  CHECK(two.root["workload"]["time_scale"].Scalar() == "0.5");
  const std::string one =
      dir.Write("one.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n");
  CHECK(Contains(InputErrorOf([&] {
                   LoadRunScenario(RunFlags({"--model", "llama-3.1-8b", "--device", "h100-sxm",
                                             "--trace", one, "--rate", "1"}),
                                   {});
                 }),
                 "--rate: the trace's 1 request(s) arrive at one instant"));
}

TEST_CASE("quick start: errors name the flag", "[quick_start]") {
  auto error = [](std::vector<std::string> args) {
    // As run does: the scenario, then its workload (whose keys are checked as it is built).
    return InputErrorOf([&] { MakeScenarioWorkloads(LoadRunScenario(RunFlags(args), {})); });
  };
  const std::vector<std::string> base = {"--model", "llama-3.1-8b", "--device", "h100-sxm"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  CHECK(Contains(error({"--model", "lama-3.1-8b", "--device", "h100-sxm", "--rate", "1"}),
                 "--model: unknown model 'lama-3.1-8b' (did you mean 'llama-3.1-8b'"));
  CHECK(Contains(error({"--model", "llama-3.1-8b", "--device", "h100", "--rate", "1"}),
                 "--device: unknown device 'h100' (did you mean 'h100-sxm'"));
  CHECK(Contains(error(with({"--rate", "1", "--tp", "0"})), "--tp: expected an integer in [1, "));
  CHECK(
      Contains(error(with({"--rate", "abc"})), "--rate: expected a positive number, found 'abc'"));
  CHECK(Contains(error(with({"--rate", "1", "--scheduler", "vllm"})),
                 "--scheduler: unknown implementation 'vllm'"));
  CHECK(Contains(error(with({"--rate", "1", "--prompt-tokens", "{dist: normal}"})),
                 "--prompt-tokens: missing required key 'mean'"));
  CHECK(Contains(error(with({"--rate", "1", "--prompt-tokens", "["})),
                 "--prompt-tokens: value is not valid YAML"));
  CHECK(Contains(error({"--model", "llama-3.1-8b", "--rate", "1"}), "--model: needs --device too"));
  CHECK(Contains(error({"--device", "h100-sxm", "--rate", "1"}), "--device: needs --model too"));
  CHECK(Contains(error(base), "--trace or --rate: required"));
  CHECK(Contains(error(with({"--rate", "1", "--columns", "a=b"})),
                 "--columns: applies to --trace FILE only"));
  CHECK(Contains(error({"scenarios/default.yaml", "--model", "llama-3.1-8b"}),
                 "--model: builds a scenario from flags, and a scenario file was given too"));
  CHECK(Contains(error({"scenarios/default.yaml", "--tp", "2"}),
                 "--tp: a flag of the quick start (with --model and --device); to change a "
                 "scenario file's hardware.tp use --set hardware.tp=VALUE"));
  TempDir dir;
  const std::string trace = dir.Write("t.csv", "ts,in,out\n0,100,10\n");
  CHECK(Contains(error(with({"--trace", trace, "--columns", "arrival_s"})),
                 "--columns: expected KEY=COLUMN"));
  CHECK(Contains(error(with({"--trace", trace, "--columns", "arrival_s=ts,arrival_s=x"})),
                 "--columns: key 'arrival_s' given twice"));
  CHECK(Contains(error(with({"--trace", trace, "--prompt-tokens", "5"})),
                 "--prompt-tokens: sets a synthetic stream's lengths"));
  CHECK(Contains(error(with({"--trace", trace, "--rate", "1", "--time-scale", "2"})),
                 "--rate and --time-scale: give one of them"));
  CHECK(Contains(error(with({"--trace", trace, "--trace-format", "azur"})),
                 "--trace-format: expected one of azure | burstgpt | splitwise | mooncake | vllm_bench | sharegpt | csv | jsonl, found 'azur'"));
}

TEST_CASE("quick start: --trace alone still asks for trace.json", "[quick_start]") {
  CHECK(WantsTraceJson(RunFlags({"scenarios/default.yaml", "--trace"})));
  CHECK(WantsTraceJson(RunFlags({"--trace", "scenarios/default.yaml"})));
  CHECK_FALSE(WantsTraceJson(RunFlags({"scenarios/default.yaml"})));
  CHECK_FALSE(WantsTraceJson(RunFlags({"--model", "m", "--device", "d", "--trace", "t.csv"})));
  CHECK(WantsTraceJson(
      RunFlags({"--model", "m", "--device", "d", "--trace", "t.csv", "--trace-json"})));
  CHECK(WantsTraceJson(RunFlags({"--model", "m", "--device", "d", "--rate", "1", "--trace"})));
}

}  // namespace
}  // namespace servesim
