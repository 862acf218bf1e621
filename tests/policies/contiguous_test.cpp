// The contiguous KV allocator: region sizes in each reserve mode, token units, the watermark,
// regions that never grow, internal fragmentation (WastedFraction) and release checks. Every
// expected number is derived by hand in the comments. Contract (kv_allocator.h): Admit(seq, 0, t)
// reserves a region of at least t tokens but records min(t, seq.Tokens()) as stored (prompt +
// generated so far); the rest of the region is reservation for future tokens and counts as waste.
// Reserve(seq, t) raises the stored tokens to t while t fits in the region.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"
#include "tests/support/scheduler_harness.h"

namespace servesim {
namespace {

using testing::Contiguous;

Sequence Seq(int64_t prompt, int64_t output) {
  Sequence s;
  s.prompt_tokens = prompt;
  s.output_tokens = output;
  return s;
}

}  // namespace

TEST_CASE("contiguous KV counts tokens: block size 1, capacity = blocks x block size",
          "[contiguous]") {
  // 10 blocks of 16 tokens = 160 tokens.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 10, 16, 64));
  CHECK(kv->block_size() == 1);
  CHECK(kv->capacity_blocks() == 160);
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->free_blocks() == 160);
  CHECK(kv->BlocksFor(37) == 37);
  CHECK_FALSE(kv->swap_enabled());
  Sequence a = Seq(10, 6);
  CHECK_FALSE(kv->SwapOut(a));
  CHECK(kv->CachedPrefixTokens(a) == 0);
  const KvStats& st = kv->stats();
  CHECK(st.prefix_query_tokens == 0);
  CHECK(st.prefix_hit_tokens == 0);
  CHECK(st.evicted_blocks == 0);
  CHECK(st.swap_out_blocks == 0);
  CHECK(st.swap_in_blocks == 0);
}

TEST_CASE("contiguous KV max_model_len: every region is the model maximum", "[contiguous]") {
  // 20 blocks x 16 = 320 tokens; max_model_len 64 -> 5 regions fit.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 20, 16, 64));
  Sequence a = Seq(10, 6);  // MaxTokens 16, Tokens 10 (nothing generated yet)
  a.computed = 7;           // Admit resets it
  REQUIRE(kv->Admit(a, 0, a.MaxTokens()));
  CHECK(a.computed == 0);
  CHECK(a.kv_blocks == 64);
  // Asked 16, but only the 10 prompt tokens are known: stored min(16, 10) = 10.
  CHECK(a.kv_tokens == 10);
  CHECK(kv->used_blocks() == 64);
  CHECK(kv->stored_tokens() == 10);
  // 10 of 64 reserved tokens hold a token: 1 - 10/64 = 54/64 = 0.84375 wasted.
  CHECK(kv->WastedFraction() == Approx(0.84375));

  Sequence b = Seq(30, 10);  // MaxTokens 40, Tokens 30
  REQUIRE(kv->Admit(b, 0, b.MaxTokens()));
  CHECK(b.kv_blocks == 64);
  CHECK(b.kv_tokens == 30);  // min(40, 30)
  CHECK(kv->used_blocks() == 128);
  CHECK(kv->stored_tokens() == 40);  // 10 + 30
  // (10 + 30) of 128: 1 - 40/128 = 88/128 = 0.6875.
  CHECK(kv->WastedFraction() == Approx(0.6875));

  // An Admit asking more than max_model_len gets at least what it asked: region 100; it stores
  // min(100, 90) = 90.
  Sequence c = Seq(90, 10);
  REQUIRE(kv->Admit(c, 0, 100));
  CHECK(c.kv_blocks == 100);
  CHECK(c.kv_tokens == 90);
  CHECK(kv->used_blocks() == 228);
  CHECK(kv->stored_tokens() == 130);  // 10 + 30 + 90

  // 320 - 228 = 92 free: one more 64-token region fits, then 28 free < 64.
  Sequence d = Seq(1, 1), e = Seq(1, 1);
  REQUIRE(kv->Admit(d, 0, 2));
  CHECK(d.kv_tokens == 1);  // min(2, 1)
  CHECK(kv->used_blocks() == 292);
  CHECK_FALSE(kv->Admit(e, 0, 2));
  CHECK(e.kv_blocks == 0);
  CHECK(e.kv_tokens == 0);
  CHECK(kv->used_blocks() == 292);
}

TEST_CASE("contiguous KV request_max: region = prompt + output, never grows", "[contiguous]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 10, 16, 64));
  Sequence a = Seq(10, 6);  // MaxTokens 16, Tokens 10
  REQUIRE(kv->Admit(a, 0, 10));
  CHECK(a.kv_blocks == 16);
  CHECK(a.kv_tokens == 10);  // min(10, 10)
  // 10 of 16 hold a token: 1 - 10/16 = 0.375.
  CHECK(kv->WastedFraction() == Approx(0.375));
  REQUIRE(kv->Reserve(a, 12));
  CHECK(a.kv_blocks == 16);
  CHECK(a.kv_tokens == 12);
  CHECK(kv->used_blocks() == 16);
  CHECK(kv->WastedFraction() == Approx(0.25));  // 1 - 12/16
  // Asking less keeps the high-water mark.
  REQUIRE(kv->Reserve(a, 11));
  CHECK(a.kv_tokens == 12);
  REQUIRE(kv->Reserve(a, 16));
  CHECK(kv->WastedFraction() == Approx(0.0));
  // 17 > 16: the region cannot grow, even with 144 tokens free; nothing changes.
  CHECK_FALSE(kv->Reserve(a, 17));
  CHECK(a.kv_blocks == 16);
  CHECK(a.kv_tokens == 16);
  CHECK(kv->used_blocks() == 16);
  CHECK(kv->stored_tokens() == 16);

  // Asking more than the request's maximum at Admit: the region covers the ask (20), but only
  // the 10 known tokens are stored.
  Sequence b = Seq(10, 6);
  REQUIRE(kv->Admit(b, 0, 20));
  CHECK(b.kv_blocks == 20);
  CHECK(b.kv_tokens == 10);          // min(20, 10)
  CHECK(kv->used_blocks() == 36);    // 16 + 20
  CHECK(kv->stored_tokens() == 26);  // 16 + 10
}

TEST_CASE(
    "contiguous KV request_max (Orca-Oracle): the not-yet-generated output is waste until "
    "decodes reserve it",
    "[contiguous]") {
  // 10 blocks x 16 = 160 tokens.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 10, 16, 64));
  Sequence a = Seq(12, 4);  // MaxTokens 16, Tokens 12
  REQUIRE(kv->Admit(a, 0, a.MaxTokens()));
  // Region 16 = prompt + output; stored min(16, 12) = 12: the 4 output slots hold nothing yet.
  CHECK(a.kv_blocks == 16);
  CHECK(a.kv_tokens == 12);
  CHECK(kv->stored_tokens() == 12);
  CHECK(kv->WastedFraction() == Approx(0.25));  // 1 - 12/16 = 4/16
  // Each decode reserves one more token, shrinking the waste by 1/16:
  // 13 -> 3/16 = 0.1875, 14 -> 2/16 = 0.125, 15 -> 1/16 = 0.0625, 16 -> 0.
  const double expected[] = {0.1875, 0.125, 0.0625, 0.0};
  double last = kv->WastedFraction();
  for (int64_t i = 0; i < 4; ++i) {
    a.generated = i + 1;  // Tokens() = 13 .. 16
    REQUIRE(kv->Reserve(a, a.Tokens()));
    CHECK(a.kv_tokens == 13 + i);
    CHECK(kv->stored_tokens() == 13 + i);
    CHECK(kv->WastedFraction() == Approx(expected[i]));
    CHECK(kv->WastedFraction() < last);
    last = kv->WastedFraction();
  }
  CHECK(kv->used_blocks() == 16);  // the region never changed size
  kv->Release(a);

  // Readmitted (after a recompute preemption) with 3 tokens already generated: Tokens 15, so it
  // stores min(16, 15) = 15 of its 16-token region: 1 - 15/16 = 0.0625.
  Sequence b = Seq(12, 4);
  b.generated = 3;
  REQUIRE(kv->Admit(b, 0, b.MaxTokens()));
  CHECK(b.kv_blocks == 16);
  CHECK(b.kv_tokens == 15);
  CHECK(kv->WastedFraction() == Approx(0.0625));
  // An Admit asking less than the known tokens stores what it asked: min(13, 15) = 13, region
  // still max(16, 13) = 16. Totals: used 32, stored 15 + 13 = 28: 1 - 28/32 = 0.125.
  Sequence c = Seq(12, 4);
  c.generated = 3;
  REQUIRE(kv->Admit(c, 0, 13));
  CHECK(c.kv_blocks == 16);
  CHECK(c.kv_tokens == 13);
  CHECK(kv->used_blocks() == 32);
  CHECK(kv->stored_tokens() == 28);
  CHECK(kv->WastedFraction() == Approx(0.125));
}

TEST_CASE("contiguous KV pow2: prompt + output rounded up to a power of two, capped",
          "[contiguous]") {
  // 100 blocks x 16 = 1600 tokens, max_model_len 100.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kPow2, 100, 16, 100));
  // stored = min(ask, prompt): nothing is generated yet, so Tokens() is the prompt.
  struct Case {
    int64_t prompt, output, ask, region, stored;
  };
  const Case cases[] = {
      {10, 6, 16, 16, 10},    // 16 is a power of two; min(16, 10)
      {10, 7, 17, 32, 10},    // 17 -> 32; min(17, 10)
      {1, 0, 1, 1, 1},        // 1 = 2^0; min(1, 1)
      {20, 13, 20, 64, 20},   // 33 -> 64 (asked only the prompt); min(20, 20)
      {60, 30, 90, 100, 60},  // 90 -> 128, capped at max_model_len 100; min(90, 60)
      {60, 30, 120, 120, 60}  // capped at 100, but at least the 120 asked; min(120, 60)
  };
  int64_t used = 0;
  for (const Case& c : cases) {
    Sequence s = Seq(c.prompt, c.output);
    REQUIRE(kv->Admit(s, 0, c.ask));
    CHECK(s.kv_blocks == c.region);
    CHECK(s.kv_tokens == c.stored);
    used += c.region;
    CHECK(kv->used_blocks() == used);
    CHECK(kv->stored_tokens() == c.stored);
    kv->Release(s);
    used -= c.region;
  }
  CHECK(kv->used_blocks() == 0);
}

TEST_CASE("contiguous KV pow2 without a max_model_len is uncapped", "[contiguous]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kPow2, 100, 16, 0));
  Sequence s = Seq(100, 29);  // 129 -> 256
  REQUIRE(kv->Admit(s, 0, 100));
  CHECK(s.kv_blocks == 256);
}

TEST_CASE("contiguous KV watermark applies at Admit, in tokens", "[contiguous]") {
  // 4 blocks x 16 = 64 tokens; watermark 1 block = 16 tokens kept free at admission.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 4, 16, 1000, 1));
  Sequence a = Seq(30, 10);  // region 40 <= 64 - 16 = 48
  REQUIRE(kv->Admit(a, 0, 30));
  CHECK(kv->used_blocks() == 40);
  Sequence b = Seq(5, 4);  // region 9 > 24 free - 16 = 8
  CHECK_FALSE(kv->Admit(b, 0, 5));
  CHECK(kv->used_blocks() == 40);
  Sequence c = Seq(5, 3);  // region 8 <= 8
  CHECK(kv->Admit(c, 0, 5));
  CHECK(kv->used_blocks() == 48);

  // CanEverFit: the region must fit in an empty cache less the watermark (48 tokens).
  CHECK(kv->CanEverFit(Seq(40, 8)));        // 48
  CHECK_FALSE(kv->CanEverFit(Seq(40, 9)));  // 49
}

TEST_CASE("contiguous KV CanEverFit uses the region the request would get", "[contiguous]") {
  // 64 tokens of capacity, no watermark.
  auto request_max =
      MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 4, 16, 1000));
  CHECK(request_max->CanEverFit(Seq(60, 4)));        // 64 <= 64
  CHECK_FALSE(request_max->CanEverFit(Seq(60, 5)));  // 65 > 64
  // pow2: 33 tokens -> region 64 fits; 65 -> 128 does not.
  auto pow2 = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kPow2, 4, 16, 1000));
  CHECK(pow2->CanEverFit(Seq(30, 3)));
  CHECK_FALSE(pow2->CanEverFit(Seq(60, 5)));
  // pow2 capped at max_model_len 64: 65 tokens -> region max(min(128, 64), 65) = 65: does not.
  auto pow2_capped = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kPow2, 4, 16, 64));
  CHECK(pow2_capped->CanEverFit(Seq(50, 10)));  // 60 -> 64 (cap) fits
  // max_model_len mode: every region is max_model_len, whatever the request.
  auto max_len_big =
      MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 4, 16, 65));
  CHECK_FALSE(max_len_big->CanEverFit(Seq(1, 1)));  // region 65 > 64
  auto max_len_fits =
      MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 4, 16, 64));
  CHECK(max_len_fits->CanEverFit(Seq(1, 1)));  // region 64 <= 64
}

TEST_CASE("contiguous KV release frees the region; a double release throws", "[contiguous]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 10, 16, 64));
  Sequence a = Seq(10, 6), b = Seq(20, 4);
  REQUIRE(kv->Admit(a, 0, 16));  // region 64, stores min(16, 10) = 10
  REQUIRE(kv->Admit(b, 0, 24));  // region 64, stores min(24, 20) = 20
  CHECK(kv->used_blocks() == 128);
  CHECK(kv->stored_tokens() == 30);  // 10 + 20
  kv->Release(a);
  CHECK(a.kv_blocks == 0);
  CHECK(a.kv_tokens == 0);
  CHECK(kv->used_blocks() == 64);
  CHECK(kv->stored_tokens() == 20);
  // 20 of 64: 1 - 20/64 = 44/64 = 0.6875.
  CHECK(kv->WastedFraction() == Approx(0.6875));
  CHECK_THROWS_AS(kv->Release(a), std::logic_error);
  CHECK(kv->used_blocks() == 64);
  Sequence never = Seq(5, 5);
  CHECK_THROWS_AS(kv->Release(never), std::logic_error);
  // The freed region is reusable.
  REQUIRE(kv->Admit(a, 0, 16));
  CHECK(kv->used_blocks() == 128);
  kv->Release(a);
  kv->Release(b);
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->stored_tokens() == 0);
  CHECK(kv->WastedFraction() == 0.0);
}

TEST_CASE("contiguous KV rejects cached prefixes, re-admission and a missing max length",
          "[contiguous]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 10, 16, 64));
  Sequence a = Seq(10, 6);
  CHECK_THROWS_AS(kv->Admit(a, 5, 16), std::logic_error);
  CHECK(kv->used_blocks() == 0);
  REQUIRE(kv->Admit(a, 0, 16));
  CHECK_THROWS_AS(kv->Admit(a, 0, 16), std::logic_error);
  CHECK(kv->used_blocks() == 16);
  CHECK_THROWS_AS(MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 10, 16, 0)),
                  std::logic_error);
}

}  // namespace servesim
