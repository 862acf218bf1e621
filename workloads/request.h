// A request as the workload produces it: when it arrives and how many tokens it brings and asks for.
//
// Models: prompt and output lengths in tokens, arrival time, and (for traces that carry them)
// hashes of prompt blocks for prefix caching. Ignores: token contents, sampling parameters,
// multi-sequence requests (n > 1, beam search).
#ifndef SERVESIM_WORKLOADS_REQUEST_H_
#define SERVESIM_WORKLOADS_REQUEST_H_

#include <cstdint>
#include <vector>

namespace servesim {

struct Request {
  int64_t id = 0;             // dense, 0, 1, 2, ... in the order the workload emits them
  int64_t arrival_ns = 0;     // simulated time; non-decreasing across a workload's requests
  int64_t prompt_tokens = 0;  // >= 1
  int64_t output_tokens = 0;  // >= 1
  int32_t client = -1;        // closed-loop client that issued it, -1 for open-loop sources
  // Mooncake-style chained block hashes of the prompt (equal hash = equal prefix up to that
  // block), with the block size they were computed for; empty when the source has none.
  std::vector<uint64_t> prefix_hashes;
  int32_t prefix_block_tokens = 0;
};

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_REQUEST_H_
