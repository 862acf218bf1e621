// Sweeps: grid order, value parsing, the per-point seed, and outputs that do not depend on the
// number of threads or on sharding.
#include "sim/app/sweep.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/input_error.h"
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

  // Points differ in their seeds: the same max_num_seqs at another rate draws other lengths.
  // With common_seed they all share the scenario's draws.
  o.common_seed = true;
  const SweepResult common = RunSweep(o);
  CHECK(common.csv != one.csv);

  o.common_seed = false;
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
