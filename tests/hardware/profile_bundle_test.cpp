// LLMServingSim profile bundles: the real RTX PRO 6000 bundles read and looked up (values pinned
// from the CSV files, interpolations worked by hand), and broken copies rejected with file:line.
#include "hardware/profile_bundle.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hardware/csv_table.h"
#include "models/input_error.h"
#include "tests/support/input_error.h"
#include "tests/support/shared_data.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

const char* kLlama = "measured/llmservingsim_profiles/RTXPRO6000/meta-llama/Llama-3.1-8B/bf16";
const char* kMoe =
    "measured/llmservingsim_profiles/RTXPRO6000/Qwen/Qwen3-30B-A3B-Instruct-2507/bf16";

std::string BundleDir(const char* relative) {
  return testing::SharedDataFile(std::string(relative) + "/meta.yaml").empty()
             ? std::string()
             : testing::SharedDataDir() + "/" + relative;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the Llama bundle's tp1 (without skew.csv) in `dir`.
void CopyBundle(const std::string& src, const testing::TempDir& dir) {
  dir.Write("meta.yaml", Slurp(src + "/meta.yaml"));
  for (const char* f : {"dense.csv", "per_sequence.csv", "attention.csv", "skew_fit.csv"})
    dir.Write(std::string("tp1/") + f, Slurp(src + "/tp1/" + f));
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Real profile bundles read, with the values of their CSV files", "[profile_bundle]") {
  const std::string dir = BundleDir(kLlama);
  if (dir.empty()) {
    WARN("shared data absent: skipped");
    return;
  }
  const ProfileBundle b = ReadProfileBundle(dir, 1);
  CHECK(b.meta.model == "meta-llama/Llama-3.1-8B");
  CHECK(b.meta.variant == "bf16");
  CHECK(b.meta.tp_degrees == std::vector<int>{1, 2});
  CHECK(b.meta.rank_heads == 16);  // 32 heads / TP 2, the largest profiled
  CHECK(b.dense.size() == 9);
  CHECK(b.dense.at("act_fn").x.size() == 152);
  CHECK(b.dense.at("act_fn").seconds[0] == Approx(2.67733e-6));
  // lm_head: 16 -> 697.132 us, 20 -> 701.153 us; 18 is halfway.
  bool outside = false;
  CHECK(b.per_sequence.at("lm_head").At(18, &outside) == Approx(699.1425e-6));
  CHECK_FALSE(outside);
  // Decode attention at n = 3, kv = 24: the mean of (2,16) 12.5653, (2,32) 12.704, (4,16) 12.8527,
  // (4,32) 13.046 us.
  const double q[4] = {0, 0, 3, 24};
  CHECK(b.attention.At(q, &outside) == Approx(12.792e-6));
  CHECK_FALSE(outside);
  const double grid_point[4] = {16, 0, 1, 16};
  CHECK(b.attention.At(grid_point, &outside) == Approx(7.936e-6));
  const double beyond[4] = {0, 0, 1, 40000};
  b.attention.At(beyond, &outside);
  CHECK(outside);
  REQUIRE(b.skew);
  CHECK(b.skew->alpha_default == Approx(0.0543));
  // skew_fit.csv line 2: 0,n<=128,sr<=15%,kvB<=16k,kp=0,0.0328; line 103 the same at pc 16: 0.089.
  CHECK(b.skew->Alpha(0, 100, 0.1, 10000, 0) == Approx(0.0328));
  CHECK(b.skew->Alpha(17, 100, 0.1, 10000, 0) == Approx(0.089));
  CHECK_FALSE(b.moe);
  const ProfileBundle tp2 = ReadProfileBundle(dir, 2);
  CHECK(tp2.skew->alpha_default == Approx(0.0654));
  const std::string error = testing::ExpectInputError([&] { ReadProfileBundle(dir, 4); });
  CHECK(testing::Contains(error, "no tp4 folder for hardware.tp 4 (profiled: 1, 2)"));
}

TEST_CASE("A MoE bundle's moe.csv, profiled at TP 1, serves TP 2 too", "[profile_bundle]") {
  const std::string dir = BundleDir(kMoe);
  if (dir.empty()) return;
  for (int tp : {1, 2}) {
    const ProfileBundle b = ReadProfileBundle(dir, tp);
    REQUIRE(b.moe);
    const double q[2] = {1, 8};  // moe.csv line 2: 1,8,50.2297
    CHECK(b.moe->At(q, nullptr) == Approx(50.2297e-6));
    CHECK(b.dense.count("gate_up_proj") == 0);
  }
}

TEST_CASE("Broken profile bundles: one-line errors naming file:line and column",
          "[profile_bundle]") {
  const std::string src = BundleDir(kLlama);
  if (src.empty()) return;
  struct Case {
    const char* file;
    const char* from;
    const char* to;
    const char* expect;
  };
  const Case cases[] = {
      {"tp1/dense.csv", "act_fn,2,2.848", "act_fn,2,abc",
       "tp1/dense.csv:3: column 'time_us': expected a number, found 'abc'"},
      {"tp1/dense.csv", "act_fn,3,", "act_fn,1,",
       "tp1/dense.csv:4: column 'tokens': 1 after 2 for layer 'act_fn'; expected increasing"},
      {"tp1/dense.csv", "layer,tokens,time_us", "layer,tokenz,time_us",
       "tp1/dense.csv:1: expected header 'layer,tokens,time_us', found 'layer,tokenz,time_us'"},
      {"tp1/attention.csv", "0,0,2,16,12.5653", "0,0,2,16",
       "tp1/attention.csv:21: expected 5 cells, found 4"},
      {"tp1/attention.csv", "0,0,2,32,12.704", "0,0,2,16,12.704",
       "tp1/attention.csv:22: duplicate grid point (line 21"},
      {"tp1/per_sequence.csv", "lm_head,2,687.06", "lm_head,2,-1",
       "tp1/per_sequence.csv:3: column 'time_us': expected a time >= 0 us, found -1"},
      {"tp1/skew_fit.csv", "0,n<=128,sr<=15%,kvB<=16k,kp=0,0.0328",
       "0,n<=129,sr<=15%,kvB<=16k,kp=0,0.0328",
       "tp1/skew_fit.csv:2: column 'n_label': unknown bucket 'n<=129'"},
      {"meta.yaml", "model: meta-llama/Llama-3.1-8B", "modell: x", "meta.yaml: model: missing"},
      {"meta.yaml", "  max_num_seqs: 256", "  max_num_seqs: many",
       "engine_effective.max_num_seqs: expected an integer"},
  };
  for (const Case& c : cases) {
    testing::TempDir dir;
    CopyBundle(src, dir);
    dir.Write(c.file, Replace(Slurp(dir.str() + "/" + c.file), c.from, c.to));
    const std::string error = testing::ExpectInputError([&] { ReadProfileBundle(dir.str(), 1); });
    INFO(error);
    CHECK(testing::Contains(error, c.expect));
    CHECK(error.find('\n') == std::string::npos);
  }
  testing::TempDir missing;
  CopyBundle(src, missing);
  std::filesystem::remove(missing.path() / "tp1/attention.csv");
  CHECK(testing::Contains(testing::ExpectInputError([&] { ReadProfileBundle(missing.str(), 1); }),
                          "tp1/attention.csv: missing file"));
  CHECK(testing::Contains(testing::ExpectInputError([&] { ReadProfileBundle(missing.str() + "/nope", 1); }),
                          "not a directory"));
}

}  // namespace servesim
