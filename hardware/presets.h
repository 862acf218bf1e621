// Catalog of device presets: datasheet peaks, memory tiers and links, with calibrated efficiencies
// where measurements exist. Each entry cites the source of its numbers in hardware/presets.cpp.
#ifndef SERVESIM_HARDWARE_PRESETS_H_
#define SERVESIM_HARDWARE_PRESETS_H_

#include <string>
#include <string_view>
#include <vector>

#include "hardware/device_spec.h"

namespace servesim {

struct DevicePreset {
  DeviceSpec spec;                   // spec.name is the preset key, e.g. "a100-80gb"
  std::vector<std::string> aliases;  // other accepted names
};

const std::vector<DevicePreset>& DevicePresets();

// By key or alias, case-insensitive; nullptr when unknown.
const DevicePreset* FindDevicePreset(std::string_view name);

// Throws InputError "unknown device 'x' (did you mean ...?)" naming `source`.
const DeviceSpec& DevicePresetOrThrow(std::string_view name, std::string_view source);

// Offload tiers by kind (REFERENCES.md section 3: effective sequential read rates into device
// memory, latencies as in hardware/presets.cpp): host memory over a PCIe link ("host-pcie3",
// "host-pcie4", "host-pcie5"; capacity 64 GB) and storage ("nvme-gen3", "nvme-gen4", "sata-ssd",
// "ufs-3.1", "ufs-4.0"; capacity 1 TB). A scenario's hardware.offload_tiers entries may start
// from one (`{preset: ufs-4.0, capacity_gb: 256}`).
const std::vector<MemoryTier>& TierPresets();
// Throws InputError "unknown tier 'x' (did you mean ...?)" naming `source`.
const MemoryTier& TierPresetOrThrow(std::string_view name, std::string_view source);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_PRESETS_H_
