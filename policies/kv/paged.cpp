#include <stdexcept>

#include "policies/kv/kv_allocator.h"

namespace servesim {
namespace {

class PagedKvAllocator final : public KvAllocator {
 public:
  PagedKvAllocator(int64_t capacity_blocks, int64_t block_size)
      : capacity_(capacity_blocks), block_size_(block_size) {}

  bool Reserve(Sequence& seq, int64_t tokens) override {
    const int64_t need = BlocksFor(tokens) - seq.kv_blocks;
    if (need <= 0) return true;
    if (need > capacity_ - used_) return false;
    used_ += need;
    seq.kv_blocks += need;
    return true;
  }

  void Release(Sequence& seq) override {
    if (seq.kv_blocks > used_) throw std::logic_error("paged KV: releasing more blocks than allocated");
    used_ -= seq.kv_blocks;
    seq.kv_blocks = 0;
  }

  int64_t BlocksFor(int64_t tokens) const override { return (tokens + block_size_ - 1) / block_size_; }
  int64_t capacity_blocks() const override { return capacity_; }
  int64_t used_blocks() const override { return used_; }
  int64_t block_size() const override { return block_size_; }

 private:
  int64_t capacity_;
  int64_t block_size_;
  int64_t used_ = 0;
};

}  // namespace

std::unique_ptr<KvAllocator> MakePagedKvAllocator(int64_t capacity_blocks, int64_t block_size) {
  return std::make_unique<PagedKvAllocator>(capacity_blocks, block_size);
}

}  // namespace servesim
