// The synthetic workloads' shared_prefix option: shared system prompts in front of the drawn
// prompts, one prefix hash per prompt, the share and popularity draws, and its YAML validation.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "tests/support/input_error.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"
#include "workloads/synthetic.h"
#include "workloads/workload_yaml.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::ExpectInputError;
using testing::PullAll;

constexpr const char* kSource = "scenario.yaml: workload";

std::unique_ptr<Workload> Make(const std::string& yaml, uint64_t seed = 42) {
  return MakeWorkload(YAML::Load(yaml), kSource, "", seed);
}

const std::string kBase =
    "impl: synthetic\nrate_per_s: 10\nnum_requests: 2000\n"
    "prompt_tokens: {dist: uniform, min: 10, max: 20}\n"
    "output_tokens: {dist: uniform, min: 1, max: 50}\n";

TEST_CASE("shared prefix: prompt = L_g + drawn length, one hash per prompt", "[shared_prefix]") {
  const auto plain = PullAll(*Make(kBase));
  const auto with =
      PullAll(*Make(kBase + "shared_prefix: {prompts: 3, tokens: [100, 200, 300]}\n"));
  REQUIRE(plain.size() == 2000);
  REQUIRE(with.size() == 2000);
  std::map<int64_t, uint64_t> hash_of_length;
  for (size_t i = 0; i < with.size(); ++i) {
    const Request& r = with[i];
    // Every other draw is unchanged: the option has its own stream.
    REQUIRE(r.arrival_ns == plain[i].arrival_ns);
    REQUIRE(r.output_tokens == plain[i].output_tokens);
    REQUIRE(plain[i].prefix_hashes.empty());
    REQUIRE(plain[i].prefix_block_tokens == 0);
    // share defaults to 1: every request carries one of the three prompts.
    REQUIRE(r.prefix_hashes.size() == 1);
    const int64_t length = r.prefix_block_tokens;
    REQUIRE((length == 100 || length == 200 || length == 300));
    REQUIRE(r.prompt_tokens == length + plain[i].prompt_tokens);
    // Prompt g = length / 100 - 1; its hash depends on (stream prefix, g, L_g) only.
    REQUIRE(r.prefix_hashes[0] == PrefixGroupHash("", length / 100 - 1, length));
    const auto [it, inserted] = hash_of_length.emplace(length, r.prefix_hashes[0]);
    REQUIRE(it->second == r.prefix_hashes[0]);
  }
  REQUIRE(hash_of_length.size() == 3);  // all three prompts used
  CHECK(hash_of_length[100] != hash_of_length[200]);
  CHECK(hash_of_length[200] != hash_of_length[300]);
  CHECK(hash_of_length[100] != hash_of_length[300]);
  // Uniform popularity: each about a third.
  std::map<int64_t, int> counts;
  for (const Request& r : with) ++counts[r.prefix_block_tokens];
  for (const auto& [length, n] : counts) {
    INFO("length " << length);
    CHECK(n / 2000.0 == Approx(1.0 / 3).margin(0.04));
  }
  // Same seed, same requests; other sources (stream prefixes) hash differently.
  const auto again =
      PullAll(*Make(kBase + "shared_prefix: {prompts: 3, tokens: [100, 200, 300]}\n"));
  for (size_t i = 0; i < with.size(); ++i) {
    REQUIRE(again[i].prefix_hashes == with[i].prefix_hashes);
    REQUIRE(again[i].prompt_tokens == with[i].prompt_tokens);
  }
  CHECK(PrefixGroupHash("source1/", 0, 100) != PrefixGroupHash("", 0, 100));
  CHECK(PrefixGroupHash("", 0, 100) != PrefixGroupHash("", 0, 101));
}

TEST_CASE("shared prefix: share is the fraction of requests that carry one", "[shared_prefix]") {
  const auto all = PullAll(*Make(kBase + "shared_prefix: {prompts: 4, tokens: 64}\n"));
  const auto some = PullAll(*Make(kBase + "shared_prefix: {prompts: 4, tokens: 64, share: 0.3}\n"));
  const auto none = PullAll(*Make(kBase + "shared_prefix: {prompts: 4, tokens: 64, share: 0}\n"));
  const auto plain = PullAll(*Make(kBase));
  int carrying = 0;
  for (size_t i = 0; i < some.size(); ++i) {
    REQUIRE(none[i].prefix_hashes.empty());
    REQUIRE(none[i].prompt_tokens == plain[i].prompt_tokens);
    if (some[i].prefix_hashes.empty()) {
      REQUIRE(some[i].prefix_block_tokens == 0);
      REQUIRE(some[i].prompt_tokens == plain[i].prompt_tokens);
      continue;
    }
    ++carrying;
    // A carrying request picks the same prompt as with share 1 (the draws do not depend on it).
    REQUIRE(some[i].prefix_hashes == all[i].prefix_hashes);
    REQUIRE(some[i].prompt_tokens == 64 + plain[i].prompt_tokens);
  }
  // 2000 Bernoulli(0.3) draws: standard deviation about 0.01.
  CHECK(carrying / 2000.0 == Approx(0.3).margin(0.04));
}

TEST_CASE("shared prefix: zipf popularity favours prompt 0", "[shared_prefix]") {
  const auto rs = PullAll(
      *Make(kBase + "shared_prefix: {prompts: 4, tokens: 32, popularity: zipf, zipf_s: 1.0}\n"));
  std::map<uint64_t, int> counts;
  for (const Request& r : rs) ++counts[r.prefix_hashes.at(0)];
  // P(g) ~ 1 / (g + 1): 12/25, 6/25, 4/25, 3/25.
  const double expected[] = {12.0 / 25, 6.0 / 25, 4.0 / 25, 3.0 / 25};
  for (int g = 0; g < 4; ++g) {
    INFO("prompt " << g);
    CHECK(counts[PrefixGroupHash("", g, 32)] / 2000.0 == Approx(expected[g]).margin(0.04));
  }
}

TEST_CASE("shared prefix: closed loop and the C++ options", "[shared_prefix]") {
  auto w = Make(
      "{impl: closed_loop, clients: 2, requests_per_client: 1, prompt_tokens: 10, "
      "output_tokens: 5, shared_prefix: {prompts: 1, tokens: 500}}");
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 2);
  for (const Request& r : rs) {
    CHECK(r.prompt_tokens == 510);
    CHECK(r.prefix_block_tokens == 500);
    CHECK(r.prefix_hashes == std::vector<uint64_t>{PrefixGroupHash("", 0, 500)});
  }
  CHECK(Contains(w->Describe(), "shared prefix 1 prompts of 500 tokens, share 1"));

  SyntheticOptions o;
  o.rate_per_s = 1;
  o.num_requests = 3;
  o.prompt.value = 7;
  o.output.value = 1;
  o.stream_prefix = "s1/";
  o.shared_prefix.prompts = 2;
  o.shared_prefix.tokens = {16, 32};
  o.shared_prefix.popularity = PrefixPopularity::kZipf;
  o.shared_prefix.zipf_s = 2;
  auto syn = MakeSyntheticWorkload(o, 1, "src");
  for (const Request& r : PullAll(*syn)) {
    const int64_t g = r.prefix_block_tokens == 16 ? 0 : 1;
    CHECK(r.prompt_tokens == 7 + r.prefix_block_tokens);
    CHECK(r.prefix_hashes.at(0) == PrefixGroupHash("s1/", g, r.prefix_block_tokens));
  }
  CHECK(Contains(syn->Describe(), "shared prefix 2 prompts of 16..32 tokens, share 1, zipf s 2"));

  auto bad = [&](const std::function<void(SharedPrefixSpec&)>& edit) {
    SyntheticOptions b = o;
    edit(b.shared_prefix);
    return ExpectInputError([&] { MakeSyntheticWorkload(b, 1, "src"); });
  };
  CHECK(bad([](SharedPrefixSpec& s) { s.prompts = 0; }) ==
        "src.shared_prefix.prompts: expected a positive number of prompts, found 0");
  SyntheticOptions one_length = o;
  one_length.shared_prefix.tokens = {16};
  one_length.shared_prefix.prompts = 3;
  CHECK_NOTHROW(MakeSyntheticWorkload(one_length, 1, "src"));
  CHECK(Contains(bad([](SharedPrefixSpec& s) {
                   s.tokens = {16, 32, 48};
                 }),
                 "src.shared_prefix.tokens: expected one length or a list of 2"));
  CHECK(Contains(bad([](SharedPrefixSpec& s) {
                   s.tokens = {16, 0};
                 }),
                 "src.shared_prefix.tokens[1]: expected a length in tokens in [1, 2147483647], "
                 "found 0"));
  CHECK(Contains(bad([](SharedPrefixSpec& s) { s.share = 1.5; }),
                 "src.shared_prefix.share: expected a fraction in [0, 1], found 1.5"));
  CHECK(Contains(bad([](SharedPrefixSpec& s) { s.zipf_s = 0; }),
                 "src.shared_prefix.zipf_s: expected a positive exponent, found 0"));
}

TEST_CASE("shared prefix: YAML errors name the key", "[shared_prefix]") {
  const auto& keys = WorkloadYamlKeys("synthetic");
  CHECK(std::find(keys.begin(), keys.end(), "shared_prefix") != keys.end());
  const auto& closed = WorkloadYamlKeys("closed_loop");
  CHECK(std::find(closed.begin(), closed.end(), "shared_prefix") != closed.end());
  CHECK(SharedPrefixYamlKeys() ==
        std::vector<std::string>{"prompts", "tokens", "share", "popularity", "zipf_s"});

  struct Case {
    std::string shared_prefix;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"8",
       {"workload.shared_prefix: expected a map {prompts, tokens, share, popularity, zipf_s}",
        "found '8'"}},
      {"{prompts: 2, tokens: 5, shares: 0.5}",
       {"workload.shared_prefix.shares: unknown key (did you mean 'share'?)"}},
      {"{prompts: 2}", {"workload.shared_prefix: missing required key 'tokens'"}},
      {"{tokens: 5}", {"workload.shared_prefix: missing required key 'prompts'"}},
      {"{prompts: 0, tokens: 5}",
       {"workload.shared_prefix.prompts: expected a positive integer, found '0'"}},
      {"{prompts: two, tokens: 5}",
       {"workload.shared_prefix.prompts: expected a positive integer, found 'two'"}},
      {"{prompts: 2, tokens: 0}",
       {"workload.shared_prefix.tokens: expected a positive integer, found '0'"}},
      {"{prompts: 2, tokens: {a: 1}}",
       {"workload.shared_prefix.tokens: expected a positive integer, found a map"}},
      {"{prompts: 2, tokens: 3000000000}",
       {"workload.shared_prefix.tokens: expected a length in tokens in [1, 2147483647], found "
        "3000000000"}},
      {"{tokens: []}",
       {"workload.shared_prefix.tokens: expected a length in tokens or a non-empty"}},
      {"{tokens: [5, -1]}",
       {"workload.shared_prefix.tokens[1]: expected a positive integer, found '-1'"}},
      {"{tokens: [5, x]}", {"workload.shared_prefix.tokens[1]: expected a positive integer"}},
      {"{prompts: 3, tokens: [5, 6]}",
       {"workload.shared_prefix.prompts: expected 2 (the number of lengths in tokens), found "
        "'3'"}},
      {"{prompts: 2, tokens: 5, share: 1.5}",
       {"workload.shared_prefix.share: expected a fraction in [0, 1], found '1.5'"}},
      {"{prompts: 2, tokens: 5, share: -0.1}",
       {"workload.shared_prefix.share: expected a fraction in [0, 1], found '-0.1'"}},
      {"{prompts: 2, tokens: 5, share: .nan}",
       {"workload.shared_prefix.share: expected a fraction"}},
      {"{prompts: 2, tokens: 5, popularity: zip}",
       {"workload.shared_prefix.popularity: expected one of uniform | zipf, found 'zip'",
        "did you mean 'zipf'"}},
      {"{prompts: 2, tokens: 5, zipf_s: 1.2}",
       {"workload.shared_prefix.zipf_s: applies to popularity zipf only (popularity is uniform)"}},
      {"{prompts: 2, tokens: 5, popularity: zipf, zipf_s: 0}",
       {"workload.shared_prefix.zipf_s: expected a positive number, found '0'"}},
  };
  for (const Case& c : cases) {
    const std::string yaml = kBase + "shared_prefix: " + c.shared_prefix + "\n";
    INFO(yaml);
    const std::string error = ExpectInputError([&] { Make(yaml); });
    CHECK(Contains(error, "scenario.yaml: " + c.expect.front()));
    for (const std::string& e : c.expect) CHECK(Contains(error, e));
  }
  // Lists and defaults that are fine.
  CHECK_NOTHROW(Make(kBase + "shared_prefix: {prompts: 2, tokens: [5, 6]}\n"));
  CHECK_NOTHROW(Make(kBase + "shared_prefix: {tokens: [5], share: 0, popularity: uniform}\n"));
  CHECK_NOTHROW(Make(kBase + "shared_prefix: {prompts: 9, tokens: 5, popularity: zipf}\n"));
}

}  // namespace
}  // namespace servesim
