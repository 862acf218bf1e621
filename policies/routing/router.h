// Routing: which replica an arriving request joins, decided by a load balancer in front of
// identical replicas.
//
// Models: the balancer sees, at the arrival instant and exactly, each replica's outstanding
// requests (routed to it and not finished: waiting, running, preempted or swapped out), their
// outstanding tokens (prompt + output of those requests, the work a replica has been handed) and
// its KV-cache usage. Policies: round_robin (the default, as in most gateways; vLLM's own
// data-parallel balancer weighs waiting and running requests, close to least_requests),
// least_requests (join the shortest queue: fewest outstanding requests), vllm_dp (vLLM's
// data-parallel balancer, DPLBAsyncMPClient: the lowest 4 x waiting + running, ties to the lowest
// index, as its one front end scans from rank 0), least_tokens (fewest
// outstanding tokens, which tells a replica holding a few long requests from one holding many
// short ones), least_kv (lowest KV usage, then fewest outstanding requests), random (uniform,
// from the scenario's named stream "routing"). The least_* policies break ties by scanning from
// the replica after the last one chosen, so an idle cluster is filled round-robin.
//
// least_tokens counts each request's prompt + true output length until it finishes: an oracle
// view (a real balancer does not know the output length) of the work handed out, not of the
// work left.
//
// Ignores: stale load reports (vLLM's balancer sees counts its coordinator publishes every
// 100 ms, plus its own routing since) and the balancer's own latency, prefix- or session-affinity
// routing, heterogeneous replicas, and moving a request once routed (it stays on its replica
// through preemption).
#ifndef SERVESIM_POLICIES_ROUTING_ROUTER_H_
#define SERVESIM_POLICIES_ROUTING_ROUTER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace servesim {

// One replica as the balancer sees it.
struct ReplicaLoad {
  int64_t outstanding_requests = 0;
  int64_t outstanding_tokens = 0;  // prompt + output tokens of the outstanding requests
  double kv_usage = 0;             // fraction of KV blocks in use (kept only for least_kv)
  int64_t waiting = 0;             // of the outstanding requests: waiting or preempted
  int64_t running = 0;             // in the scheduler's running set
};

// The router that data-parallel ranks get unless the scenario names one.
inline constexpr const char* kDataParallelRouter = "vllm_dp";

struct RoutingOptions {
  std::string impl = "round_robin";
  uint64_t seed = 0;  // the scenario seed (random draws from its stream "routing")
};

// The ReplicaLoad fields a router reads (a capability in its descriptor, RoutingDescriptor):
// the engine keeps only those current, and none for a router that reads nothing.
enum LoadFields : uint32_t {
  kReadsNothing = 0,
  kReadsRequests = 1u << 0,        // outstanding_requests
  kReadsTokens = 1u << 1,          // outstanding_tokens
  kReadsKvUsage = 1u << 2,         // kv_usage
  kReadsWaitingRunning = 1u << 3,  // waiting and running
};

// Contract: Route is given the loads of all replicas (at least one) and returns an index into
// them; it is deterministic given the options and the sequence of calls. Indexed use: after
// Track(loads), the caller reports every change of a replica's load in a field the router reads
// through Update (before the next Route, whose loads are then current); a router that reads loads
// then routes from its own index in O(log replicas) instead of scanning them, choosing exactly
// what the scan would.
class Router {
 public:
  virtual ~Router() = default;
  virtual int32_t Route(std::span<const ReplicaLoad> loads) = 0;
  virtual void Track(std::span<const ReplicaLoad> /*loads*/) {}
  virtual void Update(int32_t /*replica*/, const ReplicaLoad& /*load*/) {}
};

// The factory behind the registry's "routing" names (policies/registry.cpp).
std::unique_ptr<Router> MakeRouter(const RoutingOptions& options);

}  // namespace servesim

#endif  // SERVESIM_POLICIES_ROUTING_ROUTER_H_
