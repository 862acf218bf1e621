// The routers on hand-built loads: each registered name constructs, round robin cycles, the
// least-loaded policies pick the replica their metric names (ties rotate), random is uniform and
// seeded.
#include "policies/routing/router.h"

#include <catch2/catch.hpp>
#include <vector>

#include "policies/registry.h"
#include "workloads/random.h"

namespace servesim {
namespace {

std::unique_ptr<Router> Make(const std::string& impl, uint64_t seed = 1) {
  RoutingOptions o;
  o.impl = impl;
  o.seed = seed;
  return MakeRouter(o);
}

ReplicaLoad Load(int64_t requests, int64_t tokens = 0, double kv = 0) {
  ReplicaLoad l;
  l.outstanding_requests = requests;
  l.outstanding_tokens = tokens;
  l.kv_usage = kv;
  return l;
}

}  // namespace

TEST_CASE("routing: every registered name has a router", "[routing]") {
  const auto names = ImplNames("routing");
  CHECK(names.size() == 6);
  for (const auto& n : names) CHECK(Make(n) != nullptr);
  CHECK_THROWS_AS(Make("least_load"), std::logic_error);
}

TEST_CASE("routing: round robin cycles whatever the loads", "[routing]") {
  auto r = Make("round_robin");
  const std::vector<ReplicaLoad> loads = {Load(9), Load(0), Load(0)};
  std::vector<int32_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(r->Route(loads));
  CHECK(got == std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(FindRouter("round_robin").reads == kReadsNothing);
}

TEST_CASE("routing: least_requests joins the shortest queue, ties rotate", "[routing]") {
  auto r = Make("least_requests");
  CHECK(r->Route(std::vector<ReplicaLoad>{Load(3), Load(1), Load(2)}) == 1);
  // Equal loads: the scan starts after the last choice (1), so 2, then 0, then 1.
  const std::vector<ReplicaLoad> idle = {Load(0), Load(0), Load(0)};
  CHECK(r->Route(idle) == 2);
  CHECK(r->Route(idle) == 0);
  CHECK(r->Route(idle) == 1);
  // A strictly smaller queue wins over the rotation.
  CHECK(r->Route(std::vector<ReplicaLoad>{Load(0), Load(4), Load(4)}) == 0);
}

TEST_CASE("routing: least_tokens weighs the work handed out, not the request count", "[routing]") {
  auto r = Make("least_tokens");
  // Replica 0 holds one 9,000-token request, replica 1 five requests of 100 tokens.
  CHECK(r->Route(std::vector<ReplicaLoad>{Load(1, 9000), Load(5, 500)}) == 1);
  auto q = Make("least_requests");
  CHECK(q->Route(std::vector<ReplicaLoad>{Load(1, 9000), Load(5, 500)}) == 0);
}

TEST_CASE("routing: least_kv takes the emptiest cache, then the shorter queue", "[routing]") {
  auto r = Make("least_kv");
  CHECK(FindRouter("least_kv").reads == (kReadsKvUsage | kReadsRequests));
  CHECK(r->Route(std::vector<ReplicaLoad>{Load(0, 0, 0.5), Load(3, 0, 0.2), Load(1, 0, 0.2)}) == 2);
  CHECK(r->Route(std::vector<ReplicaLoad>{Load(0, 0, 0.1), Load(0, 0, 0.7)}) == 0);
}

TEST_CASE("routing: random is uniform and follows the seed", "[routing]") {
  const std::vector<ReplicaLoad> loads(3);
  auto a = Make("random", 7), b = Make("random", 7), c = Make("random", 8);
  std::vector<int64_t> counts(3, 0);
  int same_seed_equal = 0, other_seed_equal = 0;
  const int n = 30000;
  for (int i = 0; i < n; ++i) {
    const int32_t x = a->Route(loads);
    REQUIRE(x >= 0);
    REQUIRE(x < 3);
    ++counts[static_cast<size_t>(x)];
    same_seed_equal += x == b->Route(loads);
    other_seed_equal += x == c->Route(loads);
  }
  CHECK(same_seed_equal == n);
  // Independent streams agree a third of the time.
  CHECK(other_seed_equal == Approx(n / 3.0).epsilon(0.05));
  // Binomial(30000, 1/3): standard deviation 82, so +-500 is six of them.
  for (const int64_t k : counts) CHECK(k == Approx(n / 3.0).margin(500));
}

}  // namespace servesim

namespace servesim {
namespace {

ReplicaLoad Queues(int64_t waiting, int64_t running) {
  ReplicaLoad l;
  l.waiting = waiting;
  l.running = running;
  l.outstanding_requests = waiting + running;
  return l;
}

TEST_CASE("routing: vllm_dp takes the least 4 x waiting + running, ties to the first",
          "[routing]") {
  auto r = Make("vllm_dp");
  // Scores 4 x 1 + 0 = 4 and 0 + 3 = 3: the rank with more requests but none waiting wins.
  CHECK(r->Route(std::vector<ReplicaLoad>{Queues(1, 0), Queues(0, 3)}) == 1);
  // 4 and 4: the first.
  CHECK(r->Route(std::vector<ReplicaLoad>{Queues(1, 0), Queues(0, 4)}) == 0);
  CHECK(r->Route(std::vector<ReplicaLoad>{Queues(0, 0), Queues(0, 0), Queues(0, 0)}) == 0);
  CHECK(r->Route(std::vector<ReplicaLoad>{Queues(0, 5), Queues(1, 2), Queues(0, 5)}) == 0);
}

// Indexed routing (Track + Update) must choose exactly what scanning the loads chooses, ties
// included: random loads drawn from a few values so that ties are common, one replica changed
// between routes, over every router, replica counts that are and are not powers of two.
TEST_CASE("routing: the indexed routers choose what the scan chooses", "[routing]") {
  for (const std::string& name : ImplNames("routing")) {
    for (const int n : {1, 2, 3, 7, 8, 33}) {
      INFO(name << " over " << n << " replicas");
      auto scan = Make(name, 5), indexed = Make(name, 5);
      std::vector<ReplicaLoad> loads(static_cast<size_t>(n));
      indexed->Track(loads);
      RngStream rng = MakeStream(11, "test");
      for (int step = 0; step < 2000; ++step) {
        const auto i = static_cast<size_t>(UniformInt(rng, 0, n - 1));
        ReplicaLoad& l = loads[i];
        l.waiting = UniformInt(rng, 0, 2);
        l.running = UniformInt(rng, 0, 3);
        l.outstanding_requests = l.waiting + l.running;
        l.outstanding_tokens = 100 * UniformInt(rng, 0, 3);
        l.kv_usage = 0.25 * static_cast<double>(UniformInt(rng, 0, 2));
        indexed->Update(static_cast<int32_t>(i), l);
        REQUIRE(indexed->Route(loads) == scan->Route(loads));
      }
    }
  }
}

}  // namespace
}  // namespace servesim
