// What the token exchange around a data parallel MoE layer costs: dispatch (each DP rank's
// hidden states to the ranks holding their experts) and combine (the experts' outputs back).
//
// Models, for `ranks` DP ranks exchanging the hidden states of the whole group (`group_bytes`,
// every rank's tokens x hidden x activation bytes) over one link kind (bandwidth per device and a
// link kind's protocol costs, hardware/collectives.h):
//   allgather_reducescatter (vLLM's default for expert parallelism): dispatch all-gathers every
//     rank's tokens to every rank, combine reduce-scatters the outputs; each is a ring moving
//     (ranks - 1) / ranks x group_bytes through each device's link;
//   all_to_all (DeepEP / pplx-style kernels): each token travels only to the ranks holding its
//     k experts: a device sends its group_bytes / ranks once to each distinct remote rank among
//     its tokens' experts, in expectation ranks x (1 - (1 - 1/ranks)^k) x (ranks - 1) / ranks
//     ranks per token (experts spread evenly, routing uniform); combine returns the same bytes.
// Each of dispatch and combine is one collective (its latency paid once). Ignores: overlap with compute,
// contention across nodes, padding of uneven ranks, quantized dispatch (fp8 hidden states),
// load imbalance between experts.
#ifndef SERVESIM_HARDWARE_ALL_TO_ALL_H_
#define SERVESIM_HARDWARE_ALL_TO_ALL_H_

#include <string>
#include <string_view>
#include <vector>

#include "hardware/collectives.h"

namespace servesim {

enum class All2AllBackend { kAllgatherReduceScatter, kAllToAll };

std::string_view All2AllBackendName(All2AllBackend backend);
// Names of every backend, in enum order (for the scenario key's choices).
const std::vector<std::string>& All2AllBackendNames();
// The backend named `name`; false when none is.
bool All2AllBackendFromName(std::string_view name, All2AllBackend& backend);

// Bytes one device sends in dispatch (combine moves as many again).
double AllToAllBytesPerRank(double group_bytes, int ranks, int experts_per_token,
                            All2AllBackend backend);

// Seconds of dispatch + combine for one MoE layer over `link` (hardware/collectives.h):
// allgather_reducescatter is an AllGather then a ReduceScatter of `group_bytes`; all_to_all is
// two AllToAll collectives, each of the buffer whose remote share a device sends. 0 for one rank
// or no bytes.
double MoeExchangeSeconds(double group_bytes, int ranks, int experts_per_token,
                          const Interconnect& link, All2AllBackend backend);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_ALL_TO_ALL_H_
