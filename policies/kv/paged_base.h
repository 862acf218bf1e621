// What the two paged allocators (paged.cpp, prefix_cache.cpp) share: block arithmetic, the
// rejection rule, the stored-token and statistics counters, and the bounded host pool that swap
// preemption moves blocks to. Internal to policies/kv/.
#ifndef SERVESIM_POLICIES_KV_PAGED_BASE_H_
#define SERVESIM_POLICIES_KV_PAGED_BASE_H_

#include <cstdint>

#include "policies/kv/kv_allocator.h"

namespace servesim {

class PagedKvAllocatorBase : public KvAllocator {
 public:
  explicit PagedKvAllocatorBase(const KvOptions& o) : o_(o) {}

  bool swap_enabled() const override { return o_.swap_blocks > 0; }
  // vLLM v0 can_allocate() == NEVER: more blocks than the cache holds above the watermark.
  bool CanEverFit(const Sequence& seq) const override {
    return BlocksFor(seq.MaxTokens()) <= o_.capacity_blocks - o_.watermark_blocks;
  }
  int64_t BlocksFor(int64_t tokens) const override {
    return (tokens + o_.block_size - 1) / o_.block_size;
  }
  int64_t capacity_blocks() const override { return o_.capacity_blocks; }
  int64_t block_size() const override { return o_.block_size; }
  int64_t stored_tokens() const override { return stored_; }
  const KvStats& stats() const override { return stats_; }

 protected:
  // The host swap pool: whether `blocks` more fit, and moving a sequence's count in and out.
  bool HostHasRoom(int64_t blocks) const {
    return swap_enabled() && blocks <= o_.swap_blocks - host_used_;
  }
  void MoveToHost(Sequence& seq, int64_t blocks) {
    host_used_ += blocks;
    seq.swapped_blocks = blocks;
    stats_.swap_out_blocks += blocks;
  }
  int64_t MoveFromHost(Sequence& seq) {
    const int64_t blocks = seq.swapped_blocks;
    host_used_ -= blocks;
    seq.swapped_blocks = 0;
    stats_.swap_in_blocks += blocks;
    return blocks;
  }

  KvOptions o_;
  int64_t stored_ = 0;  // Σ seq.kv_tokens
  KvStats stats_;

 private:
  int64_t host_used_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_PAGED_BASE_H_
