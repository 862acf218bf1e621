// One test body run over every registered scheduler x KV allocator combination the scenario
// loader accepts: a bursty random workload on a deliberately small KV cache (so paged schedulers
// preempt), checked for request conservation, per-request ordering of lifecycle times, exact
// output-token counts, KV blocks all returned, and determinism. The engine itself checks KV
// accounting and conservation after every event in debug builds (the sanitizer CI build).
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/presets.h"
#include "models/presets.h"
#include "policies/registry.h"
#include "sim/core/engine.h"
#include "sim/output/csv_writers.h"
#include "tests/support/text.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

using testing::SplitCsvLine;

struct Combo {
  std::string scheduler;
  std::string kv;
  bool prefix_caching = false;
  bool swap = false;
  bool reserve_modes = false;  // the allocator sizes regions by kv_cache.reserve
  ContiguousReserve reserve = ContiguousReserve::kMaxModelLen;
  std::string Name() const {
    std::string n = scheduler + " + " + kv;
    if (prefix_caching) n += " + prefix caching";
    if (swap) n += " + swap";
    if (reserve_modes) {
      n += reserve == ContiguousReserve::kMaxModelLen  ? " (max_model_len)"
           : reserve == ContiguousReserve::kRequestMax ? " (request_max)"
                                                       : " (pow2)";
    }
    return n;
  }
};

bool HasKey(const std::vector<KeyDoc>& keys, const std::string& name) {
  for (const KeyDoc& k : keys) {
    if (name == k.name) return true;
  }
  return false;
}

// Every combination the registry's capabilities allow: each scheduler over each allocator, with
// prefix caching where both support it, swap where the scheduler does, and every reserve mode of
// an allocator that takes one.
std::vector<Combo> AllCombos() {
  std::vector<Combo> out;
  for (const SchedulerDescriptor& sched : SchedulerDescriptors()) {
    for (const KvDescriptor& kv : KvDescriptors()) {
      if (HasKey(kv.keys, "reserve")) {
        for (auto r : {ContiguousReserve::kMaxModelLen, ContiguousReserve::kRequestMax,
                       ContiguousReserve::kPow2}) {
          out.push_back({sched.name, kv.name, false, false, true, r});
        }
        continue;
      }
      out.push_back({sched.name, kv.name});
      if (sched.caps.prefix_caching && kv.caps.prefix_caching)
        out.push_back({sched.name, kv.name, true});
      if (sched.caps.swap_preemption) out.push_back({sched.name, kv.name, false, true});
    }
  }
  return out;
}

// Deterministic pseudo-random requests (a fixed LCG: the test's inputs, not the product's RNG):
// bursts of arrivals, prompts 1..1500, outputs 1..300, a third sharing one of 4 prefixes.
std::vector<Request> RandomRequests() {
  std::vector<Request> out;
  uint64_t x = 12345;
  auto next = [&x](uint64_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % n;
  };
  int64_t t = 0;
  for (int i = 0; i < 160; ++i) {
    t += static_cast<int64_t>(next(4) == 0 ? 0 : next(40'000'000));
    Request r = testing::MakeRequest(t, 1 + static_cast<int64_t>(next(1500)),
                                     1 + static_cast<int64_t>(next(300)));
    if (next(3) == 0) {
      const uint64_t group = next(4);
      r.prompt_tokens += 512;
      r.prefix_hashes = {1000 + group};
      r.prefix_block_tokens = 512;
    }
    out.push_back(r);
  }
  return out;
}

struct Outcome {
  RunSummary summary;
  std::string requests_csv;
  std::string steps_csv;
};

Outcome Run(const Combo& c, const std::vector<Request>& requests, bool jump = true) {
  EngineConfig cfg;
  cfg.jump_decode_stretches = jump;
  cfg.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  cfg.device = DevicePresetOrThrow("h100-sxm", "test");
  cfg.max_model_len = 2048;
  cfg.scheduler.impl = c.scheduler;
  cfg.scheduler.max_model_len = 2048;
  cfg.scheduler.max_num_seqs = 32;
  // The scheduler's defaults say whether it has a token budget and whether a whole prompt must
  // fit in it; the budget is then small enough to chunk (a chunk still fills a KV block).
  const SchedulerDescriptor& sched = FindScheduler(c.scheduler);
  SchedulerOptions defaults;
  defaults.max_model_len = 2048;
  YamlMapReader none(YAML::Node(), "test", "scheduler");
  sched.parse(none, defaults);
  cfg.scheduler.max_num_batched_tokens = defaults.max_num_batched_tokens == 0 ? 0
                                         : !defaults.chunked_prefill          ? 2048
                                         : sched.caps.chunk_at_least_block    ? 256
                                                                              : 1024;
  cfg.kv.impl = c.kv;
  // 400 blocks of 16 tokens = 6,400 tokens: a handful of long requests fill it.
  cfg.kv.capacity_blocks = 400;
  cfg.kv.block_size = 16;
  cfg.kv.max_model_len = 2048;
  cfg.kv.prefix_caching = c.prefix_caching;
  cfg.kv.reserve = c.reserve;
  cfg.kv.watermark_blocks = sched.caps.watermark_default > 0 ? 4 : 0;
  cfg.kv.swap_blocks = c.swap ? 200 : 0;
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<testing::VectorWorkload>(requests));
  Engine engine(cfg, std::move(sources));
  std::ostringstream reqs, steps;
  RequestsCsvWriter reqs_writer(reqs);
  StepsCsvWriter steps_writer(steps);
  Outcome o;
  o.summary = engine.Run({&reqs_writer, &steps_writer});
  o.requests_csv = reqs.str();
  o.steps_csv = steps.str();
  return o;
}

}  // namespace

TEST_CASE("every scheduler x KV allocator conserves requests, tokens and KV",
          "[policies][combinations]") {
  const std::vector<Request> requests = RandomRequests();
  const auto combos = AllCombos();
  REQUIRE(combos.size() >= 10);
  for (const Combo& c : combos) {
    INFO(c.Name());
    const Outcome o = Run(c, requests);
    const RunSummary& s = o.summary;
    CHECK(s.arrived == static_cast<int64_t>(requests.size()));
    CHECK(s.in_flight_at_end == 0);
    CHECK(s.completed + s.rejected == s.arrived);
    // max_model_len 2048: prompts of up to 1500 + 512 + 300 output can exceed it; those (and,
    // for a max-length reservation, nothing else) are the only rejections.
    int64_t too_long = 0, completed_output = 0;
    for (const Request& r : requests) {
      if (r.prompt_tokens + r.output_tokens > 2048) {
        ++too_long;
      } else {
        completed_output += r.output_tokens;
      }
    }
    CHECK(s.rejected_too_long == too_long);
    CHECK(s.rejected == too_long);
    CHECK(s.output_tokens == completed_output);
    if (!FindScheduler(c.scheduler).caps.preempts) CHECK(s.preemptions == 0);
    if (!c.prefix_caching) CHECK(s.kv.prefix_hit_tokens == 0);
    if (!c.swap) CHECK(s.kv.swap_out_blocks == 0);
    CHECK(s.kv.swap_in_blocks == s.kv.swap_out_blocks);  // everything swapped out came back

    std::istringstream in(o.requests_csv);
    std::string line;
    std::getline(in, line);  // header
    int64_t rows = 0;
    while (std::getline(in, line)) {
      ++rows;
      const auto f = SplitCsvLine(line);
      REQUIRE(f.size() == 14);
      if (f[4] != "completed") continue;
      const double arrival = std::stod(f[1]), scheduled = std::stod(f[6]),
                   first_token = std::stod(f[7]), finish = std::stod(f[8]);
      CHECK(arrival <= scheduled);
      CHECK(scheduled <= first_token);
      CHECK(first_token <= finish);
      CHECK(std::stod(f[9]) >= 0);
      CHECK(std::stod(f[11]) >= std::stod(f[9]));
    }
    CHECK(rows == s.arrived);
    // Same inputs, same outputs, byte for byte.
    const Outcome again = Run(c, requests);
    CHECK(again.requests_csv == o.requests_csv);
    CHECK(again.steps_csv == o.steps_csv);
    // And the same without decode-stretch jumps (for the schedulers that declare them).
    const Outcome stepped = Run(c, requests, /*jump=*/false);
    CHECK(stepped.requests_csv == o.requests_csv);
    CHECK(stepped.steps_csv == o.steps_csv);
    CHECK(stepped.summary.events == o.summary.events);
    CHECK(stepped.summary.jumped_steps == 0);
  }
}

TEST_CASE("a small KV cache makes paged schedulers preempt, and prefix caching hits",
          "[policies][combinations]") {
  const std::vector<Request> requests = RandomRequests();
  const Outcome v1 = Run({"vllm_v1", "paged"}, requests);
  CHECK(v1.summary.preemptions > 0);
  const Outcome v1_prefix = Run({"vllm_v1", "paged", true}, requests);
  CHECK(v1_prefix.summary.kv.prefix_hit_tokens > 0);
  const Outcome v0_swap = Run({"vllm_v0", "paged", false, true}, requests);
  CHECK(v0_swap.summary.kv.swap_out_blocks > 0);
  CHECK(v0_swap.summary.swap_s > 0);
}

}  // namespace servesim
