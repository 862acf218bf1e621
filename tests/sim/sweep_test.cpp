// Sweeps: grid order, value parsing, the per-point seed, and outputs that do not depend on the
// number of threads or on sharding.
#include "sim/app/sweep.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::InputErrorOf;

using testing::TempDir;

const char* kScenario = R"(seed: 11
model: llama-3.1-8b
hardware: {device: h100-sxm, tp: 1}
workload:
  impl: synthetic
  arrival: poisson
  rate_per_s: 6
  num_requests: 60
  prompt_tokens: {dist: uniform, min: 50, max: 400}
  output_tokens: {dist: uniform, min: 10, max: 80}
scheduler: {impl: vllm_v1, max_num_seqs: 32}
output: {slo: {ttft_ms: 200}}
)";

TEST_CASE("--vary values split at top-level commas only", "[sweep]") {
  const SweepAxis a = ParseSweepAxis("scheduler={impl: sarathi, chunk_size: 256},{impl: vllm_v1}");
  CHECK(a.key == "scheduler");
  REQUIRE(a.values.size() == 2);
  CHECK(a.values[0] == "{impl: sarathi, chunk_size: 256}");
  CHECK(a.values[1] == "{impl: vllm_v1}");
  const SweepAxis b = ParseSweepAxis("k=[1, 2],'a,b',3");
  CHECK(b.values == std::vector<std::string>{"[1, 2]", "'a,b'", "3"});
  CHECK(Contains(InputErrorOf([] { ParseSweepAxis("a="); }), "--vary a=: empty value list"));
  CHECK(Contains(InputErrorOf([] { ParseSweepAxis("a"); }), "no '='"));
  CHECK(Contains(InputErrorOf([] { ParseSweepAxis("a=1,,2"); }), "empty value"));
  CHECK(Contains(InputErrorOf([] { ParseSweepAxis("a=1,2,1"); }), "listed twice"));
  CHECK(Contains(InputErrorOf([] {
                   ParseSweepAxes({"a=1", "a=2"});
                 }),
                 "--vary a: key given twice"));
}

TEST_CASE("grid points are numbered with the first axis varying slowest", "[sweep]") {
  const std::vector<SweepAxis> axes = ParseSweepAxes({"a=1,2", "b=x,y,z"});
  CHECK(SweepGridSize(axes) == 6);
  CHECK(SweepAssignment(axes, 0) == std::vector<std::string>{"a=1", "b=x"});
  CHECK(SweepAssignment(axes, 2) == std::vector<std::string>{"a=1", "b=z"});
  CHECK(SweepAssignment(axes, 3) == std::vector<std::string>{"a=2", "b=x"});
  CHECK(SweepAssignment(axes, 5) == std::vector<std::string>{"a=2", "b=z"});
  CHECK(Contains(InputErrorOf([&] { SweepGridSize(axes, 5); }), "more than the limit of 5"));
}

TEST_CASE("the per-point seed depends on the assignment, not on its order", "[sweep]") {
  CHECK(PointSeed(42, {}) == 42);
  const uint64_t s = PointSeed(42, {"a=1", "b=2"});
  CHECK(s == PointSeed(42, {"b=2", "a=1"}));
  CHECK(s != PointSeed(42, {"a=1", "b=3"}));
  CHECK(s != PointSeed(43, {"a=1", "b=2"}));
  CHECK(s <= 0x7fffffffffffffffull);
}

TEST_CASE("--shard parses i/N with 0 <= i < N", "[sweep]") {
  const ShardSpec s = ParseShard("2/4");
  CHECK(s.index == 2);
  CHECK(s.count == 4);
  CHECK(Contains(InputErrorOf([] { ParseShard("4/4"); }), "out of range"));
  CHECK(Contains(InputErrorOf([] { ParseShard("-1/4"); }), "out of range"));
  CHECK(Contains(InputErrorOf([] { ParseShard("1/0"); }), "shard count N >= 1"));
  CHECK(Contains(InputErrorOf([] { ParseShard("x"); }), "expected i/N"));
  CHECK(Contains(InputErrorOf([] { ParseShard("1/2/3"); }), "expected i/N"));
}

TEST_CASE("ParallelFor rethrows the first failing index in order", "[sweep]") {
  for (int jobs : {1, 4}) {
    std::string msg;
    try {
      ParallelFor(100, jobs, [](int64_t i) {
        if (i == 17 || i == 60) throw InputError("bad " + std::to_string(i));
      });
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK(msg == "bad 17");
  }
}

TEST_CASE("a sweep's csv is the same for 1 and 3 jobs and for merged shards", "[sweep]") {
  TempDir dir;
  SweepOptions o;
  o.scenario_path = dir.Write("s.yaml", kScenario);
  o.axes = ParseSweepAxes({"scheduler.max_num_seqs=4,32", "workload.rate_per_s=3,12"});
  o.jobs = 1;
  const SweepResult one = RunSweep(o);
  o.jobs = 3;
  const SweepResult three = RunSweep(o);
  CHECK(one.csv == three.csv);
  CHECK(one.info_json == three.info_json);
  CHECK(one.grid_points == 4);
  CHECK(Contains(one.csv, "point,scheduler.max_num_seqs,workload.rate_per_s,completed,"));
  CHECK(Contains(one.csv, "\n3,32,12,60,"));  // every request completes at every point

  // With independent seeds the points draw other requests than the scenario seed gives them.
  o.independent_seeds = true;
  const SweepResult independent = RunSweep(o);
  CHECK(independent.csv != one.csv);
  CHECK(Contains(independent.info_json, "\"common_seed\": false"));
  CHECK(Contains(one.info_json, "\"common_seed\": true"));

  o.independent_seeds = false;
  std::vector<std::string> shard_dirs;
  for (int64_t i = 0; i < 3; ++i) {
    o.shard = ShardSpec{i, 3};
    const SweepResult r = RunSweep(o);
    CHECK(r.points_run == (i == 0 ? 2 : 1));
    shard_dirs.push_back((dir.path() / ("shard" + std::to_string(i))).string());
    WriteSweepOutputs(shard_dirs.back(), r.csv, r.info_json);
  }
  const SweepResult merged = MergeSweeps(shard_dirs);
  CHECK(merged.csv == one.csv);
  CHECK(merged.info_json == one.info_json);
  CHECK(Contains(InputErrorOf([&] {
                   MergeSweeps({shard_dirs[0], shard_dirs[1]});
                 }),
                 "point 2 is missing"));
  CHECK(Contains(InputErrorOf([&] {
                   MergeSweeps({shard_dirs[0], shard_dirs[0]});
                 }),
                 "appears in both"));
}

// Common random numbers: points that differ only in policy keys (the scheduler's batch cap, the
// scheduler itself, the router, which draws from its own stream) see the very same requests.
TEST_CASE("every point of a policy sweep sees the same request stream", "[sweep]") {
  TempDir dir;
  SweepOptions o;
  o.scenario_path = dir.Write("s.yaml", kScenario);
  o.overrides = {"hardware.replicas=2"};
  o.axes = ParseSweepAxes({"scheduler.max_num_seqs=2,32", "scheduler.impl=vllm_v1,sarathi",
                           "routing.impl=round_robin,random"});
  const uint64_t seed = ValidateSweepGrid(o);
  using Stream = std::vector<std::array<int64_t, 4>>;  // id, arrival, prompt, output
  std::vector<Stream> streams;
  std::vector<std::vector<int64_t>> finishes;
  for (int64_t p = 0; p < SweepGridSize(o.axes); ++p) {
    const Scenario sc = LoadScenarioWithOrigins(o.scenario_path, SweepPointOverrides(o, seed, p));
    Stream stream;
    std::vector<int64_t> finish;
    CallbackObserver obs;
    obs.on_request = [&](const RequestRecord& r) {
      stream.push_back({r.request_id, r.arrival_ns, r.prompt_tokens, r.output_tokens});
      finish.push_back(r.finish_ns);
    };
    Engine engine(sc.engine, MakeScenarioWorkloads(sc));
    engine.Run({&obs});
    std::sort(stream.begin(), stream.end());
    streams.push_back(stream);
    finishes.push_back(finish);
  }
  REQUIRE(streams[0].size() == 60);
  for (size_t p = 1; p < streams.size(); ++p) CHECK(streams[p] == streams[0]);
  CHECK(finishes[0] != finishes[4]);  // the policies do differ: max_num_seqs 2 vs 32

  // Independent seeds give points other streams.
  o.independent_seeds = true;
  const Scenario a = LoadScenarioWithOrigins(o.scenario_path, SweepPointOverrides(o, seed, 0));
  const Scenario b = LoadScenarioWithOrigins(o.scenario_path, SweepPointOverrides(o, seed, 1));
  CHECK(a.seed != b.seed);
}

TEST_CASE("replication k runs with the same seed at every point", "[sweep]") {
  CHECK(ReplicationSeed(42, 0) == 42);
  CHECK(ReplicationSeed(42, 1) == PointSeed(42, {"replication=1"}));
  CHECK(ReplicationSeed(42, 1) != ReplicationSeed(42, 2));
  CHECK(ParseReplications("1") == 1);
  CHECK(ParseReplications("1000") == 1000);
  for (const char* bad : {"0", "1001", "-3", "2.5", "x", "", "5 "}) {
    CHECK(Contains(InputErrorOf([&] { ParseReplications(bad); }),
                   "--replications: expected an integer from 1 to 1000"));
  }
  TempDir dir;
  SweepOptions o;
  o.scenario_path = dir.Write("s.yaml", kScenario);
  o.axes = ParseSweepAxes({"scheduler.max_num_seqs=16,32"});
  const SweepResult one = RunSweep(o);
  o.replications = 3;
  const SweepResult three = RunSweep(o);
  // Means and CI columns: 2 rows with 1 + 1 + 2 x metrics fields.
  const size_t metrics = SweepMetricColumns().size();
  CHECK(Contains(three.csv, ",steps,completed_ci95,"));
  CHECK(Contains(three.csv, ",steps_ci95,load_status\n"));
  CHECK(Contains(three.info_json, "\"replications\": 3"));
  CHECK_FALSE(Contains(one.info_json, "replications"));
  const std::string row = three.csv.substr(three.csv.find('\n') + 1);
  CHECK(static_cast<size_t>(std::count(
            row.begin(), row.begin() + static_cast<std::ptrdiff_t>(row.find('\n')), ',')) ==
        2 + 2 * metrics);
  // Every request completes in every replication: completed 60, CI 0.
  CHECK(Contains(row, "0,16,60,0,0,0,"));
  CHECK(Contains(three.table, "over 3 replications"));
  CHECK(Contains(three.table, "  load\n"));
  CHECK(one.table.empty());
  o.max_points = 5;
  CHECK(Contains(InputErrorOf([&] { RunSweep(o); }),
                 "--replications 3: 2 points x 3 replications make 6 runs"));
}

TEST_CASE("a point's load status is its worst replication's; the note names flagged points",
          "[sweep]") {
  using L = LoadStatus;
  CHECK(WorseLoad(L::kOk, L::kShortRun) == L::kShortRun);
  CHECK(WorseLoad(L::kOverloaded, L::kShortRun) == L::kOverloaded);
  CHECK(WorseLoad(L::kShortRun, L::kOverloaded) == L::kOverloaded);
  CHECK(WorseLoad(L::kOk, L::kOk) == L::kOk);
  CHECK(ParseLoadStatus("short_run") == L::kShortRun);
  CHECK_FALSE(ParseLoadStatus("Overloaded"));
  const std::vector<SweepAxis> axes = ParseSweepAxes({"workload.rate_per_s=2,60"});
  CHECK(SweepLoadNote(axes, {0, 1}, {L::kOk, L::kOk}).empty());
  const std::string note = SweepLoadNote(axes, {0, 1}, {L::kOk, L::kOverloaded});
  CHECK(note.rfind("load: 1 of 2 points overloaded (", 0) == 0);
  CHECK(Contains(note, "): point 1 (workload.rate_per_s=60)\n"));
  CHECK(std::count(note.begin(), note.end(), '\n') == 1);
  // More than kLoadNotePoints points: the first ones, then a count.
  const std::vector<SweepAxis> many = ParseSweepAxes({"seed=1,2,3,4,5,6,7,8,9,10"});
  std::vector<int64_t> points;
  for (int64_t p = 0; p < 10; ++p) points.push_back(p);
  const std::string long_note =
      SweepLoadNote(many, points, std::vector<LoadStatus>(10, L::kShortRun));
  CHECK(Contains(long_note, "load: 10 of 10 points short_run"));
  CHECK(Contains(long_note, "point 7 (seed=8), and 2 more\n"));
}

TEST_CASE("a bad grid point names the --vary key it comes from", "[sweep]") {
  TempDir dir;
  SweepOptions o;
  o.scenario_path = dir.Write("s.yaml", kScenario);
  o.axes = ParseSweepAxes({"scheduler.max_num_seq=4,8"});
  std::string msg = InputErrorOf([&] { RunSweep(o); });
  CHECK(Contains(msg, "--vary scheduler.max_num_seq (value '4', grid point 0)"));
  CHECK(Contains(msg, "did you mean 'max_num_seqs'"));
  o.axes = ParseSweepAxes({"scheduler.max_num_seqs=4,0"});
  msg = InputErrorOf([&] { RunSweep(o); });
  CHECK(Contains(msg, "--vary scheduler.max_num_seqs (value '0', grid point 1)"));
}

}  // namespace
}  // namespace servesim
