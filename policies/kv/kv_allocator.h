// KV-cache memory of one replica: who holds how many blocks.
//
// Contract: Reserve(seq, tokens) makes `seq` hold enough blocks for `tokens` tokens of KV or
// returns false and changes nothing; Release frees everything `seq` holds. Allocated blocks never
// exceed capacity and a sequence's blocks are freed once (both checked). Ignores (here):
// prefix sharing and swap; see the policy-family issue.
#ifndef SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_
#define SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_

#include <cstdint>
#include <memory>

#include "policies/sequence.h"

namespace servesim {

class KvAllocator {
 public:
  virtual ~KvAllocator() = default;
  virtual bool Reserve(Sequence& seq, int64_t tokens) = 0;
  virtual void Release(Sequence& seq) = 0;
  virtual int64_t BlocksFor(int64_t tokens) const = 0;
  virtual int64_t capacity_blocks() const = 0;
  virtual int64_t used_blocks() const = 0;
  virtual int64_t block_size() const = 0;
  int64_t free_blocks() const { return capacity_blocks() - used_blocks(); }
  double Usage() const {
    return capacity_blocks() > 0 ? static_cast<double>(used_blocks()) / static_cast<double>(capacity_blocks())
                                 : 0.0;
  }
};

// vLLM's paged allocator: fixed-size blocks allocated as a sequence grows.
std::unique_ptr<KvAllocator> MakePagedKvAllocator(int64_t capacity_blocks, int64_t block_size);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_KV_ALLOCATOR_H_
