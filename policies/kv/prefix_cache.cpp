// vLLM v1's paged KV allocator with automatic prefix caching (vllm/v1/core/kv_cache_manager.py,
// block_pool.py and kv_cache_utils.py, read for the rules, not copied).
//
// Models:
// - Blocks with identity: dense ids 0..capacity-1, a reference count each, and an optional content
//   key. A block with ref 0 is free (whether or not it still holds cached contents); free blocks
//   sit in one LRU free queue (vLLM's FreeKVCacheBlockQueue: an intrusive doubly linked list over
//   block ids, O(1) removal from the middle when a cache hit revives a free block). Allocation pops
//   the front; a popped block that still holds a key loses it (an eviction).
// - Keys (what stands in for vLLM's chained block hash, which covers every full block of a
//   request, prompt and generated tokens alike). Cache block i holds tokens [i*bs, (i+1)*bs),
//   bs = block_size, and gets a key once it is full.
//   * Shared keys, from the trace: a sequence may carry chained prompt hashes, one per
//     H = seq.prefix_block_tokens tokens (hash j covers tokens [j*H, (j+1)*H), and equal hashes[j]
//     means an equal prompt from token 0 to the end of hash block j). Block i lies in the shared
//     part if it is fully inside the prompt, (i+1)*bs <= prompt_tokens, and inside the hashed
//     part: j_end = ((i+1)*bs - 1) / H < prefix_hashes.size(). Its key is a 64-bit mix of
//     (prefix_hashes[j_end], i): the hashes are chained, so hashes[j_end] identifies every token up
//     to the end of hash block j_end, hence the contents of block i and of all blocks before it.
//     Assumption: the hash of a hash block that the prompt ends inside (Mooncake's last, partial
//     512-token block) identifies the tokens the prompt has there; sharing is seen only at
//     hash-block granularity (two prompts that diverge inside a hash block share none of it), and
//     a 64-bit key collision is taken for equal contents, as vLLM does with its hashes.
//   * Private keys, for every other full block (the prompt past its hashes, all of a prompt
//     without hashes, and generated tokens): a mix of (source, request id, i). With no token
//     contents to hash, a block past the known shared prefix is taken to be the request's own
//     (distinct token ids in vLLM), so only that request can hit it again: a request preempted by
//     recompute re-hits its own blocks that are still cached when it is re-admitted. Since only
//     that request can look them up, and only after it was released unfinished (generated <
//     output_tokens: preempted), private keys enter the key map at that release (a request that
//     finishes never puts its own there); as
//     block state they exist from the moment the block is full, so evictions count them alike.
// - CachedPrefixTokens: the longest run of leading blocks whose keys are cached, in tokens, capped
//   so that at least one token is left to compute (vLLM's max cache hit length num_tokens - 1,
//   rounded down to whole blocks). Const, no side effects.
// - Admit takes the hit blocks (ref++, a free one leaves the free queue), allocates the rest from
//   the front of the free queue, and registers the keys of the blocks that its known tokens fill
//   completely (vLLM caches full blocks as allocate_slots commits to computing them, up to
//   num_tokens: never a speculative draft); Reserve does the same for the blocks it newly fills
//   (seq.kv_keyed_blocks: how far a sequence's keys are registered, so a decode step that fills no
//   block costs no lookup). A key already held by another block keeps that block (no duplicate).
//   Room past seq.Tokens() at admission is a reservation (kv_tokens and stored_tokens count at
//   most seq.Tokens()). The watermark counts free blocks after admission (ref 0, cached or not),
//   so reviving a cached free block costs a free block too; CanEverFit keeps the watermark free as
//   paged.cpp does.
// - Release drops references tail-first (vLLM frees a request's blocks in reverse order), each
//   block reaching ref 0 is appended to the back of the free queue: the tail of a finished request
//   is evicted before its head, and its head (the shared prefix) survives longest. Cached keys stay
//   until their block is popped.
// - Swap as in paged.cpp: SwapOut releases the device blocks (they stay cached) and holds
//   seq.kv_blocks blocks' worth in a bounded host pool; SwapIn allocates fresh blocks without
//   re-matching the cache, then registers the keys of its full computed blocks (their contents are
//   back on the device).
// - Tiers (kv_cache.tiers, policies/kv/kv_tiers.h): a block holding a looked-up key (a shared
//   key, or a private one published at a preemption) that allocation evicts is demoted into the
//   tiers; CachedPrefixTokens continues its run through blocks the tiers hold, and Admit loads
//   those into fresh blocks (counted by the tiers for the step that admits) and registers their
//   keys on the device again.
// - Stats: a request's first admission looks up prompt_tokens tokens (prefix_query_tokens) and
//   finds `cached` of them (prefix_hit_tokens), so the hit rate is the share of input reused;
//   re-admissions after a recompute preemption count their hits apart (resume_hit_tokens: prefill
//   a resumed request skips). evicted_blocks counts keys lost to reallocation.
//
// Ignores: extra hash inputs (LoRA, multimodal, cache salt), generated tokens equal across
// requests (they never share), several KV cache groups (hybrid / sliding-window attention), a
// null block, copy-on-write, and the time spent hashing or looking up.
//
// Cost: CachedPrefixTokens and Admit are O(blocks looked up); Reserve, Release and swap O(blocks
// touched), a decode step that fills no block O(1). Memory follows the blocks held and the keys
// cached, not the capacity: the free queue keeps a slot only for a free block holding a mapped
// key, and one run node for each stretch of free blocks without (never used, partly filled, or
// holding a private key), which no lookup can reach; slots are recycled, so the tables and the key
// map allocate only while their high-water mark grows; seq.block_ids keeps its capacity across
// release and reuse.
#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "policies/kv/block_key_map.h"
#include "policies/kv/paged_base.h"

namespace servesim {
namespace {

// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mix.
uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class PrefixCachingKvAllocator final : public PagedKvAllocatorBase {
 public:
  explicit PrefixCachingKvAllocator(const KvOptions& o) : PagedKvAllocatorBase(o), cached_(0) {
    if (o.block_size < 1) {
      throw std::logic_error("prefix-caching KV: block_size must be positive, got " +
                             std::to_string(o.block_size));
    }
    if (o.capacity_blocks < 0 || o.capacity_blocks > std::numeric_limits<int32_t>::max()) {
      throw std::logic_error("prefix-caching KV: capacity_blocks out of range: " +
                             std::to_string(o.capacity_blocks));
    }
    num_free_ = o.capacity_blocks;
    // Every block starts free, in id order (as vLLM's block pool has them): one run node.
    if (num_free_ > 0) {
      head_ = tail_ = NewSlot();
      blk_[0].ref = static_cast<int32_t>(num_free_);
    }
    if (o.tiers.enabled()) tiers_ = std::make_unique<KvTiers>(o.tiers);
  }

  int64_t CachedPrefixTokens(const Sequence& seq) const override {
    const int64_t tokens = seq.Tokens();
    if (tokens <= 1) return 0;
    const int64_t limit = (tokens - 1) / o_.block_size;
    int64_t hit = 0;
    while (hit < limit && cached_.Find(Key(seq, hit)) >= 0) ++hit;
    if (!tiers_) return hit * o_.block_size;
    // Past the device's run, blocks a tier holds count too (they are loaded back at admission).
    while (hit < limit) {
      const uint64_t key = Key(seq, hit);
      if (cached_.Find(key) < 0 && tiers_->Find(key) < 0) break;
      ++hit;
    }
    return hit * o_.block_size;
  }

  bool Admit(Sequence& seq, int64_t cached_tokens, int64_t tokens) override {
    CheckAdmission(seq, cached_tokens, tokens);
    const int64_t hit = cached_tokens / o_.block_size;
    // Find the hit blocks: the device block holding each, or kNone where a tier holds it (only
    // seq.block_ids is written, and cleared again on failure).
    int64_t revived = 0;     // hit blocks that are free now
    int64_t from_tiers = 0;  // hit blocks loaded from a tier into fresh blocks
    for (int64_t i = 0; i < hit; ++i) {
      const uint64_t key = Key(seq, i);
      const int32_t holder = cached_.Find(key);
      if (holder < 0) {
        if (!tiers_ || tiers_->Find(key) < 0) {
          seq.block_ids.clear();
          throw std::logic_error("prefix-caching KV: cached prefix of " +
                                 std::to_string(cached_tokens) + " tokens is not in the cache");
        }
        ++from_tiers;
        seq.block_ids.push_back(kNone);
        continue;
      }
      if (blk_[static_cast<size_t>(holder)].ref == 0) ++revived;
      seq.block_ids.push_back(holder);
    }
    const int64_t fresh = std::max<int64_t>(0, BlocksFor(tokens) - hit);
    if (fresh + from_tiers + revived > num_free_ - o_.watermark_blocks) {
      seq.block_ids.clear();
      return false;
    }
    for (const int32_t b : seq.block_ids) {
      if (b != kNone) AddRef(b);
    }
    seq.kv_blocks = hit;
    seq.kv_keyed_blocks = from_tiers > 0 ? LoadFromTiers(seq) : hit;
    Allocate(seq, fresh);
    seq.computed = cached_tokens;
    // Room past the known tokens is a reservation, not stored (kv_allocator.h).
    const int64_t stored = std::min(tokens, seq.Tokens());
    stored_ += stored;
    seq.kv_tokens = stored;
    if (seq.preemptions == 0) {
      stats_.prefix_query_tokens += seq.prompt_tokens;
      stats_.prefix_hit_tokens += cached_tokens;
    } else {
      stats_.resume_hit_tokens += cached_tokens;
    }
    Register(seq, stored);
    return true;
  }

  bool Reserve(Sequence& seq, int64_t tokens) override {
    // Most calls are decodes that fit their last block and fill no block: no registration, and
    // no call (the rest is out of line so this path needs no stack frame).
    if (tokens > seq.kv_blocks * o_.block_size ||
        std::min(tokens, seq.Tokens()) >= (seq.kv_keyed_blocks + 1) * o_.block_size) {
      return ReserveSlow(seq, tokens);
    }
    if (tokens > seq.kv_tokens) {
      stored_ += tokens - seq.kv_tokens;
      seq.kv_tokens = tokens;
    }
    return true;
  }

  void Trim(Sequence& seq, int64_t tokens) override {
    if (tokens < seq.computed)
      throw std::logic_error("prefix-caching KV: trimming computed tokens");
    const int64_t keep = BlocksFor(tokens);
    while (seq.kv_blocks > keep && !seq.block_ids.empty()) {  // tail first, as Release
      const int32_t b = seq.block_ids.back();
      seq.block_ids.pop_back();
      --seq.kv_blocks;
      --held_;
      if (--blk_[static_cast<size_t>(b)].ref == 0) PushBack(b);
    }
    seq.kv_keyed_blocks = std::min(seq.kv_keyed_blocks, seq.kv_blocks);
    if (tokens < seq.kv_tokens) {
      stored_ -= seq.kv_tokens - tokens;
      seq.kv_tokens = tokens;
    }
  }

  void Release(Sequence& seq) override {
    if (seq.kv_blocks != static_cast<int64_t>(seq.block_ids.size())) {
      throw std::logic_error("prefix-caching KV: sequence block list (" +
                             std::to_string(seq.block_ids.size()) + ") differs from kv_blocks (" +
                             std::to_string(seq.kv_blocks) + ")");
    }
    if (seq.kv_tokens > stored_) {
      throw std::logic_error("prefix-caching KV: releasing more tokens than stored");
    }
    if (seq.generated < seq.output_tokens) Publish(seq);  // it may come back (preemption)
    // Tail first: the request's last block reaches the free queue first, so it is evicted first.
    // A block no sequence references is an internal bug: the run stops (the allocator's state is
    // then undefined, so the check needs no pass of its own).
    for (auto it = seq.block_ids.rbegin(); it != seq.block_ids.rend(); ++it) {
      const int32_t b = *it;
      if (b < 0 || static_cast<size_t>(b) >= blk_.size() || blk_[static_cast<size_t>(b)].ref <= 0) {
        throw std::logic_error("prefix-caching KV: releasing block " + std::to_string(b) +
                               ", which no sequence references (double release)");
      }
      --held_;
      if (--blk_[static_cast<size_t>(b)].ref == 0) PushBack(b);
    }
    stored_ -= seq.kv_tokens;
    seq.block_ids.clear();
    seq.kv_blocks = 0;
    seq.kv_tokens = 0;
    seq.kv_keyed_blocks = 0;
  }

  bool SwapOut(Sequence& seq) override {
    if (!HostHasRoom(seq.kv_blocks)) return false;
    if (seq.swapped_blocks != 0) throw std::logic_error("prefix-caching KV: swapping out twice");
    const int64_t blocks = seq.kv_blocks;
    Release(seq);
    MoveToHost(seq, blocks);
    return true;
  }

  bool SwapIn(Sequence& seq) override {
    if (!swap_enabled()) return false;
    if (seq.kv_blocks != 0) {
      throw std::logic_error("prefix-caching KV: swapping in a sequence holding blocks");
    }
    if (seq.swapped_blocks > num_free_ - o_.watermark_blocks) return false;
    const int64_t blocks = MoveFromHost(seq);
    Allocate(seq, blocks);
    stored_ += seq.computed;
    seq.kv_tokens = seq.computed;
    Register(seq, std::min(seq.computed, blocks * o_.block_size));
    return true;
  }

  KvTiers* tiers() override { return tiers_.get(); }
  const KvTiers* tiers() const override { return tiers_.get(); }
  int64_t used_blocks() const override { return o_.capacity_blocks - num_free_; }
  int64_t held_refs() const override { return held_; }

 private:
  static constexpr int32_t kNone = -1;

  void CheckAdmission(const Sequence& seq, int64_t cached_tokens, int64_t tokens) const {
    if (seq.kv_blocks != 0 || !seq.block_ids.empty()) {
      throw std::logic_error("prefix-caching KV: admitting a sequence holding blocks");
    }
    if (seq.swapped_blocks != 0) {
      throw std::logic_error("prefix-caching KV: admitting a swapped-out sequence");
    }
    if (cached_tokens < 0 || cached_tokens % o_.block_size != 0 || tokens < cached_tokens ||
        (cached_tokens > 0 && cached_tokens >= seq.Tokens())) {
      throw std::logic_error("prefix-caching KV: bad admission (cached " +
                             std::to_string(cached_tokens) + ", tokens " + std::to_string(tokens) +
                             ", known " + std::to_string(seq.Tokens()) + ")");
    }
  }

  // Loads the hit blocks a tier holds (kNone in seq.block_ids) into fresh device blocks, their
  // reads counted first (a fresh block's eviction may demote into the same tier). Returns the
  // index of the first loaded block: the blocks before it keep their registered keys.
  int64_t LoadFromTiers(Sequence& seq) {
    int64_t first = -1;
    for (size_t i = 0; i < seq.block_ids.size(); ++i) {
      if (seq.block_ids[i] != kNone) continue;
      if (first < 0) first = static_cast<int64_t>(i);
      const uint64_t key = Key(seq, static_cast<int64_t>(i));
      tiers_->Load(tiers_->Find(key), key, seq);
    }
    for (int32_t& b : seq.block_ids) {
      if (b == kNone) b = PopFree();
    }
    return first;
  }

  // Reserve when blocks must be allocated or keys registered.
  [[gnu::noinline]] bool ReserveSlow(Sequence& seq, int64_t tokens) {
    if (tokens > seq.kv_blocks * o_.block_size) {
      const int64_t need = BlocksFor(tokens) - seq.kv_blocks;
      if (need > num_free_) return false;
      Allocate(seq, need);
    }
    if (tokens > seq.kv_tokens) {
      stored_ += tokens - seq.kv_tokens;
      seq.kv_tokens = tokens;
    }
    Register(seq, tokens);
    return true;
  }

  // Leading blocks of `seq` whose keys come from its prefix hashes (shared across requests).
  int64_t SharedBlocks(const Sequence& seq) const {
    const int64_t h = seq.prefix_block_tokens;
    if (h <= 0 || seq.prefix_hashes.empty()) return 0;
    const int64_t hashed = static_cast<int64_t>(seq.prefix_hashes.size()) * h;
    return std::min(seq.prompt_tokens, hashed) / o_.block_size;
  }

  // The key of block i: in the shared part, the chained hash of the hash block holding its last
  // token mixed with i; past it, the request's own (its source and id, mixed with i).
  uint64_t Key(const Sequence& seq, int64_t i) const {
    uint64_t base;
    if (i < SharedBlocks(seq)) {
      const int64_t last_token = (i + 1) * o_.block_size - 1;
      base = seq.prefix_hashes[static_cast<size_t>(last_token / seq.prefix_block_tokens)];
    } else {
      base = Mix64(Mix64(static_cast<uint64_t>(seq.request_id)) ^
                   Mix64(kPrivateSalt + static_cast<uint64_t>(static_cast<uint32_t>(seq.source))));
    }
    return Mix64(base ^ Mix64(static_cast<uint64_t>(i)));
  }

  // Registers the keys of the blocks of `seq` that min(tokens, seq.Tokens()) fills completely and
  // that are not registered yet, unless another block already holds the key. A private key goes
  // into the map only when its request is released unfinished (Publish): until then nobody can
  // look it up, and a request that finishes never does, so most private keys never touch the map.
  void Register(Sequence& seq, int64_t tokens) {
    const int64_t to = std::min(std::min(tokens, seq.Tokens()) / o_.block_size, seq.kv_blocks);
    const int64_t shared = SharedBlocks(seq);
    for (int64_t i = seq.kv_keyed_blocks; i < to; ++i) {
      const int32_t b = seq.block_ids[static_cast<size_t>(i)];
      Block& blk = blk_[static_cast<size_t>(b)];
      if (blk.has_key != kNoKey) continue;  // a cache hit: already this key's holder
      if (i >= shared) {  // the request's own: keyed into the map when released unfinished
        blk.has_key = kPrivateKey;
        continue;
      }
      const uint64_t key = Key(seq, i);
      if (cached_.Insert(key, b)) {
        key_[static_cast<size_t>(b)] = key;
        blk.has_key = kMappedKey;
      }
    }
    seq.kv_keyed_blocks = std::max(seq.kv_keyed_blocks, to);
  }

  // Puts the private keys of `seq`'s blocks into the map, unless another block holds the key (an
  // older copy still cached), in which case this block drops it.
  void Publish(const Sequence& seq) {
    const size_t keyed = static_cast<size_t>(
        std::min<int64_t>(seq.kv_keyed_blocks, static_cast<int64_t>(seq.block_ids.size())));
    for (size_t i = 0; i < keyed; ++i) {
      const int32_t b = seq.block_ids[i];
      if (b < 0 || static_cast<size_t>(b) >= blk_.size()) continue;  // Release reports it
      Block& blk = blk_[static_cast<size_t>(b)];
      if (blk.has_key != kPrivateKey) continue;
      const uint64_t key = Key(seq, static_cast<int64_t>(i));
      if (cached_.Insert(key, b)) {
        key_[static_cast<size_t>(b)] = key;
        blk.has_key = kMappedKey;
      } else {
        blk.has_key = kNoKey;
      }
    }
  }

  // Only a block holding a mapped key can be found while free (a cache hit revives it).
  void AddRef(int32_t b) {
    if (blk_[static_cast<size_t>(b)].ref++ == 0) {
      Unlink(b);
      --num_free_;
    }
    ++held_;
  }

  // Appends `count` blocks popped from the front of the free queue to `seq` (the caller checked
  // that enough are free).
  void Allocate(Sequence& seq, int64_t count) {
    for (int64_t k = 0; k < count; ++k) seq.block_ids.push_back(PopFree());
    seq.kv_blocks += count;
  }

  // Takes the front of the free queue with one reference; cached contents it held are evicted
  // (into the tiers below, when there are tiers and the key is looked up).
  int32_t PopFree() {
    const int32_t h = head_;
    if (h == kNone) throw std::logic_error("prefix-caching KV: free queue empty");
    --num_free_;
    ++held_;
    const size_t uh = static_cast<size_t>(h);
    if (blk_[uh].has_key == kMappedKey) {
      Unlink(h);
      cached_.Erase(key_[uh]);
      if (tiers_) tiers_->Demote(key_[uh]);
      blk_[uh].has_key = kNoKey;
      ++stats_.evicted_blocks;
      blk_[uh].ref = 1;
      return h;
    }
    // The front block of an anonymous run: a private key it held is evicted (nothing to erase).
    if (blk_[uh].has_key == kPrivateKey) ++stats_.evicted_blocks;
    if (--blk_[uh].ref == 0) {  // the run's last block: its node becomes the block
      Unlink(h);
      blk_[uh] = Block{};
      blk_[uh].ref = 1;
      return h;
    }
    const int32_t b = NewSlot();
    blk_[static_cast<size_t>(b)].ref = 1;
    return b;
  }

  // A slot for a block or a run node: a recycled one, else a new entry at the tables' end.
  int32_t NewSlot() {
    if (!spare_.empty()) {
      const int32_t b = spare_.back();
      spare_.pop_back();
      return b;
    }
    blk_.emplace_back();
    key_.push_back(0);
    return static_cast<int32_t>(blk_.size() - 1);
  }

  // Takes node b out of the free queue (counts are the caller's).
  void Unlink(int32_t b) {
    const size_t ub = static_cast<size_t>(b);
    const int32_t p = blk_[ub].prev;
    const int32_t n = blk_[ub].next;
    (p == kNone ? head_ : blk_[static_cast<size_t>(p)].next) = n;
    (n == kNone ? tail_ : blk_[static_cast<size_t>(n)].prev) = p;
    blk_[ub].prev = blk_[ub].next = kNone;
  }

  // A block reaching ref 0 joins the back of the free queue (vLLM's order: least recently freed
  // is evicted first). One without a mapped key has no identity there: it joins the run at the
  // back when that run is of its kind (its slot is recycled), else becomes a run of one.
  void PushBack(int32_t b) {
    const size_t ub = static_cast<size_t>(b);
    ++num_free_;
    if (blk_[ub].has_key != kMappedKey) {
      if (tail_ != kNone && blk_[static_cast<size_t>(tail_)].has_key == blk_[ub].has_key) {
        ++blk_[static_cast<size_t>(tail_)].ref;
        blk_[ub] = Block{};
        spare_.push_back(b);
        return;
      }
      blk_[ub].ref = 1;
    }
    blk_[ub].prev = tail_;
    blk_[ub].next = kNone;
    (tail_ == kNone ? head_ : blk_[static_cast<size_t>(tail_)].next) = b;
    tail_ = b;
  }

  // Per slot, the fields every allocation and release touch, together (one cache line holds
  // four; separate arrays cost a miss each on the free queue's scattered order). A slot is a
  // block held by a sequence, a free block holding a mapped key, or a run node: consecutive free
  // blocks of the free queue without a mapped key (kNoKey, or kPrivateKey: evicting one counts),
  // which have no identity anyone can look up, so one node stands for all of them.
  struct Block {
    int32_t ref = 0;       // references; a run node: the blocks it stands for
    int32_t prev = kNone;  // free queue links (kNone at the ends and for referenced blocks)
    int32_t next = kNone;
    uint8_t has_key = 0;  // kNoKey, kMappedKey or kPrivateKey
  };
  static constexpr uint8_t kNoKey = 0;
  static constexpr uint8_t kMappedKey = 1;   // key_ valid and in the map
  static constexpr uint8_t kPrivateKey = 2;  // private, not in the map yet (key_ not set)

  // Keeps private keys apart from the mixes of trace hashes (a clash is a 64-bit accident).
  static constexpr uint64_t kPrivateSalt = 0x7265717565737473ULL;

 public:
  // Block table and key per block (the key map is counted apart).
  static constexpr int64_t kTableBytesPerBlock = sizeof(Block) + sizeof(uint64_t);

 private:
  std::vector<Block> blk_;      // slots, grown on demand: held + mapped free blocks + run nodes
  std::vector<uint64_t> key_;   // valid where has_key == kMappedKey
  std::vector<int32_t> spare_;  // recycled slots
  int32_t head_ = kNone;        // next block to allocate (least recently freed)
  int32_t tail_ = kNone;
  int64_t num_free_ = 0;            // blocks with ref 0 (the free queue's length)
  int64_t held_ = 0;                // Σ refs
  BlockKeyMap cached_;              // key -> the block holding it (grows with the keys)
  std::unique_ptr<KvTiers> tiers_;  // null without kv_cache.tiers
};

}  // namespace

int64_t PrefixCacheTableBytes(int64_t capacity_blocks) {
  return capacity_blocks * PrefixCachingKvAllocator::kTableBytesPerBlock +
         BlockKeyMap::BytesFor(capacity_blocks);
}

std::unique_ptr<KvAllocator> MakePrefixCachingKvAllocator(const KvOptions& options) {
  return std::make_unique<PrefixCachingKvAllocator>(options);
}

}  // namespace servesim
