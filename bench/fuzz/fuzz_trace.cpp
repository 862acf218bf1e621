// libFuzzer target: the streaming trace readers (workloads/trace.h) on arbitrary bytes.
//
// The first input byte picks the reader and its options, the rest is the file:
//   bits 0-1  format: 0 azure, 1 mooncake, 2 csv (Vidur columns), 3 jsonl (Vidur keys)
//   bit 2     skip_bad_rows
//   bit 3     csv / jsonl arrival in milliseconds instead of seconds
//   bit 4     time_scale 2.5, window [0.5 s, 1e6 s), max_requests 1000
//   bit 5     also read the file as a lengths CSV (LoadLengthsCsv)
// Every request is pulled. InputError is the expected outcome for junk; any other exception, a
// crash, a hang, a sanitizer report or a broken stream invariant (ids 0, 1, 2, ...; arrivals >= 0
// and non-decreasing; lengths in [1, 2^31]; one prefix hash per 512-token block) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/fuzz/fuzz_common.h"
#include "bench/fuzz/trace_mode.h"
#include "models/input_error.h"
#include "workloads/request.h"
#include "workloads/trace.h"

namespace servesim::fuzz {
namespace {

void CheckStream(Workload& w, const TraceOptions& options) {
  Request r;
  int64_t expected_id = 0;
  int64_t last_arrival = 0;
  while (true) {
    const Pull p = w.Next(r);
    if (p == Pull::kExhausted) break;
    if (p != Pull::kRequest) Violation("a trace answered kBlocked");
    if (r.id != expected_id) {
      Violation("id " + std::to_string(r.id) + ", expected " + std::to_string(expected_id));
    }
    ++expected_id;
    if (r.arrival_ns < 0 || r.arrival_ns < last_arrival) {
      Violation("arrival " + std::to_string(r.arrival_ns) + " after " +
                std::to_string(last_arrival));
    }
    last_arrival = r.arrival_ns;
    if (r.prompt_tokens < 1 || r.prompt_tokens > kMaxTraceTokens || r.output_tokens < 1 ||
        r.output_tokens > kMaxTraceTokens) {
      Violation("lengths " + std::to_string(r.prompt_tokens) + " / " +
                std::to_string(r.output_tokens));
    }
    if (r.prefix_block_tokens > 0) {
      const int64_t blocks = (r.prompt_tokens + r.prefix_block_tokens - 1) / r.prefix_block_tokens;
      if (static_cast<int64_t>(r.prefix_hashes.size()) != blocks) {
        Violation(std::to_string(r.prefix_hashes.size()) + " prefix hashes for " +
                  std::to_string(r.prompt_tokens) + " tokens");
      }
    } else if (!r.prefix_hashes.empty()) {
      Violation("prefix hashes without a block size");
    }
    if (options.max_requests >= 0 && expected_id > options.max_requests) {
      Violation("more than max_requests requests");
    }
  }
  // Exhausted stays exhausted.
  if (w.Next(r) != Pull::kExhausted) Violation("a request after kExhausted");
  if (!options.skip_bad_rows && w.skipped_rows() != 0) Violation("rows skipped without asking");
  (void)w.Describe();
}

}  // namespace
}  // namespace servesim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace servesim;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const TraceOptions options =
      fuzz::TraceOptionsForMode(mode, fuzz::WriteScratch("trace", data + 1, size - 1));
  try {
    std::unique_ptr<Workload> w = MakeTraceWorkload(options, "fuzz");
    fuzz::CheckStream(*w, options);
  } catch (const InputError& e) {
    fuzz::ExpectedError(e);
  }
  if ((mode & 32) != 0) {
    try {
      for (const LengthRow& row : LoadLengthsCsv(options.path)) {
        if (row.prompt_tokens < 1 || row.output_tokens < 1) fuzz::Violation("lengths row < 1");
      }
    } catch (const InputError& e) {
      fuzz::ExpectedError(e);
    }
  }
  return 0;
}
