// KV-cache memory of one replica: who holds how much of it, what is cached for reuse, what is
// swapped out to host memory.
//
// Contract (all allocators):
// - Admit(seq, cached, tokens) is called for a sequence that holds no device blocks. It takes the
//   cached prefix of `cached` tokens (a value CachedPrefixTokens(seq) just returned, or 0), sets
//   seq.computed = cached, and makes room for `tokens` tokens (tokens >= cached; room beyond
//   seq.Tokens() is a reservation for future tokens and does not count as stored). It honours
//   the watermark: admission fails if fewer than watermark blocks would stay free. On failure it
//   returns false and changes nothing.
// - Reserve(seq, tokens) grows an admitted sequence to room for `tokens` tokens (no watermark);
//   false and nothing changed when the blocks are short.
// - Trim(seq, tokens) gives back the room past `tokens` (speculative decoding's rejected
//   lookahead slots): device blocks beyond BlocksFor(tokens) are freed (a contiguous region keeps
//   its size) and seq.kv_tokens drops to at most `tokens`. Precondition: tokens >= seq.computed.
// - Release(seq) drops every device block the sequence references (cached blocks stay cached
//   while unreferenced, until evicted). Blocks are freed once: a double release throws.
// - SwapOut(seq) moves the sequence's KV to host memory (device blocks freed, seq.swapped_blocks
//   set); SwapIn(seq) brings it back (watermark applies). Both return false and change nothing
//   when swap is disabled or the space is short.
// - Referenced blocks never exceed capacity; Σ seq.kv_blocks over live sequences equals
//   held_refs() (checked by the engine in debug builds).
// Units: blocks of block_size() tokens; the contiguous allocator reports block_size() 1.
#ifndef SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_
#define SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "policies/kv/kv_tiers.h"
#include "policies/sequence.h"

namespace servesim {

struct KvStats {
  int64_t prefix_query_tokens = 0;  // prompt tokens looked up at admission
  int64_t prefix_hit_tokens = 0;    // of those, found cached (their prefill is skipped)
  int64_t resume_hit_tokens = 0;    // found cached by re-admissions after a recompute preemption
  int64_t evicted_blocks = 0;       // cached blocks reused for other contents
  int64_t swap_out_blocks = 0;
  int64_t swap_in_blocks = 0;
};

class KvAllocator {
 public:
  virtual ~KvAllocator() = default;

  virtual int64_t CachedPrefixTokens(const Sequence& /*seq*/) const { return 0; }
  virtual bool Admit(Sequence& seq, int64_t cached_tokens, int64_t tokens) = 0;
  virtual bool Reserve(Sequence& seq, int64_t tokens) = 0;
  virtual void Trim(Sequence& seq, int64_t tokens) = 0;
  virtual void Release(Sequence& seq) = 0;
  virtual bool SwapOut(Sequence& /*seq*/) { return false; }
  virtual bool SwapIn(Sequence& /*seq*/) { return false; }
  virtual bool swap_enabled() const { return false; }
  // The tiers below the device cache (prefix caching with kv_cache.tiers), or null.
  virtual KvTiers* tiers() { return nullptr; }
  virtual const KvTiers* tiers() const { return nullptr; }

  // Whether a sequence of seq.MaxTokens() tokens can be admitted into an empty cache, watermark
  // included (else it is rejected).
  virtual bool CanEverFit(const Sequence& seq) const = 0;
  // Blocks a sequence of `tokens` tokens needs.
  virtual int64_t BlocksFor(int64_t tokens) const = 0;
  virtual int64_t capacity_blocks() const = 0;
  virtual int64_t used_blocks() const = 0;  // referenced by at least one sequence
  virtual int64_t held_refs() const { return used_blocks(); }
  virtual int64_t block_size() const = 0;
  virtual int64_t stored_tokens() const = 0;  // Σ seq.kv_tokens of live sequences
  virtual const KvStats& stats() const = 0;

  int64_t free_blocks() const { return capacity_blocks() - used_blocks(); }
  double Usage() const {
    return capacity_blocks() > 0
               ? static_cast<double>(used_blocks()) / static_cast<double>(capacity_blocks())
               : 0.0;
  }
  // Share of the sequences' KV room that holds no token (internal fragmentation: the tail of the
  // last block, or an unused contiguous reservation). Counted per reference, so a shared prefix
  // block counts once for each sequence using it, like its tokens.
  double WastedFraction() const {
    const double room = static_cast<double>(held_refs()) * static_cast<double>(block_size());
    return room > 0 ? 1.0 - static_cast<double>(stored_tokens()) / room : 0.0;
  }
};

// How a contiguous allocator sizes a request's region (Orca's variants in the vLLM paper).
enum class ContiguousReserve {
  kMaxModelLen,  // the model's maximum length (FasterTransformer, Orca-Max)
  kRequestMax,   // prompt + output, known in advance (Orca-Oracle)
  kPow2,         // prompt + output rounded up to a power of two (Orca-Pow2), capped at max length
};

struct KvOptions {
  std::string impl = "paged";  // paged | contiguous (registry table)
  int64_t capacity_blocks = 0;
  int64_t planned_blocks = 0;  // the memory plan's figure when hardware.kv_blocks overrides it (for
                               // reports; 0: capacity_blocks is the plan's)
  int64_t block_size = 16;
  int64_t watermark_blocks = 0;  // kept free at admission (vLLM v0: 1 % of blocks)
  bool prefix_caching = false;   // paged only
  int64_t swap_blocks = 0;       // host blocks for swap preemption; 0: swap disabled
  ContiguousReserve reserve = ContiguousReserve::kMaxModelLen;  // contiguous only
  int64_t max_model_len = 0;                                    // contiguous only
  KvTierOptions tiers;  // prefix caching only: host / SSD / remote tiers below the device
};

// vLLM's paged allocator: fixed-size blocks allocated as a sequence grows, optional swap space.
std::unique_ptr<KvAllocator> MakePagedKvAllocator(const KvOptions& options);
// Paged blocks with vLLM v1 prefix caching (policies/kv/prefix_cache.cpp).
std::unique_ptr<KvAllocator> MakePrefixCachingKvAllocator(const KvOptions& options);
// The bytes of the prefix cache's per-block tables when all `capacity_blocks` blocks hold mapped
// keys (their worst case; they grow with the blocks held and keys cached); the scenario check
// bounds replicas x this so that an accepted scenario runs within its memory budget.
int64_t PrefixCacheTableBytes(int64_t capacity_blocks);
// One contiguous region per request sized at admission (policies/kv/contiguous.cpp).
std::unique_ptr<KvAllocator> MakeContiguousKvAllocator(const KvOptions& options);
// Dispatches on options.impl and options.prefix_caching.
std::unique_ptr<KvAllocator> MakeKvAllocator(const KvOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_
