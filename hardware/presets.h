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

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_PRESETS_H_
