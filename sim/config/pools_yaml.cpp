#include "sim/config/pools_yaml.h"

#include <cctype>

namespace servesim {

const std::vector<std::string>& PoolSlots() {
  static const std::vector<std::string> kSlots = {"hardware",   "scheduler", "kv_cache",
                                                  "cost_model", "routing",   "model"};
  return kSlots;
}

const std::vector<KeyDoc>& ServingKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"path", "name", "", "colocated",
       "`colocated`: one pool prefills and decodes; `disaggregated`: a prefill pool, then a "
       "decode pool"},
      {"pool", "name", "", "the only pool", "colocated: the pool that serves"},
      {"prefill_pool", "name", "", "required", "disaggregated: the pool that computes prompts"},
      {"decode_pool", "name", "", "required", "disaggregated: the pool that decodes"},
      {"kv_transfer", "mapping", "", "required",
       "disaggregated: `{link, mode, bandwidth_gbps, latency_us}` (hardware/kv_link.h)"},
  };
  return kKeys;
}

std::string PoolMessage(const std::string& message, const std::string& file,
                        const std::string& pool) {
  if (message.rfind(file + ":", 0) != 0) return message;
  size_t i = file.size() + 1;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) ++i;
  if (i > file.size() + 1) {
    if (message.compare(i, 1, ":") != 0) return message;
    ++i;
  }
  if (message.compare(i, 1, " ") != 0) return message;
  ++i;
  for (const std::string& slot : PoolSlots()) {
    if (message.compare(i, slot.size(), slot) != 0) continue;
    const char next = i + slot.size() < message.size() ? message[i + slot.size()] : '\0';
    if (next == '.' || next == ':')
      return message.substr(0, i) + "pools." + pool + "." + message.substr(i);
  }
  return message;
}

}  // namespace servesim
