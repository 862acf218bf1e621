// The KV tiers below the device prefix cache, by hand: demotion down the tiers, LRU vs FIFO
// eviction order, a load priced latency + bytes / bandwidth, the blocking and layerwise step
// times, and the prefix-caching allocator finding a prefix partly on the device, partly in a tier.
#include "policies/kv/kv_tiers.h"

#include <catch2/catch.hpp>
#include <vector>

#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"

namespace servesim {
namespace {

// Tiers of `blocks` blocks each (block of 1,000 bytes, 16 tokens): bandwidth 1e6 B/s, 100 us.
KvTierOptions Tiers(std::vector<int64_t> blocks, TierEviction eviction) {
  KvTierOptions o;
  o.block_bytes = 1000;
  o.block_tokens = 16;
  o.num_layers = 32;
  for (size_t t = 0; t < blocks.size(); ++t) {
    KvTierSpec s;
    s.name = "t" + std::to_string(t);
    s.capacity_bytes = static_cast<double>(blocks[t]) * 1000 + 999;  // a partial block holds none
    s.bandwidth_bytes_per_s = 1e6;
    s.latency_s = 100e-6;
    s.eviction = eviction;
    o.tiers.push_back(s);
  }
  return o;
}

}  // namespace

TEST_CASE("kv tiers: LRU keeps a key used since, FIFO evicts the oldest stored", "[kv_tiers]") {
  Sequence seq;
  SECTION("lru") {
    KvTiers tiers(Tiers({2, 2}, TierEviction::kLru));
    tiers.Demote(1);
    tiers.Demote(2);
    tiers.Load(0, 1, seq);  // key 1 used: key 2 is now the least recently used
    tiers.Demote(3);        // tier 0 full: its victim (key 2) goes down to tier 1
    CHECK(tiers.Find(1) == 0);
    CHECK(tiers.Find(2) == 1);
    CHECK(tiers.Find(3) == 0);
    tiers.Demote(1);  // held already: only touched, nothing written
    CHECK(tiers.stats()[0].bytes_in == 3000);
    CHECK(tiers.stats()[1].bytes_in == 1000);
    CHECK(tiers.stats()[0].evicted_blocks == 1);
    tiers.EndStep();
  }
  SECTION("fifo") {
    KvTiers tiers(Tiers({2, 2}, TierEviction::kFifo));
    tiers.Demote(1);
    tiers.Demote(2);
    tiers.Load(0, 1, seq);  // use does not reorder: key 1 is still the first stored
    tiers.Demote(3);
    CHECK(tiers.Find(1) == 1);
    CHECK(tiers.Find(2) == 0);
    CHECK(tiers.Find(3) == 0);
    tiers.EndStep();
  }
  SECTION("the last tier drops its victims") {
    KvTiers tiers(Tiers({1, 1}, TierEviction::kLru));
    for (uint64_t k = 1; k <= 3; ++k) tiers.Demote(k);
    CHECK(tiers.Find(1) == -1);
    CHECK(tiers.Find(2) == 1);
    CHECK(tiers.Find(3) == 0);
    CHECK(tiers.stats()[1].evicted_blocks == 1);
  }
}

TEST_CASE("kv tiers: a step's load is latency + bytes / bandwidth per tier read", "[kv_tiers]") {
  KvTiers tiers(Tiers({4, 4}, TierEviction::kLru));
  for (uint64_t k = 1; k <= 6; ++k) tiers.Demote(k);  // tier 0: 3-6, tier 1: 1-2
  Sequence a, b;
  b.preemptions = 1;  // a resumed request: its hits count apart
  tiers.Load(0, 5, a);
  tiers.Load(0, 6, a);
  tiers.Load(1, 1, b);
  CHECK(tiers.loading());
  CHECK(a.tier_loaded_tokens == 32);
  CHECK(b.tier_loaded_tokens == 16);
  // Tier 0: 100 us + 2,000 B / 1e6 B/s = 2.1 ms; tier 1: 100 us + 1 ms = 1.1 ms.
  CHECK(tiers.EndStep() == Approx(3.2e-3).epsilon(1e-12));
  CHECK(a.tier_loaded_tokens == 0);
  CHECK(b.tier_loaded_tokens == 0);
  CHECK_FALSE(tiers.loading());
  CHECK(tiers.EndStep() == 0);
  CHECK(tiers.stats()[0].hit_tokens == 32);
  CHECK(tiers.stats()[1].hit_tokens == 0);
  CHECK(tiers.stats()[1].resume_hit_tokens == 16);
  CHECK(tiers.stats()[0].bytes_out == 2000);
  CHECK(tiers.stats()[0].load_s == Approx(2.1e-3).epsilon(1e-12));
  CHECK(tiers.stats()[1].load_s == Approx(1.1e-3).epsilon(1e-12));
}

TEST_CASE("kv tiers: blocking adds the load, layerwise overlaps it layer by layer", "[kv_tiers]") {
  CHECK(StepSecondsWithLoad(TierLoad::kBlocking, 10e-3, 4e-3, 32) == Approx(14e-3));
  // Compute-bound: 4/32 + 31 * 10/32 + 10/32 = 324/32 = 10.125 ms.
  CHECK(StepSecondsWithLoad(TierLoad::kLayerwise, 10e-3, 4e-3, 32) == Approx(10.125e-3));
  // Load-bound, 4 layers: 20/4 + 3 * 20/4 + 10/4 = 22.5 ms.
  CHECK(StepSecondsWithLoad(TierLoad::kLayerwise, 10e-3, 20e-3, 4) == Approx(22.5e-3));
  CHECK(StepSecondsWithLoad(TierLoad::kLayerwise, 10e-3, 0, 32) == 10e-3);
}

TEST_CASE("kv tiers: a prefix evicted from the device is found in the tier and loaded back",
          "[kv_tiers][prefix_cache]") {
  KvOptions o;
  o.prefix_caching = true;
  o.capacity_blocks = 6;
  o.block_size = 16;
  o.tiers = Tiers({2}, TierEviction::kLru);
  auto kv = MakePrefixCachingKvAllocator(o);
  auto seq = [](int64_t id, int64_t prompt, std::vector<uint64_t> hashes) {
    Sequence s;
    s.request_id = id;
    s.prompt_tokens = prompt;
    s.output_tokens = 1;
    s.prefix_hashes = std::move(hashes);
    s.prefix_block_tokens = 16;
    return s;
  };
  // a: 64 tokens, 4 keyed blocks (ids 0-3); released tail first: free queue 4, 5, 3, 2, 1, 0.
  Sequence a = seq(0, 64, {1, 2, 3, 4});
  REQUIRE(kv->Admit(a, 0, 64));
  const int32_t a_first = a.block_ids[0];
  kv->Release(a);
  // b: 80 tokens of other contents takes 5 blocks from the front: 4 and 5 (never used), then
  // a's blocks 3, 2, 1, evicted in that order into a 2-block tier, which keeps a's 2 and 1.
  Sequence b = seq(1, 80, {7, 8, 9, 10, 11});
  REQUIRE(kv->Admit(b, 0, 80));
  CHECK(kv->stats().evicted_blocks == 3);
  CHECK(kv->tiers()->stats()[0].evicted_blocks == 1);
  CHECK(kv->tiers()->stats()[0].bytes_in == 3000);
  // c, a's prompt plus 16 tokens: block 0 on the device, blocks 1-2 in the tier, block 3 gone.
  Sequence c = seq(2, 80, {1, 2, 3, 4, 5});
  CHECK(kv->CachedPrefixTokens(c) == 48);
  kv->Release(b);  // free queue: 0, then b's blocks tail first: 1, 2, 3, 5, 4
  REQUIRE(kv->Admit(c, 48, 80));
  CHECK(c.computed == 48);
  CHECK(c.kv_blocks == 5);
  CHECK(c.block_ids[0] == a_first);  // the device hit
  CHECK(c.tier_loaded_tokens == 32);
  CHECK(kv->stats().prefix_hit_tokens == 48);  // device and tier hits together
  CHECK(kv->tiers()->stats()[0].hit_tokens == 32);
  // The 4 fresh blocks (1, 2 for the loads, 3, 5 for the rest) held b's keyed blocks 4, 3, 2, 1:
  // each is demoted and pushes the tier's least recently used key out.
  CHECK(kv->stats().evicted_blocks == 7);
  CHECK(kv->tiers()->stats()[0].evicted_blocks == 5);
  // Two blocks from the tier: 100 us + 2,000 B / 1e6 B/s.
  CHECK(kv->tiers()->EndStep() == Approx(2.1e-3).epsilon(1e-12));
  // The loaded blocks are keyed on the device again: a copy of c hits its 4 leading blocks there
  // (capped at (80 - 1) / 16 = 4).
  Sequence d = seq(3, 80, {1, 2, 3, 4, 5});
  CHECK(kv->CachedPrefixTokens(d) == 64);
  kv->Release(c);
  CHECK(kv->used_blocks() == 0);
}

}  // namespace servesim
