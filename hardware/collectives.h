// Collective communication between the devices of one tensor-parallel group, priced by the kind
// of link that joins them.
//
// Models NCCL's cost model in outline: a collective runs the ring algorithm with one of two
// protocols and the library picks the faster. Each protocol on a link has a per-call latency
// (launch and synchronization), a latency per ring step (one hop) and the fraction of the raw
// link bandwidth it moves:
//   t(protocol) = launch + steps * hop + wire_bytes / (bandwidth * bus_eff)
//   t           = min(t(LL), t(Simple))
// LL, NCCL's low-latency protocol, has small latencies but moves data at a fraction of the
// bandwidth (8-byte stores carrying 4 bytes of flags); Simple streams at close to the link rate
// behind a larger latency. So small messages are latency-bound and large ones bandwidth-bound,
// with the crossover where the two lines meet. Ring on n ranks, B bytes:
//   all-reduce      2(n-1) steps, 2(n-1)/n x B on the wire   (B: one rank's buffer)
//   reduce-scatter  n-1 steps,    (n-1)/n x B                 (B: one rank's whole input)
//   all-gather      n-1 steps,    (n-1)/n x B                 (B: one rank's whole output)
//   send/recv       1 step,       B
//   all-to-all      1 step (every peer at once), (n-1)/n x B  (B: one rank's send buffer)
// Link kinds differ in their latencies and in how much of their raw rate a ring reaches: NVLink
// between two GPUs, an NVSwitch fabric, AMD Infinity Fabric, PCIe peer-to-peer under one PCIe
// switch, PCIe through the CPU's host bridge (or staged through host memory where peer-to-peer
// is off), and PCIe across CPU sockets. Their defaults are in collectives.cpp with their sources.
// Ignores: tree, NVLS and one-shot algorithms (within one node NCCL's trees are chains, no faster
// than the ring), link contention with other traffic, topologies that mix kinds within one group,
// multi-node groups, overlap of communication with compute.
#ifndef SERVESIM_HARDWARE_COLLECTIVES_H_
#define SERVESIM_HARDWARE_COLLECTIVES_H_

#include <string>
#include <string_view>
#include <vector>

namespace servesim {

enum class LinkKind {
  kNone,  // no link: the device is never used with tensor parallelism
  kNvlink,
  kNvswitch,
  kInfinityFabric,
  kPcieSwitch,
  kPcieHostBridge,
  kCrossSocket,
};

// One protocol's cost on a link (see the formula above).
struct ProtocolCost {
  double launch_s = 0;  // per call
  double hop_s = 0;     // per ring step
  double bus_eff = 1;   // fraction of the raw link bandwidth moved, in (0, 1]
};

struct Interconnect {
  std::string name;  // physical link generation, informational: "nvlink3", "pcie5", ...
  LinkKind kind = LinkKind::kNone;
  double bandwidth_bytes_per_s = 0;  // raw per device, one direction (datasheet)
  ProtocolCost low_latency;          // NCCL's LL protocol: small messages
  ProtocolCost simple;               // NCCL's Simple protocol: large messages
};

// A link kind with its calibrated (or cited) protocol costs.
struct LinkKindInfo {
  LinkKind kind;
  const char* name;  // the scenario's spelling: "nvswitch", "pcie-host-bridge", ...
  // Kinds of one medium (GPU fabric: nvlink, nvswitch, infinity-fabric; PCIe: the other three)
  // share a raw bandwidth, so a scenario may switch between them without restating it.
  const char* medium;
  ProtocolCost low_latency;
  ProtocolCost simple;
  const char* description;
  const char* source;  // where the protocol costs come from
};

const std::vector<LinkKindInfo>& LinkKinds();
const LinkKindInfo& LinkKindInfoOf(LinkKind kind);
std::string_view LinkKindName(LinkKind kind);
// Throws InputError naming `source`, with a suggestion, when `name` is not a kind.
LinkKind LinkKindOrThrow(std::string_view name, std::string_view source);
bool SameMedium(LinkKind a, LinkKind b);

// A link of `kind` at `bandwidth_bytes_per_s` with the kind's protocol costs.
Interconnect MakeInterconnect(std::string name, LinkKind kind, double bandwidth_bytes_per_s);
// The same link with the kind's protocol costs replaced by those of `kind` (bandwidth kept).
Interconnect WithKind(const Interconnect& link, LinkKind kind);

// The floor of a collective on `link`: a 2-rank all-reduce of 0 bytes (seconds).
double SmallMessageLatency(const Interconnect& link);
// Scales every latency of `link` (both protocols' launch and hop) so that SmallMessageLatency
// becomes `latency_s` (> 0); the bandwidth terms are unchanged.
void SetSmallMessageLatency(Interconnect& link, double latency_s);
// The textbook link: no latencies, the raw bandwidth (the cost model's ideal mode).
Interconnect IdealLink(const Interconnect& link);

// Seconds of one collective of `bytes` (as defined in the table above) among `ranks` devices on
// `link`. Zero for fewer than 2 ranks; otherwise at least the latency floor, also for 0 bytes. A
// link without bandwidth (kind none) prices every collective at 0: callers reject tensor
// parallelism on it first.
double AllReduceSeconds(double bytes, int ranks, const Interconnect& link);
double ReduceScatterSeconds(double bytes, int ranks, const Interconnect& link);
double AllGatherSeconds(double bytes, int ranks, const Interconnect& link);
double SendRecvSeconds(double bytes, const Interconnect& link);
double AllToAllSeconds(double bytes, int ranks, const Interconnect& link);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_COLLECTIVES_H_
