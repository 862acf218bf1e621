// The prefix-caching KV allocator driven directly with hand-built sequences: hits, full-block
// caching, the num_tokens - 1 cap, sharing, LRU eviction, watermark, swap, misuse, a preempted
// request re-hitting its own (request-private) blocks, the Mooncake hash mapping, and a replay of
// the Mooncake conversation trace's prompt hashes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "policies/kv/kv_allocator.h"
#include "tests/support/shared_data.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

KvOptions Options(int64_t capacity, int64_t block_size = 16, int64_t watermark = 0,
                  int64_t swap = 0) {
  KvOptions o;
  o.impl = "paged";
  o.prefix_caching = true;
  o.capacity_blocks = capacity;
  o.block_size = block_size;
  o.watermark_blocks = watermark;
  o.swap_blocks = swap;
  return o;
}

// Each call is a distinct request (its own id): only trace hashes make two of them share blocks.
Sequence Seq(int64_t prompt, std::vector<uint64_t> hashes = {}, int32_t hash_tokens = 16,
             int64_t generated = 0) {
  static int64_t next_id = 0;
  Sequence s;
  s.request_id = next_id++;
  s.prompt_tokens = prompt;
  s.output_tokens = 100;
  s.generated = generated;
  s.prefix_hashes = std::move(hashes);
  s.prefix_block_tokens = s.prefix_hashes.empty() ? 0 : hash_tokens;
  return s;
}

// Admits `seq` with whatever the cache offers, for its whole prompt (or `tokens`).
bool AdmitAll(KvAllocator& kv, Sequence& seq, int64_t tokens = -1) {
  const int64_t cached = kv.CachedPrefixTokens(seq);
  return kv.Admit(seq, cached, tokens < 0 ? seq.Tokens() : tokens);
}

TEST_CASE("prefix cache: a shared prefix hits, the rest is allocated", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(100));
  // a: 100 tokens, hashes per 64 tokens {11, 12}: keyed blocks = min(100, 128) / 16 = 6.
  Sequence a = Seq(100, {11, 12}, 64);
  CHECK(kv->CachedPrefixTokens(a) == 0);
  REQUIRE(kv->Admit(a, 0, 100));
  CHECK(a.kv_blocks == 7);
  CHECK(a.block_ids.size() == 7);
  CHECK(a.computed == 0);
  // b: 80 tokens, hashes {11, 13}: blocks 0-3 (tokens 0-63) end in hash block 0 (11, equal);
  // block 4 (tokens 64-79) ends in hash block 1 (13 != 12). Cap (80 - 1) / 16 = 4 blocks.
  Sequence b = Seq(80, {11, 13}, 64);
  CHECK(kv->CachedPrefixTokens(b) == 64);
  REQUIRE(kv->Admit(b, 64, 80));
  CHECK(b.computed == 64);
  CHECK(b.kv_blocks == 5);
  for (size_t i = 0; i < 4; ++i) CHECK(b.block_ids[i] == a.block_ids[i]);
  CHECK(b.block_ids[4] != a.block_ids[4]);
  // Sharing: 8 distinct blocks referenced, 12 references (Σ kv_blocks).
  CHECK(kv->used_blocks() == 8);
  CHECK(kv->held_refs() == 12);
  CHECK(kv->held_refs() == a.kv_blocks + b.kv_blocks);
  CHECK(kv->stored_tokens() == 180);
  CHECK(kv->stats().prefix_query_tokens == 180);
  CHECK(kv->stats().prefix_hit_tokens == 64);
  // A sequence without hashes never hits.
  Sequence plain = Seq(100);
  CHECK(kv->CachedPrefixTokens(plain) == 0);

  // Releasing a keeps the shared blocks referenced by b.
  kv->Release(a);
  CHECK(a.kv_blocks == 0);
  CHECK(a.block_ids.empty());
  CHECK(kv->used_blocks() == 5);
  CHECK(kv->held_refs() == 5);
  kv->Release(b);
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->held_refs() == 0);
  CHECK(kv->stored_tokens() == 0);
  // Unreferenced blocks stay cached: a copy of a hits all 6 of its keyed blocks.
  Sequence again = Seq(100, {11, 12}, 64);
  CHECK(kv->CachedPrefixTokens(again) == 96);
  CHECK(kv->stats().evicted_blocks == 0);

  // Room reserved past the known tokens is not stored (an Orca-style max-length reservation).
  Sequence r = Seq(20, {5}, 64);
  REQUIRE(kv->Admit(r, 0, 120));
  CHECK(r.kv_blocks == 8);
  CHECK(r.kv_tokens == 20);
  CHECK(kv->stored_tokens() == 20);
  REQUIRE(kv->Reserve(r, 21));
  CHECK(r.kv_blocks == 8);
  CHECK(r.kv_tokens == 21);
  kv->Release(r);
  CHECK(kv->stored_tokens() == 0);
}

TEST_CASE("prefix cache: only full blocks are cached, as the tokens fill them", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(100));
  // 40-token prompt, one hash per 64 tokens: keyed blocks = 40 / 16 = 2 (block 2 is partial).
  Sequence a = Seq(40, {7}, 64);
  Sequence probe = Seq(40, {7}, 64, /*generated=*/10);  // Tokens() = 50: the cap allows 3 blocks
  // A first chunk of 20 tokens fills block 0 only.
  REQUIRE(kv->Admit(a, 0, 20));
  CHECK(kv->CachedPrefixTokens(probe) == 16);
  // The next chunk reaches 40: block 1 fills, block 2 (tokens 32-39) stays partial.
  REQUIRE(kv->Reserve(a, 40));
  CHECK(a.kv_blocks == 3);
  CHECK(kv->CachedPrefixTokens(probe) == 32);
  // Room reserved past the known tokens fills no block (a.Tokens() is still 40).
  REQUIRE(kv->Reserve(a, 70));
  CHECK(a.kv_blocks == 5);
  CHECK(kv->CachedPrefixTokens(probe) == 32);
  kv->Release(a);
  CHECK(kv->CachedPrefixTokens(probe) == 32);
}

TEST_CASE("prefix cache: at least one token is left to compute", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(100));
  Sequence a = Seq(64, {1, 2, 3, 4});  // 4 full blocks, one hash per block
  REQUIRE(AdmitAll(*kv, a));
  kv->Release(a);
  // The same 64-token prompt: cap (64 - 1) / 16 = 3 blocks, 48 tokens (vLLM recomputes the last
  // block rather than have nothing to compute).
  Sequence b = Seq(64, {1, 2, 3, 4});
  CHECK(kv->CachedPrefixTokens(b) == 48);
  // Preempted after one output token (Tokens() = 65): (65 - 1) / 16 = 4 blocks, all 64 tokens.
  Sequence c = Seq(64, {1, 2, 3, 4}, 16, /*generated=*/1);
  CHECK(kv->CachedPrefixTokens(c) == 64);
  // A one-token sequence can take nothing.
  Sequence d = Seq(1, {1}, 16);
  CHECK(kv->CachedPrefixTokens(d) == 0);
  REQUIRE(kv->Admit(c, 64, 65));
  CHECK(c.computed == 64);
  CHECK(c.kv_blocks == 5);
  CHECK(kv->used_blocks() == 5);
}

TEST_CASE("prefix cache: the free queue is LRU, a released request's tail goes first",
          "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(8));
  Sequence a = Seq(64, {1, 2, 3, 4});
  REQUIRE(AdmitAll(*kv, a));
  REQUIRE(a.block_ids.size() == 4);
  const std::vector<int32_t> a_ids = a.block_ids;  // mapped keys: each block keeps its id
  kv->Release(a);
  // Free queue now: 4 5 6 7 (never used), then a's blocks tail first: 3 2 1 0.
  Sequence probe = Seq(64, {1, 2, 3, 4}, 16, /*generated=*/1);  // may hit all 4 blocks
  CHECK(kv->CachedPrefixTokens(probe) == 64);

  Sequence c = Seq(80);  // no hashes: 5 blocks from the front: 4 5 6 7 3
  REQUIRE(AdmitAll(*kv, c));
  CHECK(c.block_ids.back() == a_ids[3]);
  CHECK(kv->stats().evicted_blocks == 1);  // block 3 held a's last key
  CHECK(kv->CachedPrefixTokens(probe) == 48);
  Sequence d = Seq(16);
  REQUIRE(AdmitAll(*kv, d));
  CHECK(d.block_ids == std::vector<int32_t>{a_ids[2]});
  CHECK(kv->stats().evicted_blocks == 2);
  CHECK(kv->CachedPrefixTokens(probe) == 32);  // a's head survives longest
  kv->Release(c);
  kv->Release(d);
  // Queue: 1 0, then c tail first (3 7 6 5 4), then d (2). c's full blocks hold its private keys.
  Sequence e = Seq(96);  // 6 blocks: 1 0 3 7 6 5 -> evicts a's blocks 1 and 0 and 4 of c's
  REQUIRE(AdmitAll(*kv, e));
  CHECK(e.block_ids[0] == a_ids[1]);
  CHECK(e.block_ids[1] == a_ids[0]);
  CHECK(kv->stats().evicted_blocks == 8);
  CHECK(kv->CachedPrefixTokens(probe) == 0);
}

TEST_CASE("prefix cache: a hit takes its block out of the middle of the free queue",
          "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(8));
  Sequence a = Seq(64, {1, 2, 3, 4});
  REQUIRE(AdmitAll(*kv, a));
  const std::vector<int32_t> a_ids = a.block_ids;
  kv->Release(a);  // queue: 4 5 6 7 3 2 1 0
  // b shares blocks 0 and 1 (hashes 1, 2) and then diverges.
  Sequence b = Seq(48, {1, 2, 9});
  CHECK(kv->CachedPrefixTokens(b) == 32);
  REQUIRE(AdmitAll(*kv, b));
  CHECK(b.block_ids[0] == a_ids[0]);
  CHECK(b.block_ids[1] == a_ids[1]);
  CHECK(b.block_ids[2] != a_ids[2]);
  CHECK(kv->used_blocks() == 3);
  CHECK(kv->free_blocks() == 5);  // queue: 5 6 7 3 2
  Sequence c = Seq(80);
  REQUIRE(AdmitAll(*kv, c));
  CHECK(c.block_ids[3] == a_ids[3]);
  CHECK(c.block_ids[4] == a_ids[2]);
  CHECK(kv->stats().evicted_blocks == 2);  // a's blocks 3 and 2
  CHECK(kv->free_blocks() == 0);
  // b's own third block (hash 9) was registered when admitted.
  Sequence b2 = Seq(48, {1, 2, 9}, 16, /*generated=*/1);
  CHECK(kv->CachedPrefixTokens(b2) == 48);
}

TEST_CASE("prefix cache: a key held by another block is not duplicated", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10));
  // a and b run the same prompt concurrently: b is admitted before a's blocks are cached (a's
  // first chunk is 0 tokens of full blocks), so b computes its own copy.
  Sequence a = Seq(32, {1, 2});
  Sequence b = Seq(32, {1, 2});
  REQUIRE(kv->Admit(a, 0, 8));
  REQUIRE(AdmitAll(*kv, b));  // no hit yet: b gets blocks 1 and 2 and caches their keys
  CHECK(b.computed == 0);
  const std::vector<int32_t> b_ids = b.block_ids;
  REQUIRE(kv->Reserve(a, 32));  // a fills its blocks 0 and 3; the keys stay with b's blocks 1, 2
  CHECK(a.block_ids.size() == 2);
  kv->Release(b);
  kv->Release(a);
  // Queue: 4..9, b's tail first (2 1), a's tail first (3 0). The hit comes from b's blocks.
  Sequence c = Seq(32, {1, 2}, 16, /*generated=*/1);
  REQUIRE(AdmitAll(*kv, c));
  CHECK(c.computed == 32);
  CHECK(c.block_ids[0] == b_ids[0]);
  CHECK(c.block_ids[1] == b_ids[1]);
}

TEST_CASE("prefix cache: the watermark counts free blocks, cached or not", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10, 16, /*watermark=*/2));
  Sequence big = Seq(144);  // 9 blocks: 1 would stay free, below the watermark
  CHECK_FALSE(AdmitAll(*kv, big));
  CHECK(big.kv_blocks == 0);
  CHECK(big.block_ids.empty());
  Sequence fits = Seq(128);  // 8 blocks: 2 stay free
  REQUIRE(AdmitAll(*kv, fits));
  CHECK(kv->Reserve(fits, 160));  // Reserve ignores the watermark: all 10 blocks
  CHECK(kv->free_blocks() == 0);
  CHECK_FALSE(kv->Reserve(fits, 161));
  // fits' 8 full blocks hold its private keys; its 10 blocks go to the back, tail first.
  kv->Release(fits);  // queue: 9 8 7 ... 0
  // CanEverFit keeps the watermark free too: 8 blocks at most.
  Sequence eight = Seq(28);  // 28 + 100 = 128 tokens
  CHECK(kv->CanEverFit(eight));
  eight.output_tokens = 101;
  CHECK_FALSE(kv->CanEverFit(eight));

  Sequence a = Seq(64, {1, 2, 3, 4});
  REQUIRE(AdmitAll(*kv, a));  // blocks 9 8 7 6: 9 and 8 held no key, 7 and 6 held fits' keys
  CHECK(a.block_ids.size() == 4);
  CHECK(kv->stats().evicted_blocks == 2);
  kv->Release(a);  // 4 cached blocks, all free, tail first; queue: 5 4 3 2 1 0 6 7 8 9
  Sequence other = Seq(64);
  REQUIRE(AdmitAll(*kv, other));  // 5 4 3 2: fits' keys, none of a's
  CHECK(other.block_ids.size() == 4);
  CHECK(kv->stats().evicted_blocks == 6);
  CHECK(kv->free_blocks() == 6);
  // b would revive 4 cached blocks and take 1 fresh one: 5 > 6 - 2. Nothing changes.
  Sequence b = Seq(80, {1, 2, 3, 4, 5});
  CHECK(kv->CachedPrefixTokens(b) == 64);
  const KvStats before = kv->stats();
  CHECK_FALSE(kv->Admit(b, 64, 80));
  CHECK(b.block_ids.empty());
  CHECK(b.kv_blocks == 0);
  CHECK(b.computed == 0);
  CHECK(kv->free_blocks() == 6);
  CHECK(kv->held_refs() == 4);
  CHECK(kv->stats().prefix_query_tokens == before.prefix_query_tokens);
  CHECK(kv->CachedPrefixTokens(b) == 64);
  // With 4 blocks (the hit only) it fits: 4 <= 6 - 2.
  REQUIRE(kv->Admit(b, 64, 64));
  CHECK(kv->free_blocks() == 2);
}

TEST_CASE("prefix cache: freed blocks queue in vLLM's LRU order, shared keys or private",
          "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(6, 16));
  Sequence keyed = Seq(32, {1, 2});  // blocks 0 1, shared keys
  REQUIRE(AdmitAll(*kv, keyed));
  const std::vector<int32_t> keyed_ids = keyed.block_ids;
  Sequence plain = Seq(32);  // blocks 2 3, private keys
  REQUIRE(AdmitAll(*kv, plain));
  kv->Release(keyed);  // to the back, tail first; queue: 4 5 1 0
  kv->Release(plain);  // queue: 4 5 1 0 3 2
  Sequence next = Seq(48);
  REQUIRE(AdmitAll(*kv, next));  // 4 5 1: the older keyed block is evicted first
  CHECK(next.block_ids[2] == keyed_ids[1]);
  CHECK(kv->stats().evicted_blocks == 1);
  Sequence again = Seq(32, {1, 2});
  CHECK(kv->CachedPrefixTokens(again) == 16);  // block 0 (key 1) survives
}

TEST_CASE("prefix cache: a stale copy of a released sequence is a double release",
          "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(8, 16));
  Sequence a = Seq(32), b = Seq(32);  // 2 blocks each
  REQUIRE(AdmitAll(*kv, a));
  REQUIRE(AdmitAll(*kv, b));
  const Sequence copy = a;
  kv->Release(a);
  Sequence stale = copy;
  CHECK_THROWS_AS(kv->Release(stale), std::logic_error);  // b's blocks must not be taken
  CHECK(kv->used_blocks() == 2);
  CHECK(kv->held_refs() == 2);
  kv->Release(b);
  CHECK(kv->used_blocks() == 0);
}

// Decodes `seq` (its prompt computed) until it has generated `generated` tokens, reserving each
// step's slot as the scheduler does; computed stays one short of the known tokens (the last
// sampled token's KV is computed by the next step).
void DecodeTo(KvAllocator& kv, Sequence& seq, int64_t generated) {
  while (seq.generated < generated) {
    ++seq.generated;
    REQUIRE(kv.Reserve(seq, seq.Tokens()));
    seq.computed = seq.Tokens() - 1;
  }
}

// A recompute preemption as policies/batching/preemption.cpp does it.
void PreemptByRecompute(KvAllocator& kv, Sequence& seq) {
  kv.Release(seq);
  seq.computed = 0;
  ++seq.preemptions;
}

TEST_CASE("prefix cache: a preempted request re-hits its own prompt and output blocks",
          "[prefix_cache][resume]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10, 16));
  Sequence a = Seq(40);  // no trace hashes
  REQUIRE(AdmitAll(*kv, a));
  a.computed = 40;
  CHECK(a.block_ids.size() == 3);
  // 13 tokens generated: 53 known, 52 computed. Blocks 0 and 1 were keyed at admission (prompt
  // tokens 0-31), block 2 when token 47 (the 8th generated) was reserved; block 3 is partial.
  DecodeTo(*kv, a, 13);
  REQUIRE(a.block_ids.size() == 4);
  const std::vector<int32_t> a_ids = a.block_ids;
  // Another request without hashes finds nothing: private blocks are not shared.
  Sequence other = Seq(40, {}, 16, /*generated=*/13);
  PreemptByRecompute(*kv, a);
  CHECK(kv->CachedPrefixTokens(other) == 0);
  // a itself: floor((53 - 1) / 16) = 3 blocks, 48 tokens, 5 to recompute.
  CHECK(kv->CachedPrefixTokens(a) == 48);
  REQUIRE(kv->Admit(a, 48, 53));
  CHECK(a.computed == 48);
  CHECK(a.kv_blocks == 4);
  // Its 3 cached blocks come back; the fresh one is the queue's front (4: never used).
  CHECK(std::equal(a_ids.begin(), a_ids.begin() + 3, a.block_ids.begin()));
  CHECK(kv->stats().resume_hit_tokens == 48);
  CHECK(kv->stats().prefix_query_tokens == 40);  // first admissions only
  CHECK(kv->stats().prefix_hit_tokens == 0);
  CHECK(kv->stats().evicted_blocks == 0);
  // The last token is always recomputed: preempted with exactly 48 known tokens, it takes 32.
  Sequence b = Seq(48);
  REQUIRE(AdmitAll(*kv, b));
  b.computed = 48;
  PreemptByRecompute(*kv, b);
  CHECK(kv->CachedPrefixTokens(b) == 32);
}

TEST_CASE("prefix cache: blocks evicted before the resume are not hit", "[prefix_cache][resume]") {
  auto kv = MakePrefixCachingKvAllocator(Options(4, 16));
  Sequence a = Seq(48);  // blocks 0 1 2, all keyed at admission
  REQUIRE(AdmitAll(*kv, a));
  a.computed = 48;
  DecodeTo(*kv, a, 1);  // 49 tokens: block 3
  const std::vector<int32_t> a_ids = a.block_ids;
  PreemptByRecompute(*kv, a);  // queue: 3 2 1 0 (tail first)
  CHECK(kv->CachedPrefixTokens(a) == 48);
  Sequence b = Seq(32);  // takes 3 (unkeyed) and 2 (a's third block)
  REQUIRE(AdmitAll(*kv, b));
  CHECK(b.block_ids[1] == a_ids[2]);
  CHECK(kv->stats().evicted_blocks == 1);
  CHECK(kv->CachedPrefixTokens(a) == 32);
  Sequence c = Seq(16);  // takes 1: the chain breaks after a's first block
  REQUIRE(AdmitAll(*kv, c));
  CHECK(kv->CachedPrefixTokens(a) == 16);
  kv->Release(b);        // queue: 0 2 3: b's blocks hold b's keys now
  Sequence d = Seq(16);  // takes 0, a's first block
  REQUIRE(AdmitAll(*kv, d));
  CHECK(kv->CachedPrefixTokens(a) == 0);
  kv->Release(c);
  kv->Release(d);
  REQUIRE(kv->Admit(a, 0, 49));
  CHECK(kv->stats().resume_hit_tokens == 0);
}

TEST_CASE("prefix cache: trace hashes still share; the blocks past them are the request's own",
          "[prefix_cache][resume]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10, 16));
  Sequence a = Seq(40, {1, 2});  // blocks 0-1 shared keys (hashes 1, 2); block 2 past the hashes
  REQUIRE(AdmitAll(*kv, a));
  a.computed = 40;
  DecodeTo(*kv, a, 9);  // 49 tokens: block 2 (tokens 32-47) is full and keyed privately
  PreemptByRecompute(*kv, a);
  // Another request with the same hashes and as many tokens shares the 2 hashed blocks only.
  Sequence b = Seq(40, {1, 2}, 16, /*generated=*/9);
  CHECK(kv->CachedPrefixTokens(b) == 32);
  // a itself hits all 3: floor((49 - 1) / 16) = 3.
  CHECK(kv->CachedPrefixTokens(a) == 48);
  REQUIRE(AdmitAll(*kv, b));
  CHECK(kv->stats().prefix_hit_tokens == 32);
  REQUIRE(AdmitAll(*kv, a));
  CHECK(a.block_ids[0] == b.block_ids[0]);
  CHECK(a.block_ids[1] == b.block_ids[1]);
  CHECK(a.block_ids[2] != b.block_ids[2]);
  CHECK(kv->stats().resume_hit_tokens == 48);
}

TEST_CASE("prefix cache: swap out keeps the blocks cached, swap in allocates fresh ones",
          "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10, 16, 0, /*swap=*/4));
  CHECK(kv->swap_enabled());
  Sequence a = Seq(48, {1, 2, 3});
  REQUIRE(AdmitAll(*kv, a));
  a.computed = 48;  // the engine would after the prefill
  REQUIRE(kv->SwapOut(a));
  CHECK(a.kv_blocks == 0);
  CHECK(a.kv_tokens == 0);
  CHECK(a.block_ids.empty());
  CHECK(a.swapped_blocks == 3);
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->held_refs() == 0);
  CHECK(kv->stats().swap_out_blocks == 3);
  Sequence probe = Seq(48, {1, 2, 3}, 16, /*generated=*/1);
  CHECK(kv->CachedPrefixTokens(probe) == 48);
  // The host pool holds 4 blocks: 3 are taken.
  Sequence b = Seq(32);
  REQUIRE(AdmitAll(*kv, b));
  CHECK_FALSE(kv->SwapOut(b));
  CHECK(b.kv_blocks == 2);
  // Swap in: 3 fresh blocks from the front of the queue, no re-match of the cache.
  REQUIRE(kv->SwapIn(a));
  CHECK(a.swapped_blocks == 0);
  CHECK(a.kv_blocks == 3);
  CHECK(a.kv_tokens == 48);
  CHECK(kv->stats().swap_in_blocks == 3);
  CHECK(kv->stored_tokens() == 48 + 32);
  CHECK(kv->used_blocks() == 5);
  CHECK(kv->held_refs() == a.kv_blocks + b.kv_blocks);
  // Queue before: 3..9 then a's 2 1 0; b took 3 4, a takes 5 6 7; no key is evicted or doubled.
  CHECK(b.block_ids.size() == 2);
  CHECK(a.block_ids.size() == 3);
  CHECK(kv->stats().evicted_blocks == 0);
  CHECK(kv->CachedPrefixTokens(probe) == 48);
  // Twice is an error; without swap space nothing moves.
  Sequence twice = a;
  twice.swapped_blocks = 1;
  CHECK_THROWS_AS(kv->SwapOut(twice), std::logic_error);
  auto no_swap = MakePrefixCachingKvAllocator(Options(10));
  Sequence c = Seq(16);
  REQUIRE(AdmitAll(*no_swap, c));
  CHECK_FALSE(no_swap->swap_enabled());
  CHECK_FALSE(no_swap->SwapOut(c));
  CHECK(c.kv_blocks == 1);
}

TEST_CASE("prefix cache: misuse throws", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(10));
  Sequence a = Seq(48, {1, 2, 3});
  REQUIRE(AdmitAll(*kv, a));
  Sequence copy = a;
  kv->Release(a);
  kv->Release(a);  // holds nothing any more: no-op
  CHECK(kv->held_refs() == 0);
  CHECK_THROWS_AS(kv->Release(copy), std::logic_error);  // its blocks are already free
  CHECK(kv->held_refs() == 0);
  // Admitting a sequence that holds blocks.
  Sequence b = Seq(16);
  REQUIRE(AdmitAll(*kv, b));
  CHECK_THROWS_AS(kv->Admit(b, 0, 16), std::logic_error);
  // A cached prefix that is not in the cache, or not whole blocks.
  Sequence c = Seq(48, {4, 5, 6});
  CHECK_THROWS_AS(kv->Admit(c, 16, 48), std::logic_error);
  CHECK(c.block_ids.empty());
  CHECK_THROWS_AS(kv->Admit(c, 8, 48), std::logic_error);
  CHECK_THROWS_AS(kv->Admit(c, 0, -1), std::logic_error);
  // kv_blocks out of step with the block list.
  Sequence d = Seq(16);
  d.kv_blocks = 1;
  CHECK_THROWS_AS(kv->Release(d), std::logic_error);
  CHECK(kv->CanEverFit(Seq(60)));  // 60 + 100 tokens = 10 blocks
  Sequence huge = Seq(100);        // 100 + 100 tokens = 13 blocks > 10
  CHECK_FALSE(kv->CanEverFit(huge));
}

TEST_CASE("prefix cache: Mooncake hash mapping (H = 512, bs = 16)", "[prefix_cache]") {
  auto kv = MakePrefixCachingKvAllocator(Options(1000));
  // A: 1300 tokens, hash_ids {0, 1, 2} (ceil(1300 / 512) = 3). Keyed blocks: min(1300, 3 * 512) /
  // 16 = 81 (tokens 0-1295). Block i uses hash ((i + 1) * 16 - 1) / 512: blocks 0-31 hash 0,
  // 32-63 hash 1, 64-80 hash 2 (tokens 1024-1295 of the partial third hash block).
  Sequence a = Seq(1300, {0, 1, 2}, 512);
  REQUIRE(AdmitAll(*kv, a));
  CHECK(a.kv_blocks == 82);  // ceil(1300 / 16)
  kv->Release(a);
  // B: 1100 tokens, {0, 1, 7}: blocks 0-63 (hashes 0, 1) hit; block 64 (tokens 1024-1039) ends in
  // hash block 2, whose hash 7 differs. 64 blocks = 1024 tokens (cap (1100 - 1) / 16 = 68).
  CHECK(kv->CachedPrefixTokens(Seq(1100, {0, 1, 7}, 512)) == 1024);
  // C: A's prompt again: all 81 keyed blocks (cap (1300 - 1) / 16 = 81) = 1296 tokens; the last
  // 4 tokens are computed.
  CHECK(kv->CachedPrefixTokens(Seq(1300, {0, 1, 2}, 512)) == 1296);
  // D: 520 tokens, {0, 5}: blocks 0-31 (hash 0) hit; block 32 (tokens 512-527) is not full
  // (527 >= 520). Keyed 520 / 16 = 32, cap 519 / 16 = 32: 512 tokens.
  CHECK(kv->CachedPrefixTokens(Seq(520, {0, 5}, 512)) == 512);
  // E: {9, 1, 2}: hashes are chained, so a different first hash shares nothing, even though the
  // later ids are equal (the lookup stops at the first miss).
  CHECK(kv->CachedPrefixTokens(Seq(1300, {9, 1, 2}, 512)) == 0);
  // F: 300 tokens, {0}: the hash covers a partial first block (tokens 0-299); A registered blocks
  // 0-17 (tokens 0-287) under hash 0 as well, so F hits 18 blocks, cap 299 / 16 = 18: 288 tokens.
  CHECK(kv->CachedPrefixTokens(Seq(300, {0}, 512)) == 288);
}

// Tagged [measured] as well (it reads ../shared/data and takes seconds in a debug build).
TEST_CASE("prefix cache: Mooncake conversation trace replay hits the reusable prefix",
          "[prefix_cache][measured]") {
  const std::string path = testing::SharedDataFile("traces/mooncake_conversation.jsonl");
  if (path.empty()) {
    WARN(
        "skipped: ../shared/data/traces/mooncake_conversation.jsonl not found (set "
        "SERVESIM_DATA)");
    return;
  }
  TraceOptions o;
  o.path = path;
  o.format = TraceFormat::kMooncake;
  // Ample capacity: every prompt's blocks (an upper bound on the distinct keyed blocks), so nothing
  // is evicted and the hit rate is the trace's reusable prefix at block granularity.
  int64_t total_blocks = 0;
  {
    auto w = MakeTraceWorkload(o, "test");
    Request r;
    while (w->Next(r) == Pull::kRequest) total_blocks += (r.prompt_tokens + 15) / 16;
  }
  auto kv = MakePrefixCachingKvAllocator(Options(total_blocks));
  auto w = MakeTraceWorkload(o, "test");
  Request r;
  Sequence seq;
  int64_t requests = 0;
  int64_t refused = 0;
  while (w->Next(r) == Pull::kRequest) {
    seq.Reset();
    seq.request_id = r.id;
    seq.prompt_tokens = r.prompt_tokens;
    seq.output_tokens = r.output_tokens;
    seq.prefix_hashes.assign(r.prefix_hashes.begin(), r.prefix_hashes.end());
    seq.prefix_block_tokens = r.prefix_block_tokens;
    const int64_t cached = kv->CachedPrefixTokens(seq);
    if (!kv->Admit(seq, cached, seq.prompt_tokens)) {
      ++refused;
      continue;
    }
    kv->Release(seq);
    ++requests;
  }
  const KvStats& s = kv->stats();
  const double hit_rate =
      static_cast<double>(s.prefix_hit_tokens) / static_cast<double>(s.prefix_query_tokens);
  char line[160];
  std::snprintf(line, sizeof(line),
                "mooncake_conversation: %lld requests, hit rate %.4f (%lld / %lld tokens)",
                static_cast<long long>(requests), hit_rate,
                static_cast<long long>(s.prefix_hit_tokens),
                static_cast<long long>(s.prefix_query_tokens));
  INFO(line);
  CHECK(requests == 12031);
  CHECK(refused == 0);
  CHECK(s.evicted_blocks == 0);
  CHECK(kv->used_blocks() == 0);
  // ../shared/data/README.md: about 37 % of the input tokens are a reusable prefix.
  CHECK(hit_rate > 0.34);
  CHECK(hit_rate < 0.40);
  CHECK(s.prefix_hit_tokens > 0);
  WARN(line);
}

}  // namespace
}  // namespace servesim
