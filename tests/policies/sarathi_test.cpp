// Sarathi-Serve's scheduler (policies/batching/sarathi.cpp) driven on hand-built queues with a real
// paged allocator: decodes first, then partial prefills, then new prefills within chunk_size;
// decodes never stall behind a long prompt; whole-prompt KV at admission, the watermark and
// max_num_seqs; recompute preemption of the tail (never of a partial prefill already visited).
// Every expected number is derived by hand in the comments (block size 4 throughout:
// BlocksFor(t) = ceil(t / 4)).
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

SchedulerOptions Sarathi(int64_t chunk_size, int64_t max_num_seqs = 256) {
  SchedulerOptions o;
  o.impl = "sarathi";
  o.max_num_batched_tokens = chunk_size;
  o.max_num_seqs = max_num_seqs;
  return o;
}

}  // namespace

TEST_CASE("sarathi: decodes, then partial prefills, then new prefills within the chunk",
          "[sarathi]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  auto sched = MakeSarathiScheduler(Sarathi(16));
  ReplicaQueues q;
  Sequence pf = Seq(1, 20), d1 = Seq(2, 8), d2 = Seq(3, 12), n1 = Seq(4, 30), n2 = Seq(5, 5);
  Prefilling(pf, 8, *kv, q);  // 12 prompt tokens left, 5 blocks
  Decoding(d1, 1, *kv, q);
  Decoding(d2, 3, *kv, q);
  q.waiting = {&n1, &n2};
  const StepPlan p = Step(*sched, q, *kv);
  // d1, d2: 1 each (2 batched); pf: min(12, 16 - 2) = 12 (14); n1: min(30, 2) = 2 (16), admitted
  // with KV for all 30 tokens; n2: no budget left.
  CHECK(Plan(p) == Entries{{2, 1}, {3, 1}, {1, 12}, {4, 2}});
  CHECK(n1.kv_blocks == 8);  // ceil(30 / 4)
  CHECK(n1.computed == 0);
  CHECK(n1.status == SeqStatus::kRunning);
  CHECK(Ids(q.waiting) == std::vector<int64_t>{5});
  // Running for the next step: decodes, partial prefills, new.
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 3, 1, 4});
  CHECK(p.preempted == 0);
}

TEST_CASE("sarathi: a long prompt is chunked around a running decode, which runs every step",
          "[sarathi]") {
  auto kv = MakePagedKvAllocator(Paged(100));
  auto sched = MakeSarathiScheduler(Sarathi(16));
  ReplicaQueues q;
  Sequence d = Seq(1, 8, 1000), l = Seq(2, 100);
  Decoding(d, 1, *kv, q);
  q.waiting = {&l};
  // Each step: d 1, l min(rest, 15). 100 = 6 x 15 + 10: seven chunks, then l decodes too.
  const std::vector<int64_t> chunks = {15, 15, 15, 15, 15, 15, 10};
  for (size_t i = 0; i < chunks.size(); ++i) {
    const StepPlan p = Step(*sched, q, *kv);
    INFO("step " << i);
    CHECK(Plan(p) == Entries{{1, 1}, {2, chunks[i]}});
    Finish(p);
  }
  CHECK(l.computed == 100);
  CHECK(l.generated == 1);
  CHECK(l.kv_blocks == 25);  // ceil(100 / 4), all taken at admission
  const StepPlan p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(d.generated == 8);  // one token per step for the 7 steps above
}

TEST_CASE(
    "sarathi: admission takes KV for the whole prompt and stops at the first that cannot "
    "get it",
    "[sarathi]") {
  Sequence a = Seq(1, 20), b = Seq(2, 20), c = Seq(3, 4);
  SECTION("chunk 8: a computes 8 tokens but holds ceil(20 / 4) = 5 blocks") {
    auto kv = MakePagedKvAllocator(Paged(10, 1));
    auto sched = MakeSarathiScheduler(Sarathi(8));
    ReplicaQueues q;
    q.waiting = {&a, &b, &c};
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 8}});
    CHECK(a.kv_blocks == 5);
    CHECK(kv->used_blocks() == 5);
    CHECK(Ids(q.waiting) == std::vector<int64_t>{2, 3});
  }
  SECTION("chunk 64, watermark 1: a (5 of 10 blocks) in; b would leave 0 < 1; c not tried") {
    auto kv = MakePagedKvAllocator(Paged(10, 1));
    auto sched = MakeSarathiScheduler(Sarathi(64));
    ReplicaQueues q;
    q.waiting = {&a, &b, &c};
    // a: 5 <= 10 - 1. b: 5 > 5 - 1 = 4 (it would fit without the watermark). c (1 block) would
    // fit but FCFS stops at b.
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{1, 20}});
    CHECK(Ids(q.waiting) == std::vector<int64_t>{2, 3});
    CHECK(b.kv_blocks == 0);
  }
  SECTION("max_num_seqs 3 with two running decodes: one admitted") {
    auto kv = MakePagedKvAllocator(Paged(100));
    auto sched = MakeSarathiScheduler(Sarathi(64, 3));
    ReplicaQueues q;
    Sequence d1 = Seq(4, 8), d2 = Seq(5, 8);
    Decoding(d1, 1, *kv, q);
    Decoding(d2, 1, *kv, q);
    q.waiting = {&a, &b, &c};
    CHECK(Plan(Step(*sched, q, *kv)) == Entries{{4, 1}, {5, 1}, {1, 20}});
    CHECK(Ids(q.waiting) == std::vector<int64_t>{2, 3});
    CHECK(Ids(q.running) == std::vector<int64_t>{4, 5, 1});
  }
}

TEST_CASE(
    "sarathi: a decode short of a block preempts the running tail by recompute; a partial "
    "prefill visited before is not a victim",
    "[sarathi]") {
  // Swap space is configured, yet Sarathi preempts by recompute only.
  auto kv = MakePagedKvAllocator(Paged(9, 0, 20));
  auto sched = MakeSarathiScheduler(Sarathi(16));
  ReplicaQueues q;
  Sequence pf = Seq(1, 20), a = Seq(2, 8), b = Seq(3, 8);
  Prefilling(pf, 8, *kv, q);  // 5 blocks, 12 left
  Decoding(a, 1, *kv, q);     // Tokens 9, computed 8: 2 blocks, its decode needs a 3rd
  Decoding(b, 1, *kv, q);     // 2 blocks: 9 used, 0 free
  const StepPlan p = Step(*sched, q, *kv);
  // pf is set aside; a: no free block -> victim b (the tail) frees 2; a takes 1 (1 free). pf:
  // min(12, 16 - 1) = 12. b, at the front of waiting, needs ceil(9 / 4) = 3 > 1: not re-admitted.
  CHECK(Plan(p) == Entries{{2, 1}, {1, 12}});
  CHECK(p.preempted == 1);
  CHECK(p.swap_out_blocks == 0);
  CHECK(q.swapped.empty());
  CHECK(kv->stats().swap_out_blocks == 0);
  CHECK(Ids(q.waiting) == std::vector<int64_t>{3});
  CHECK(Ids(q.running) == std::vector<int64_t>{2, 1});
  CHECK(b.status == SeqStatus::kPreempted);
  CHECK(b.computed == 0);
  CHECK(b.kv_blocks == 0);
  CHECK(b.preemptions == 1);
  CHECK(kv->free_blocks() == 1);
}

TEST_CASE("sarathi: with no block free, a decode whose last block has room runs unpreempted",
          "[sarathi]") {
  auto kv = MakePagedKvAllocator(Paged(4));
  auto sched = MakeSarathiScheduler(Sarathi(16));
  ReplicaQueues q;
  // Each: prompt 5, 1 generated: Tokens 6, computed 5, ceil(5 / 4) = 2 blocks; the slot for 6
  // tokens fits in them. 4 used, 0 free.
  Sequence a = Seq(1, 5), b = Seq(2, 5);
  Decoding(a, 1, *kv, q);
  Decoding(b, 1, *kv, q);
  const StepPlan p = Step(*sched, q, *kv);
  CHECK(Plan(p) == Entries{{1, 1}, {2, 1}});
  CHECK(p.preempted == 0);
  CHECK(kv->free_blocks() == 0);
}

TEST_CASE("sarathi: a decode that is itself the tail is preempted and not scheduled", "[sarathi]") {
  auto kv = MakePagedKvAllocator(Paged(4));
  auto sched = MakeSarathiScheduler(Sarathi(16));
  ReplicaQueues q;
  Sequence a = Seq(1, 8), b = Seq(2, 4);
  Decoding(a, 1, *kv, q);  // Tokens 9, computed 8: 2 blocks, needs a 3rd
  Decoding(b, 1, *kv, q);  // Tokens 5, computed 4: 1 block, needs a 2nd; 3 used, 1 free
  const StepPlan p = Step(*sched, q, *kv);
  // a takes the free block (0 free). b is short of its 2nd block and is the tail: b itself is
  // preempted (frees 1). Back in waiting b needs ceil(5 / 4) = 2 > 1 free: not re-admitted.
  CHECK(Plan(p) == Entries{{1, 1}});
  CHECK(p.preempted == 1);
  CHECK(Ids(q.waiting) == std::vector<int64_t>{2});
  CHECK(Ids(q.running) == std::vector<int64_t>{1});
  CHECK(kv->used_blocks() == 3);
}

TEST_CASE("sarathi engine: a long prompt arriving mid-decode is chunked around the decode",
          "[sarathi]") {
  const EngineConfig c = EngineCfg("sarathi", true, 256, 10000);
  std::string steps;
  // a (64 tokens, 10 out) at t=0; b (1000 tokens, 2 out) arrives 1 ns later, during a's prefill.
  const RunSummary s =
      RunEngine(c, {testing::MakeRequest(0, 64, 10), testing::MakeRequest(1, 1000, 2)}, &steps);
  REQUIRE(s.completed == 2);
  // Step 1 prefills a. Steps 2-5: a decodes, b gets 255, 255, 255, then 1000 - 765 = 235 (its 1st
  // token). Step 6: both decode (b ends). Steps 7-10: a alone (its tokens 7..10).
  CHECK(s.steps == 10);
  CHECK(Column(steps, 4) == std::vector<int64_t>{64, 255, 255, 255, 235, 0, 0, 0, 0, 0});
  CHECK(Column(steps, 5) == std::vector<int64_t>{0, 1, 1, 1, 1, 2, 1, 1, 1, 1});
  // a runs through every step back to back: its E2E is their sum.
  int64_t e2e = Ticks(c, BatchShape::Uniform(1, 64, 0));
  const int64_t chunks[4] = {255, 255, 255, 235};
  int64_t b_done = 0;
  for (int64_t i = 0; i < 4; ++i) {
    BatchShape shape;
    shape.Add(1, 64 + i, true);
    shape.Add(chunks[i], b_done, b_done + chunks[i] == 1000);
    b_done += chunks[i];
    e2e += Ticks(c, shape);
  }
  BatchShape both;
  both.Add(1, 68, true);
  both.Add(1, 1000, true);
  e2e += Ticks(c, both);
  for (int64_t k = 0; k < 4; ++k) e2e += Ticks(c, BatchShape::Uniform(1, 1, 69 + k));
  CHECK(s.e2e_s.max() == Approx(static_cast<double>(e2e) * 1e-9).epsilon(1e-12));
}

TEST_CASE("sarathi engine: KV pressure preempts by recompute and every request completes",
          "[sarathi]") {
  // 4 requests of 30 + 40 tokens (5 blocks of 16 at the end) on 10 blocks, swap space configured:
  // all 4 are admitted in step 1 (2 blocks each for their whole 30-token prompt); their 4th step
  // needs a 3rd block each, so the tail is preempted. Sarathi never swaps. Each fits alone.
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back(testing::MakeRequest(0, 30, 40));
  const RunSummary s = RunEngine(EngineCfg("sarathi", true, 512, 10, 50), reqs, nullptr);
  CHECK(s.completed == 4);
  CHECK(s.preemptions >= 1);
  CHECK(s.kv.swap_out_blocks == 0);
  CHECK(s.swap_s == 0);
}

}  // namespace servesim
