// vLLM v1 scheduler rules checked by hand on hand-built queues (policies/batching/vllm_v1.cpp's
// header lists them): async scheduling's admission cutoff and the long-prefill threshold with
// chunked prefill off.
#include <catch2/catch.hpp>

#include "tests/support/scheduler_harness.h"

namespace servesim {
namespace {

using testing::Entries;
using testing::Plan;

SchedulerOptions V1(bool async, int64_t budget = 64) {
  SchedulerOptions o;
  o.impl = "vllm_v1";
  o.max_num_batched_tokens = budget;
  o.async_scheduling = async;
  return o;
}

StepPlan ScheduleAt(BatchScheduler& sched, ReplicaQueues& q, KvAllocator& kv, int64_t planned_at,
                    int64_t now) {
  q.planned_at_ns = planned_at;
  StepPlan p;
  sched.Schedule(q, kv, now, p);
  return p;
}

}  // namespace

TEST_CASE("vllm_v1 async: a step planned before an arrival leaves it waiting", "[scheduler]") {
  // A decodes (prompt 8, 1 token generated); B (prompt 12) arrived at 50. The previous step
  // started at 40, when vLLM's engine formed this plan: B is not in it. Synchronously it is.
  const auto kv = MakePagedKvAllocator(testing::Paged(100));
  Sequence a = testing::Seq(1, 8), b = testing::Seq(2, 12);
  b.arrival_ns = 50;
  ReplicaQueues q;
  testing::Decoding(a, 1, *kv, q);
  q.waiting.push_back(&b);
  const auto async = MakeVllmV1Scheduler(V1(true));
  CHECK(Plan(ScheduleAt(*async, q, *kv, 40, 100)) == Entries{{1, 1}});
  CHECK(q.waiting.size() == 1);
  // The next step was formed when this one started (100): B is admitted with its 12 tokens.
  CHECK(Plan(ScheduleAt(*async, q, *kv, 100, 130)) == Entries{{1, 1}, {2, 12}});
}

TEST_CASE("vllm_v1 async: an empty early plan is formed again with every arrival", "[scheduler]") {
  // Nothing runs; B arrived at 50 during the last step (started 40, ended 100). vLLM's early plan
  // for this step was empty, so it planned again once that step's output was in: B runs now.
  const auto kv = MakePagedKvAllocator(testing::Paged(100));
  Sequence b = testing::Seq(2, 12);
  b.arrival_ns = 50;
  ReplicaQueues q;
  q.waiting.push_back(&b);
  const auto async = MakeVllmV1Scheduler(V1(true));
  CHECK(Plan(ScheduleAt(*async, q, *kv, 40, 100)) == Entries{{2, 12}});
}

TEST_CASE("vllm_v1: the long-prefill threshold caps a prompt before the no-chunking check",
          "[scheduler]") {
  // Budget 64, threshold 32, chunked prefill off: a 100-token prompt asks for 32 (the threshold,
  // as vLLM caps num_new_tokens before it compares with the budget), which fits, so it is admitted
  // with 32 tokens rather than refused for exceeding the budget.
  const auto kv = MakePagedKvAllocator(testing::Paged(100));
  Sequence b = testing::Seq(2, 100);
  ReplicaQueues q;
  q.waiting.push_back(&b);
  SchedulerOptions o = V1(false);
  o.chunked_prefill = false;
  o.long_prefill_token_threshold = 32;
  const auto sched = MakeVllmV1Scheduler(o);
  CHECK(Plan(ScheduleAt(*sched, q, *kv, 0, 0)) == Entries{{2, 32}});
}

}  // namespace servesim
