// vLLM v0's scheduler (policies/batching/vllm_v0.cpp) driven on hand-built queues with a real paged
// allocator: prefill-first steps, FCFS admission and its stops (KV, watermark, budget,
// max_num_seqs), decode preemption (victim, recompute vs swap, queue order), swapped requests
// blocking new prefills, swap-in, and the chunked-prefill variant. Every expected number is
// derived by hand in the comments (block size 4 throughout: BlocksFor(t) = ceil(t / 4)).
#include <catch2/catch.hpp>

#include "tests/support/scheduler_harness.h"

namespace servesim {
namespace {

using testing::Column;
using testing::Decoding;
using testing::EngineCfg;
using testing::Entries;
using testing::Finish;
using testing::Ids;
using testing::Paged;
using testing::Plan;
using testing::Prefilling;
using testing::RunEngine;
using testing::Seq;
using testing::Step;
using testing::Ticks;

SchedulerOptions V0(bool chunked, int64_t budget = 1000, int64_t max_num_seqs = 256) {
  SchedulerOptions o;
  o.impl = "vllm_v0";
  o.chunked_prefill = chunked;
  o.max_num_batched_tokens = budget;
  o.max_num_seqs = max_num_seqs;
  return o;
}

}  // namespace

TEST_CASE("vllm_v0: a step with prefills runs no decode; decodes run once waiting is drained",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence r = Seq(1, 8), a = Seq(2, 10), b = Seq(3, 6);
  Decoding(r, 1, *kv, q);  // Tokens 9, computed 8, 2 blocks
  q.waiting = {&a, &b};

  StepPlan p = Step(*sched, q, *kv);
  // Whole prompts: a 10, b 6; the running r is not in a prefill step.
  CHECK(Plan(p) == Entries{{2, 10}, {3, 6}});
  CHECK(Ids(q.running) == std::vector<int64_t>{1, 2, 3});
  CHECK(q.waiting.empty());
  CHECK(a.status == SeqStatus::kRunning);
  CHECK(a.computed == 0);
  CHECK(a.kv_blocks == 3);  // ceil(10 / 4)
  CHECK(b.kv_blocks == 2);  // ceil(6 / 4)
  CHECK(p.preempted == 0);
  Finish(p);  // a: computed 10, generated 1; b: computed 6, generated 1

  p = Step(*sched, q, *kv);
  // Nothing waits: every running sequence decodes 1 token, in running order.
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}, {3, 1}});
  CHECK(r.kv_blocks == 3);  // Tokens 9 -> ceil(9 / 4)
  CHECK(a.kv_blocks == 3);  // Tokens 11 -> ceil(11 / 4)
  CHECK(b.kv_blocks == 2);  // Tokens 7 -> ceil(7 / 4)
}

TEST_CASE("vllm_v0: admission is FCFS and stops at the first request that cannot get KV",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(10));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence r = Seq(1, 7), a = Seq(2, 36), b = Seq(3, 4);
  Decoding(r, 1, *kv, q);  // Tokens 8, computed 7, ceil(7 / 4) = 2 blocks; 8 free
  q.waiting = {&a, &b};
  // a needs ceil(36 / 4) = 9 > 8 free: stop; b (1 block) would fit but is not tried. No prefill,
  // so the step decodes r (Reserve(8): 2 blocks, none new).
  const StepPlan p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}});
  CHECK(Ids(q.waiting) == std::vector<int64_t>{2, 3});
  CHECK(a.kv_blocks == 0);
  CHECK(b.kv_blocks == 0);
  CHECK(kv->used_blocks() == 2);
}

TEST_CASE("vllm_v0: the watermark refuses an admission that would fit without it", "[vllm_v0]") {
  auto sched = MakeVllmV0Scheduler(V0(false));
  SECTION("8 blocks leave 2 = watermark free: admitted") {
    auto kv = MakePagedKvAllocator(Paged(10, 2));
    ReplicaQueues q;
    Sequence a = Seq(1, 32);  // ceil(32 / 4) = 8 blocks; 10 - 8 = 2 >= 2
    q.waiting = {&a};
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 32}});
    CHECK(kv->used_blocks() == 8);
  }
  SECTION("9 blocks would leave 1 < 2: refused, nothing scheduled") {
    auto kv = MakePagedKvAllocator(Paged(10, 2));
    ReplicaQueues q;
    Sequence a = Seq(1, 33);  // ceil(33 / 4) = 9 blocks; 10 - 9 = 1 < 2
    q.waiting = {&a};
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(p.seqs.empty());
    CHECK(Ids(q.waiting) == std::vector<int64_t>{1});
    CHECK(kv->used_blocks() == 0);
  }
}

TEST_CASE("vllm_v0: whole prompts within the token budget and max_num_seqs", "[vllm_v0]") {
  SECTION("budget 20: 8 + 8 fit, the third 8 would make 24 > 20, and FCFS stops there") {
    auto kv = MakePagedKvAllocator(Paged(100));
    auto sched = MakeVllmV0Scheduler(V0(false, 20));
    ReplicaQueues q;
    Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8), d = Seq(4, 4);
    q.waiting = {&a, &b, &c, &d};
    // 4 budget left after a and b: c (8) is not chunked, and d (4, would fit) is behind it.
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 8}, {2, 8}});
    CHECK(Ids(q.waiting) == std::vector<int64_t>{3, 4});
  }
  SECTION("max_num_seqs 3 with one running: two admitted") {
    auto kv = MakePagedKvAllocator(Paged(100));
    auto sched = MakeVllmV0Scheduler(V0(false, 1000, 3));
    ReplicaQueues q;
    Sequence r = Seq(1, 8), a = Seq(2, 4), b = Seq(3, 4), c = Seq(4, 4);
    Decoding(r, 1, *kv, q);
    q.waiting = {&a, &b, &c};
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{2, 4}, {3, 4}});
    CHECK(Ids(q.running) == std::vector<int64_t>{1, 2, 3});
    CHECK(Ids(q.waiting) == std::vector<int64_t>{4});
  }
}

TEST_CASE(
    "vllm_v0: a decode short of a block preempts the tail by recompute to the front of "
    "waiting",
    "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(7));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8), w = Seq(4, 28);
  // Each: Tokens 9, computed 8, 2 blocks; its decode needs Reserve(9) = 3 blocks, one new.
  Decoding(a, 1, *kv, q);
  Decoding(b, 1, *kv, q);
  Decoding(c, 1, *kv, q);  // 6 used, 1 free
  q.waiting = {&w};        // 7 blocks > 1 free: no prefill this step
  const StepPlan p = Step(*sched, q, *kv);
  // a takes the free block (0 free); b is short: victim c (tail) frees 2; b takes 1 (1 free).
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.preempted == 1);
  CHECK(p.swap_out_blocks == 0);
  CHECK(Ids(q.running) == std::vector<int64_t>{1, 2});
  CHECK(Ids(q.waiting) == std::vector<int64_t>{3, 4});
  CHECK(c.status == SeqStatus::kPreempted);
  CHECK(c.computed == 0);
  CHECK(c.kv_blocks == 0);
  CHECK(c.preemptions == 1);
  CHECK(kv->used_blocks() == 6);  // a 3 + b 3
  CHECK(kv->stats().swap_out_blocks == 0);
}

TEST_CASE(
    "vllm_v0: several recompute victims re-enter waiting earliest-admitted first; a "
    "sequence that is itself the tail is not scheduled",
    "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(8));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8), d = Seq(4, 8), w = Seq(5, 40);
  for (Sequence* s : {&a, &b, &c, &d}) Decoding(*s, 1, *kv, q);  // 2 blocks each: 8 used, 0 free
  q.waiting = {&w};
  const StepPlan p = Step(*sched, q, *kv);
  // a short: victim d (frees 2), a takes 1 (1 free); b takes it (0 free); c short: c is the tail
  // now, so c itself is the victim and is not scheduled.
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.preempted == 2);
  CHECK(Ids(q.running) == std::vector<int64_t>{1, 2});
  // extendleft([d, c]) -> c, d in front of w.
  CHECK(Ids(q.waiting) == std::vector<int64_t>{3, 4, 5});
  CHECK(c.preemptions == 1);
  CHECK(d.preemptions == 1);
  CHECK(kv->used_blocks() == 6);
}

TEST_CASE("vllm_v0: swap preemption, swapped requests blocking prefills, then swap-in",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(7, 0, 10));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8), w = Seq(4, 28);
  Decoding(a, 1, *kv, q);
  Decoding(b, 1, *kv, q);
  Decoding(c, 1, *kv, q);  // 6 used, 1 free
  q.waiting = {&w};

  // Step 1 as in the recompute case, but c is swapped out with its 2 blocks.
  StepPlan p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.preempted == 1);
  CHECK(p.swap_out_blocks == 2);
  CHECK(kv->stats().swap_out_blocks == 2);
  CHECK(Ids(q.swapped) == std::vector<int64_t>{3});
  CHECK(Ids(q.waiting) == std::vector<int64_t>{4});
  CHECK(c.status == SeqStatus::kSwapped);
  CHECK(c.swapped_blocks == 2);
  CHECK(c.kv_blocks == 0);
  CHECK(c.computed == 8);  // kept: its KV is in host memory
  CHECK(c.preemptions == 1);
  Finish(p);  // a, b: computed 9, generated 2, Tokens 10

  // Step 2: a new small prompt would fit (1 block, 1 free), but swapped requests come first: no
  // prefill. a and b decode (Reserve(10): 3 blocks, none new). c needs ceil(9 / 4) = 3 blocks
  // back, 1 free: not swapped in.
  Sequence n = Seq(5, 4);
  q.waiting = {&n};
  p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.swap_in_blocks == 0);
  CHECK(Ids(q.waiting) == std::vector<int64_t>{5});
  CHECK(n.kv_blocks == 0);
  Finish(p);  // a, b: computed 10, Tokens 11

  // a completes (the engine releases it): 1 + 3 = 4 free. Step 3: b decodes (Reserve(11): 3
  // blocks), c swaps in (2 blocks, 2 free) and reserves its next slot (Reserve(9): 3 blocks, 1
  // free) and decodes too. Still no prefill: swapped was non-empty when the step began.
  kv->Release(a);
  q.running.erase(q.running.begin());
  p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{2, 1}, {3, 1}});
  CHECK(p.swap_in_blocks == 2);
  CHECK(p.swap_out_blocks == 0);
  CHECK(kv->stats().swap_in_blocks == 2);
  CHECK(q.swapped.empty());
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 3});
  CHECK(c.status == SeqStatus::kRunning);
  CHECK(c.kv_blocks == 3);
  CHECK(c.swapped_blocks == 0);
  CHECK(kv->free_blocks() == 1);
  Finish(p);

  // Step 4: swapped is empty, n (1 block, 1 free) is prefilled alone.
  p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{5, 4}});
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 3, 5});
}

TEST_CASE("vllm_v0: no swap-in in a step that preempted; swap victims queue behind older ones",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(8, 0, 20));
  auto sched = MakeVllmV0Scheduler(V0(false));
  ReplicaQueues q;
  Sequence s = Seq(9, 2), a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8);
  // s: Tokens 3, computed 2, 1 block, swapped out before the others arrive.
  s.generated = 1;
  REQUIRE(kv->Admit(s, 0, 2));
  s.computed = 2;
  REQUIRE(kv->SwapOut(s));
  s.status = SeqStatus::kSwapped;
  q.swapped.push_back(&s);
  CHECK(kv->stats().swap_out_blocks == 1);
  Decoding(a, 1, *kv, q);
  Decoding(b, 1, *kv, q);
  Decoding(c, 1, *kv, q);  // 6 used, 2 free
  // a takes 1 (1 free), b takes 1 (0 free), c is short and is the tail: swapped out itself (2
  // blocks, 2 free). s would now fit (ceil(3 / 4) = 1 block), but a step that preempted swaps
  // nothing in.
  const StepPlan p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.preempted == 1);
  CHECK(p.swap_out_blocks == 2);
  CHECK(p.swap_in_blocks == 0);
  CHECK(Ids(q.swapped) == std::vector<int64_t>{9, 3});
  CHECK(kv->stats().swap_out_blocks == 3);
  CHECK(kv->stats().swap_in_blocks == 0);
}

TEST_CASE("vllm_v0: swap-in honours the watermark, max_num_seqs and the token budget",
          "[vllm_v0]") {
  // Two swapped sequences of 1 block each (Tokens 3, computed 2); r running decodes.
  auto setup = [](KvAllocator& kv, ReplicaQueues& q, Sequence& r, Sequence& s1, Sequence& s2) {
    for (Sequence* s : {&s1, &s2}) {
      s->generated = 1;
      REQUIRE(kv.Admit(*s, 0, 2));
      s->computed = 2;
      REQUIRE(kv.SwapOut(*s));
      s->status = SeqStatus::kSwapped;
      q.swapped.push_back(s);
    }
    Decoding(r, 1, kv, q);
  };
  Sequence r = Seq(1, 8), s1 = Seq(2, 2), s2 = Seq(3, 2);
  SECTION("watermark 7 of 10: r grows to 3 blocks (7 free); s1 would leave 6 < 7: refused") {
    auto kv = MakePagedKvAllocator(Paged(10, 7, 10));
    auto sched = MakeVllmV0Scheduler(V0(false));
    ReplicaQueues q;
    setup(*kv, q, r, s1, s2);
    // r: Tokens 9 -> Reserve(9) takes a 3rd block: 7 free. s1: 1 > 7 - 7 = 0: refused.
    // (The watermark only guards admissions and swap-ins: r's own growth ignores it.)
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{1, 1}});
    CHECK(Ids(q.swapped) == std::vector<int64_t>{2, 3});
  }
  SECTION("watermark 6: s1 swaps in (7 free -> 6), s2 would leave 5 < 6") {
    auto kv = MakePagedKvAllocator(Paged(10, 6, 10));
    auto sched = MakeVllmV0Scheduler(V0(false));
    ReplicaQueues q;
    setup(*kv, q, r, s1, s2);
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
    CHECK(p.swap_in_blocks == 1);
    CHECK(Ids(q.swapped) == std::vector<int64_t>{3});
  }
  SECTION("max_num_seqs 2: r + s1") {
    auto kv = MakePagedKvAllocator(Paged(10, 0, 10));
    auto sched = MakeVllmV0Scheduler(V0(false, 1000, 2));
    ReplicaQueues q;
    setup(*kv, q, r, s1, s2);
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 1}, {2, 1}});
    CHECK(Ids(q.swapped) == std::vector<int64_t>{3});
  }
  SECTION("budget 2: r's decode + s1's decode") {
    auto kv = MakePagedKvAllocator(Paged(10, 0, 10));
    auto sched = MakeVllmV0Scheduler(V0(false, 2));
    ReplicaQueues q;
    setup(*kv, q, r, s1, s2);
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 1}, {2, 1}});
    CHECK(Ids(q.swapped) == std::vector<int64_t>{3});
  }
}

TEST_CASE(
    "vllm_v0 chunked: decodes and partial prefills first, then new prefills in the budget "
    "left",
    "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  ReplicaQueues q;
  Sequence d = Seq(1, 8), pf = Seq(2, 20), n = Seq(3, 30);
  Decoding(d, 1, *kv, q);     // 1 token left
  Prefilling(pf, 8, *kv, q);  // 12 prompt tokens left, 5 blocks held
  q.waiting = {&n};
  SECTION("budget 10: d 1, pf min(12, 9) = 9, nothing left for n") {
    auto sched = MakeVllmV0Scheduler(V0(true, 10));
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{1, 1}, {2, 9}});
    CHECK(Ids(q.waiting) == std::vector<int64_t>{3});
    // Next step's order: decodes, then the prefill that does not finish.
    CHECK(Ids(q.running) == std::vector<int64_t>{1, 2});
  }
  SECTION("budget 16: d 1, pf 12, n min(30, 3) = 3 with KV for all 30 tokens") {
    auto sched = MakeVllmV0Scheduler(V0(true, 16));
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{1, 1}, {2, 12}, {3, 3}});
    CHECK(n.kv_blocks == 8);  // ceil(30 / 4)
    CHECK(n.computed == 0);
    CHECK(n.status == SeqStatus::kRunning);
    CHECK(Ids(q.running) == std::vector<int64_t>{1, 2, 3});
  }
}

TEST_CASE("vllm_v0 chunked: a spent budget leaves the rest of running first in line next step",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  auto sched = MakeVllmV0Scheduler(V0(true, 2));
  ReplicaQueues q;
  Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8);
  for (Sequence* s : {&a, &b, &c}) Decoding(*s, 1, *kv, q);
  StepPlan p = Step(*sched, q, *kv);
  // Budget 2: a, b decode; c gets 0 and stops the pass. Running: [c] + decodes [a, b].
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(Ids(q.running) == std::vector<int64_t>{3, 1, 2});
  Finish(p);
  p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{3, 1}, {1, 1}});
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 3, 1});
}

TEST_CASE("vllm_v0 chunked: running reordered as decodes, finishing prefills, other prefills",
          "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  auto sched = MakeVllmV0Scheduler(V0(true, 12));
  ReplicaQueues q;
  Sequence p1 = Seq(1, 9), d = Seq(2, 8), p2 = Seq(3, 24);
  Prefilling(p1, 4, *kv, q);  // 5 left
  Decoding(d, 1, *kv, q);
  Prefilling(p2, 4, *kv, q);  // 20 left
  const StepPlan p = Step(*sched, q, *kv);
  // p1 5 (finishes, 7 left), d 1 (6 left), p2 min(20, 6) = 6.
  CHECK(Plan(p) == Entries{{1, 5}, {2, 1}, {3, 6}});
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 1, 3});
}

TEST_CASE(
    "vllm_v0 chunked: new prefills are admitted while swapped requests wait and after a "
    "preemption",
    "[vllm_v0]") {
  SECTION("a swapped request that does not fit does not block a small new prompt") {
    auto kv = MakePagedKvAllocator(Paged(10, 0, 20));
    ReplicaQueues q;
    Sequence s = Seq(9, 15), r = Seq(1, 27), n = Seq(2, 8);
    s.generated = 1;  // Tokens 16, computed 15: 4 blocks, swapped out
    REQUIRE(kv->Admit(s, 0, 15));
    s.computed = 15;
    REQUIRE(kv->SwapOut(s));
    s.status = SeqStatus::kSwapped;
    q.swapped.push_back(&s);
    Decoding(r, 1, *kv, q);  // Tokens 28, computed 27: 7 blocks; 3 free
    q.waiting = {&n};
    // r decodes (Reserve(28): 7 blocks). s needs ceil(16 / 4) = 4 > 3 free: stays swapped.
    // n (2 blocks) is admitted anyway: the chunked path does not check `swapped`.
    auto sched = MakeVllmV0Scheduler(V0(true, 100));
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 1}, {2, 8}});
    CHECK(Ids(q.swapped) == std::vector<int64_t>{9});
    // The default path admits nothing while `swapped` is non-empty.
    Sequence n2 = Seq(3, 4);
    q.waiting = {&n2};
    auto v0 = MakeVllmV0Scheduler(V0(false, 100));
    StepPlan p;
    v0->Schedule(q, *kv, 0, p);
    CHECK(Ids(q.waiting) == std::vector<int64_t>{3});
  }
  SECTION("after a preemption, and the step's victim is not re-admitted in the same step") {
    auto kv = MakePagedKvAllocator(Paged(7));
    ReplicaQueues q;
    Sequence a = Seq(1, 8), b = Seq(2, 8), c = Seq(3, 8), w = Seq(4, 4);
    Decoding(a, 1, *kv, q);
    Decoding(b, 1, *kv, q);
    Decoding(c, 1, *kv, q);  // 6 used, 1 free
    q.waiting = {&w};
    auto sched = MakeVllmV0Scheduler(V0(true, 100));
    const StepPlan p = Step(*sched, q, *kv);
    // a takes the free block; b is short: victim c frees 2, b takes 1 (1 free). w (1 block) is
    // admitted. c (Tokens 9, 3 blocks) joins waiting only after the prefill pass.
    CHECK(Plan(p) == Entries{{1, 1}, {2, 1}, {4, 4}});
    CHECK(p.preempted == 1);
    CHECK(Ids(q.waiting) == std::vector<int64_t>{3});
    CHECK(Ids(q.running) == std::vector<int64_t>{1, 2, 4});
    CHECK(kv->free_blocks() == 0);
  }
}

TEST_CASE(
    "vllm_v0 chunked: admission stops at the first request that cannot get KV for its "
    "whole sequence",
    "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(10));
  auto sched = MakeVllmV0Scheduler(V0(true, 8));
  ReplicaQueues q;
  Sequence big = Seq(1, 44), small = Seq(2, 4);
  q.waiting = {&big, &small};
  // big: ceil(44 / 4) = 11 blocks > 10, although its first chunk (8 tokens) would fit in 2.
  CHECK(Step(*sched, q, *kv).seqs.empty());
  CHECK(Ids(q.waiting) == std::vector<int64_t>{1, 2});
  CHECK(kv->used_blocks() == 0);
}

TEST_CASE(
    "vllm_v0 chunked: a swapped prefill resumes with its whole rest, chunked only when that "
    "exceeds the whole budget",
    "[vllm_v0]") {
  auto kv = MakePagedKvAllocator(Paged(20, 0, 20));
  auto sched = MakeVllmV0Scheduler(V0(true, 4));
  ReplicaQueues q;
  // s: prompt 12, KV for all 12 tokens (3 blocks), 2 computed, then swapped out.
  Sequence s = Seq(9, 12);
  REQUIRE(kv->Admit(s, 0, 12));
  s.computed = 2;
  REQUIRE(kv->SwapOut(s));
  s.status = SeqStatus::kSwapped;
  q.swapped.push_back(&s);
  SECTION("rest 4 <= budget 4, but a running decode leaves 3: stays swapped") {
    s.computed = 8;  // rest 12 - 8 = 4
    Sequence d = Seq(1, 8);
    Decoding(d, 1, *kv, q);
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{1, 1}});
    CHECK(Ids(q.swapped) == std::vector<int64_t>{9});
  }
  SECTION("rest 10 > budget 4 (vLLM would never resume it): resumes with 4 tokens") {
    // SwapIn brings 3 blocks back; Reserve(2 + 4 = 6) needs ceil(6 / 4) = 2 of them.
    const StepPlan p = Step(*sched, q, *kv);
    CHECK(Plan(p) == Entries{{9, 4}});
    CHECK(p.swap_in_blocks == 3);
    CHECK(s.kv_blocks == 3);
    CHECK(s.status == SeqStatus::kRunning);
    CHECK(Ids(q.running) == std::vector<int64_t>{9});
  }
}

TEST_CASE("vllm_v0 engine: a prompt arriving mid-decode gets a prefill-only step", "[vllm_v0]") {
  const EngineConfig c = EngineCfg("vllm_v0", false, 8192, 10000);
  std::string steps;
  // a (64 tokens, 10 out) at t=0; b (1000 tokens, 2 out) arrives 1 ns later, during a's prefill.
  const RunSummary s =
      RunEngine(c, {testing::MakeRequest(0, 64, 10), testing::MakeRequest(1, 1000, 2)}, &steps);
  REQUIRE(s.completed == 2);
  // Step 1 prefills a; step 2 prefills b alone (a's decode waits); step 3 decodes both (b's 2nd
  // token ends it); steps 4-11 decode a (tokens 3..10).
  CHECK(s.steps == 11);
  CHECK(Column(steps, 4) == std::vector<int64_t>{64, 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(Column(steps, 5) == std::vector<int64_t>{0, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1});
  // a runs through every step back to back: its E2E is their sum.
  int64_t e2e = Ticks(c, BatchShape::Uniform(1, 64, 0)) + Ticks(c, BatchShape::Uniform(1, 1000, 0));
  BatchShape both;
  both.Add(1, 64, true);
  both.Add(1, 1000, true);
  e2e += Ticks(c, both);
  for (int64_t k = 0; k < 8; ++k) e2e += Ticks(c, BatchShape::Uniform(1, 1, 65 + k));
  CHECK(s.e2e_s.max() == Approx(static_cast<double>(e2e) * 1e-9).epsilon(1e-12));
  CHECK(s.preemptions == 0);
}

TEST_CASE("vllm_v0 engine: KV pressure preempts by recompute or swap and every request completes",
          "[vllm_v0]") {
  // 4 requests of 30 + 40 tokens (5 blocks of 16 at the end) on 10 blocks. All 4 are prefilled in
  // step 1 (2 blocks each, 8 used); their 4th step needs a 3rd block each (33 tokens): a and b take
  // the 2 free ones, c is short and the tail d is preempted (2 blocks). Each fits alone, so all
  // complete; swapped KV all comes back.
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back(testing::MakeRequest(0, 30, 40));
  SECTION("recompute") {
    const RunSummary s = RunEngine(EngineCfg("vllm_v0", false, 8192, 10), reqs, nullptr);
    CHECK(s.completed == 4);
    CHECK(s.preemptions >= 1);
    CHECK(s.kv.swap_out_blocks == 0);
    CHECK(s.swap_s == 0);
  }
  SECTION("swap") {
    const RunSummary s = RunEngine(EngineCfg("vllm_v0", false, 8192, 10, 50), reqs, nullptr);
    CHECK(s.completed == 4);
    CHECK(s.preemptions >= 1);
    CHECK(s.kv.swap_out_blocks >= 2);
    CHECK(s.kv.swap_in_blocks == s.kv.swap_out_blocks);
    CHECK(s.swap_s > 0);
  }
  SECTION("chunked, swap") {
    const RunSummary s = RunEngine(EngineCfg("vllm_v0", true, 512, 10, 50), reqs, nullptr);
    CHECK(s.completed == 4);
    CHECK(s.preemptions >= 1);
    CHECK(s.kv.swap_in_blocks == s.kv.swap_out_blocks);
  }
}

}  // namespace servesim
