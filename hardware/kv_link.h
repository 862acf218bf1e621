// The link a KV cache crosses from a prefill instance to a decode instance (prefill/decode
// disaggregation), and what one transfer costs on it.
//
// Models: a link as a one-direction bandwidth and a one-way latency (datasheet line rates, see
// kv_link.cpp for each preset's source); a transfer of B bytes takes latency + B / bandwidth.
// Tensor parallelism: each of the prefill instance's tp devices holds 1/tp of the KV heads and
// sends its shard over its own link (one NIC or NVLink port per GPU, as in DGX/HGX nodes with one
// 400 Gb/s adapter per GPU), all in parallel, so a transfer's time is priced on one device's
// shard: latency + (bytes / tp) / bandwidth. Two modes: `whole` sends the KV once the prompt is
// computed; `layerwise` streams each layer's KV as the prefill computes it (DistServe, Mooncake,
// vLLM's layer-wise connectors), so only the last layer's share remains after the prefill ends,
// unless the link is slower than the compute, when the transfer ends no earlier than its start
// plus bytes / bandwidth.
// Ignores: protocol efficiency below line rate (RDMA reaches ~90-95 % of it), congestion between
// instances sharing a switch, the decode side's receive path, per-block (paged) scatter costs,
// and compression or quantisation of the KV in flight.
#ifndef SERVESIM_HARDWARE_KV_LINK_H_
#define SERVESIM_HARDWARE_KV_LINK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "models/yaml_reader.h"

namespace servesim {

struct KvLink {
  std::string name;
  double bandwidth_bytes_per_s = 0;  // per device, one direction
  double latency_s = 0;              // one way, per transfer
  const char* source = "";           // where the preset's figures come from
};

enum class KvTransferMode : uint8_t { kWhole, kLayerwise };

struct KvTransferOptions {
  KvLink link;
  KvTransferMode mode = KvTransferMode::kWhole;
};

// The presets, in documentation order.
const std::vector<KvLink>& KvLinkPresets();

// The seconds the link is busy with one transfer of `bytes_per_device` (one device's shard):
// latency + bytes / bandwidth. Its bandwidth part alone is StreamSeconds.
double KvTransferSeconds(const KvLink& link, double bytes_per_device);
double KvStreamSeconds(const KvLink& link, double bytes_per_device);

// Reads `serving.kv_transfer`: {link: PRESET, mode: whole|layerwise, bandwidth_gbps, latency_us}
// (bandwidth and latency override the preset's). Throws InputError.
KvTransferOptions ReadKvTransfer(YamlMapReader& reader);

// Keys of `serving.kv_transfer`, for the docs.
const std::vector<KeyDoc>& KvTransferKeys();

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_KV_LINK_H_
