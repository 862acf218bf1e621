// BlockKeyMap: the prefix cache's index from a block's content key to the block holding it.
//
// Models: an open-addressing hash map from a well-mixed 64-bit key to an int32 block id, linear
// probing in a power-of-two table kept at most half full, deletion by backward shift (no
// tombstones). Sized for max_entries up front, it doubles (rehashing) when an insert would fill
// it past half, so it allocates only while its largest size grows; a node-based
// std::unordered_map spent most of a Mooncake replay in cache misses. Ignores: iteration,
// shrinking.
#ifndef SERVESIM_POLICIES_KV_BLOCK_KEY_MAP_H_
#define SERVESIM_POLICIES_KV_BLOCK_KEY_MAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace servesim {

class BlockKeyMap {
 public:
  explicit BlockKeyMap(int64_t max_entries) {
    const size_t cap = Capacity(max_entries);
    keys_.assign(cap, kEmpty);
    blocks_.assign(cap, 0);
    mask_ = cap - 1;
  }
  // The memory a map for `max_entries` holds.
  static int64_t BytesFor(int64_t max_entries) {
    return static_cast<int64_t>(Capacity(max_entries) * (sizeof(uint64_t) + sizeof(int32_t)));
  }
  // The block holding `key`, or -1.
  int32_t Find(uint64_t key) const {
    key = Stored(key);
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return blocks_[i];
      if (keys_[i] == kEmpty) return -1;
    }
  }
  // Inserts key -> block unless the key is present; true if inserted.
  bool Insert(uint64_t key, int32_t block) {
    key = Stored(key);
    size_t i = key & mask_;
    for (; keys_[i] != kEmpty; i = (i + 1) & mask_) {
      if (keys_[i] == key) return false;
    }
    if ((size_ + 1) * 2 > keys_.size()) {
      Grow();
      for (i = key & mask_; keys_[i] != kEmpty;) i = (i + 1) & mask_;
    }
    keys_[i] = key;
    blocks_[i] = block;
    ++size_;
    return true;
  }
  void Erase(uint64_t key) {
    key = Stored(key);
    size_t i = key & mask_;
    while (keys_[i] != key) {
      if (keys_[i] == kEmpty) return;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot
    // allows it, so lookups never need tombstones.
    for (size_t j = (i + 1) & mask_; keys_[j] != kEmpty; j = (j + 1) & mask_) {
      const size_t home = keys_[j] & mask_;
      const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        keys_[i] = keys_[j];
        blocks_[i] = blocks_[j];
        i = j;
      }
    }
    keys_[i] = kEmpty;
    --size_;
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  static size_t Capacity(int64_t max_entries) {  // a power of two, at most half full
    size_t cap = 16;
    while (cap < static_cast<size_t>(max_entries) * 2) cap <<= 1;
    return cap;
  }
  // 0 marks an empty slot, so key 0 is stored as 1: keys are 64-bit mixes, a clash is ~2^-64.
  static uint64_t Stored(uint64_t key) { return key == kEmpty ? 1 : key; }

  // Doubles the table and re-inserts every entry (keys are stored already).
  void Grow() {
    std::vector<uint64_t> keys(keys_.size() * 2, kEmpty);
    std::vector<int32_t> blocks(keys.size(), 0);
    keys.swap(keys_);
    blocks.swap(blocks_);
    mask_ = keys_.size() - 1;
    for (size_t j = 0; j < keys.size(); ++j) {
      if (keys[j] == kEmpty) continue;
      size_t i = keys[j] & mask_;
      while (keys_[i] != kEmpty) i = (i + 1) & mask_;
      keys_[i] = keys[j];
      blocks_[i] = blocks[j];
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<int32_t> blocks_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_BLOCK_KEY_MAP_H_
