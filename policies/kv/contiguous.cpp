// Contiguous KV reservation, as in FasterTransformer and Orca (the vLLM paper, Kwon et al. SOSP'23,
// §2.3 and its Orca-Max / Orca-Pow2 / Orca-Oracle baselines in §6): each request gets one
// contiguous region of KV slots when it is admitted, sized for the longest it could grow, and the
// region never grows. The region is sized by `reserve`: the model's maximum length (FasterTransformer,
// Orca-Max), the request's own prompt + output (Orca-Oracle), or that rounded up to a power of two
// (Orca-Pow2), capped at the maximum length. Models: the memory the reservations take (so fewer
// requests fit than with paged blocks) and their internal fragmentation: the slots a request
// reserved but has not asked for are referenced but hold no token, which WastedFraction() reports.
// Units are tokens: block_size() is 1, capacity_blocks() is the capacity in tokens.
// Ignores: external fragmentation and compaction. The capacity is a token count, not an address
// space, so any region that fits in the free total is placed (a real contiguous allocator could
// fail to find a hole that large). No swap, no prefix caching (stats() stay zero).
#include <algorithm>
#include <stdexcept>

#include "policies/kv/kv_allocator.h"

namespace servesim {
namespace {

class ContiguousKvAllocator final : public KvAllocator {
 public:
  explicit ContiguousKvAllocator(const KvOptions& o)
      : o_(o),
        capacity_(o.capacity_blocks * o.block_size),
        watermark_(o.watermark_blocks * o.block_size) {
    if (o.reserve == ContiguousReserve::kMaxModelLen && o.max_model_len <= 0) {
      throw std::logic_error("contiguous KV: reserve max_model_len needs max_model_len > 0");
    }
  }

  bool Admit(Sequence& seq, int64_t cached_tokens, int64_t tokens) override {
    if (seq.kv_blocks != 0 || seq.kv_tokens != 0)
      throw std::logic_error("contiguous KV: admitting a sequence holding a region");
    if (cached_tokens != 0)
      throw std::logic_error("contiguous KV: no prefix cache to take tokens from");
    const int64_t region = RegionFor(seq, tokens);
    if (region > free_blocks() - watermark_) return false;
    seq.computed = 0;
    used_ += region;
    seq.kv_blocks = region;
    // Room beyond the tokens known so far is reservation, not content (kv_allocator.h).
    seq.kv_tokens = std::min(tokens, seq.Tokens());
    stored_ += seq.kv_tokens;
    return true;
  }

  // A region cannot grow: the request fits in what it reserved at admission or not at all.
  bool Reserve(Sequence& seq, int64_t tokens) override {
    if (tokens > seq.kv_blocks) return false;
    if (tokens > seq.kv_tokens) {
      stored_ += tokens - seq.kv_tokens;
      seq.kv_tokens = tokens;
    }
    return true;
  }

  // The region keeps its size (it was reserved whole); only the stored count drops.
  void Trim(Sequence& seq, int64_t tokens) override {
    if (tokens < seq.computed) throw std::logic_error("contiguous KV: trimming computed tokens");
    if (tokens < seq.kv_tokens) {
      stored_ -= seq.kv_tokens - tokens;
      seq.kv_tokens = tokens;
    }
  }

  void Release(Sequence& seq) override {
    // Every admitted sequence holds a region of at least one token, so releasing one that holds
    // none is a second release (or a release of a sequence never admitted).
    if (seq.kv_blocks <= 0)
      throw std::logic_error("contiguous KV: releasing a sequence that holds no region");
    if (seq.kv_blocks > used_ || seq.kv_tokens > stored_)
      throw std::logic_error("contiguous KV: releasing more than allocated");
    used_ -= seq.kv_blocks;
    stored_ -= seq.kv_tokens;
    seq.kv_blocks = 0;
    seq.kv_tokens = 0;
  }

  // Whether the region the sequence would get can be admitted into an empty cache (watermark
  // included: Admit is the only allocation, so a region above capacity - watermark never fits).
  bool CanEverFit(const Sequence& seq) const override {
    return RegionFor(seq, seq.MaxTokens()) <= capacity_ - watermark_;
  }
  int64_t BlocksFor(int64_t tokens) const override { return tokens; }
  int64_t capacity_blocks() const override { return capacity_; }
  int64_t used_blocks() const override { return used_; }
  int64_t block_size() const override { return 1; }
  int64_t stored_tokens() const override { return stored_; }
  const KvStats& stats() const override { return stats_; }

 private:
  // The region a sequence gets when admitted asking for `tokens` (at least one token, so that an
  // admitted sequence always holds something).
  int64_t RegionFor(const Sequence& seq, int64_t tokens) const {
    int64_t region = 0;
    switch (o_.reserve) {
      case ContiguousReserve::kMaxModelLen:
        region = o_.max_model_len;
        break;
      case ContiguousReserve::kRequestMax:
        region = seq.MaxTokens();
        break;
      case ContiguousReserve::kPow2: {
        int64_t p = 1;
        while (p < seq.MaxTokens()) p *= 2;
        region = o_.max_model_len > 0 ? std::min(p, o_.max_model_len) : p;
        break;
      }
    }
    return std::max({region, tokens, int64_t{1}});
  }

  KvOptions o_;
  int64_t capacity_;   // tokens
  int64_t watermark_;  // tokens kept free at admission
  int64_t used_ = 0;   // tokens reserved by live regions
  int64_t stored_ = 0;
  KvStats stats_;
};

}  // namespace

std::unique_ptr<KvAllocator> MakeContiguousKvAllocator(const KvOptions& options) {
  return std::make_unique<ContiguousKvAllocator>(options);
}

}  // namespace servesim
