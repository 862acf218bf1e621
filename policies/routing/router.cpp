#include "policies/routing/router.h"

#include <limits>
#include <stdexcept>
#include <utility>

#include "policies/routing/min_index.h"
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

// Least loaded by the key `KeyOf` gives (a strict weak order on keys), ties to the first replica
// after the last one chosen. Tracked, the keys live in a MinIndex and a route costs O(log n).
template <typename KeyOf>
class LeastLoadedRouter final : public Router {
 public:
  using Key = decltype(KeyOf{}(ReplicaLoad{}));

  int32_t Route(std::span<const ReplicaLoad> loads) override {
    const auto n = static_cast<int32_t>(loads.size());
    int32_t best = (last_ + 1) % n;
    if (tracked_) {
      best = index_.FirstMinFrom(best);
    } else {
      Key best_key = KeyOf{}(loads[static_cast<size_t>(best)]);
      for (int32_t k = 1; k < n; ++k) {
        const int32_t i = (last_ + 1 + k) % n;
        const Key key = KeyOf{}(loads[static_cast<size_t>(i)]);
        if (key < best_key) best = i, best_key = key;
      }
    }
    last_ = best;
    return best;
  }
  void Track(std::span<const ReplicaLoad> loads) override {
    index_.Reset(static_cast<int32_t>(loads.size()), Key{});
    for (size_t i = 0; i < loads.size(); ++i)
      index_.Set(static_cast<int32_t>(i), KeyOf{}(loads[i]));
    tracked_ = true;
  }
  void Update(int32_t replica, const ReplicaLoad& load) override {
    index_.Set(replica, KeyOf{}(load));
  }

 private:
  int32_t last_ = -1;
  bool tracked_ = false;
  MinIndex<Key> index_;
};

struct RequestsKey {
  int64_t operator()(const ReplicaLoad& l) const { return l.outstanding_requests; }
};
struct TokensKey {
  int64_t operator()(const ReplicaLoad& l) const { return l.outstanding_tokens; }
};
// KV usage, then outstanding requests.
struct KvKey {
  std::pair<double, int64_t> operator()(const ReplicaLoad& l) const {
    return {l.kv_usage, l.outstanding_requests};
  }
};

// vLLM's DP balancer: min 4 x waiting + running, the first (lowest index) on ties.
class VllmDpRouter final : public Router {
 public:
  static int64_t Score(const ReplicaLoad& l) { return 4 * l.waiting + l.running; }
  int32_t Route(std::span<const ReplicaLoad> loads) override {
    if (tracked_) return index_.FirstMinFrom(0);
    int32_t best = 0;
    int64_t best_score = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < loads.size(); ++i) {
      const int64_t score = Score(loads[i]);
      if (score < best_score) best = static_cast<int32_t>(i), best_score = score;
    }
    return best;
  }
  void Track(std::span<const ReplicaLoad> loads) override {
    index_.Reset(static_cast<int32_t>(loads.size()), 0);
    for (size_t i = 0; i < loads.size(); ++i) index_.Set(static_cast<int32_t>(i), Score(loads[i]));
    tracked_ = true;
  }
  void Update(int32_t replica, const ReplicaLoad& load) override {
    index_.Set(replica, Score(load));
  }

 private:
  bool tracked_ = false;
  MinIndex<int64_t> index_;
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
  if (o.impl == "least_requests") return std::make_unique<LeastLoadedRouter<RequestsKey>>();
  if (o.impl == "least_tokens") return std::make_unique<LeastLoadedRouter<TokensKey>>();
  if (o.impl == "least_kv") return std::make_unique<LeastLoadedRouter<KvKey>>();
  if (o.impl == "random") return std::make_unique<RandomRouter>(o.seed);
  if (o.impl == "vllm_dp") return std::make_unique<VllmDpRouter>();
  throw std::logic_error("no router named '" + o.impl + "'");
}

}  // namespace servesim
