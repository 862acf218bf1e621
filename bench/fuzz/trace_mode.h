// The trace fuzz target's mode byte: which reader and options one input runs with. Shared by
// bench/fuzz/fuzz_trace.cpp and the regression replay in tests/reliability, so a minimized input
// replays exactly as it was found. Ignores bit 5 (the lengths CSV), which only the target reads.
#ifndef SERVESIM_BENCH_FUZZ_TRACE_MODE_H_
#define SERVESIM_BENCH_FUZZ_TRACE_MODE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "workloads/trace.h"

namespace servesim::fuzz {

// The reader options of mode byte `mode` for the file at `path`:
//   bits 0-1  format: 0 azure, 1 mooncake, 2 csv (Vidur columns), 3 jsonl (Vidur keys)
//   bit 2     skip_bad_rows
//   bit 3     csv / jsonl arrival in milliseconds instead of seconds
//   bit 4     time_scale 2.5, window [0.5 s, 1e6 s), max_requests 1000
inline TraceOptions TraceOptionsForMode(uint8_t mode, std::string path) {
  static constexpr TraceFormat kFormats[] = {TraceFormat::kAzure, TraceFormat::kMooncake,
                                             TraceFormat::kCsv, TraceFormat::kJsonl};
  TraceOptions options;
  options.path = std::move(path);
  options.format = kFormats[mode & 3];
  options.skip_bad_rows = (mode & 4) != 0;
  if ((mode & 8) != 0) options.time_unit = TimeUnit::kMilliseconds;
  if ((mode & 16) != 0) {
    options.time_scale = 2.5;
    options.start_s = 0.5;
    options.end_s = 1e6;
    options.max_requests = 1000;
  }
  return options;
}

}  // namespace servesim::fuzz

#endif  // SERVESIM_BENCH_FUZZ_TRACE_MODE_H_
