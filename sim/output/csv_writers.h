// requests.csv and steps.csv: the engine's request and step records as CSV rows, written as they
// come (nothing held per row).
//
// requests.csv: one row per request that completed, was rejected or was still held at the end:
//   id, arrival_s, prompt_tokens, output_tokens, status (completed | rejected | in_flight),
//   replica (-1: rejected), first_scheduled_s, first_token_s, finish_s, ttft_ms, tpot_ms, e2e_ms,
//   queue_ms, preemptions; a time the request never reached is empty, tpot_ms too for one-token
//   outputs.
// steps.csv: one row per step: replica, start_s, duration_ms, batch_size, prefill_tokens,
//   decode_seqs, kv_usage, preempted, swapped_blocks, bound.
// Numbers print by FormatNumber (shortest round-trip decimal), so identical runs give identical
// bytes. Ignores: the stream's errors (the caller flushes and checks it).
#ifndef SERVESIM_SIM_OUTPUT_CSV_WRITERS_H_
#define SERVESIM_SIM_OUTPUT_CSV_WRITERS_H_

#include <ostream>

#include "sim/core/records.h"

namespace servesim {

class RequestsCsvWriter : public EngineObserver {
 public:
  // Writes the header to `out`, which must outlive the writer.
  explicit RequestsCsvWriter(std::ostream& out);
  void OnRequest(const RequestRecord& request) override;

 private:
  std::ostream& out_;
};

class StepsCsvWriter : public EngineObserver {
 public:
  // Writes the header to `out`, which must outlive the writer.
  explicit StepsCsvWriter(std::ostream& out);
  void OnStep(const StepRecord& step) override;

 private:
  std::ostream& out_;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_CSV_WRITERS_H_
