#include "policies/routing/router.h"

#include <limits>
#include <stdexcept>

#include "workloads/random.h"

namespace servesim {
namespace {

class RoundRobinRouter final : public Router {
 public:
  int32_t Route(std::span<const ReplicaLoad> loads) override {
    const auto n = static_cast<int32_t>(loads.size());
    const int32_t r = next_ % n;
    next_ = (r + 1) % n;
    return r;
  }

 private:
  int32_t next_ = 0;
};

// Least loaded by `Less` (a strict weak order on loads), ties to the first replica after the
// last one chosen.
template <typename Less>
class LeastLoadedRouter final : public Router {
 public:
  explicit LeastLoadedRouter(bool needs_kv) : needs_kv_(needs_kv) {}

  int32_t Route(std::span<const ReplicaLoad> loads) override {
    const auto n = static_cast<int32_t>(loads.size());
    int32_t best = (last_ + 1) % n;
    for (int32_t k = 1; k < n; ++k) {
      const int32_t i = (last_ + 1 + k) % n;
      if (Less{}(loads[static_cast<size_t>(i)], loads[static_cast<size_t>(best)])) best = i;
    }
    last_ = best;
    return best;
  }
  bool needs_kv_usage() const override { return needs_kv_; }

 private:
  bool needs_kv_;
  int32_t last_ = -1;
};

struct FewerRequests {
  bool operator()(const ReplicaLoad& a, const ReplicaLoad& b) const {
    return a.outstanding_requests < b.outstanding_requests;
  }
};
struct FewerTokens {
  bool operator()(const ReplicaLoad& a, const ReplicaLoad& b) const {
    return a.outstanding_tokens < b.outstanding_tokens;
  }
};
struct LessKv {
  bool operator()(const ReplicaLoad& a, const ReplicaLoad& b) const {
    if (a.kv_usage != b.kv_usage) return a.kv_usage < b.kv_usage;
    return a.outstanding_requests < b.outstanding_requests;
  }
};

// vLLM's DP balancer: min 4 x waiting + running, the first (lowest index) on ties.
class VllmDpRouter final : public Router {
 public:
  int32_t Route(std::span<const ReplicaLoad> loads) override {
    int32_t best = 0;
    int64_t best_score = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < loads.size(); ++i) {
      const int64_t score = 4 * loads[i].waiting + loads[i].running;
      if (score < best_score) best = static_cast<int32_t>(i), best_score = score;
    }
    return best;
  }
};

class RandomRouter final : public Router {
 public:
  explicit RandomRouter(uint64_t seed) : rng_(MakeStream(seed, "routing")) {}
  int32_t Route(std::span<const ReplicaLoad> loads) override {
    return static_cast<int32_t>(UniformInt(rng_, 0, static_cast<int64_t>(loads.size()) - 1));
  }

 private:
  RngStream rng_;
};

}  // namespace

std::unique_ptr<Router> MakeRouter(const RoutingOptions& o) {
  if (o.impl == "round_robin") return std::make_unique<RoundRobinRouter>();
  if (o.impl == "least_requests") return std::make_unique<LeastLoadedRouter<FewerRequests>>(false);
  if (o.impl == "least_tokens") return std::make_unique<LeastLoadedRouter<FewerTokens>>(false);
  if (o.impl == "least_kv") return std::make_unique<LeastLoadedRouter<LessKv>>(true);
  if (o.impl == "random") return std::make_unique<RandomRouter>(o.seed);
  if (o.impl == "vllm_dp") return std::make_unique<VllmDpRouter>();
  throw std::logic_error("no router named '" + o.impl + "'");
}

}  // namespace servesim
