#include "hardware/kv_link.h"

#include "models/input_error.h"

namespace servesim {

const std::vector<KvLink>& KvLinkPresets() {
  // Line rates per device, one direction; latencies are typical one-way figures for a small
  // RDMA / DMA transfer including the software path (an assumption each, not a datasheet value).
  static const std::vector<KvLink> kPresets = {
      {"nvlink4", 450e9, 2e-6,
       "NVIDIA H100 SXM datasheet: NVLink 900 GB/s per GPU (both directions), 450 GB/s each way"},
      {"nvlink3", 300e9, 2e-6,
       "NVIDIA A100 SXM datasheet: NVLink 600 GB/s per GPU (both directions), 300 GB/s each way"},
      {"ib-ndr", 50e9, 5e-6, "NVIDIA ConnectX-7 / Quantum-2: InfiniBand NDR 400 Gb/s per port"},
      {"ib-hdr", 25e9, 5e-6, "NVIDIA ConnectX-6 / Quantum: InfiniBand HDR 200 Gb/s per port"},
      {"roce-400g", 50e9, 10e-6, "400 GbE (ConnectX-7 Ethernet mode), RoCE v2: 400 Gb/s per port"},
      {"roce-200g", 25e9, 10e-6, "200 GbE (ConnectX-6 Dx), RoCE v2: 200 Gb/s per port"},
      {"pcie-gen5", 63e9, 2e-6, "PCIe 5.0 x16: 32 GT/s x 16 lanes, 128b/130b: 63 GB/s each way"},
      {"pcie-gen4", 31.5e9, 2e-6,
       "PCIe 4.0 x16: 16 GT/s x 16 lanes, 128b/130b: 31.5 GB/s each way"},
      {"eth-100g", 12.5e9, 30e-6, "100 Gb Ethernet, TCP: 100 Gb/s line rate"},
  };
  return kPresets;
}

double KvStreamSeconds(const KvLink& link, double bytes_per_device) {
  return bytes_per_device / link.bandwidth_bytes_per_s;
}

double KvTransferSeconds(const KvLink& link, double bytes_per_device) {
  return link.latency_s + KvStreamSeconds(link, bytes_per_device);
}

const std::vector<KeyDoc>& KvTransferKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"link", "name", "", "required",
       "the link preset: nvlink4, nvlink3, ib-ndr, ib-hdr, roce-400g, roce-200g, pcie-gen5, "
       "pcie-gen4, eth-100g"},
      {"mode", "name", "", "whole",
       "`whole`: send once the prompt is computed; `layerwise`: stream each layer's KV as the "
       "prefill computes it"},
      {"bandwidth_gbps", "number", "Gb/s", "the preset's", "per device, one direction"},
      {"latency_us", "number", "us", "the preset's", "one-way latency of a transfer"},
  };
  return kKeys;
}

KvTransferOptions ReadKvTransfer(YamlMapReader& reader) {
  std::vector<std::string> names;
  for (const KvLink& l : KvLinkPresets()) names.push_back(l.name);
  if (!reader.Has("link"))
    reader.Fail(reader.Key("link"), "required (one of the link presets)", "");
  const std::string name = reader.OneOf("link", "", names, "link");
  KvTransferOptions out;
  for (const KvLink& l : KvLinkPresets()) {
    if (l.name == name) out.link = l;
  }
  const std::string mode = reader.OneOf("mode", "whole", {"whole", "layerwise"}, "transfer mode");
  out.mode = mode == "layerwise" ? KvTransferMode::kLayerwise : KvTransferMode::kWhole;
  if (reader.Has("bandwidth_gbps"))
    out.link.bandwidth_bytes_per_s = reader.Double("bandwidth_gbps", 0, 0, 1e6, true) * 1e9 / 8;
  out.link.latency_s = reader.Double("latency_us", out.link.latency_s * 1e6, 0, 1e9) * 1e-6;
  reader.Finish();
  return out;
}

}  // namespace servesim
