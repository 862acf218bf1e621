// A fixed-size array of keys, one per replica, that answers "which replica holds the least key,
// the first one at or after a start index (wrapping around)" in O(log n) after an O(log n)
// update: the index behind the load-reading routers (policies/routing/router.cpp), so that an
// arrival does not scan every replica.
//
// Models: a segment tree over a power-of-two number of leaves; unused leaves hold no key.
// Key needs operator< (a strict weak order); equal means neither is less. Ignores: resizing (the
// replica count is fixed for a run).
#ifndef SERVESIM_POLICIES_ROUTING_MIN_INDEX_H_
#define SERVESIM_POLICIES_ROUTING_MIN_INDEX_H_

#include <cstdint>
#include <vector>

namespace servesim {

template <typename Key>
class MinIndex {
 public:
  // Contract: n >= 1 keys, all `initial`.
  void Reset(int32_t n, const Key& initial) {
    leaves_ = 1;
    while (leaves_ < n) leaves_ *= 2;
    key_.assign(2 * static_cast<size_t>(leaves_), initial);
    has_.assign(2 * static_cast<size_t>(leaves_), false);
    for (int32_t i = 0; i < n; ++i) has_[static_cast<size_t>(leaves_ + i)] = true;
    for (int32_t v = leaves_ - 1; v >= 1; --v) Pull(v);
  }

  void Set(int32_t i, const Key& key) {
    int32_t v = leaves_ + i;
    key_[static_cast<size_t>(v)] = key;
    for (v /= 2; v >= 1; v /= 2) Pull(v);
  }

  const Key& Get(int32_t i) const { return key_[static_cast<size_t>(leaves_ + i)]; }

  // The index of the least key; among equal least keys the first at or after `start`
  // (0 <= start < n), else the first from 0.
  int32_t FirstMinFrom(int32_t start) const {
    const Key& m = key_[1];
    const int32_t after = FirstEqualAtOrAfter(m, start);
    return after >= 0 ? after : FirstEqualAtOrAfter(m, 0);
  }

 private:
  void Pull(int32_t v) {
    const size_t l = 2 * static_cast<size_t>(v), r = l + 1;
    const size_t pick = !has_[r] || (has_[l] && !(key_[r] < key_[l])) ? l : r;
    has_[static_cast<size_t>(v)] = has_[pick];
    key_[static_cast<size_t>(v)] = key_[pick];
  }

  // The first leaf index >= start whose key equals m (the global minimum), or -1.
  int32_t FirstEqualAtOrAfter(const Key& m, int32_t start) const {
    return Descend(1, 0, leaves_, m, start);
  }

  int32_t Descend(int32_t v, int32_t lo, int32_t hi, const Key& m, int32_t start) const {
    const size_t sv = static_cast<size_t>(v);
    if (hi <= start || !has_[sv] || m < key_[sv]) return -1;  // subtree min above m: none equal
    if (hi - lo == 1) return lo;
    const int32_t mid = (lo + hi) / 2;
    const int32_t left = Descend(2 * v, lo, mid, m, start);
    return left >= 0 ? left : Descend(2 * v + 1, mid, hi, m, start);
  }

  int32_t leaves_ = 1;
  std::vector<Key> key_;
  std::vector<bool> has_;
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_ROUTING_MIN_INDEX_H_
