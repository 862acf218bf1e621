// Orca and static batching, driven step by step with hand-built queues and a real allocator. A
// step is credited here by the engine's documented rules (sim/core/engine.h, FinishStep): new_tokens
// are added to `computed`; a step that reaches the known tokens emits one output token; a
// sequence whose output is complete and that is not held is completed (KV released) and dropped
// from `running`. Completed sequences are then scrambled, as the engine recycles them, so a
// scheduler that kept a pointer to one would misbehave. Every expected number is derived by hand
// in the comments. KV contract (kv_allocator.h): Admit reserves room for prompt + output but
// stores only min(that, Tokens()) = the prompt at admission; the output's room is reservation,
// counted as waste by WastedFraction() until each step's Reserve(computed + new tokens) raises
// the stored tokens.
#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <stdexcept>
#include <vector>

#include "policies/batching/batch_scheduler.h"
#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"
#include "tests/support/scheduler_harness.h"

namespace servesim {
namespace {

using testing::Contiguous;

SchedulerOptions Options(const char* impl, int64_t max_batch_size) {
  SchedulerOptions o;
  o.impl = impl;
  o.max_num_seqs = max_batch_size;
  o.max_num_batched_tokens = 0;
  return o;
}

// Stable addresses for the sequences of a test.
struct Pool {
  std::deque<Sequence> seqs;
  Sequence* Add(int64_t id, int64_t prompt, int64_t output, int64_t arrival_ns = 0) {
    Sequence& s = seqs.emplace_back();
    s.request_id = id;
    s.prompt_tokens = prompt;
    s.output_tokens = output;
    s.arrival_ns = arrival_ns;
    return &s;
  }
};

struct Entry {
  int64_t id, new_tokens, pad_tokens;
  bool operator==(const Entry& o) const {
    return id == o.id && new_tokens == o.new_tokens && pad_tokens == o.pad_tokens;
  }
};

std::ostream& operator<<(std::ostream& os, const Entry& e) {
  return os << "{" << e.id << ", " << e.new_tokens << ", " << e.pad_tokens << "}";
}

std::vector<Entry> Entries(const StepPlan& plan) {
  std::vector<Entry> out;
  for (const ScheduledSeq& p : plan.seqs)
    out.push_back({p.seq->request_id, p.new_tokens, p.pad_tokens});
  return out;
}

using testing::Ids;

// Clears `plan` and schedules the step at `now_ns` into it.
void ScheduleAgain(BatchScheduler& sched, ReplicaQueues& q, KvAllocator& kv, int64_t now_ns,
                   StepPlan& plan) {
  plan.Clear();
  sched.Schedule(q, kv, now_ns, plan);
}

// The step's padding decode slots and the context tokens they are priced at.
void CheckPadding(const StepPlan& plan, int64_t seqs, int64_t context_tokens) {
  CHECK(plan.pad_decode_seqs == seqs);
  CHECK(plan.pad_context_tokens == context_tokens);
}

// Credits a step as the engine does; returns the ids completed at its end.
std::vector<int64_t> Credit(ReplicaQueues& q, KvAllocator& kv, const StepPlan& plan) {
  std::vector<int64_t> done;
  std::vector<Sequence*> completed;
  for (const ScheduledSeq& p : plan.seqs) {
    Sequence& s = *p.seq;
    if (p.new_tokens > 0) {
      s.computed += p.new_tokens;
      if (s.computed >= s.Tokens() && s.generated < s.output_tokens) ++s.generated;
    }
    if (s.generated >= s.output_tokens && !s.hold && s.status != SeqStatus::kFinished) {
      kv.Release(s);
      s.status = SeqStatus::kFinished;
      done.push_back(s.request_id);
      completed.push_back(&s);
    }
  }
  auto& run = q.running;
  run.erase(std::remove_if(run.begin(), run.end(),
                           [](const Sequence* s) { return s->status == SeqStatus::kFinished; }),
            run.end());
  // Recycled: nothing of the completed request survives.
  for (Sequence* s : completed) {
    s->Reset();
    s->request_id = -1;
    s->prompt_tokens = s->output_tokens = s->generated = s->computed = 1000000;
  }
  return done;
}

using Ids64 = std::vector<int64_t>;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Orca

TEST_CASE(
    "orca: whole-prompt prefills join decodes; admission reserves max tokens, stops at "
    "the first that does not fit",
    "[orca]") {
  // request_max regions: 10 blocks x 16 = 160 tokens.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 10, 16, 1000));
  auto sched = MakeOrcaScheduler(Options("orca", 4));
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 50, 2),   // max 52
               pool.Add(1, 30, 20),  // max 50
               pool.Add(2, 40, 30),  // max 70
               pool.Add(3, 5, 5)};   // max 10
  StepPlan plan;

  // Step 1: admit 0 (52, used 52) and 1 (50, used 102); 2 needs 70 > 58 free: admission stops
  // there, and 3 (10 tokens, would fit) waits behind it.
  sched->Schedule(q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 50, 0}, {1, 30, 0}});
  CHECK(Ids(q.running) == Ids64{0, 1});
  CHECK(Ids(q.waiting) == Ids64{2, 3});
  CHECK(q.running[0]->status == SeqStatus::kRunning);
  // Regions of prompt + output, but only the prompts are known: 0 stores min(52, 50) = 50 and 1
  // stores min(50, 30) = 30. The 2 + 20 output slots are reserved but empty: waste 22/102.
  CHECK(q.running[0]->kv_blocks == 52);
  CHECK(q.running[0]->kv_tokens == 50);
  CHECK(q.running[1]->kv_blocks == 50);
  CHECK(q.running[1]->kv_tokens == 30);
  CHECK(kv->used_blocks() == 102);
  CHECK(kv->stored_tokens() == 80);
  CHECK(kv->WastedFraction() == Approx(22.0 / 102.0));  // 1 - 80/102
  CHECK(plan.preempted == 0);
  CHECK(plan.pad_decode_seqs == 0);
  CHECK(Credit(q, *kv, plan).empty());  // 0: 50 computed, 1 token; 1: 30 computed, 1 token

  // Step 2: both decode one token; 2 still does not fit (58 free). Each decode reserves its known
  // tokens: 0 to 50 + 1 = 51, 1 to 30 + 1 = 31; stored 82 of the same 102, waste down to 20/102.
  ScheduleAgain(*sched, q, *kv, 1, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 1, 0}, {1, 1, 0}});
  CHECK(Ids(q.waiting) == Ids64{2, 3});
  CHECK(q.running[0]->kv_tokens == 51);
  CHECK(q.running[1]->kv_tokens == 31);
  CHECK(kv->used_blocks() == 102);
  CHECK(kv->stored_tokens() == 82);
  CHECK(kv->WastedFraction() == Approx(20.0 / 102.0));  // 1 - 82/102
  CHECK(Credit(q, *kv, plan) == Ids64{0});              // 0 emits its 2nd and last token
  CHECK(kv->used_blocks() == 50);
  CHECK(kv->stored_tokens() == 31);  // 1 alone: 31 of its 50-token region

  // Step 3: 1 decodes; 2 (70 <= 110 free) and 3 (10 <= 40) are admitted and prefill their whole
  // prompts (40 and 5) in the same step: 1 + 40 + 5 tokens, no budget.
  ScheduleAgain(*sched, q, *kv, 2, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{1, 1, 0}, {2, 40, 0}, {3, 5, 0}});
  CHECK(Ids(q.running) == Ids64{1, 2, 3});
  CHECK(q.waiting.empty());
  CHECK(kv->used_blocks() == 130);  // 50 + 70 + 10
  // 1 reserved 30 + 2 = 32; 2 stores its 40-token prompt, 3 its 5: 77 of 130, waste 53/130.
  CHECK(kv->stored_tokens() == 77);
  CHECK(kv->WastedFraction() == Approx(53.0 / 130.0));
}

TEST_CASE("orca: the running set is capped at max_batch_size", "[orca]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 100, 16, 1000));
  auto sched = MakeOrcaScheduler(Options("orca", 2));
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 10, 3), pool.Add(1, 20, 3), pool.Add(2, 30, 3)};
  StepPlan plan;
  sched->Schedule(q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 0}, {1, 20, 0}});
  CHECK(Ids(q.waiting) == Ids64{2});
  Credit(q, *kv, plan);
  plan.Clear();
  // Still two running: 2 waits although KV is plentiful.
  sched->Schedule(q, *kv, 1, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 1, 0}, {1, 1, 0}});
  CHECK(Ids(q.waiting) == Ids64{2});
  Credit(q, *kv, plan);  // both at 2 of 3 tokens
  ScheduleAgain(*sched, q, *kv, 2, plan);
  CHECK(Credit(q, *kv, plan) == Ids64{0, 1});
  plan.Clear();
  // A slot freed at the previous step's end: 2 is admitted.
  sched->Schedule(q, *kv, 3, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{2, 30, 0}});
}

TEST_CASE(
    "orca: a running request with an uncomputed prompt computes the rest at once; an empty "
    "queue gives an idle plan",
    "[orca]") {
  // Paged blocks of 16: Admit with the request's 40 max tokens takes ceil(40/16) = 3 blocks.
  KvOptions ko;
  ko.capacity_blocks = 10;
  ko.block_size = 16;
  auto kv = MakePagedKvAllocator(ko);
  auto sched = MakeOrcaScheduler(Options("orca", 8));
  Pool pool;
  ReplicaQueues q;
  StepPlan plan;
  sched->Schedule(q, *kv, 0, plan);
  CHECK(plan.seqs.empty());
  CHECK(plan.wake_at_ns == -1);

  Sequence* s = pool.Add(0, 30, 10);
  REQUIRE(kv->Admit(*s, 0, s->MaxTokens()));
  CHECK(kv->used_blocks() == 3);
  // Stored: min(40, 30) = the 30 prompt tokens, of 3 x 16 = 48 slots: 1 - 30/48 = 0.375.
  CHECK(s->kv_tokens == 30);
  CHECK(kv->WastedFraction() == Approx(0.375));
  s->status = SeqStatus::kRunning;
  s->computed = 12;  // 18 of the 30-token prompt left
  q.running.push_back(s);
  ScheduleAgain(*sched, q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 18, 0}});
  // Reserve(12 + 18 = 30): no new block, nothing more stored.
  CHECK(kv->used_blocks() == 3);
  CHECK(s->kv_tokens == 30);
}

TEST_CASE("orca: a request outgrowing its reservation is a logic error (no preemption)", "[orca]") {
  // One paged block of 16 tokens, reserved by hand for 16 tokens; the request then holds 17.
  KvOptions ko;
  ko.capacity_blocks = 1;
  ko.block_size = 16;
  auto kv = MakePagedKvAllocator(ko);
  auto sched = MakeOrcaScheduler(Options("orca", 8));
  Pool pool;
  ReplicaQueues q;
  Sequence* s = pool.Add(0, 16, 4);
  REQUIRE(kv->Admit(*s, 0, 16));
  s->status = SeqStatus::kRunning;
  s->computed = 16;
  s->generated = 1;  // Tokens() = 17 needs a 2nd block
  q.running.push_back(s);
  StepPlan plan;
  CHECK_THROWS_AS(sched->Schedule(q, *kv, 0, plan), std::logic_error);
}

// ---------------------------------------------------------------------------------------------
// Static batching

TEST_CASE("static: prompts padded to the longest, finished members held until the batch ends",
          "[static]") {
  // max_model_len regions of 64 tokens: 20 blocks x 16 = 320 tokens, room for 5.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 20, 16, 64));
  SchedulerOptions so = Options("static", 3);
  REQUIRE(so.return_at_batch_end);  // the default
  auto sched = MakeStaticScheduler(so);
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 10, 1), pool.Add(1, 30, 3), pool.Add(2, 20, 2), pool.Add(3, 5, 1)};
  Sequence* a = q.waiting[0];
  Sequence* b = q.waiting[1];
  Sequence* c = q.waiting[2];
  StepPlan plan;

  // Step 1: batch of max_batch_size 3 (3 waits), 3 x 64 = 192 tokens reserved. Prefill padded to
  // the longest prompt, 30: pads 30-10 = 20, 0, 30-20 = 10.
  sched->Schedule(q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 20}, {1, 30, 0}, {2, 20, 10}});
  CHECK(Ids(q.running) == Ids64{0, 1, 2});
  CHECK(Ids(q.waiting) == Ids64{3});
  CHECK(kv->used_blocks() == 192);
  CHECK(a->kv_blocks == 64);
  // Stored: the prompts only, min(11, 10) + min(33, 30) + min(22, 20) = 60 of 192 reserved:
  // 1 - 60/192 = 132/192 = 0.6875 wasted.
  CHECK(a->kv_tokens == 10);
  CHECK(b->kv_tokens == 30);
  CHECK(c->kv_tokens == 20);
  CHECK(kv->stored_tokens() == 60);
  CHECK(kv->WastedFraction() == Approx(0.6875));
  CHECK(a->status == SeqStatus::kRunning);
  CHECK(a->hold);  // held from admission: its 1-token output ends in this very step
  CHECK(b->hold);
  CHECK(c->hold);
  CHECK(plan.pad_decode_seqs == 0);
  CHECK(plan.wake_at_ns == -1);
  CHECK(Credit(q, *kv, plan).empty());  // 0 has its only token but is held
  CHECK(a->generated == 1);
  CHECK(Ids(q.running) == Ids64{0, 1, 2});

  // Step 2: 0 is finished: it pads one token; 1 and 2 decode. 3 is not admitted although 128
  // tokens are free (no admission until the batch drains). 2 ends here, 1 has a token left.
  ScheduleAgain(*sched, q, *kv, 1, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 0, 1}, {1, 1, 0}, {2, 1, 0}});
  CHECK(Ids(q.waiting) == Ids64{3});
  // 1 and 2 reserve their known tokens, 30 + 1 = 31 and 20 + 1 = 21; 0 pads and keeps 10:
  // stored 62 of 192, waste 1 - 62/192 = 130/192, down from 132/192.
  CHECK(a->kv_tokens == 10);
  CHECK(b->kv_tokens == 31);
  CHECK(c->kv_tokens == 21);
  CHECK(kv->stored_tokens() == 62);
  CHECK(kv->WastedFraction() == Approx(130.0 / 192.0));
  CHECK((a->hold && b->hold && c->hold));
  CHECK(plan.pad_decode_seqs == 0);
  CHECK(Credit(q, *kv, plan).empty());

  // Step 3: 1's last token: the batch's final step clears every hold, all complete at its end.
  ScheduleAgain(*sched, q, *kv, 2, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 0, 1}, {1, 1, 0}, {2, 0, 1}});
  CHECK(b->kv_tokens == 32);         // 30 + 2 generated
  CHECK(kv->stored_tokens() == 63);  // 10 + 32 + 21
  CHECK_FALSE((a->hold || b->hold || c->hold));
  CHECK(Credit(q, *kv, plan) == Ids64{0, 1, 2});
  CHECK(q.running.empty());
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->stored_tokens() == 0);

  // Step 4: the batch drained: 3 forms a batch of one whose prefill is also its last step.
  ScheduleAgain(*sched, q, *kv, 3, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{3, 5, 0}});
  CHECK_FALSE(q.running[0]->hold);
  CHECK(Credit(q, *kv, plan) == Ids64{3});

  ScheduleAgain(*sched, q, *kv, 4, plan);
  CHECK(plan.seqs.empty());
  CHECK(plan.wake_at_ns == -1);
}

TEST_CASE(
    "static without return_at_batch_end: members complete as they end, their slots stay "
    "priced as padding decodes",
    "[static]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 20, 16, 64));
  SchedulerOptions so = Options("static", 3);
  so.return_at_batch_end = false;
  auto sched = MakeStaticScheduler(so);
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 10, 1), pool.Add(1, 30, 3), pool.Add(2, 20, 2), pool.Add(3, 5, 1)};
  StepPlan plan;

  // Step 1: as with held responses, but nobody is held; 0 completes at the step's end with a
  // final context of 10 (its prompt).
  sched->Schedule(q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 20}, {1, 30, 0}, {2, 20, 10}});
  for (const Sequence* s : q.running) CHECK_FALSE(s->hold);
  CheckPadding(plan, 0, 0);
  CHECK(Credit(q, *kv, plan) == Ids64{0});
  CHECK(kv->used_blocks() == 128);

  // Step 2: 1 and 2 decode; 0's slot is one padding decode at context 10. 2 ends here with a
  // context of 20 + 1 = 21.
  ScheduleAgain(*sched, q, *kv, 1, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{1, 1, 0}, {2, 1, 0}});
  CheckPadding(plan, 1, 10);
  CHECK(Ids(q.waiting) == Ids64{3});
  CHECK(Credit(q, *kv, plan) == Ids64{2});

  // Step 3: 1 decodes its last token; two padding slots, contexts 10 + 21 = 31. 3 still waits.
  ScheduleAgain(*sched, q, *kv, 2, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{1, 1, 0}});
  CheckPadding(plan, 2, 31);
  CHECK(Ids(q.waiting) == Ids64{3});
  CHECK(Credit(q, *kv, plan) == Ids64{1});

  // Step 4: a new batch; no padding slots carried over.
  ScheduleAgain(*sched, q, *kv, 3, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{3, 5, 0}});
  CheckPadding(plan, 0, 0);
}

TEST_CASE("static: formation stops at the first request whose reservation does not fit",
          "[static]") {
  // request_max regions; 100 blocks of 1 token = 100 tokens.
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kRequestMax, 100, 1, 1000));
  auto sched = MakeStaticScheduler(Options("static", 8));
  Pool pool;
  ReplicaQueues q;
  // 60 fits (40 left); 50 does not; 30 would, but waits behind it.
  q.waiting = {pool.Add(0, 40, 20), pool.Add(1, 25, 25), pool.Add(2, 20, 10)};
  StepPlan plan;
  sched->Schedule(q, *kv, 0, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 40, 0}});
  CHECK(Ids(q.waiting) == Ids64{1, 2});
  CHECK(kv->used_blocks() == 60);
  // Only the 40-token prompt is stored; the 20 output slots are reserved: 1 - 40/60 = 1/3.
  CHECK(kv->stored_tokens() == 40);
  CHECK(kv->WastedFraction() == Approx(1.0 / 3.0));
}

TEST_CASE("static: max_wait holds formation until the batch is full or the oldest waited",
          "[static]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 20, 16, 64));
  SchedulerOptions so = Options("static", 3);
  so.max_wait_ns = 1000;
  auto sched = MakeStaticScheduler(so);
  Pool pool;
  ReplicaQueues q;
  StepPlan plan;
  sched->Schedule(q, *kv, 0, plan);  // nothing waiting: idle, no wake-up
  CHECK(plan.seqs.empty());
  CHECK(plan.wake_at_ns == -1);

  // Two of three waiting, the oldest arrived at 100: wait until 100 + 1000 = 1100.
  q.waiting = {pool.Add(0, 10, 2, 100), pool.Add(1, 20, 2, 300)};
  ScheduleAgain(*sched, q, *kv, 150, plan);
  CHECK(plan.seqs.empty());
  CHECK(plan.wake_at_ns == 1100);
  CHECK(q.running.empty());
  CHECK(kv->used_blocks() == 0);
  ScheduleAgain(*sched, q, *kv, 1099, plan);
  CHECK(plan.seqs.empty());
  CHECK(plan.wake_at_ns == 1100);
  ScheduleAgain(*sched, q, *kv, 1100, plan);
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 10}, {1, 20, 0}});
  CHECK(plan.wake_at_ns == -1);
}

TEST_CASE("static: max_wait does not delay a full batch", "[static]") {
  auto kv = MakeContiguousKvAllocator(Contiguous(ContiguousReserve::kMaxModelLen, 20, 16, 64));
  SchedulerOptions so = Options("static", 2);
  so.max_wait_ns = 1000;
  auto sched = MakeStaticScheduler(so);
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 10, 2, 100), pool.Add(1, 20, 2, 120), pool.Add(2, 5, 2, 130)};
  StepPlan plan;
  sched->Schedule(q, *kv, 150, plan);
  // 3 waiting >= max_batch_size 2: formed at once, with the first two.
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 10}, {1, 20, 0}});
  CHECK(Ids(q.waiting) == Ids64{2});
}

TEST_CASE("static over paged KV: each member reserves its maximum up front", "[static]") {
  // Blocks of 16: max tokens 10 + 30 = 40 -> 3 blocks; 20 + 20 = 40 -> 3 blocks.
  KvOptions ko;
  ko.capacity_blocks = 6;
  ko.block_size = 16;
  auto kv = MakePagedKvAllocator(ko);
  auto sched = MakeStaticScheduler(Options("static", 4));
  Pool pool;
  ReplicaQueues q;
  q.waiting = {pool.Add(0, 10, 30), pool.Add(1, 20, 20), pool.Add(2, 1, 1)};
  StepPlan plan;
  sched->Schedule(q, *kv, 0, plan);
  // 6 blocks taken; 2 needs 1 more block: not admitted.
  CHECK(Entries(plan) == std::vector<Entry>{{0, 10, 10}, {1, 20, 0}});
  CHECK(kv->used_blocks() == 6);
  // Stored: the prompts, 10 + 20 = 30 of 6 x 16 = 96 slots: 1 - 30/96 = 0.6875.
  CHECK(kv->stored_tokens() == 30);
  CHECK(kv->WastedFraction() == Approx(0.6875));
  CHECK(Ids(q.waiting) == Ids64{2});
  // Decodes never need more blocks: 29 more steps for member 0 all schedule.
  Credit(q, *kv, plan);
  for (int step = 0; step < 29; ++step) {
    plan.Clear();
    sched->Schedule(q, *kv, step + 1, plan);
    REQUIRE_FALSE(plan.seqs.empty());
    Credit(q, *kv, plan);
  }
  CHECK(q.running.empty());
  CHECK(kv->used_blocks() == 0);
  CHECK(kv->stored_tokens() == 0);
}

}  // namespace servesim
