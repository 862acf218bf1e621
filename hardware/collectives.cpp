#include "hardware/collectives.h"

#include <algorithm>
#include <string>

#include "models/input_error.h"

namespace servesim {

// The protocol costs of each kind, {launch_s, hop_s, bus_eff} for LL and for Simple.
//
// nvswitch and nvlink are fitted by `servesim calibrate --link` to Vidur's NCCL all-reduce medians
// (../shared/data/measured/vidur_network; bench/results/calibration.md): an 8-GPU DGX A100
// (NVSwitch; 2, 4 and 8 ranks) and A100 pairs joined by an NVLink bridge (2 ranks).
// pcie-switch is fitted the same way to the 4-rank rows of the NVLink-pair machine, whose ring
// crosses PCIe between the pairs, at PCIe 4.0 x16 (32 GB/s each way); that machine's PCIe path
// (switch or host bridge) is not recorded, and its rate (74 % of raw) is that of direct
// peer-to-peer, so it stands for GPUs under one switch.
// pcie-host-bridge is read off published nccl-tests all_reduce_perf output of 4 GeForce RTX 4090
// (PCIe 4.0 x16 through the CPU, tinygrad/open-gpu-kernel-modules pull request 22): 32 KiB in
// 18.8 us, 1 MiB in 152.7 us, bus bandwidth 12.8 GB/s (40 % of raw) from 8 MiB up.
// cross-socket takes the host-bridge costs with 80 % of its bandwidth and 1.5x its step latency:
// peer-to-peer across NUMA nodes measured 39-51 GB/s against 54-56 GB/s within one on RTX PRO
// 6000 Gen5 systems (voipmonitor/rtx6kpro, hardware/pcie-bandwidth.md); the latency factor is an
// assumption. infinity-fabric has no measurement here and takes the NVSwitch costs.
// Vidur times each call from Python around torch.distributed, so its fitted per-call latencies
// (30-43 us) include that harness; nccl-tests (the host-bridge figures) time the kernels alone.
// The fits leave LL at 1 % of the rate, i.e. a latency floor for the smallest messages: Vidur's
// medians below 64 KiB scatter too much (10-60 us for 2-10 KiB) to pin an LL bandwidth.
const std::vector<LinkKindInfo>& LinkKinds() {
  static const std::vector<LinkKindInfo> kKinds = {
      {LinkKind::kNone,
       "none",
       "none",
       {0, 0, 1},
       {0, 0, 1},
       "no link between devices (no tensor parallelism)",
       "-"},
      {LinkKind::kNvlink,
       "nvlink",
       "fabric",
       {30.00e-6, 1.704e-6, 0.010},
       {30.00e-6, 4.726e-6, 0.650},
       "NVLink between GPUs joined directly (bridged pairs)",
       "fitted to Vidur's A100 NVLink-pair all-reduce medians"},
      {LinkKind::kNvswitch,
       "nvswitch",
       "fabric",
       {32.83e-6, 3.091e-6, 0.010},
       {43.10e-6, 0.970e-6, 0.574},
       "NVLink through NVSwitch (HGX / DGX boards)",
       "fitted to Vidur's DGX A100 all-reduce medians"},
      {LinkKind::kInfinityFabric,
       "infinity-fabric",
       "fabric",
       {32.83e-6, 3.091e-6, 0.010},
       {43.10e-6, 0.970e-6, 0.574},
       "AMD Infinity Fabric, fully connected (MI300X platforms)",
       "no measurement: the NVSwitch costs"},
      {LinkKind::kPcieSwitch,
       "pcie-switch",
       "pcie",
       {27.00e-6, 6.750e-6, 0.300},
       {40.50e-6, 2.884e-6, 0.740},
       "PCIe peer-to-peer between GPUs under one PCIe switch",
       "fitted to Vidur's 4-rank A100 rows across PCIe"},
      {LinkKind::kPcieHostBridge,
       "pcie-host-bridge",
       "pcie",
       {5.0e-6, 1.2e-6, 0.25},
       {18.0e-6, 2.0e-6, 0.40},
       "PCIe through the CPU's root complex, or staged in host memory without peer-to-peer",
       "nccl-tests on 4 RTX 4090 (tinygrad/open-gpu-kernel-modules PR 22)"},
      {LinkKind::kCrossSocket,
       "cross-socket",
       "pcie",
       {5.0e-6, 1.8e-6, 0.20},
       {18.0e-6, 3.0e-6, 0.32},
       "PCIe between GPUs on different CPU sockets (UPI / xGMI)",
       "host-bridge costs x 0.8 bandwidth (voipmonitor/rtx6kpro P2P), 1.5x step latency "
       "(assumed)"},
  };
  return kKinds;
}

const LinkKindInfo& LinkKindInfoOf(LinkKind kind) {
  for (const auto& k : LinkKinds()) {
    if (k.kind == kind) return k;
  }
  return LinkKinds().front();
}

std::string_view LinkKindName(LinkKind kind) { return LinkKindInfoOf(kind).name; }

LinkKind LinkKindOrThrow(std::string_view name, std::string_view source) {
  std::vector<std::string> names;
  std::string list;
  for (const auto& k : LinkKinds()) {
    if (name == k.name) return k.kind;
    names.push_back(k.name);
    list += (list.empty() ? "" : ", ") + std::string(k.name);
  }
  throw InputError(std::string(source) + ": unknown link kind '" + std::string(name) + "'" +
                   DidYouMean(name, names) + "; expected one of " + list);
}

bool SameMedium(LinkKind a, LinkKind b) {
  return std::string_view(LinkKindInfoOf(a).medium) == LinkKindInfoOf(b).medium;
}

Interconnect MakeInterconnect(std::string name, LinkKind kind, double bandwidth_bytes_per_s) {
  Interconnect link;
  link.name = std::move(name);
  link.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  return WithKind(link, kind);
}

Interconnect WithKind(const Interconnect& link, LinkKind kind) {
  Interconnect out = link;
  const LinkKindInfo& info = LinkKindInfoOf(kind);
  out.kind = kind;
  out.low_latency = info.low_latency;
  out.simple = info.simple;
  return out;
}

namespace {

// One protocol's time for a ring of `steps` moving `wire_bytes` per device.
double ProtocolSeconds(const ProtocolCost& p, double steps, double wire_bytes, double bw) {
  return p.launch_s + steps * p.hop_s + wire_bytes / (bw * p.bus_eff);
}

double RingSeconds(double steps, double wire_bytes, const Interconnect& link) {
  const double bw = link.bandwidth_bytes_per_s;
  if (!(bw > 0)) return 0.0;
  const double wire = std::max(0.0, wire_bytes);
  return std::min(ProtocolSeconds(link.low_latency, steps, wire, bw),
                  ProtocolSeconds(link.simple, steps, wire, bw));
}

}  // namespace

double SmallMessageLatency(const Interconnect& link) {
  return std::min(link.low_latency.launch_s + 2 * link.low_latency.hop_s,
                  link.simple.launch_s + 2 * link.simple.hop_s);
}

void SetSmallMessageLatency(Interconnect& link, double latency_s) {
  const double now = SmallMessageLatency(link);
  if (!(now > 0)) {  // a link without latencies: give LL a per-call latency only
    link.low_latency.launch_s = latency_s;
    return;
  }
  const double f = latency_s / now;
  for (ProtocolCost* p : {&link.low_latency, &link.simple}) {
    p->launch_s *= f;
    p->hop_s *= f;
  }
}

Interconnect IdealLink(const Interconnect& link) {
  Interconnect out = link;
  out.low_latency = ProtocolCost{0, 0, 1};
  out.simple = ProtocolCost{0, 0, 1};
  return out;
}

double AllReduceSeconds(double bytes, int ranks, const Interconnect& link) {
  if (ranks < 2) return 0.0;
  const double n = ranks;
  return RingSeconds(2.0 * (n - 1.0), 2.0 * (n - 1.0) / n * bytes, link);
}

double ReduceScatterSeconds(double bytes, int ranks, const Interconnect& link) {
  if (ranks < 2) return 0.0;
  const double n = ranks;
  return RingSeconds(n - 1.0, (n - 1.0) / n * bytes, link);
}

double AllGatherSeconds(double bytes, int ranks, const Interconnect& link) {
  return ReduceScatterSeconds(bytes, ranks, link);
}

double SendRecvSeconds(double bytes, const Interconnect& link) {
  return RingSeconds(1.0, bytes, link);
}

double AllToAllSeconds(double bytes, int ranks, const Interconnect& link) {
  if (ranks < 2) return 0.0;
  const double n = ranks;
  return RingSeconds(1.0, (n - 1.0) / n * bytes, link);
}

}  // namespace servesim
