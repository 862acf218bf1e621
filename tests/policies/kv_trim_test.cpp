// Trim: the room a sequence reserved past its accepted tokens (speculative lookahead slots) goes
// back to the allocator; one body over the three allocators.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "policies/kv/kv_allocator.h"

namespace servesim {

TEST_CASE("trim gives back lookahead slots in every allocator", "[kv][trim]") {
  KvOptions o;
  o.capacity_blocks = 10;
  o.block_size = 16;
  o.max_model_len = 160;
  o.reserve = ContiguousReserve::kRequestMax;
  for (const char* name : {"paged", "prefix", "contiguous"}) {
    INFO(name);
    auto kv = std::string(name) == "paged"    ? MakePagedKvAllocator(o)
              : std::string(name) == "prefix" ? MakePrefixCachingKvAllocator(o)
                                              : MakeContiguousKvAllocator(o);
    Sequence s;
    s.prompt_tokens = 40;
    s.output_tokens = 30;
    REQUIRE(kv->Admit(s, 0, 40));
    s.computed = 40;
    // A round of k = 9 drafts + 1: room for tokens 40..49 -> 50 tokens.
    REQUIRE(kv->Reserve(s, 50));
    const int64_t used_before = kv->used_blocks();
    // 3 of the 10 verified tokens accepted: 43 tokens stay.
    kv->Trim(s, 43);
    CHECK(s.kv_tokens == 43);
    CHECK(kv->stored_tokens() == 43);
    if (std::string(name) == "contiguous") {
      // The region was reserved whole at admission: prompt + output = 70 tokens, unchanged.
      CHECK(kv->used_blocks() == 70);
      CHECK(kv->used_blocks() == used_before);
    } else {
      // 50 tokens need ceil(50/16) = 4 blocks; 43 need 3: one block back.
      CHECK(used_before == 4);
      CHECK(kv->used_blocks() == 3);
      CHECK(s.kv_blocks == 3);
    }
    CHECK_THROWS_AS(kv->Trim(s, 39), std::logic_error);  // below the 40 computed tokens
    kv->Release(s);
    CHECK(kv->used_blocks() == 0);
    CHECK(kv->stored_tokens() == 0);
  }
}

}  // namespace servesim
