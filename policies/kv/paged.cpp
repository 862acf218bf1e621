// vLLM's paged KV allocator (vllm/core/block_manager.py and vllm/v1/core/kv_cache_manager.py, read
// for the rules): blocks of block_size tokens taken from one free pool as a sequence grows; a new
// sequence is admitted only if `watermark` blocks stay free afterwards (v0's guard against
// immediate preemption); swap preemption moves a sequence's blocks to a bounded host pool and
// back. Ignores: block identity (no sharing; see prefix_cache.cpp), copy-on-write.
#include <algorithm>
#include <stdexcept>

#include "policies/kv/paged_base.h"

namespace servesim {
namespace {

class PagedKvAllocator final : public PagedKvAllocatorBase {
 public:
  explicit PagedKvAllocator(const KvOptions& o) : PagedKvAllocatorBase(o) {}

  bool Admit(Sequence& seq, int64_t cached_tokens, int64_t tokens) override {
    if (seq.kv_blocks != 0) throw std::logic_error("paged KV: admitting a sequence holding blocks");
    if (cached_tokens != 0) throw std::logic_error("paged KV: no prefix cache to take tokens from");
    const int64_t need = BlocksFor(tokens);
    if (need > free_blocks() - o_.watermark_blocks) return false;
    seq.computed = 0;
    Take(seq, need, std::min(tokens, seq.Tokens()));
    return true;
  }

  bool Reserve(Sequence& seq, int64_t tokens) override {
    int64_t need = 0;
    if (tokens > seq.kv_blocks * o_.block_size) {  // else it fits its last block: no division
      need = BlocksFor(tokens) - seq.kv_blocks;
      if (need > free_blocks()) return false;
    }
    Take(seq, need, tokens);
    return true;
  }

  void Trim(Sequence& seq, int64_t tokens) override {
    if (tokens < seq.computed) throw std::logic_error("paged KV: trimming computed tokens");
    const int64_t keep = BlocksFor(tokens);
    if (keep < seq.kv_blocks) {
      used_ -= seq.kv_blocks - keep;
      seq.kv_blocks = keep;
    }
    if (tokens < seq.kv_tokens) {
      stored_ -= seq.kv_tokens - tokens;
      seq.kv_tokens = tokens;
    }
  }

  void Release(Sequence& seq) override {
    if (seq.kv_blocks > used_ || seq.kv_tokens > stored_)
      throw std::logic_error("paged KV: releasing more blocks than allocated");
    used_ -= seq.kv_blocks;
    stored_ -= seq.kv_tokens;
    seq.kv_blocks = 0;
    seq.kv_tokens = 0;
  }

  bool SwapOut(Sequence& seq) override {
    if (!HostHasRoom(seq.kv_blocks)) return false;
    if (seq.swapped_blocks != 0) throw std::logic_error("paged KV: swapping out twice");
    const int64_t blocks = seq.kv_blocks;
    Release(seq);
    MoveToHost(seq, blocks);
    return true;
  }

  bool SwapIn(Sequence& seq) override {
    if (seq.swapped_blocks > free_blocks() - o_.watermark_blocks) return false;
    const int64_t blocks = MoveFromHost(seq);
    Take(seq, blocks, seq.computed);
    return true;
  }

  int64_t used_blocks() const override { return used_; }

 private:
  void Take(Sequence& seq, int64_t blocks, int64_t tokens) {
    used_ += blocks;
    seq.kv_blocks += blocks;
    if (tokens > seq.kv_tokens) {
      stored_ += tokens - seq.kv_tokens;
      seq.kv_tokens = tokens;
    }
  }

  int64_t used_ = 0;
};

}  // namespace

std::unique_ptr<KvAllocator> MakePagedKvAllocator(const KvOptions& options) {
  return std::make_unique<PagedKvAllocator>(options);
}

}  // namespace servesim
