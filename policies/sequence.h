// A request's serving state on a replica, shared by the engine, the batch scheduler and the KV
// allocator.
//
// Models: how many tokens are known (prompt + generated), how many of them have KV in the cache
// (`computed`, vLLM's num_computed_tokens), the KV blocks held, and lifecycle timestamps.
// Ignores: per-token contents, multiple sequences per request.
#ifndef SERVESIM_POLICIES_SEQUENCE_H_
#define SERVESIM_POLICIES_SEQUENCE_H_

#include <cstdint>

namespace servesim {

enum class SeqStatus : uint8_t { kWaiting, kRunning, kPreempted, kFinished };

struct Sequence {
  int64_t request_id = 0;
  int64_t arrival_ns = 0;
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;  // the request's target length
  int32_t source = 0;         // workload index
  int32_t client = -1;

  int64_t generated = 0;  // output tokens emitted so far
  int64_t computed = 0;   // tokens whose KV is cached (reset to 0 by recompute preemption)
  int64_t kv_blocks = 0;  // blocks held in the allocator
  SeqStatus status = SeqStatus::kWaiting;

  int64_t first_scheduled_ns = -1;
  int64_t first_token_ns = -1;
  int64_t last_token_ns = -1;
  int32_t preemptions = 0;

  // Tokens known so far: the next token to compute is at index computed.
  int64_t Tokens() const { return prompt_tokens + generated; }
  int64_t MaxTokens() const { return prompt_tokens + output_tokens; }
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SEQUENCE_H_
