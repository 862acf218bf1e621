// A request's serving state on a replica, shared by the engine, the batch scheduler and the KV
// allocator.
//
// Models: how many tokens are known (prompt + generated), how many of them have KV in the cache
// (`computed`, vLLM's num_computed_tokens), the KV held (blocks on the device, blocks swapped to
// host memory), the prompt's prefix hashes for prefix caching, and lifecycle timestamps.
// Ignores: per-token contents, multiple sequences per request (n > 1, beam search).
#ifndef SERVESIM_POLICIES_SEQUENCE_H_
#define SERVESIM_POLICIES_SEQUENCE_H_

#include <cstdint>
#include <vector>

namespace servesim {

// kHandedOff: its prompt is done on a prefill replica and its KV is on the way to a decode replica
// (sim/core/kv_handoff.h); it left the running set and still holds its blocks.
enum class SeqStatus : uint8_t { kWaiting, kRunning, kPreempted, kSwapped, kFinished, kHandedOff };

struct Sequence {
  int64_t request_id = 0;
  int64_t arrival_ns = 0;
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;  // the request's target length
  int32_t source = 0;         // workload index
  int32_t client = -1;

  // Chained hashes of the prompt, one per `prefix_block_tokens` tokens (equal hash = equal
  // prefix up to the end of that block); empty when the workload has none.
  std::vector<uint64_t> prefix_hashes;
  int32_t prefix_block_tokens = 0;

  int64_t generated = 0;  // output tokens emitted so far
  int64_t computed = 0;   // tokens whose KV is cached (reset to 0 by recompute preemption)
  SeqStatus status = SeqStatus::kWaiting;
  // Static batching: the response is held until its whole batch finishes (the engine completes a
  // sequence only once this is false).
  bool hold = false;
  // Pipeline parallelism: in a micro-batch that has not completed yet (set by the engine; the
  // scheduler does not see it then).
  bool in_flight = false;
  // Speculative decoding: drafts this decoding sequence verifies in the coming step (given by the
  // Speculator before each Schedule; 0 outside speculation) and its acceptance rate for
  // per-request acceptance models.
  int32_t spec_tokens = 0;
  double spec_alpha = 0;
  bool spec_all_accepted = false;  // its last round accepted every draft (pipelined drafting)

  // KV bookkeeping, written only by the KV allocator.
  int64_t kv_blocks = 0;       // device blocks referenced (shared prefix blocks count once each)
  int64_t kv_tokens = 0;       // tokens the sequence asked room for (<= kv_blocks * block size)
  int64_t swapped_blocks = 0;  // blocks held in host memory while swapped out
  std::vector<int32_t> block_ids;  // allocators that track block identity (prefix caching)
  int64_t kv_keyed_blocks = 0;     // prefix caching: leading blocks whose keys are registered
  // KV tiers: tokens of its cached prefix that the current step loads from a tier below the
  // device (set at admission, back to 0 once the step is priced).
  int64_t tier_loaded_tokens = 0;

  int64_t first_scheduled_ns = -1;
  int64_t first_token_ns = -1;
  int64_t last_token_ns = -1;
  int32_t preemptions = 0;

  // Tokens known so far: the next token to compute is at index computed.
  int64_t Tokens() const { return prompt_tokens + generated; }
  int64_t MaxTokens() const { return prompt_tokens + output_tokens; }
  // Tokens the scheduler may still compute for it: the uncomputed known tokens plus its drafts.
  int64_t Pending() const { return Tokens() + spec_tokens - computed; }
  // Past its prompt with only its last token's KV missing (the state speculation starts from).
  bool Decoding() const { return generated > 0 && computed + 1 == Tokens(); }

  // Back to a fresh state, keeping the vectors' capacity (sequences are pooled).
  void Reset() {
    std::vector<uint64_t> hashes = std::move(prefix_hashes);
    std::vector<int32_t> blocks = std::move(block_ids);
    *this = Sequence{};
    hashes.clear();
    blocks.clear();
    prefix_hashes = std::move(hashes);
    block_ids = std::move(blocks);
  }
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_SEQUENCE_H_
