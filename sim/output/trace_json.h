// trace.json: the run as a Chrome trace-event file (JSON object format), for Perfetto
// (ui.perfetto.dev) and chrome://tracing.
//
// Models: one process per replica (pid = replica index, named "replica N" by "M" metadata
// events); on its thread 0 ("steps") one complete ("X") slice per step, named prefill, decode or
// mixed by its shape (step when it has neither), with args {batch, prefill_tokens, decode_seqs, new_tokens,
// kv_usage, preempted, bound, draft_ms, io_ms}; counter ("C") tracks "requests" {running,
// waiting, swapped} and "kv_usage" {kv_usage} per replica, written at a step's start when they
// changed; and, for the first `max_requests` requests the engine reports (completion order),
// nested async slices ("b"/"e", cat "request", on thread 1 "requests"): the whole request, and in
// it "queued" (arrival to first scheduled), "prefill" (to the first token), "decode" (to the
// finish). Timestamps and durations are microseconds printed exactly from integer nanoseconds
// ("12.345"), other numbers by FormatNumber, so identical runs give identical bytes. Events are
// written as they come (nothing is held per step); after `max_steps` step slices, steps and
// counters stop and a "process_labels" metadata event on every replica says so; the closing
// "metadata" object counts what was written and omitted.
// Ignores: rejected requests and requests in flight at the end (the engine reports no times for
// them), queueing after a preemption (only the first scheduling is known), per-token events.
#ifndef SERVESIM_SIM_OUTPUT_TRACE_JSON_H_
#define SERVESIM_SIM_OUTPUT_TRACE_JSON_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/engine.h"

namespace servesim {

struct TraceOptions {
  int replicas = 1;             // processes named up front
  int64_t max_steps = 200000;   // step slices written (output.trace_max_steps); 0: no limit
  int64_t max_requests = 1000;  // request lifecycles drawn (output.trace_requests); 0: none
};

class TraceWriter : public EngineObserver {
 public:
  // Writes the file's opening and the process/thread names to `out`, which must outlive the
  // writer.
  TraceWriter(std::ostream& out, const TraceOptions& options);
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void OnStep(const StepRecord& step) override;
  void OnRequest(const RequestRecord& request) override;
  // Closes the JSON document (the event array and the metadata object); later calls do nothing.
  // The caller flushes and checks the stream.
  void Finish();

  int64_t steps_written() const { return steps_written_; }
  int64_t steps_omitted() const { return steps_omitted_; }
  int64_t requests_written() const { return requests_written_; }

 private:
  struct ReplicaState {
    int64_t running = -1, waiting = -1, swapped = -1;
    double kv_usage = -1;
  };
  void BeginEvent();
  void EndEvent();
  ReplicaState& StateOf(int32_t replica);

  std::ostream& out_;
  TraceOptions options_;
  std::string line_;  // the event being written, reused
  std::vector<ReplicaState> replicas_;
  int64_t steps_written_ = 0, steps_omitted_ = 0, requests_written_ = 0;
  bool any_event_ = false, finished_ = false;
};

// Microseconds from integer nanoseconds, exactly: 1234567 -> "1234.567", 5000 -> "5".
std::string TraceMicros(int64_t ns);

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_TRACE_JSON_H_
