#include "workloads/workload_yaml.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::PullAll;

constexpr const char* kSource = "scenario.yaml: workload";

using testing::TempDir;

std::unique_ptr<Workload> Make(const std::string& yaml, const std::string& base_dir = "",
                               uint64_t seed = 42) {
  return MakeWorkload(YAML::Load(yaml), kSource, base_dir, seed);
}

std::string ErrorOf(const std::string& yaml, const std::string& base_dir = "") {
  try {
    Make(yaml, base_dir);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError for: " << yaml);
  return "";
}

TEST_CASE("workload yaml: the impl table and key lists", "[workloads]") {
  CHECK(WorkloadImplNames() == std::vector<std::string>{"trace", "synthetic", "closed_loop"});
  for (const std::string& impl : WorkloadImplNames()) {
    const auto& keys = WorkloadYamlKeys(impl);
    REQUIRE_FALSE(keys.empty());
    CHECK(keys.front() == "impl");
  }
  CHECK(WorkloadYamlKeys("nope").empty());
  const auto& synthetic = WorkloadYamlKeys("synthetic");
  CHECK(std::find(synthetic.begin(), synthetic.end(), "rate_per_s") != synthetic.end());
  CHECK(LengthYamlKeys().front() == "dist");
  CHECK(TraceColumnKeys().size() == 5);  // arrival, arrival_s, arrival_ms, prompt, output
}

TEST_CASE("workload yaml: synthetic", "[workloads]") {
  SECTION("poisson with distributions, deterministic by seed") {
    const std::string yaml =
        "{impl: synthetic, rate_per_s: 5, num_requests: 100,"
        " prompt_tokens: {dist: lognormal, mean: 1000, std: 500},"
        " output_tokens: {dist: uniform, min: 10, max: 20}, max_prompt_tokens: 4000}";
    auto w = Make(yaml);
    const auto a = PullAll(*w);
    REQUIRE(a.size() == 100);
    for (const Request& r : a) {
      REQUIRE(r.prompt_tokens <= 4000);
      REQUIRE(r.output_tokens >= 10);
      REQUIRE(r.output_tokens <= 20);
    }
    const auto b = PullAll(*Make(yaml));
    const auto c = PullAll(*Make(yaml, "", 7));
    CHECK(a[5].arrival_ns == b[5].arrival_ns);
    CHECK(a[5].prompt_tokens == b[5].prompt_tokens);
    CHECK(a[5].arrival_ns != c[5].arrival_ns);
    CHECK(Contains(w->Describe(), "synthetic poisson 5 req/s"));
    CHECK(Contains(w->Describe(), "lognormal(mean 1000, std 500)"));
  }
  SECTION("scalars are fixed lengths; gamma; constant; burst; duration") {
    const auto g =
        PullAll(*Make("{impl: synthetic, arrival: gamma, rate_per_s: 2, cv: 2, duration_s: 10, "
                      "prompt_tokens: 128, output_tokens: {dist: fixed, value: 16}}"));
    REQUIRE_FALSE(g.empty());
    CHECK(g[0].prompt_tokens == 128);
    CHECK(g[0].output_tokens == 16);
    CHECK(g.back().arrival_ns < 10'000'000'000);
    const auto c = PullAll(*Make(
        "{impl: synthetic, arrival: constant, rate_per_s: 4, num_requests: 3, prompt_tokens: 1,"
        " output_tokens: {dist: zipf, n: 100, s: 1.2}}"));
    REQUIRE(c.size() == 3);
    CHECK(c[2].arrival_ns == 500'000'000);
    const auto b = PullAll(*Make(
        "{impl: synthetic, arrival: burst, num_requests: 7, prompt_tokens: {dist: normal, mean: "
        "100, std: 10}, output_tokens: {dist: lognormal, mu: 3, sigma: 0.5}}"));
    REQUIRE(b.size() == 7);
    CHECK(b[6].arrival_ns == 0);
  }
  SECTION("empirical lengths resolve against base_dir") {
    TempDir dir;
    dir.Write("data/l.csv", "num_prefill_tokens,num_decode_tokens\n5,50\n6,60\n");
    const auto rs = PullAll(
        *Make("{impl: synthetic, rate_per_s: 1, num_requests: 50, prompt_tokens: {dist: empirical, "
              "path: data/l.csv}, output_tokens: {dist: empirical, path: data/l.csv}}",
              dir.str()));
    REQUIRE(rs.size() == 50);
    for (const Request& r : rs) REQUIRE(r.output_tokens == 10 * r.prompt_tokens);
  }
}

TEST_CASE("workload yaml: closed_loop", "[workloads]") {
  auto w = Make(
      "{impl: closed_loop, clients: 3, think_time_s: 0.5, think_dist: exponential,"
      " requests_per_client: 2, prompt_tokens: 100, output_tokens: 10}");
  Request r;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(w->Next(r) == Pull::kRequest);
    CHECK(r.client == i);
  }
  CHECK(w->Next(r) == Pull::kBlocked);
  w->OnComplete(r, 1'000'000'000);
  REQUIRE(w->Next(r) == Pull::kRequest);
  CHECK(r.client == 2);
  CHECK(r.arrival_ns > 1'000'000'000);
}

TEST_CASE("workload yaml: trace", "[workloads]") {
  TempDir dir;
  dir.Write("traces/t.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,10,1\n"
            "2023-11-16 18:00:02,20,2\n2023-11-16 18:00:04,30,3\n");
  dir.Write("traces/g.csv", "ms,p,o\n0,1,2\n1000,3,4\n");
  SECTION("azure, relative path, time_scale, window") {
    const auto rs = PullAll(*Make(
        "{impl: trace, path: traces/t.csv, format: azure, time_scale: 2, start_s: 1, end_s: 5}",
        dir.str()));
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].prompt_tokens == 20);
    CHECK(rs[0].arrival_ns == 500'000'000);  // (2 - 1) / 2
    CHECK(rs[1].arrival_ns == 1'500'000'000);
  }
  SECTION("csv with columns in ms, max_requests, skip_bad_rows") {
    auto w = Make(
        "{impl: trace, path: traces/g.csv, format: csv, columns: {arrival_ms: ms, prompt_tokens: "
        "p, output_tokens: o}, max_requests: 5, skip_bad_rows: true}",
        dir.str());
    const auto rs = PullAll(*w);
    REQUIRE(rs.size() == 2);
    CHECK(rs[1].arrival_ns == 1'000'000'000);
    CHECK(rs[1].output_tokens == 4);
    CHECK(w->skipped_rows() == 0);
  }
  SECTION("row errors carry the resolved path and line") {
    dir.Write("traces/bad.csv",
              "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,10,1\n"
              "2023-11-16 18:00:02,-20,2\n");
    auto w = Make("{impl: trace, path: traces/bad.csv, format: azure}", dir.str());
    Request r;
    REQUIRE(w->Next(r) == Pull::kRequest);
    try {
      w->Next(r);
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      CHECK(Contains(e.what(), (std::filesystem::path(dir.str()) / "traces/bad.csv").string() +
                                   ":3: column 'ContextTokens'"));
    }
  }
}

TEST_CASE("workload yaml: bad input names source.key", "[workloads]") {
  TempDir dir;
  dir.Write("t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,10,1\n");
  const std::string syn = "impl: synthetic\nprompt_tokens: 10\noutput_tokens: 10\n";
  const std::string closed = "impl: closed_loop\nprompt_tokens: 10\noutput_tokens: 10\n";
  const std::string trace = "impl: trace\npath: t.csv\n";
  struct Case {
    std::string yaml;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      // The slot itself.
      {"~", {"scenario.yaml: workload: expected a map {impl: trace | synthetic | closed_loop"}},
      {"synthetic", {"scenario.yaml: workload: expected a map", "found 'synthetic'"}},
      {"{rate_per_s: 1}", {"scenario.yaml: workload: missing required key 'impl'"}},
      {"{impl: synthetc}",
       {"scenario.yaml: workload.impl: expected one of trace | synthetic | closed_loop",
        "did you mean 'synthetic'"}},
      {"{impl: [trace]}", {"workload.impl: expected one of", "found a list"}},
      // Keys.
      {syn + "rate_per_sec: 5\nnum_requests: 1\n",
       {"scenario.yaml: workload.rate_per_sec: unknown key (did you mean 'rate_per_s'?)"}},
      {syn + "rate_per_s: 5\nnum_requests: 1\nclients: 4\n",
       {"workload.clients: does not apply to impl synthetic (it is a key of impl closed_loop)"}},
      {syn + "num_requests: 1\n", {"scenario.yaml: workload: missing required key 'rate_per_s'"}},
      {syn + "rate_per_s: 5\n", {"workload: missing required key 'num_requests' or 'duration_s'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n",
       {"workload: missing required key 'prompt_tokens'"}},
      // Values.
      {syn + "rate_per_s: -5\nnum_requests: 1\n",
       {"workload.rate_per_s: expected a positive number, found '-5'"}},
      {syn + "rate_per_s: 0\nnum_requests: 1\n", {"workload.rate_per_s: expected a positive"}},
      {syn + "rate_per_s: .nan\nnum_requests: 1\n", {"workload.rate_per_s: expected a positive"}},
      {syn + "rate_per_s: nan\nnum_requests: 1\n", {"workload.rate_per_s: expected a positive"}},
      {syn + "rate_per_s: fast\nnum_requests: 1\n", {"workload.rate_per_s", "found 'fast'"}},
      {syn + "rate_per_s: 1\nnum_requests: 10.5\n",
       {"workload.num_requests: expected a non-negative integer, found '10.5'"}},
      {syn + "rate_per_s: 1\nnum_requests: -1\n", {"workload.num_requests: expected a non-neg"}},
      {syn + "rate_per_s: 1\nnum_requests: 99999999999999999999\n",
       {"workload.num_requests", "out of range"}},
      {syn + "rate_per_s: 1\nnum_requests: [1, 2]\n",
       {"workload.num_requests: expected a non-negative integer, found a list"}},
      {syn + "rate_per_s: 1\nduration_s: 0\n", {"workload.duration_s: expected a positive"}},
      {syn + "rate_per_s: 1\nnum_requests: 1\ncv: 2\n",
       {"workload.cv: applies to arrival gamma only"}},
      {syn + "arrival: gamma\nrate_per_s: 1\nnum_requests: 1\n",
       {"workload: missing required key 'cv'"}},
      {syn + "arrival: poison\nrate_per_s: 1\nnum_requests: 1\n",
       {"workload.arrival: expected one of poisson | gamma | constant | burst",
        "did you mean 'poisson'"}},
      {syn + "arrival: burst\nrate_per_s: 1\nnum_requests: 1\n",
       {"workload.rate_per_s: does not apply to arrival burst"}},
      {syn + "arrival: burst\nduration_s: 1\n", {"a burst (every request at t = 0) needs"}},
      {syn + "rate_per_s: 1\nnum_requests: 1\nmax_prompt_tokens: 0\n",
       {"workload.max_prompt_tokens: expected a positive integer, found '0'"}},
      // Lengths.
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\nprompt_tokens: 0\n",
       {"workload.prompt_tokens: expected a length in tokens", "found '0'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: lognorm, mean: 5, std: 1}\n",
       {"workload.prompt_tokens.dist: expected one of fixed | uniform",
        "did you mean 'lognormal'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {mean: 5, std: 1}\n",
       {"workload.prompt_tokens: missing required key 'dist'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: fixed, value: 5, min: 1}\n",
       {"workload.prompt_tokens.min: does not apply to dist fixed (its keys: value)"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: normal, mean: 5, sd: 1}\n",
       {"workload.prompt_tokens.sd: unknown key (did you mean 'std'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: uniform, min: 5}\n",
       {"workload.prompt_tokens: missing required key 'max' (dist uniform needs min, max)"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: uniform, min: 5, max: 4}\n",
       {"workload.prompt_tokens.max: expected a length in [min = 5"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: lognormal, mean: 5, std: 1, sigma: 1}\n",
       {"workload.prompt_tokens.", "give either mean and std (of the lengths) or mu and sigma"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: normal, mean: 5, std: -1}\n",
       {"workload.prompt_tokens.std: expected a number >= 0, found '-1'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: zipf, n: 100, s: 0}\n",
       {"workload.prompt_tokens.s: expected a positive number, found '0'"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: {dist: empirical, path: nope.csv}\n",
       {"workload.prompt_tokens.path: ", "nope.csv: cannot open the lengths file"}},
      {"impl: synthetic\nrate_per_s: 1\nnum_requests: 1\noutput_tokens: 1\n"
       "prompt_tokens: [1, 2]\n",
       {"workload.prompt_tokens: expected a length in tokens or a map with 'dist', found a list"}},
      // Closed loop.
      {closed + "requests_per_client: 1\n", {"workload: missing required key 'clients'"}},
      {closed + "clients: 0\nrequests_per_client: 1\n",
       {"workload.clients: expected a positive integer, found '0'"}},
      {closed + "clients: 2\n", {"missing required key 'requests_per_client', 'num_requests'"}},
      {closed + "clients: 2\nnum_requests: 3\nthink_time_s: -1\n",
       {"workload.think_time_s: expected a number >= 0, found '-1'"}},
      {closed + "clients: 2\nnum_requests: 3\nthink_dist: poisson\n",
       {"workload.think_dist: expected one of fixed | exponential, found 'poisson'"}},
      {closed + "clients: 2\nnum_requests: 3\nthink_dist: exponential\n",
       {"workload.think_time_s: an exponential think time needs a positive mean"}},
      {closed + "clients: 2\nnum_requests: 3\nrate_per_s: 3\n",
       {"workload.rate_per_s: does not apply to impl closed_loop (it is a key of impl trace and "
        "synthetic)"}},
      // Trace.
      {"impl: trace\nformat: azure\n", {"workload: missing required key 'path'"}},
      {trace,
       {"workload: missing required key 'format' (one of azure | burstgpt | splitwise | mooncake "
        "| vllm_bench | sharegpt | csv | jsonl)"}},
      {trace + "format: azur\n",
       {"workload.format: expected one of azure | burstgpt | splitwise | mooncake | vllm_bench | "
        "sharegpt | csv | jsonl, found 'azur'",
        "did you mean 'azure'"}},
      {trace + "format: azure\ncolumns: {arrival_s: t}\n",
       {"workload.columns: applies to formats csv and jsonl only"}},
      {trace + "format: csv\ncolumns: {arrive: t}\n",
       {"workload.columns.arrive: unknown key (did you mean", "arrival"}},
      {trace + "format: csv\ncolumns: {arrival_s: t, arrival_ms: u}\n",
       {"workload.columns: give one of arrival (unit: time_unit), arrival_s or arrival_ms"}},
      {trace + "format: csv\ncolumns: {arrival_ms: t}\ntime_unit: s\n",
       {"workload.time_unit: s contradicts the unit of columns.arrival_ms"}},
      {trace + "format: azure\nrate_per_s: 2\n",
       {"workload.rate_per_s: format azure has its own arrival times"}},
      {trace + "format: csv\nseparator: pipe\n",
       {"workload.separator: expected one of comma | tab | semicolon"}},
      {trace + "format: csv\ncolumns: [t]\n", {"workload.columns: expected a map"}},
      {trace + "format: azure\ntime_scale: 0\n",
       {"workload.time_scale: expected a positive number, found '0'"}},
      {trace + "format: azure\nstart_s: 10\nend_s: 5\n",
       {"workload.end_s: expected a time after start_s"}},
      {trace + "format: azure\nskip_bad_rows: maybe\n",
       {"workload.skip_bad_rows: expected true or false, found 'maybe'"}},
      {trace + "format: azure\nmax_requests: -3\n", {"workload.max_requests: expected a non-neg"}},
      {trace + "format: azure\ntimescale: 2\n",
       {"workload.timescale: unknown key (did you mean 'time_scale'?)"}},
      {"impl: trace\npath: missing.csv\nformat: azure\n",
       {"scenario.yaml: workload.path: ", "missing.csv: cannot open the trace file"}},
      {"impl: trace\npath: t.csv\nformat: csv\n",
       {"scenario.yaml: workload.path: ", "t.csv:1: column 'arrived_at': missing from the header"}},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    const std::string msg = ErrorOf(c.yaml, dir.str());
    for (const std::string& e : c.expect) CHECK(Contains(msg, e));
  }
  CHECK(cases.size() >= 50);
}

}  // namespace
}  // namespace servesim
