// Routing through the engine: which replica each request of a hand-built workload joins.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/engine.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

// Request id -> replica, for requests at the given times (ms) and output lengths.
std::map<int64_t, int32_t> Routes(const std::string& router, int replicas,
                                  const std::vector<std::pair<int64_t, int64_t>>& ms_and_output,
                                  RunSummary* summary = nullptr) {
  EngineConfig c;
  c.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  c.device = DevicePresetOrThrow("h100-sxm", "test");
  c.kv.capacity_blocks = 10000;
  c.kv.block_size = 16;
  c.replicas = replicas;
  c.routing.impl = router;
  std::vector<Request> reqs;
  for (const auto& [ms, output] : ms_and_output) {
    reqs.push_back(testing::MakeRequest(ms * 1000000, 100, output));
  }
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<testing::VectorWorkload>(std::move(reqs)));
  Engine engine(c, std::move(sources));
  std::map<int64_t, int32_t> routes;
  EngineOutputs out;
  out.on_request = [&](const RequestRecord& r) { routes[r.request_id] = r.replica; };
  const RunSummary s = engine.Run(out);
  if (summary) *summary = s;
  return routes;
}

}  // namespace

TEST_CASE("routing: a long request keeps its replica busy; load-aware routers go around it",
          "[routing][sim]") {
  // Request 0 decodes 3,000 tokens (about 20 s on an H100); request 1 (2 tokens) finishes within
  // milliseconds; requests 2 and 3 arrive at 1 s and 2 s, while only request 0 is outstanding.
  const std::vector<std::pair<int64_t, int64_t>> w = {{0, 3000}, {1, 2}, {1000, 2}, {2000, 2}};
  const auto rr = Routes("round_robin", 2, w);
  CHECK(rr == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 0}, {3, 1}});
  for (const char* router : {"least_requests", "least_tokens", "least_kv"}) {
    INFO(router);
    const auto got = Routes(router, 2, w);
    CHECK(got == std::map<int64_t, int32_t>{{0, 0}, {1, 1}, {2, 1}, {3, 1}});
  }
}

TEST_CASE("routing: every router serves every request, one replica or several", "[routing][sim]") {
  std::vector<std::pair<int64_t, int64_t>> w;
  for (int i = 0; i < 40; ++i) w.emplace_back(i * 13, 1 + i % 7 * 40);
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
