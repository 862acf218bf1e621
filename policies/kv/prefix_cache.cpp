// vLLM v1's paged KV allocator with automatic prefix caching (vllm/v1/core/kv_cache_manager.py,
// block_pool.py and kv_cache_utils.py, read for the rules, not copied).
//
// Models:
// - Blocks with identity: dense ids 0..capacity-1, a reference count each, and an optional content
//   key. A block with ref 0 is free (whether or not it still holds cached contents); free blocks
//   sit in one LRU free queue (vLLM's FreeKVCacheBlockQueue: an intrusive doubly linked list over
//   block ids, O(1) removal from the middle when a cache hit revives a free block). Allocation pops
//   the front; a popped block that still holds a key loses it (an eviction).
// - Keys (what stands in for vLLM's chained block hash): a sequence carries chained prompt hashes,
//   one per H = seq.prefix_block_tokens tokens (hash j covers tokens [j*H, (j+1)*H), and equal
//   hashes[j] means an equal prompt from token 0 to the end of hash block j). Cache block i (tokens
//   [i*bs, (i+1)*bs), bs = block_size) has a key only if it lies fully inside the prompt,
//   (i+1)*bs <= prompt_tokens, and inside the hashed part: j_end = ((i+1)*bs - 1) / H <
//   prefix_hashes.size(). Its key is a 64-bit mix of (prefix_hashes[j_end], i): because the hashes
//   are chained, hashes[j_end] identifies every token up to the end of hash block j_end, so it
//   identifies the contents of block i and of all blocks before it. Assumption: the hash of a hash
//   block that the prompt ends inside (Mooncake's last, partial 512-token block) identifies the
//   tokens the prompt has there; sharing is seen only at hash-block granularity (two prompts that
//   diverge inside a hash block share none of it, though a real cache would share its first full
//   blocks), and a 64-bit key collision is taken for equal contents, as vLLM does with its hashes.
//   Blocks past the hashed part and the generated tokens are never cached (no hash for them).
// - CachedPrefixTokens: the longest run of leading blocks whose keys are cached, in tokens, capped
//   so that at least one token is left to compute (vLLM's max cache hit length num_tokens - 1,
//   rounded down to whole blocks). Const, no side effects.
// - Admit takes the hit blocks (ref++, a free one leaves the free queue), allocates the rest from
//   the front of the free queue, and registers the keys of the keyed blocks that the admitted
//   tokens fill completely (vLLM caches full blocks as allocate_slots commits to computing them);
//   Reserve does the same for the blocks it newly fills. A key already held by another block keeps
//   that block (no duplicate). Room past seq.Tokens() at admission is a reservation (kv_tokens and
//   stored_tokens count at most seq.Tokens()). The watermark counts free blocks after admission
//   (ref 0, cached or not), so reviving a cached free block costs a free block too; CanEverFit
//   keeps the watermark free as paged.cpp does.
// - Release drops references tail-first (vLLM frees a request's blocks in reverse order), each
//   block reaching ref 0 is appended to the back of the free queue: the tail of a finished request
//   is evicted before its head, and its head (the shared prefix) survives longest. Cached keys stay
//   until their block is popped. (Until the first key is registered, freed blocks go to the front
//   instead: with no keyed block the order changes only which ids are reused; see Free.)
// - Swap as in paged.cpp: SwapOut releases the device blocks (they stay cached) and holds
//   seq.kv_blocks blocks' worth in a bounded host pool; SwapIn allocates fresh blocks without
//   re-matching the cache, then registers the keys of its full computed blocks (their contents are
//   back on the device).
// - Stats: a request's first admission looks up prompt_tokens tokens (prefix_query_tokens) and
//   finds `cached` of them (prefix_hit_tokens), so the hit rate is the share of input reused;
//   re-admissions after a recompute preemption (which may hit their own blocks) are not counted.
//   evicted_blocks counts keys lost to reallocation.
//
// Ignores: hashing of generated tokens (vLLM also caches full decode blocks; with no hashes for
// them here they are never shared), extra hash inputs (LoRA, multimodal, cache salt), several KV
// cache groups (hybrid / sliding-window attention), a null block, copy-on-write, and the time
// spent hashing or looking up.
//
// - Anonymous blocks: until the first sequence with prefix hashes is admitted, no block can ever
//   be shared or cached, so blocks are only counted (seq.block_ids stays empty, no free-queue
//   work): a trace without hashes costs O(1) per admission and release. Admitting the first
//   hashed sequence gives the blocks held then ids taken from the back of the free queue (all
//   blocks are alike: none has held a key); a sequence keeps those anonymous leading blocks
//   (kv_blocks - block_ids.size() of them) until it frees them, after its identified ones. Only
//   which ids are reused differs from identifying every block, never an outcome. Each holder of
//   anonymous blocks has a record (seq.kv_handle: slot and generation), so releasing a stale
//   copy of a sequence is still caught as a double release.
//
// Cost: CachedPrefixTokens and Admit are O(blocks looked up); Reserve, Release and swap O(blocks
// touched); O(1) per call while blocks are anonymous. No allocation once warmed up: the block
// table and the key map (one key per block) are sized when the first hashed sequence arrives, so
// a replica that never sees one holds no per-block state; seq.block_ids keeps its capacity across
// release and reuse.
#include <algorithm>
#include <limits>
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
  }

  int64_t CachedPrefixTokens(const Sequence& seq) const override {
    const int64_t tokens = seq.Tokens();
    if (tokens <= 1) return 0;
    const int64_t limit = std::min(KeyedBlocks(seq), (tokens - 1) / o_.block_size);
    int64_t hit = 0;
    while (hit < limit && cached_.Find(Key(seq, hit)) >= 0) ++hit;
    return hit * o_.block_size;
  }

  bool Admit(Sequence& seq, int64_t cached_tokens, int64_t tokens) override {
    if (seq.kv_blocks != 0 || !seq.block_ids.empty()) {
      throw std::logic_error("prefix-caching KV: admitting a sequence holding blocks");
    }
    if (seq.swapped_blocks != 0) {
      throw std::logic_error("prefix-caching KV: admitting a swapped-out sequence");
    }
    if (cached_tokens < 0 || cached_tokens % o_.block_size != 0 || tokens < cached_tokens) {
      throw std::logic_error("prefix-caching KV: bad admission (cached " +
                             std::to_string(cached_tokens) + ", tokens " + std::to_string(tokens) +
                             ")");
    }
    if (!identified_ && !seq.prefix_hashes.empty()) Identify();
    const int64_t hit = cached_tokens / o_.block_size;
    if (hit > KeyedBlocks(seq)) {
      throw std::logic_error("prefix-caching KV: cached tokens beyond the hashed prompt");
    }
    // Find the hit blocks (only seq.block_ids is written, and cleared again on failure).
    int64_t revived = 0;  // hit blocks that are free now
    for (int64_t i = 0; i < hit; ++i) {
      const int32_t holder = cached_.Find(Key(seq, i));
      if (holder < 0) {
        seq.block_ids.clear();
        throw std::logic_error("prefix-caching KV: cached prefix of " +
                               std::to_string(cached_tokens) + " tokens is not in the cache");
      }
      if (blk_[static_cast<size_t>(holder)].ref == 0) ++revived;
      seq.block_ids.push_back(holder);
    }
    const int64_t fresh = std::max<int64_t>(0, BlocksFor(tokens) - hit);
    if (fresh + revived > num_free_ - o_.watermark_blocks) {
      seq.block_ids.clear();
      return false;
    }
    for (const int32_t b : seq.block_ids) AddRef(b);
    seq.kv_blocks = hit;
    Allocate(seq, fresh);
    seq.computed = cached_tokens;
    // Room past the known tokens is a reservation, not stored (kv_allocator.h).
    const int64_t stored = std::min(tokens, seq.Tokens());
    stored_ += stored;
    seq.kv_tokens = stored;
    if (seq.preemptions == 0) {
      stats_.prefix_query_tokens += seq.prompt_tokens;
      stats_.prefix_hit_tokens += cached_tokens;
    }
    Register(seq, hit, stored / o_.block_size);
    return true;
  }

  bool Reserve(Sequence& seq, int64_t tokens) override {
    // Most calls are decodes that fit their last block: no division, no registration, and no
    // call (the rest is out of line so this path needs no stack frame).
    if (tokens > seq.kv_blocks * o_.block_size || !seq.prefix_hashes.empty()) {
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
      if (--blk_[static_cast<size_t>(b)].ref == 0) Free(b);
    }
    if (seq.kv_blocks > keep) {
      FreeAnonymous(seq, seq.kv_blocks - keep);
      seq.kv_blocks = keep;
    }
    if (tokens < seq.kv_tokens) {
      stored_ -= seq.kv_tokens - tokens;
      seq.kv_tokens = tokens;
    }
  }

  void Release(Sequence& seq) override {
    const int64_t anonymous = seq.kv_blocks - static_cast<int64_t>(seq.block_ids.size());
    if (anonymous < 0) {
      throw std::logic_error("prefix-caching KV: sequence block list (" +
                             std::to_string(seq.block_ids.size()) + ") longer than kv_blocks (" +
                             std::to_string(seq.kv_blocks) + ")");
    }
    if (anonymous > 0) AnonymousRecord(seq, anonymous);  // checks before anything changes
    if (seq.kv_tokens > stored_) {
      throw std::logic_error("prefix-caching KV: releasing more tokens than stored");
    }
    // Tail first: the request's last block reaches the free queue first, so it is evicted first.
    // A block no sequence references is an internal bug: the run stops (the allocator's state is
    // then undefined, so the check needs no pass of its own).
    for (auto it = seq.block_ids.rbegin(); it != seq.block_ids.rend(); ++it) {
      const int32_t b = *it;
      if (b < 0 || b >= o_.capacity_blocks || blk_[static_cast<size_t>(b)].ref <= 0) {
        throw std::logic_error("prefix-caching KV: releasing block " + std::to_string(b) +
                               ", which no sequence references (double release)");
      }
      --held_;
      if (--blk_[static_cast<size_t>(b)].ref == 0) Free(b);
    }
    FreeAnonymous(seq, anonymous);  // the sequence's leading blocks
    stored_ -= seq.kv_tokens;
    seq.block_ids.clear();
    seq.kv_blocks = 0;
    seq.kv_tokens = 0;
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
    Register(seq, 0, std::min(seq.computed / o_.block_size, blocks));
    return true;
  }

  int64_t used_blocks() const override { return o_.capacity_blocks - num_free_; }
  int64_t held_refs() const override { return held_; }

 private:
  static constexpr int32_t kNone = -1;

  // Reserve when blocks must be allocated or keys registered.
  [[gnu::noinline]] bool ReserveSlow(Sequence& seq, int64_t tokens) {
    if (tokens > seq.kv_blocks * o_.block_size) {
      const int64_t need = BlocksFor(tokens) - seq.kv_blocks;
      if (need > num_free_) return false;
      Allocate(seq, need);
    }
    if (tokens > seq.kv_tokens) {
      const int64_t before = seq.kv_tokens;
      stored_ += tokens - before;
      seq.kv_tokens = tokens;
      if (!seq.prefix_hashes.empty()) Register(seq, before / o_.block_size, tokens / o_.block_size);
    }
    return true;
  }

  // Leading blocks of `seq` that have a key: full blocks inside the prompt and the hashed part.
  int64_t KeyedBlocks(const Sequence& seq) const {
    const int64_t h = seq.prefix_block_tokens;
    if (h <= 0 || seq.prefix_hashes.empty()) return 0;
    const int64_t hashed = static_cast<int64_t>(seq.prefix_hashes.size()) * h;
    return std::min(seq.prompt_tokens, hashed) / o_.block_size;
  }

  // The key of block i (< KeyedBlocks(seq)): the chained hash of the hash block holding its last
  // token, mixed with i.
  uint64_t Key(const Sequence& seq, int64_t i) const {
    const int64_t last_token = (i + 1) * o_.block_size - 1;
    const uint64_t hash =
        seq.prefix_hashes[static_cast<size_t>(last_token / seq.prefix_block_tokens)];
    return Mix64(hash ^ Mix64(static_cast<uint64_t>(i)));
  }

  // Registers the keys of blocks [from, to) of `seq` (clipped to its keyed blocks), unless another
  // block already holds the key.
  void Register(const Sequence& seq, int64_t from, int64_t to) {
    to = std::min({to, KeyedBlocks(seq), static_cast<int64_t>(seq.block_ids.size())});
    // Block i of the sequence is block_ids[i] only without anonymous leading blocks, which a
    // sequence with hashes never has (its admission identified every block).
    if (from < to && seq.kv_blocks != static_cast<int64_t>(seq.block_ids.size()))
      throw std::logic_error("prefix-caching KV: keys for a sequence holding anonymous blocks");
    for (int64_t i = from; i < to; ++i) {
      const int32_t b = seq.block_ids[static_cast<size_t>(i)];
      if (blk_[static_cast<size_t>(b)].has_key) continue;  // a cache hit: already this key's holder
      const uint64_t key = Key(seq, i);
      if (cached_.Insert(key, b)) {
        keyed_ever_ = true;
        key_[static_cast<size_t>(b)] = key;
        blk_[static_cast<size_t>(b)].has_key = 1;
      }
    }
  }

  void AddRef(int32_t b) {
    if (blk_[static_cast<size_t>(b)].ref++ == 0) Unlink(b);
    ++held_;
  }

  // Appends `count` blocks popped from the front of the free queue to `seq` (the caller checked
  // that enough are free).
  void Allocate(Sequence& seq, int64_t count) {
    if (!identified_) {
      if (count > num_free_) throw std::logic_error("prefix-caching KV: free queue empty");
      if (count <= 0) return;
      if (seq.kv_handle < 0) {
        uint32_t slot;
        if (free_slots_.empty()) {
          slot = static_cast<uint32_t>(slots_.size());
          slots_.push_back(AnonSlot{});
        } else {
          slot = free_slots_.back();
          free_slots_.pop_back();
        }
        seq.kv_handle =
            static_cast<int64_t>((static_cast<uint64_t>(slots_[slot].generation) << 32) | slot);
      }
      AnonymousRecord(seq, 0).blocks += count;
      anonymous_ += count;
      held_ += count;
      num_free_ -= count;
      seq.kv_blocks += count;
      return;
    }
    for (int64_t k = 0; k < count; ++k) {
      const int32_t b = head_;
      if (b == kNone) throw std::logic_error("prefix-caching KV: free queue empty");
      Unlink(b);
      const size_t ub = static_cast<size_t>(b);
      if (blk_[ub].has_key) {
        cached_.Erase(key_[ub]);
        blk_[ub].has_key = 0;
        ++stats_.evicted_blocks;
      }
      blk_[ub].ref = 1;
      ++held_;
      seq.block_ids.push_back(b);
    }
    seq.kv_blocks += count;
  }

  // Per-block state exists only once blocks get ids: a replica that never sees a hashed request
  // holds O(1) memory, not O(capacity) (about 1.3 MB for an H100's 36k blocks, which 1,000
  // replicas would multiply). Every block starts free, in id order (as vLLM's block pool does).
  void MakeBlockTable() {
    const size_t n = static_cast<size_t>(o_.capacity_blocks);
    blk_.assign(n, Block{});
    key_.assign(n, 0);
    for (size_t b = 0; b < n; ++b) {
      blk_[b].prev = static_cast<int32_t>(b) - 1;
      blk_[b].next = b + 1 < n ? static_cast<int32_t>(b + 1) : kNone;
    }
    head_ = n > 0 ? 0 : kNone;
    tail_ = n > 0 ? static_cast<int32_t>(n - 1) : kNone;
    cached_ = BlockKeyMap(o_.capacity_blocks);
  }

  // The first hashed sequence is being admitted: the anonymous blocks held now get ids from the
  // back of the free queue (in counting mode the queue holds every block, none keyed).
  void Identify() {
    identified_ = true;
    MakeBlockTable();
    anonymous_ids_.reserve(static_cast<size_t>(anonymous_));
    for (int64_t k = 0; k < anonymous_; ++k) {
      const int32_t b = tail_;
      if (b == kNone) throw std::logic_error("prefix-caching KV: free queue shorter than capacity");
      Unlink(b);
      ++num_free_;  // still counted as held by the anonymous total, not by the queue
      blk_[static_cast<size_t>(b)].ref = 1;
      anonymous_ids_.push_back(b);
    }
  }

  // The record of `seq`'s anonymous blocks, which must hold at least `at_least` of them (a stale
  // copy of a released sequence has a handle whose generation has moved on).
  struct AnonSlot {
    int64_t blocks = 0;
    uint32_t generation = 0;
  };
  AnonSlot& AnonymousRecord(const Sequence& seq, int64_t at_least) {
    const uint64_t h = static_cast<uint64_t>(seq.kv_handle);
    const size_t slot = static_cast<size_t>(h & 0xFFFFFFFFu);
    if (seq.kv_handle < 0 || slot >= slots_.size() || slots_[slot].generation != (h >> 32) ||
        slots_[slot].blocks < at_least) {
      throw std::logic_error("prefix-caching KV: releasing " + std::to_string(at_least) +
                             " blocks the sequence does not hold (double release)");
    }
    return slots_[slot];
  }

  // Frees `count` anonymous blocks of `seq` (its leading ones).
  void FreeAnonymous(Sequence& seq, int64_t count) {
    if (count <= 0) return;
    AnonSlot& rec = AnonymousRecord(seq, count);
    rec.blocks -= count;
    if (rec.blocks == 0) {  // the record goes; copies of the handle are stale from now on
      rec.generation = (rec.generation + 1) & 0x7FFFFFFFu;  // the handle stays non-negative
      free_slots_.push_back(static_cast<uint32_t>(&rec - slots_.data()));
      seq.kv_handle = -1;
    }
    anonymous_ -= count;
    held_ -= count;
    if (!identified_) {
      num_free_ += count;
      return;
    }
    for (int64_t k = 0; k < count; ++k) {
      const int32_t b = anonymous_ids_.back();
      anonymous_ids_.pop_back();
      blk_[static_cast<size_t>(b)].ref = 0;
      Free(b);
    }
  }

  void Unlink(int32_t b) {
    const size_t ub = static_cast<size_t>(b);
    const int32_t p = blk_[ub].prev;
    const int32_t n = blk_[ub].next;
    (p == kNone ? head_ : blk_[static_cast<size_t>(p)].next) = n;
    (n == kNone ? tail_ : blk_[static_cast<size_t>(n)].prev) = p;
    blk_[ub].prev = blk_[ub].next = kNone;
    --num_free_;
  }

  // A block reaching ref 0. While no block has ever held a key, every free block is alike and
  // the queue's order cannot change any outcome (the blocks it evicts first are keyed ones, and
  // there are none), only which ids are reused: the most recently freed, still in cache, go first
  // (a workload without prefix hashes then never walks cold free-queue links). From the first key
  // on, vLLM's order: the back of the queue.
  void Free(int32_t b) {
    if (keyed_ever_) {
      PushBack(b);
      return;
    }
    const size_t ub = static_cast<size_t>(b);
    blk_[ub].prev = kNone;
    blk_[ub].next = head_;
    (head_ == kNone ? tail_ : blk_[static_cast<size_t>(head_)].prev) = b;
    head_ = b;
    ++num_free_;
  }

  void PushBack(int32_t b) {
    const size_t ub = static_cast<size_t>(b);
    blk_[ub].prev = tail_;
    blk_[ub].next = kNone;
    (tail_ == kNone ? head_ : blk_[static_cast<size_t>(tail_)].next) = b;
    tail_ = b;
    ++num_free_;
  }

  // Per block, the fields every allocation and release touch, together (one cache line holds
  // four blocks; separate arrays cost a miss each on the free queue's scattered order).
  struct Block {
    int32_t ref = 0;
    int32_t prev = kNone;  // free queue links (kNone at the ends and for referenced blocks)
    int32_t next = kNone;
    uint8_t has_key = 0;
  };

 public:
  // Block table and key per block (the key map is counted apart).
  static constexpr int64_t kTableBytesPerBlock = sizeof(Block) + sizeof(uint64_t);

 private:
  std::vector<Block> blk_;
  std::vector<uint64_t> key_;  // valid where has_key
  int32_t head_ = kNone;       // next block to allocate (least recently freed)
  int32_t tail_ = kNone;
  int64_t num_free_ = 0;     // blocks with ref 0 (the free queue's length)
  int64_t held_ = 0;         // Σ refs
  bool keyed_ever_ = false;  // some block has held a key (Free's order)
  bool identified_ = false;  // a hashed sequence has been admitted: new blocks get ids
  int64_t anonymous_ = 0;    // blocks held without ids (counted in held_, not in num_free_)
  std::vector<int32_t> anonymous_ids_;  // after Identify: ids standing for those blocks
  std::vector<AnonSlot> slots_;         // per holder of anonymous blocks (seq.kv_handle)
  std::vector<uint32_t> free_slots_;
  BlockKeyMap cached_;  // key -> the block holding it
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
