#include "hardware/all_to_all.h"

#include <cmath>

namespace servesim {

std::string_view All2AllBackendName(All2AllBackend backend) {
  return backend == All2AllBackend::kAllToAll ? "all_to_all" : "allgather_reducescatter";
}

const std::vector<std::string>& All2AllBackendNames() {
  static const std::vector<std::string> kNames = {"allgather_reducescatter", "all_to_all"};
  return kNames;
}

bool All2AllBackendFromName(std::string_view name, All2AllBackend& backend) {
  if (name == "allgather_reducescatter") {
    backend = All2AllBackend::kAllgatherReduceScatter;
  } else if (name == "all_to_all") {
    backend = All2AllBackend::kAllToAll;
  } else {
    return false;
  }
  return true;
}

double AllToAllBytesPerRank(double group_bytes, int ranks, int experts_per_token,
                            All2AllBackend backend) {
  if (ranks <= 1 || group_bytes <= 0) return 0.0;
  const double r = ranks;
  const double remote_share = (r - 1.0) / r;
  if (backend == All2AllBackend::kAllgatherReduceScatter) return remote_share * group_bytes;
  const double destinations = r * (1.0 - std::pow(1.0 - 1.0 / r, experts_per_token));
  return group_bytes / r * destinations * remote_share;
}

double MoeExchangeSeconds(double group_bytes, int ranks, int experts_per_token,
                          const Interconnect& link, All2AllBackend backend) {
  if (ranks <= 1 || group_bytes <= 0 || !(link.bandwidth_bytes_per_s > 0)) return 0.0;
  if (backend == All2AllBackend::kAllgatherReduceScatter) {
    return AllGatherSeconds(group_bytes, ranks, link) +
           ReduceScatterSeconds(group_bytes, ranks, link);
  }
  // AllToAllSeconds moves (ranks - 1) / ranks of its buffer: the buffer whose remote share is
  // what a device sends.
  const double r = ranks;
  const double buffer = AllToAllBytesPerRank(group_bytes, ranks, experts_per_token, backend) *
                        r / (r - 1.0);
  return 2.0 * AllToAllSeconds(buffer, ranks, link);
}

}  // namespace servesim
