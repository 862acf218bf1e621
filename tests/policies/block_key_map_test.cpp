// BlockKeyMap against std::map under random inserts, finds and erases, with keys crowded into a
// few home slots so probe runs collide and wrap around the table's end (the backward-shift
// deletion's hard cases).
#include "policies/kv/block_key_map.h"

#include <catch2/catch.hpp>
#include <map>

namespace servesim {

TEST_CASE("block key map agrees with std::map under random use", "[prefix_cache]") {
  BlockKeyMap map(24);  // 64 slots
  std::map<uint64_t, int32_t> ref;
  uint64_t x = 99;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int step = 0; step < 200000; ++step) {
    // Low bits pick one of 8 home slots near the table's end (56..63): long runs that wrap.
    const uint64_t key = ((2 + next() % 40) << 6) | (56 + next() % 8);
    const int op = static_cast<int>(next() % 3);
    if (op == 0 && ref.size() < 24) {
      const int32_t block = static_cast<int32_t>(next() % 1000);
      const bool inserted = map.Insert(key, block);
      CHECK(inserted == (ref.count(key) == 0));
      if (inserted) ref[key] = block;
    } else if (op == 1) {
      map.Erase(key);
      ref.erase(key);
    }
    const auto it = ref.find(key);
    REQUIRE(map.Find(key) == (it == ref.end() ? -1 : it->second));
    if (step % 1000 == 0) {
      for (const auto& [k, v] : ref) REQUIRE(map.Find(k) == v);
    }
  }
}

}  // namespace servesim
