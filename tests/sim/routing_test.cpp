// Routing through the engine: which replica each request of a hand-built workload joins.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

struct Arrival {
  int64_t ms, prompt, output;
};

// Request id -> replica, for requests at the given times (ms) with the given lengths.
std::map<int64_t, int32_t> Routes(const std::string& router, int replicas,
                                  const std::vector<Arrival>& arrivals,
                                  RunSummary* summary = nullptr) {
  EngineConfig c;
  c.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  c.device = DevicePresetOrThrow("h100-sxm", "test");
  c.kv.capacity_blocks = 10000;
  c.kv.block_size = 16;
  c.replicas = replicas;
  c.routing.impl = router;
  std::vector<Request> reqs;
  for (const Arrival& a : arrivals) {
    reqs.push_back(testing::MakeRequest(a.ms * 1000000, a.prompt, a.output));
  }
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<testing::VectorWorkload>(std::move(reqs)));
  Engine engine(c, std::move(sources));
  std::map<int64_t, int32_t> routes;
  CallbackObserver out;
  out.on_request = [&](const RequestRecord& r) { routes[r.request_id] = r.replica; };
  const RunSummary s = engine.Run({&out});
  if (summary) *summary = s;
  return routes;
}

}  // namespace

TEST_CASE("routing: a long request keeps its replica busy; load-aware routers go around it",
          "[routing][sim]") {
  // Request 0 decodes 3,000 tokens (about 20 s on an H100); request 1 (2 tokens) finishes within
  // milliseconds; requests 2 and 3 arrive at 1 s and 2 s, while only request 0 is outstanding.
  const std::vector<Arrival> w = {{0, 100, 3000}, {1, 100, 2}, {1000, 100, 2}, {2000, 100, 2}};
  const auto rr = Routes("round_robin", 2, w);
  CHECK(rr == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 0}, {3, 1}});
  for (const char* router : {"least_requests", "least_tokens", "least_kv"}) {
    INFO(router);
    const auto got = Routes(router, 2, w);
    CHECK(got == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 1}, {3, 1}});
  }
}

TEST_CASE("routing: least_tokens counts prompt and output, and forgets finished requests",
          "[routing][sim]") {
  // r0 (1,000 + 3,000 tokens) and r1 (2,000 + 1,000) both still decode at 500 ms (1,000 decode
  // steps take about 7 s): r2 joins the replica with fewer tokens (r1's, 3,000 < 4,000) though
  // r0's prompt is the shorter; least_requests sees a tie and rotates to replica 0.
  const std::vector<Arrival> w = {{0, 1000, 3000}, {1, 2000, 1000}, {500, 100, 2}};
  CHECK(Routes("least_tokens", 2, w) == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 1}});
  CHECK(Routes("least_requests", 2, w) == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 0}});
  // r0 (4,000 + 2 tokens) is done within a second; at 2 s only r1 (100 + 3,000, decoding for
  // about 20 s) is outstanding, so r2 goes to r0's now empty replica.
  const std::vector<Arrival> v = {{0, 4000, 2}, {1, 100, 3000}, {2000, 100, 2}};
  CHECK(Routes("least_tokens", 2, v) == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 0}});
}

TEST_CASE("routing: least_kv follows the KV cache, not the request count", "[routing][sim]") {
  // At 200 ms r0 holds about 3,000 / 16 blocks on replica 0 and r1 about 100 / 16 on replica 1,
  // one request each: least_kv picks replica 1, least_requests rotates to replica 0.
  const std::vector<Arrival> w = {{0, 3000, 3000}, {1, 100, 3000}, {200, 100, 3000}};
  CHECK(Routes("least_kv", 2, w) == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 1}});
  CHECK(Routes("least_requests", 2, w) == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 0}});
}

TEST_CASE("routing: a scenario's routing key and seed reach the router", "[routing][sim]") {
  const std::string path = std::string(SERVESIM_SOURCE_DIR) + "/scenarios/default.yaml";
  const Scenario a = LoadScenario(path, {"seed=5", "routing.impl=random", "hardware.replicas=4"});
  CHECK(a.engine.routing.impl == "random");
  CHECK(a.engine.routing.seed == 5);
  CHECK(LoadScenario(path, {}).engine.routing.impl == "round_robin");
}

TEST_CASE("routing: every router serves every request, one replica or several", "[routing][sim]") {
  std::vector<Arrival> w;
  for (int i = 0; i < 40; ++i) w.push_back({i * 13, 100, 1 + i % 7 * 40});
  for (const char* router :
       {"round_robin", "least_requests", "least_tokens", "least_kv", "random"}) {
    for (int replicas : {1, 3}) {
      INFO(router << " x " << replicas);
      RunSummary s;
      const auto got = Routes(router, replicas, w, &s);
      CHECK(s.completed == 40);
      CHECK(got.size() == 40);
      for (const auto& [id, rep] : got) {
        CHECK(rep >= 0);
        CHECK(rep < replicas);
      }
    }
  }
}

}  // namespace servesim
