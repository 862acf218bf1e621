// Helpers for tests that drive a batch scheduler by hand (hand-built queues, a real allocator) or
// run a handful of requests through the engine: sequences in a given state, a plan as
// (id, new tokens) pairs, the engine's end-of-step credit, one column of the steps CSV.
#ifndef SERVESIM_TESTS_SUPPORT_SCHEDULER_HARNESS_H_
#define SERVESIM_TESTS_SUPPORT_SCHEDULER_HARNESS_H_

#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/presets.h"
#include "policies/batching/batch_scheduler.h"
#include "policies/kv/kv_allocator.h"
#include "policies/sequence.h"
#include "sim/core/engine.h"
#include "sim/core/kernel.h"
#include "sim/output/csv_writers.h"
#include "tests/support/vector_workload.h"

namespace servesim::testing {

using Entries = std::vector<std::pair<int64_t, int64_t>>;  // (request id, new tokens)

inline KvOptions Paged(int64_t capacity_blocks, int64_t watermark_blocks = 0,
                       int64_t swap_blocks = 0) {
  KvOptions o;
  o.capacity_blocks = capacity_blocks;
  o.block_size = 4;
  o.watermark_blocks = watermark_blocks;
  o.swap_blocks = swap_blocks;
  return o;
}

inline KvOptions Contiguous(ContiguousReserve reserve, int64_t capacity_blocks, int64_t block_size,
                            int64_t max_model_len, int64_t watermark_blocks = 0) {
  KvOptions o;
  o.impl = "contiguous";
  o.reserve = reserve;
  o.capacity_blocks = capacity_blocks;
  o.block_size = block_size;
  o.max_model_len = max_model_len;
  o.watermark_blocks = watermark_blocks;
  return o;
}

inline Sequence Seq(int64_t id, int64_t prompt, int64_t output = 100) {
  Sequence s;
  s.request_id = id;
  s.prompt_tokens = prompt;
  s.output_tokens = output;
  return s;
}

// A running sequence after the step that emitted its `generated`-th token: KV held for the
// Tokens() - 1 computed tokens, one token (the last emitted) left to compute.
inline void Decoding(Sequence& s, int64_t generated, KvAllocator& kv, ReplicaQueues& q) {
  s.generated = generated;
  REQUIRE(kv.Admit(s, 0, s.Tokens() - 1));
  s.computed = s.Tokens() - 1;
  s.status = SeqStatus::kRunning;
  q.running.push_back(&s);
}

// A running sequence part-way through its prompt, holding KV for the whole prompt.
inline void Prefilling(Sequence& s, int64_t computed, KvAllocator& kv, ReplicaQueues& q) {
  REQUIRE(kv.Admit(s, 0, s.Tokens()));
  s.computed = computed;
  s.status = SeqStatus::kRunning;
  q.running.push_back(&s);
}

inline Entries Plan(const StepPlan& p) {
  Entries out;
  for (const ScheduledSeq& e : p.seqs) out.emplace_back(e.seq->request_id, e.new_tokens);
  return out;
}

// Request ids of a queue (running, waiting or swapped), in order.
template <typename Queue>
inline std::vector<int64_t> Ids(const Queue& queue) {
  std::vector<int64_t> out;
  for (const Sequence* s : queue) out.push_back(s->request_id);
  return out;
}

// The engine's credit at the end of a step (sim/core/engine.cpp FinishStep, without completions).
inline void Finish(const StepPlan& p) {
  for (const ScheduledSeq& e : p.seqs) {
    Sequence& s = *e.seq;
    s.computed += e.new_tokens;
    if (s.computed >= s.Tokens() && s.generated < s.output_tokens) ++s.generated;
  }
}

inline StepPlan Step(BatchScheduler& sched, ReplicaQueues& q, KvAllocator& kv) {
  StepPlan p;
  sched.Schedule(q, kv, 0, p);
  return p;
}

inline EngineConfig EngineCfg(const std::string& impl, bool chunked, int64_t budget,
                              int64_t kv_blocks, int64_t swap_blocks = 0) {
  EngineConfig c;
  c.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  c.device = DevicePresetOrThrow("h100-sxm", "test");
  c.kv.capacity_blocks = kv_blocks;
  c.kv.block_size = 16;
  c.kv.swap_blocks = swap_blocks;
  c.scheduler.impl = impl;
  c.scheduler.chunked_prefill = chunked;
  c.scheduler.max_num_batched_tokens = budget;
  return c;
}

inline RunSummary RunEngine(const EngineConfig& c, std::vector<Request> requests,
                            std::string* steps_csv, std::string* requests_csv = nullptr) {
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<VectorWorkload>(std::move(requests)));
  Engine engine(c, std::move(sources));
  std::ostringstream steps, reqs;
  StepsCsvWriter steps_writer(steps);
  RequestsCsvWriter reqs_writer(reqs);
  RunSummary s = engine.Run({&steps_writer, &reqs_writer});
  if (steps_csv) *steps_csv = steps.str();
  if (requests_csv) *requests_csv = reqs.str();
  return s;
}

inline int64_t Ticks(const EngineConfig& c, const BatchShape& b) {
  return SecondsToTicks(MakeRooflineCostModel(c.model, c.device, c.cost)->PriceStep(b).seconds);
}

// One column of the steps CSV (header skipped), as integers.
inline std::vector<int64_t> Column(const std::string& csv, int index) {
  std::vector<int64_t> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (int i = 0; i <= index; ++i) std::getline(cells, cell, ',');
    out.push_back(std::stoll(cell));
  }
  return out;
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_SCHEDULER_HARNESS_H_
